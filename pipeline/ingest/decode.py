"""Bytes to text: byte-order marks, UTF-8, and a recorded cp1252 fallback.

Comment exports arrive in whatever encoding the exporting tool used. We trust a BOM,
then strict UTF-8, then fall back to cp1252 (the usual culprit for Windows-made CSVs)
and say so in the output, so a reader of the tables can tell which rows were guessed.
Undecodable bytes become U+FFFD instead of crashing the run.
"""
from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from pipeline.errors import InputFormatError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
FALLBACK_ENCODING = "cp1252"
_SNIFF_BYTES = 8192
# Control bytes that never appear in text files (tab, LF, FF, CR and ESC excluded).
_BINARY_BYTES = bytes(range(0, 8)) + bytes(range(14, 27)) + bytes(range(28, 32))
_STRAY_BYTE = re.compile("[\udc80-\udcff]")
_ASCII_WHITESPACE = b" \t\n\r\x0b\x0c"
_VALID_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode one file's bytes and return ``(text, encoding_label)``.

    Raises:
        InputFormatError: the file is empty or looks binary.
    """
    if not data.strip():
        raise InputFormatError(source, "file is empty")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), label
    utf16 = _utf16_without_bom(data[:_SNIFF_BYTES])
    if utf16:
        return data.decode(utf16, errors="replace"), f"{utf16} (no BOM)"
    if _looks_binary(data[:_SNIFF_BYTES]):
        raise InputFormatError(source, "looks like a binary file, not text (found NUL or control bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _utf8_with_stray_bytes(data)
    if mixed is not None:
        return mixed
    return data.decode(FALLBACK_ENCODING, errors="replace"), f"{FALLBACK_ENCODING} (fallback)"


def _utf8_with_stray_bytes(data: bytes) -> tuple[str, str] | None:
    """UTF-8 text with a few bytes from another encoding (files pasted together), or ``None``.

    When the file holds real UTF-8 characters, reading all of it as cp1252 would garble every
    one of them ("café" as "cafÃ©"); instead only the bytes that are not UTF-8 are read as cp1252.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    stray = _STRAY_BYTE.findall(text)
    if not _VALID_NON_ASCII.search(text):
        return None
    repaired = _STRAY_BYTE.sub(
        lambda match: bytes([ord(match.group(0)) - 0xDC00]).decode(FALLBACK_ENCODING, errors="replace"), text
    )
    return repaired, f"utf-8 ({len(stray)} bytes read as {FALLBACK_ENCODING})"


