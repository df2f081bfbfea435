import codecs

import pytest

from pipeline.errors import InputFormatError
from pipeline.ingest.decode import decode_bytes

TEXT = "Pickle juice – it’s odd, but it works"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252 (fallback)"),
    ],
)
def test_each_encoding_decodes_to_the_same_text(data, encoding):
    assert decode_bytes(data, "f.txt") == (TEXT, encoding)


def test_undecodable_bytes_become_replacement_characters_not_a_crash():
    text, encoding = decode_bytes(b"tonic water \x81\x8d helps", "f.txt")
    assert encoding == "cp1252 (fallback)"
    assert text.startswith("tonic water") and "\ufffd" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"   \n\n", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(256)) * 4, "binary"),
    ],
)
def test_empty_and_binary_files_are_refused_naming_the_file(data, message):
    with pytest.raises(InputFormatError, match=message) as caught:
        decode_bytes(data, "data/raw/x.csv")
    assert str(caught.value).startswith("data/raw/x.csv")
