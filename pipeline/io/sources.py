"""Finding input files and reading their bytes, decompressing .gz, .bz2 and .zst transparently."""
from __future__ import annotations

import bz2
import functools
import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import zstandard

from pipeline.errors import InputFormatError, MissingInputError
from pipeline.ingest.records import RawSource

COMPRESSION_SUFFIXES = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\x28\xb5\x2f\xfd", "zstd"))
# A decompressed file larger than this is refused rather than exhausting memory
# (a few kilobytes of gzip can expand to gigabytes).
DEFAULT_MAX_BYTES = 2 * 1024**3
_CHUNK = 1 << 20
_ZSTD_PIECE = 1 << 10


@dataclass(frozen=True)
class InputFile:
    """A file to ingest: where it is, and the name it gets in the ``source`` column."""

    path: Path
    name: str

    @property
    def logical_name(self) -> str:
        """The name without its compression suffix, used to choose a parser."""
        for suffix in COMPRESSION_SUFFIXES:
            if self.name.lower().endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name


def discover_inputs(paths: Iterable[Path], supported_extensions: Iterable[str]) -> list[InputFile]:
    """Expand files and folders into a sorted, de-duplicated list of input files.

    Folders are searched recursively for files with a supported extension (optionally
    compressed); hidden files and README files are skipped. Files named explicitly are
    always taken, whatever their extension.

    Raises:
        MissingInputError: a path does not exist, or a folder holds no supported file.
    """
    extensions = tuple(supported_extensions)
    found: dict[Path, InputFile] = {}
    for path in paths:
        if not path.exists():
            raise MissingInputError(f"{path}: no such file or folder")
        if path.is_file():
            found.setdefault(path.resolve(), InputFile(path, path.as_posix()))
            continue
        members = [p for p in sorted(path.rglob("*")) if _is_supported(p, path, extensions)]
        if not members:
            listed = ", ".join(extensions)
            raise MissingInputError(f"{path}: folder holds no supported file ({listed}, optionally .gz/.bz2/.zst)")
        for member in members:
            found.setdefault(member.resolve(), InputFile(member, member.as_posix()))
    return sorted(found.values(), key=lambda item: item.name)


def _is_supported(path: Path, root: Path, extensions: tuple[str, ...]) -> bool:
    relative = path.relative_to(root)
    if not path.is_file() or any(part.startswith(".") for part in relative.parts):
        return False
    name = path.name.lower()
    if name.startswith("readme"):
        return False
    for suffix in COMPRESSION_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name.endswith(extensions)


def read_input_bytes(item: InputFile, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
    """Return the file's (decompressed) bytes and the compression used ("" for none).

    Raises:
        InputFormatError: the file cannot be read, is a corrupt archive, or exceeds ``max_bytes``.
    """
    compression = input_compression(item)
    buffer = io.BytesIO()
    for piece in read_input_pieces(item, compression, max_bytes=max_bytes):
        buffer.write(piece)
    return buffer.getvalue(), compression


def input_compression(item: InputFile) -> str:
    """The compression of a file, from its first bytes ("" for none).

    Raises:
        InputFormatError: the file cannot be opened.
    """
    try:
        with item.path.open("rb") as handle:
            return _compression_of(handle.read(4))
    except OSError as error:
        raise InputFormatError(item.name, f"cannot read file: {_os_reason(error)}") from None


def read_input_pieces(item: InputFile, compression: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[bytes]:
    """The file's (decompressed) bytes in pieces of about a megabyte, read as they are asked for.

    Raises:
        InputFormatError: the file cannot be read, is a corrupt archive, or exceeds ``max_bytes``.
    """
    try:
        handle = item.path.open("rb")
    except OSError as error:
        raise InputFormatError(item.name, f"cannot read file: {_os_reason(error)}") from None
    with handle:
        try:
            yield from _capped(_decompressed_chunks(handle, compression), item.name, max_bytes)
        except (OSError, EOFError, zstandard.ZstdError) as error:
            what = f"corrupt or truncated {compression} archive" if compression else "cannot read file"
            raise InputFormatError(item.name, f"{what}: {error}") from None


def _compression_of(head: bytes) -> str:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return ""


def _decompressed_chunks(handle: BinaryIO, compression: str) -> Iterator[bytes]:
    if compression == "zstd":
        return _zstd_chunks(handle)
    stream: BinaryIO = handle
    if compression == "gzip":
        stream = gzip.GzipFile(fileobj=handle)
    elif compression == "bz2":
        stream = bz2.BZ2File(handle)
    return iter(lambda: stream.read(_CHUNK), b"")


def _zstd_chunks(handle: BinaryIO) -> Iterator[bytes]:
    """Decompress every zstd frame of ``handle``, raising when the last one is cut short.

    zstandard's ``stream_reader`` ends quietly on a truncated file, which turned half an
    archive into an "empty file" (or a silently shorter one); a decompression object per
    frame says whether its frame was complete. Input goes in small pieces because one
    zstd byte can expand to tens of thousands, and the size cap is checked between pieces.
    """
    decompressor = zstandard.ZstdDecompressor()
    frame, frame_started = decompressor.decompressobj(), False
    while piece := handle.read(_ZSTD_PIECE):
        while piece:
            yield frame.decompress(piece)
            frame_started = True
            if not frame.eof:
                break
            piece = frame.unused_data
            frame, frame_started = decompressor.decompressobj(), False
    if frame_started and not frame.eof:
        raise zstandard.ZstdError("the input ends in the middle of a frame")


def _capped(chunks: Iterable[bytes], name: str, max_bytes: int) -> Iterator[bytes]:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise InputFormatError(name, f"larger than the {max_bytes:,}-byte limit once decompressed (see --max-bytes)")
        if chunk:
            yield chunk


def _os_reason(error: OSError) -> str:
    return error.strerror or error.__class__.__name__


def load_raw_sources(files: Iterable[InputFile], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawSource]:
    """A source per file whose bytes are read from disk in pieces when ingest asks for them (and
    again for a second pass), never held whole; a file that cannot be opened is yielded with its
    error attached, so the ingest stage decides whether that stops the run (a file that turns
    out unreadable later, say a corrupt archive, raises when it is read)."""
    for item in files:
        try:
            compression = input_compression(item)
        except InputFormatError as error:
            yield RawSource(item.name, logical_name=item.logical_name, read_error=error)
            continue
        reader = functools.partial(read_input_pieces, item, compression, max_bytes=max_bytes)
        yield RawSource(item.name, compression=compression, logical_name=item.logical_name, reader=reader)