def _utf16_without_bom(head: bytes) -> str:
    """``utf-16-le`` or ``utf-16-be`` when ``head`` is ASCII-range text in UTF-16 without a BOM, else ``""``.

    Windows tools write such files; in them every other byte is NUL, which would otherwise
    read as a binary file. Binary data has NULs on both sides.
    """
    even, odd = head[0::2], head[1::2]
    if len(odd) < 2:
        return ""
    for codec, zeros, letters in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.9 * len(zeros) and not _looks_binary(letters):
            return codec
    return ""


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    control = sum(head.count(byte) for byte in _BINARY_BYTES)
    return control > max(4, len(head) // 100)


@dataclass(frozen=True)
class Survey:
    """What one pass over a file's bytes tells before it is parsed: its size, a digest of its
    bytes (for the ingest cache) and how to decode it.

    Attributes:
        size: the number of (decompressed) bytes.
        digest: a hash of the bytes.
        encoding: the label :func:`decode_bytes` would give (``utf-8``, ``utf-16``, ...).
        codec: the Python codec that decodes the bytes after ``skip`` bytes (a BOM).
        errors: the codec's error handler.
        skip: bytes to drop at the start.
        repair_stray: UTF-8 read with ``surrogateescape``, then each stray byte read as cp1252.
        refusal: why the file cannot be read as text (empty, binary); ``""`` when it can.
    """

    size: int
    digest: str
    encoding: str
    codec: str
    errors: str = "strict"
    skip: int = 0
    repair_stray: bool = False
    refusal: str = ""


def survey_bytes(pieces: Iterable[bytes], source: str) -> Survey:
    """Read a file's bytes once, in pieces, and decide how :func:`decode_pieces` decodes them:
    the same text and label as :func:`decode_bytes` gives for the whole file.

    An empty or binary file gets a ``refusal`` (the message :func:`decode_bytes` raises).

    Raises:
        InputFormatError: the bytes cannot be read (say, a corrupt archive).
    """
    digest = hashlib.blake2b(digest_size=16)
    head = bytearray()
    size = 0
    blank = True
    utf8 = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    stray = 0
    valid_non_ascii = False
    for piece in pieces:
        digest.update(piece)
        size += len(piece)
        if len(head) < _SNIFF_BYTES:
            head += piece[: _SNIFF_BYTES - len(head)]
        blank = blank and not piece.strip(_ASCII_WHITESPACE)
        pieces_stray, pieces_valid = _non_ascii_of(utf8.decode(piece))
        stray += pieces_stray
        valid_non_ascii = valid_non_ascii or pieces_valid
    last_stray, last_valid = _non_ascii_of(utf8.decode(b"", final=True))
    return _survey(bytes(head), size, digest.hexdigest(), blank, stray + last_stray, valid_non_ascii or last_valid)


def _non_ascii_of(text: str) -> tuple[int, bool]:
    """How many stray bytes ``text`` (decoded with ``surrogateescape``) holds, and whether it holds
    valid non-ASCII characters. Stray bytes are the only surrogates such text can hold, so text
    that encodes back to UTF-8 has none: that check runs in C, far faster than the regex."""
    if text.isascii():
        return 0, False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return len(_STRAY_BYTE.findall(text)), _VALID_NON_ASCII.search(text) is not None
    return 0, True


def _survey(head: bytes, size: int, digest: str, blank: bool, stray: int, valid_non_ascii: bool) -> Survey:
    if blank:
        return Survey(size, digest, "", "", refusal="file is empty")
    for bom, codec, label in _BOMS:
        if head.startswith(bom):
            return Survey(size, digest, label, codec, "replace", skip=len(bom))
    utf16 = _utf16_without_bom(head)
    if utf16:
        return Survey(size, digest, f"{utf16} (no BOM)", utf16, "replace")
    if _looks_binary(head):
        return Survey(size, digest, "", "", refusal="looks like a binary file, not text (found NUL or control bytes)")
    if not stray:
        return Survey(size, digest, "utf-8", "utf-8")
    if valid_non_ascii:
        return Survey(size, digest, f"utf-8 ({stray} bytes read as {FALLBACK_ENCODING})", "utf-8", "surrogateescape", repair_stray=True)
    return Survey(size, digest, f"{FALLBACK_ENCODING} (fallback)", FALLBACK_ENCODING, "replace")


def decode_pieces(pieces: Iterable[bytes], survey: Survey) -> Iterator[str]:
    """The file's text in pieces, as :func:`decode_bytes` decodes it whole (see :func:`survey_bytes`)."""
    decoder = codecs.getincrementaldecoder(survey.codec)(survey.errors)
    to_skip = survey.skip
    for piece in pieces:
        if to_skip:
            piece, to_skip = piece[to_skip:], max(0, to_skip - len(piece))
        text = decoder.decode(piece)
        if text:
            yield _repaired(text) if survey.repair_stray else text
    text = decoder.decode(b"", final=True)
    if text:
        yield _repaired(text) if survey.repair_stray else text


def _repaired(text: str) -> str:
    return _STRAY_BYTE.sub(lambda match: bytes([ord(match.group(0)) - 0xDC00]).decode(FALLBACK_ENCODING, errors="replace"), text)


def text_reader(read_bytes: Callable[[], Iterable[bytes]], survey: Survey) -> Callable[[], Iterator[str]]:
    """A function that decodes the file again from its start each time it is called."""
    return lambda: decode_pieces(read_bytes(), survey)
