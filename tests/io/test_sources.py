import bz2
import gzip

import pytest
import zstandard

from pipeline.errors import InputFormatError, MissingInputError
from pipeline.ingest.detect import SUPPORTED_EXTENSIONS
from pipeline.io.sources import discover_inputs, read_input_bytes

PAYLOAD = b"id,text\n1,banana helps\n"


@pytest.mark.parametrize(
    ("suffix", "compress", "kind"),
    [
        ("", lambda b: b, ""),
        (".gz", gzip.compress, "gzip"),
        (".bz2", bz2.compress, "bz2"),
        (".zst", lambda b: zstandard.ZstdCompressor().compress(b), "zstd"),
    ],
)
def test_compressed_files_are_read_transparently(tmp_path, suffix, compress, kind):
    path = tmp_path / f"export.csv{suffix}"
    path.write_bytes(compress(PAYLOAD))
    [item] = discover_inputs([tmp_path], SUPPORTED_EXTENSIONS)
    assert item.logical_name.endswith("export.csv")
    assert read_input_bytes(item) == (PAYLOAD, kind)


def test_truncated_archive_is_a_clear_error(tmp_path):
    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzip.compress(PAYLOAD * 100)[:30])
    [item] = discover_inputs([path], SUPPORTED_EXTENSIONS)
    with pytest.raises(InputFormatError, match="corrupt or truncated gzip"):
        read_input_bytes(item)


def test_decompression_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"a" * 5_000_000))
    [item] = discover_inputs([path], SUPPORTED_EXTENSIONS)
    with pytest.raises(InputFormatError, match="limit"):
        read_input_bytes(item, max_bytes=1_000_000)


def test_folders_are_searched_recursively_skipping_hidden_and_readme_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text("{}")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "README.md").write_text("x")
    (tmp_path / ".hidden.csv").write_text("x")
    (tmp_path / "notes.docx").write_text("x")
    names = [item.path.name for item in discover_inputs([tmp_path], SUPPORTED_EXTENSIONS)]
    assert names == ["a.txt", "b.jsonl"]


def test_a_missing_path_and_an_empty_folder_are_errors(tmp_path):
    with pytest.raises(MissingInputError, match="no such file"):
        discover_inputs([tmp_path / "nope"], SUPPORTED_EXTENSIONS)
    (tmp_path / "notes.docx").write_text("x")
    with pytest.raises(MissingInputError, match="no supported file"):
        discover_inputs([tmp_path], SUPPORTED_EXTENSIONS)
