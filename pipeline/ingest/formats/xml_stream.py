"""Streaming, defused reading of XML exports one record element at a time.

Export files (WordPress WXR, Disqus) can be large, hostile or cut short, so the format
parsers never load a whole document tree. :func:`iter_xml_records` feeds the file to
``defusedxml``'s parser in chunks and builds an element tree only for the record elements
the caller asks for (a WXR ``<item>``, a Disqus ``<post>``), handing each over as soon as
its end tag is read. Nothing outside a record is kept, so memory is bounded by the
largest record, not by the file.

Parsing goes through ``defusedxml`` only: entity declarations (billion laughs, quadratic
blow-up) and external references are refused before anything is expanded or fetched.
"""
from __future__ import annotations

import pyexpat
from dataclasses import dataclass, field
from typing import Callable, Iterator, Union
# Only the tree builder and the element type come from the standard library; every byte
# of input is parsed by defusedxml's parser.
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from pipeline.errors import InputFormatError
from pipeline.ingest.records import RecordReject

RAW_EXCERPT_CHARS = 500
FEED_CHUNK_BYTES = 64 * 1024
# Far beyond any real export (a WXR comment's meta value sits five levels deep), yet low
# enough that a file of a million nested tags stops early instead of filling memory.
MAX_NESTING_DEPTH = 1000
ENTITIES_FORBIDDEN = "XML entity declarations are not allowed (possible entity-expansion attack)"

TagNamer = Callable[[str], str]
RecordSelector = Callable[[tuple[str, ...]], bool]


def local_name(tag: str) -> str:
    """Return ``comment`` for ``{http://wordpress.org/export/1.2/}comment`` (or ``comment``)."""
    return tag.rpartition("}")[2]


def namespace_of(tag: str) -> str:
    """Return the namespace URI of an ElementTree tag, or ``""`` when it has none."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def child_text(element: Element, name: str) -> str:
    """Return the stripped text of the first child called ``name``, or ``""``."""
    child = element.find(name)
    if child is None or child.text is None:
        return ""
    return child.text.strip()


@dataclass(frozen=True)
class _Span:
    line: int
    start_byte: int
    end_byte: int


@dataclass
class XmlRecord:
    """One completed record element, with where it and its descendants were in the file.

    Attributes:
        element: the record, tags and attribute names renamed by the caller's tag namer.
        path: the names of the record's ancestors and of the record itself, root first.
    """

    element: Element
    path: tuple[str, ...]
    _spans: dict[Element, _Span]
    _encoded: bytes = field(repr=False)
    _unfinished: frozenset[Element] = frozenset()

    def is_finished(self, element: Element | None = None) -> bool:
        """False for an element whose end tag was never read (see :attr:`XmlDamage.partial`)."""
        return (self.element if element is None else element) not in self._unfinished

    def line_of(self, element: Element | None = None) -> int:
        """Return the 1-based line where ``element`` (default: the record) starts."""
        return self._spans[self.element if element is None else element].line

    def raw_of(self, element: Element | None = None) -> str:
        """Return the element's source text, cut to the length the rejects table keeps."""
        span = self._spans[self.element if element is None else element]
        return excerpt(self._encoded, span.start_byte, span.end_byte)


@dataclass(frozen=True)
class XmlDamage:
    """The point where the file stopped being well-formed XML; nothing after it is read.

    Attributes:
        partial: the record the damage cut short, with its open elements closed at the
            damage point and marked unfinished, so that a caller whose records hold
            several comments (a WXR ``<item>``) can keep the ones completed before it.
    """

    line: int
    column: int
    message: str
    raw: str
    partial: XmlRecord | None = None

    def describe(self) -> str:
        return f"malformed XML at line {self.line} column {self.column}: {self.message}"


def excerpt(encoded: bytes, start: int, end: int | None = None) -> str:
    """Decode a byte range of the file, cut to :data:`RAW_EXCERPT_CHARS` characters."""
    # Four bytes per character at most, so this slice always holds enough characters.
    stop = start + 4 * RAW_EXCERPT_CHARS if end is None else min(end, start + 4 * RAW_EXCERPT_CHARS)
    return encoded[start:stop].decode("utf-8", errors="ignore")[:RAW_EXCERPT_CHARS]


def damage_as_reject(source_name: str, damage: XmlDamage, *, anything_read: bool) -> RecordReject:
    """Turn damage into the reject for the unread rest of the file.

    Raises:
        InputFormatError: when the damage comes before any usable record, because then
            the file as a whole is unusable.
    """
    if not anything_read:
        raise InputFormatError(source_name, f"malformed XML: {damage.message}", line=damage.line)
    return RecordReject(
        f"line {damage.line}",
        f"{damage.describe()}; the rest of the file could not be read",
        damage.raw,
    )


class _NestingTooDeep(Exception):
    """Raised from inside the parser to stop reading a pathologically nested file."""


