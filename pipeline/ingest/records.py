"""What a format parser yields: the common shape every input format is read into.

Parsers turn one decoded file into a stream of :class:`RawComment`, :class:`RecordReject`
and :class:`ThreadInfo` items. Everything format-independent (text normalisation, dates,
ids, de-duplication, reply resolution) happens afterwards in :mod:`pipeline.ingest.assemble`,
so a parser only has to find the records and say where each one came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Protocol, Union

#: Bytes handed to a decoder at a time when a file is read in pieces.
PIECE_BYTES = 1 << 20


@dataclass(frozen=True)
class RawSource:
    """One input file's bytes, a way to read them in pieces, or the error that prevented reading it.

    Attributes:
        name: the path as it will appear in the ``source`` column.
        data: the (decompressed) bytes, when they are held in memory.
        compression: ``gzip``, ``bz2``, ``zstd`` or ``""``.
        logical_name: the name without its compression suffix, used to pick a parser.
        read_error: set instead of ``data`` when the file could not be read.
        reader: instead of ``data``: returns the (decompressed) bytes in pieces, from the start,
            each time it is called (a file on disk is read again rather than held), and raises
            :class:`pipeline.errors.InputFormatError` when the file turns out unreadable.
    """

    name: str
    data: bytes = b""
    compression: str = ""
    logical_name: str = ""
    read_error: Exception | None = None
    reader: Callable[[], Iterable[bytes]] | None = None

    def pieces(self) -> Iterator[bytes]:
        """The file's bytes, from the start, in pieces of at most about :data:`PIECE_BYTES`.

        Raises:
            InputFormatError: the file cannot be read (a corrupt archive, over the size limit).
        """
        if self.reader is not None:
            yield from self.reader()
            return
        for start in range(0, len(self.data), PIECE_BYTES):
            yield self.data[start : start + PIECE_BYTES]


@dataclass(frozen=True)
class SourceText:
    """One input file, decoded to text: whole, or as pieces read again on demand.

    Parsers of the formats that stream (JSON lines, CSV/TSV, saved page text) read
    :meth:`text_pieces`; the others read ``text``, which ingest fills for them.

    Attributes:
        name: the path as it will appear in the ``source`` column (posix form).
        text: the decoded file content (``""`` when ``pieces`` is given).
        encoding: the encoding used to decode it (e.g. ``utf-8``, ``utf-16``, ``cp1252``).
        pieces: returns the decoded text in pieces, from the start, each time it is called.
    """

    name: str
    text: str
    encoding: str = "utf-8"
    pieces: Callable[[], Iterable[str]] | None = None

    def text_pieces(self) -> Iterator[str]:
        """The decoded text in pieces (one piece when the text is held whole)."""
        if self.pieces is None:
            yield self.text
            return
        yield from self.pieces()

    def whole_text(self) -> str:
        """The decoded text in one string (for the parts of a parser that need the whole document)."""
        return self.text if self.pieces is None else "".join(self.pieces())


@dataclass(frozen=True)
class ColumnMapping:
    """User-chosen column names for tabular and JSON inputs; ``None`` means auto-detect."""

    text: str | None = None
    author: str | None = None
    date: str | None = None
    id: str | None = None
    parent: str | None = None
    thread: str | None = None


@dataclass
class RawComment:
    """One comment as found in the input, before normalisation.

    Attributes:
        locator: where it is in the file: ``line 319``, ``row 4``, ``record 12``.
        text: the comment's text as written (entities and markup may remain; the
            assembler decodes entities and normalises whitespace).
        author: the display name as written ("" when unknown).
        posted_at: the date as written, or an ISO string, or epoch seconds as text.
        thread: the article/page title or id the comment belongs to ("" = the file's default).
        native_id: the id the source system gave the comment ("" when none).
        native_parent: the source system's id of the parent comment ("" when none).
        reply_to: the addressee as written (e.g. the name after ``@``); the assembler
            fills it from a leading ``@name:`` when the parser leaves it empty.
        is_author: the article's own author wrote it.
        raw: a short excerpt of the raw record for the rejects table.
        original: the body as the source holds it when the parser had to convert it (an HTML
            body turned into text); the assembler keeps it as ``text_original``.
        raw_maker: instead of ``raw``, makes it when it is needed (a comment that ends up
            rejected); for parsers whose excerpt costs real work to write.
    """

    locator: str
    text: str
    author: str = ""
    posted_at: str = ""
    thread: str = ""
    native_id: str = ""
    native_parent: str = ""
    reply_to: str = ""
    is_author: bool = False
    raw: str = ""
    original: str = ""
    raw_maker: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    def raw_text(self) -> str:
        """``raw``, made now if the parser left it to be made on demand."""
        return self.raw or (self.raw_maker() if self.raw_maker is not None else "")


@dataclass
class RecordReject:
    """A record that was read but cannot become a comment, with the reason why."""

    locator: str
    reason: str
    raw: str = ""


@dataclass
class ThreadInfo:
    """The article or discussion a set of comments hangs under.

    ``thread`` is the key that comments refer to in their ``thread`` field.
    """

    thread: str
    title: str = ""
    url: str = ""
    author: str = ""
    posted_at: str = ""
    body: str = ""
    extra: dict[str, str] = field(default_factory=dict)


ParsedItem = Union[RawComment, RecordReject, ThreadInfo]


class Parser(Protocol):
    """A format parser: yields the records of one decoded file.

    Raises :class:`pipeline.errors.InputFormatError` when the file as a whole is
    unreadable; a single bad record is yielded as a :class:`RecordReject` instead,
    so it never costs the good records of the same file.
    """

    def __call__(self, source: SourceText, columns: ColumnMapping) -> Iterator[ParsedItem]: ...