class _RecordCollector:
    """Parser target that builds trees only for record elements and queues them when complete."""

    def __init__(self, encoded: bytes, name_tag: TagNamer, is_record: RecordSelector) -> None:
        self.expat: pyexpat.XMLParserType | None = None
        self._encoded = encoded
        self._name_tag = name_tag
        self._is_record = is_record
        self._open_names: list[str] = []
        self._record_depth = 0  # depth of the record being built; 0 when none
        self._builder: TreeBuilder | None = None
        self._open_starts: list[tuple[int, int]] = []  # (line, byte) of open elements in the record
        self._spans: dict[Element, _Span] = {}
        self.completed: list[XmlRecord] = []
        self.record_start_byte: int | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        assert self.expat is not None
        if len(self._open_names) >= MAX_NESTING_DEPTH:
            raise _NestingTooDeep(f"elements nested deeper than {MAX_NESTING_DEPTH} levels")
        self._open_names.append(self._name_tag(tag))
        if self._builder is None and self._is_record(tuple(self._open_names)):
            self._builder = TreeBuilder()
            self._record_depth = len(self._open_names)
            self._spans = {}
            self.record_start_byte = self.expat.CurrentByteIndex
        if self._builder is not None:
            renamed = {self._name_tag(key): value for key, value in attrib.items()}
            self._builder.start(self._open_names[-1], renamed)
            self._open_starts.append((self.expat.CurrentLineNumber, self.expat.CurrentByteIndex))

    def end(self, tag: str) -> None:
        assert self.expat is not None
        if self._builder is not None:
            element = self._builder.end(self._open_names[-1])
            line, start_byte = self._open_starts.pop()
            self._spans[element] = _Span(line, start_byte, self._end_of_tag(self.expat.CurrentByteIndex))
            if len(self._open_names) == self._record_depth:
                self._finish_record(self._builder.close())
        self._open_names.pop()

    def data(self, text: str) -> None:
        if self._builder is not None:
            self._builder.data(text)

    def close(self) -> None:
        return None

    def salvage(self) -> XmlRecord | None:
        """Close the record being built when the damage struck, marking what was cut short."""
        if self._builder is None:
            return None
        assert self.expat is not None
        damage_byte = max(self.expat.CurrentByteIndex, 0)
        unfinished = []
        path = tuple(self._open_names[: self._record_depth])
        for name in reversed(self._open_names[self._record_depth - 1:]):
            element = self._builder.end(name)
            line, start_byte = self._open_starts.pop()
            self._spans[element] = _Span(line, start_byte, damage_byte)
            unfinished.append(element)
        record = XmlRecord(self._builder.close(), path, self._spans, self._encoded, frozenset(unfinished))
        self._builder = None
        return record

    def _finish_record(self, element: Element) -> None:
        self.completed.append(XmlRecord(element, tuple(self._open_names), self._spans, self._encoded))
        self._builder = None
        self._record_depth = 0
        self._spans = {}
        self.record_start_byte = None

    def _end_of_tag(self, byte_index: int) -> int:
        # expat reports where the end tag starts; a self-closing tag has none of its own.
        if byte_index < 0:
            return byte_index
        closing = self._encoded.find(b">", byte_index)
        return len(self._encoded) if closing < 0 else closing + 1


def iter_xml_records(
    source_name: str,
    text: str,
    *,
    is_record: RecordSelector,
    name_tag: TagNamer = local_name,
) -> Iterator[Union[XmlRecord, XmlDamage]]:
    """Yield each record element of an XML document as soon as it is complete.

    Args:
        source_name: the file name, for error messages.
        text: the decoded document. It is re-encoded as UTF-8 and the parser is told
            so, which overrides whatever encoding the XML declaration names.
        is_record: called with the names of an element and its ancestors (root first);
            True makes that element a record. Elements inside a record are never asked.
        name_tag: renames ``{uri}local`` tags and attribute names (default: local name).

    Yields:
        :class:`XmlRecord` for each completed record, then at most one
        :class:`XmlDamage` if the document turns out to be malformed (or absurdly deep);
        every record completed before the damage has been yielded by then.

    Raises:
        InputFormatError: the document declares entities or references external ones.
    """
    encoded = text.encode("utf-8")
    collector = _RecordCollector(encoded, name_tag, is_record)
    parser = DefusedXMLParser(target=collector, encoding="utf-8")
    collector.expat = parser.parser
    try:
        for offset in range(0, len(encoded), FEED_CHUNK_BYTES):
            parser.feed(encoded[offset:offset + FEED_CHUNK_BYTES])
            yield from _drain(collector)
        parser.close()
    except DefusedXmlException as refused:
        raise InputFormatError(source_name, ENTITIES_FORBIDDEN) from refused
    except ParseError as error:
        yield from _drain(collector)
        line, column = error.position
        message = pyexpat.ErrorString(error.code)
        raw = _damage_excerpt(collector, encoded, line)
        yield XmlDamage(line, column + 1, message, raw, collector.salvage())
    except _NestingTooDeep as error:
        yield from _drain(collector)
        line, column = parser.parser.CurrentLineNumber, parser.parser.CurrentColumnNumber
        raw = _damage_excerpt(collector, encoded, line)
        yield XmlDamage(line, column + 1, str(error), raw, collector.salvage())
    else:
        yield from _drain(collector)


def _drain(collector: _RecordCollector) -> Iterator[XmlRecord]:
    completed, collector.completed = collector.completed, []
    yield from completed


def _damage_excerpt(collector: _RecordCollector, encoded: bytes, line: int) -> str:
    """Show the unfinished record when there is one, else the damaged line."""
    if collector.record_start_byte is not None:
        return excerpt(encoded, collector.record_start_byte)
    line_start = 0
    for _ in range(line - 1):
        next_newline = encoded.find(b"\n", line_start)
        if next_newline < 0:
            break
        line_start = next_newline + 1
    return excerpt(encoded, line_start)
