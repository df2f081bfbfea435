"""JSON and JSON Lines exports, including Reddit comment dumps and Reddit API listings.

Accepted shapes: an array of record objects; an object holding such an array under a
common key (``comments``, ``data``, ...); a Reddit listing
(``{"data": {"children": [{"kind": "t1", "data": {...}}]}}``, nested ``replies``
included); and JSON Lines, one object per line. Records are read through the shared
column mapping of :mod:`pipeline.ingest.formats.columns`, so nested fields can be named
with dotted paths (``--author-column user.login``).

A damaged document never costs the records before the damage: arrays are decoded one
element at a time, and whatever follows the damage becomes one reject.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Union

from pipeline.errors import InputFormatError
from pipeline.ingest.formats.columns import (
    ResolvedColumns,
    ThreadRegistry,
    cell_text,
    column_names,
    comment_items,
    raw_excerpt,
    record_to_comment,
    resolve_columns,
)
from pipeline.ingest.lines import lf_lines, without_leading
from pipeline.ingest.records import ColumnMapping, ParsedItem, RecordReject, SourceText, ThreadInfo

_DECODER = json.JSONDecoder()
_TOO_DEEP = "brackets nested too deeply to read"
_WHITESPACE = re.compile(r"[\s\ufeff]*")

# Reddit's own field names, tried before the common names when a file is Reddit-shaped.
_REDDIT_FIELDS = {
    "text": "body",
    "author": "author",
    "date": "created_utc",
    "id": "id",
    "parent": "parent_id",
    "thread": "link_id",
}
_REDDIT_GONE = ("[deleted]", "[removed]")
_REDDIT_COMMENT_PREFIX = "t1_"
_REDDIT_KIND_PREFIX = re.compile(r"^t\d_")


@dataclass(frozen=True)
class _Record:
    """A JSON object read from the file, with where it was found."""

    locator: str
    data: dict[str, Any]

    def raw(self) -> str:
        """The record as JSON, cut for the rejects table: written only for a record that ends there
        (writing it for every record cost more than decoding the file)."""
        return raw_excerpt(json.dumps(self.data, ensure_ascii=False))


_Entry = Union[_Record, RecordReject, ThreadInfo]


@dataclass(frozen=True)
class _Damage:
    """Where a JSON document stops being readable."""

    start: int
    line: int
    column: int
    message: str


def parse_json(source: SourceText, columns: ColumnMapping) -> Iterator[ParsedItem]:
    """Yield the comments of a JSON document (JSON Lines content is accepted too).

    Reddit-shaped records (``body`` with ``created_utc``, or ``link_id``) are read as
    :func:`parse_reddit` reads them.

    Raises:
        InputFormatError: the file is empty, or not a single record could be read.
        MissingColumnsError: a requested column is absent, or no text column is found.
    """
    if _decided_on_opening(source, _holds_json_lines):
        entries = _json_lines_entries(source)
    else:
        entries = _listed(_json_document_entries(source))
    yield from _entries_to_items(source, entries, columns, reddit=None)


def parse_jsonl(source: SourceText, columns: ColumnMapping) -> Iterator[ParsedItem]:
    """Yield the comments of a JSON Lines file, one object per line.

    Blank lines are skipped and a malformed line is rejected as ``line N``. A file that
    is really one pretty-printed JSON document is read as :func:`parse_json` would.

    Raises:
        InputFormatError: no line at all is valid JSON.
        MissingColumnsError: a requested column is absent, or no text column is found.
    """
    yield from _entries_to_items(source, _entries_preferring_lines(source), columns, reddit=None)


def parse_reddit(source: SourceText, columns: ColumnMapping) -> Iterator[ParsedItem]:
    """Yield the comments of a Reddit export: a JSON Lines dump or an API listing.

    ``[deleted]``/``[removed]`` bodies are rejected and a ``[deleted]`` author becomes
    anonymous. ``native_id`` is the comment id without ``t1_``; ``native_parent`` is set
    only for a parent comment (``t1_``), since a ``t3_`` parent is the submission itself.
    The thread is ``link_id``, titled by ``link_title`` or else the subreddit.

    Raises:
        InputFormatError: not a single record could be read.
        MissingColumnsError: a requested column is absent, or no text column is found.
    """
    yield from _entries_to_items(source, _entries_preferring_lines(source), columns, reddit=True)


# --- reading the file into entries -------------------------------------------------


Entries = Callable[[], Iterable[_Entry]]
"""A file's entries, read from the start each time it is called (JSON lines are read twice)."""


def _listed(entries: list[_Entry]) -> Entries:
    return lambda: entries


def _entries_preferring_lines(source: SourceText) -> Entries:
    if _decided_on_opening(source, _starts_one_document):
        return _listed(_json_document_entries(source))
    return _json_lines_entries(source)


def _decided_on_opening(source: SourceText, decide: Callable[[str, bool], bool | None]) -> bool:
    """``decide`` on the opening of the text (up to the end of the line where content starts,
    usually the first piece), or on the whole text when the opening cannot tell."""
    opening, complete = _opening(source)
    decision = decide(opening, complete)
    return decision if decision is not None else bool(decide(source.whole_text(), True))


def _opening(source: SourceText) -> tuple[str, bool]:
    """The text's first pieces, up to a line end after its first non-blank character, and
    whether that is the whole text."""
    parts: list[str] = []
    started = False
    for piece in source.text_pieces():
        parts.append(piece)
        if not started:
            start = _skip_whitespace(piece, 0)
            started = start < len(piece)
            if started and "\n" in piece[start:]:
                return "".join(parts), False
        elif "\n" in piece:
            return "".join(parts), False
    return "".join(parts), True


def _starts_one_document(text: str, complete: bool) -> bool | None:
    """True for an array, or an object whose first value spans several lines (``None``: the
    opening ``text`` cannot tell)."""
    start = _skip_whitespace(text, 0)
    if start >= len(text):
        return False if complete else None
    if text[start] == "[":
        return True
    try:
        _, end = _decode(text, start)
    except json.JSONDecodeError:
        return False if complete else None
    return "\n" in text[start:end]


def _holds_json_lines(text: str, complete: bool) -> bool | None:
    """True when a one-line object is followed by more content (JSON Lines, not a document);
    ``None``: the opening ``text`` cannot tell."""
    start = _skip_whitespace(text, 0)
    if start >= len(text) or text[start] != "{":
        return False if complete or start < len(text) else None
    try:
        _, end = _decode(text, start)
    except json.JSONDecodeError:
        return False if complete else None
    if "\n" in text[start:end]:
        return False
    if _skip_whitespace(text, end) < len(text):
        return True
    return False if complete else None


def _json_lines_entries(source: SourceText) -> Entries:
    """The entries of a JSON Lines file, one line at a time; a pass raises, at its end, when
    no line at all was valid JSON."""

    def entries() -> Iterator[_Entry]:
        first_failure: tuple[int, str] | None = None
        parsed_any = False
        for number, line in enumerate(lf_lines(without_leading(source.text_pieces(), "\ufeff")), start=1):
            if not line.strip():
                continue
            try:
                value, _ = _decode(line, _skip_whitespace(line, 0), whole=True)
            except json.JSONDecodeError as error:
                reason = f"malformed JSON: {error.msg} (column {error.colno})"
                first_failure = first_failure or (number, reason)
                yield RecordReject(f"line {number}", reason, raw_excerpt(line))
                continue
            parsed_any = True
            yield from _entries_for_value(value, _constant(f"line {number}"))
        if first_failure is not None and not parsed_any:
            line_number, reason = first_failure
            raise InputFormatError(source.name, f"not valid JSON Lines: no line parses ({reason})", line=line_number)

    return entries


def _json_document_entries(source: SourceText) -> list[_Entry]:
    text = source.whole_text()
    start = _skip_whitespace(text, 0)
    if start >= len(text):
        raise InputFormatError(source.name, "empty file: expected a JSON array or object")
    if text[start] == "[":
        values, damage = _scan_array(text, start)
    elif text[start] == "{":
        values, damage = _scan_object(source, text, start)
    else:
        line, _ = _position(text, start)
        raise InputFormatError(source.name, f"not valid JSON: expected '[' or '{{', found {text[start]!r}", line=line)
    if damage is not None and not values:
        message = f"not valid JSON: {damage.message} (column {damage.column})"
        raise InputFormatError(source.name, message, line=damage.line)
    return _number_records(values, damage, text)


def _number_records(values: list[Any], damage: _Damage | None, text: str) -> list[_Entry]:
    """Expand listings and number the records ``record N`` in file order."""
    entries: list[_Entry] = []
    counter = 0

    def next_locator() -> str:
        nonlocal counter
        counter += 1
        return f"record {counter}"

    for value in values:
        entries.extend(_entries_for_value(value, next_locator))
    if damage is not None:
        reason = f"malformed JSON at line {damage.line} column {damage.column}: {damage.message}"
        entries.append(RecordReject(next_locator(), reason, raw_excerpt(text[damage.start :])))
    return entries


def _scan_array(text: str, bracket: int) -> tuple[list[Any], _Damage | None]:
    """Decode an array element by element, stopping at the first damage."""
    values: list[Any] = []
    position = _skip_whitespace(text, bracket + 1)
    if text.startswith("]", position):
        return values, None
    while True:
        element_start = position
        try:
            value, position = _decode(text, position)
        except json.JSONDecodeError as error:
            if values and text.startswith("]", element_start):
                return values, None  # a trailing comma before "]" loses nothing
            return values, _Damage(element_start, error.lineno, error.colno, error.msg)
        values.append(value)
        position = _skip_whitespace(text, position)
        if text.startswith(",", position):
            position = _skip_whitespace(text, position + 1)
        elif text.startswith("]", position):
            return values, None
        else:
            line, column = _position(text, position)
            found = "end of file" if position >= len(text) else repr(text[position])
            return values, _Damage(position, line, column, f"expected ',' or ']' but found {found}")


def _scan_object(source: SourceText, text: str, start: int) -> tuple[list[Any], _Damage | None]:
    """Read a top-level object; when it is damaged, salvage its record array."""
    try:
        document, _ = _decode(text, start)
    except json.JSONDecodeError as error:
        opening = _record_array_opening(text)
        if opening is not None:
            values, damage = _scan_array(text, opening)
            if values:
                return values, damage
        raise InputFormatError(
            source.name, f"not valid JSON: {error.msg} (column {error.colno})", line=error.lineno
        ) from error
    return _records_in_object(source, document), None


def _record_array_opening(text: str) -> int | None:
    """Offset of the ``[`` that opens the first record array in a (damaged) object."""
    keys = "|".join(re.escape(key) for key in (*column_names()["record_array_keys"], "children"))
    match = re.search(rf'"(?:{keys})"\s*:\s*\[', text)
    return match.end() - 1 if match else None


def _records_in_object(source: SourceText, document: dict[str, Any]) -> list[Any]:
    if _is_listing(document) or document.get("kind") in ("t1", "t3"):
        return [document]
    array_keys = column_names()["record_array_keys"]
    for key in array_keys:
        if isinstance(document.get(key), list):
            return document[key]
    found = ", ".join(document) or "(none)"
    raise InputFormatError(
        source.name,
        f"expected an array of records, or an object holding one under {', '.join(array_keys)}; found keys: {found}",
    )


def _entries_for_value(value: Any, locator: Callable[[], str]) -> Iterator[_Entry]:
    """Turn one decoded value into entries; ``locator()`` names each record found.

    Reddit wrappers are unpacked: a listing yields its children, a ``t3`` (submission)
    yields a ThreadInfo, a comment's nested ``replies`` listing follows the comment,
    and ``more`` placeholders (comments Reddit did not send) yield nothing.
    """
    if not isinstance(value, dict):
        kind = type(value).__name__
        yield RecordReject(locator(), f"not a JSON object (found {kind})", raw_excerpt(json.dumps(value)))
        return
    if _is_listing(value):
        for child in value["data"]["children"]:
            yield from _entries_for_value(child, locator)
        return
    kind, data = value.get("kind"), value.get("data")
    if kind in ("t1", "t3", "more") and isinstance(data, dict):
        if kind == "t3":
            yield _submission_thread(data)
        elif kind == "t1":
            yield from _entries_for_value(data, locator)
        return
    replies = value.get("replies")
    record = {key: item for key, item in value.items() if key != "replies"} if _is_listing(replies) else value
    yield _Record(locator(), record)
    if _is_listing(replies):
        yield from _entries_for_value(replies, locator)


def _constant(locator: str) -> Callable[[], str]:
    return lambda: locator


def _is_listing(value: Any) -> bool:
    # "more" placeholders also hold data.children (ids, not comments), so the kind counts.
    return (
        isinstance(value, dict)
        and value.get("kind", "Listing") == "Listing"
        and isinstance(value.get("data"), dict)
        and isinstance(value["data"].get("children"), list)
    )


def _submission_thread(data: Mapping[str, Any]) -> ThreadInfo:
    name = cell_text(data.get("name")) or f"t3_{cell_text(data.get('id'))}"
    return ThreadInfo(
        thread=name,
        title=cell_text(data.get("title")) or cell_text(data.get("subreddit")),
        url=cell_text(data.get("url")),
        author=_reddit_author(cell_text(data.get("author"))),
        posted_at=cell_text(data.get("created_utc")),
        body=cell_text(data.get("selftext")),
    )


def _decode(text: str, start: int, *, whole: bool = False) -> tuple[Any, int]:
    """Decode one JSON value at ``start``; return it and the offset after it.

    The standard decoder recurses once per bracket, so a hostile file of 100,000 ``[``
    raises RecursionError; that is damage like any other and is reported the same way.
    With ``whole``, anything but whitespace after the value is damage too (as in ``json.loads``).

    Raises:
        json.JSONDecodeError: the text at ``start`` is not one readable JSON value.
    """
    try:
        value, end = _DECODER.raw_decode(text, start)
    except RecursionError:
        raise json.JSONDecodeError(_TOO_DEEP, text, start) from None
    if whole and _skip_whitespace(text, end) < len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value, end


def _skip_whitespace(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


# --- entries to parsed items --------------------------------------------------------


def _entries_to_items(
    source: SourceText, entries: Entries, columns: ColumnMapping, *, reddit: bool | None
) -> Iterator[ParsedItem]:
    """Resolve the column mapping over all records (a first pass), then yield items in file order."""
    survey = _ColumnSurvey()
    for entry in entries():
        if isinstance(entry, _Record):
            survey.add(entry.data)
    mapping: ResolvedColumns | None = None
    if survey.records:
        if reddit is None:
            reddit = survey.reddit
        available = survey.available()
        mapping = resolve_columns(source.name, available, columns, preferred=_REDDIT_FIELDS if reddit else None)
    threads = ThreadRegistry()
    for entry in entries():
        if isinstance(entry, ThreadInfo):
            announced = threads.add(entry)
            if announced is not None:
                yield announced
        elif isinstance(entry, RecordReject):
            yield entry
        elif mapping is not None:
            if reddit:
                yield from _reddit_items(entry, mapping, threads)
            else:
                yield from comment_items(entry.locator, entry.data, mapping, threads, entry.raw)


class _ColumnSurvey:
    """What the column mapping needs to know about all of a file's records, gathered one record
    at a time: the keys in first-seen order, the dotted paths into nested objects, and whether
    any record is Reddit-shaped."""

    def __init__(self) -> None:
        self.records = 0
        self.reddit = False
        self._seen: dict[str, None] = {}
        self._nested: dict[str, None] = {}

    def add(self, data: dict[str, Any]) -> None:
        self.records += 1
        self.reddit = self.reddit or "link_id" in data or ("body" in data and "created_utc" in data)
        for key in data:
            self._seen.setdefault(key, None)
        _collect_paths(data, "", self._nested)

    def available(self) -> list[str]:
        """Top-level keys in first-seen order, then dotted paths into nested objects."""
        return list(self._seen) + [path for path in self._nested if path not in self._seen]


def _collect_paths(data: Mapping[str, Any], prefix: str, paths: dict[str, None], depth: int = 0) -> None:
    for key, value in data.items():
        if isinstance(value, dict) and depth < 3:
            for inner in value:
                paths.setdefault(f"{prefix}{key}.{inner}", None)
            _collect_paths(value, f"{prefix}{key}.", paths, depth + 1)


def _reddit_items(record: _Record, mapping: ResolvedColumns, threads: ThreadRegistry) -> Iterator[ParsedItem]:
    comment = record_to_comment(record.locator, record.data, mapping, record.raw)
    if isinstance(comment, RecordReject):
        yield comment
        return
    body = comment.text.strip()
    if body in _REDDIT_GONE:
        yield RecordReject(record.locator, f"deleted by Reddit: {body}", record.raw())
        return
    comment.author = _reddit_author(comment.author)
    comment.native_id = _strip_prefix(comment.native_id or cell_text(record.data.get("name")))
    comment.native_parent = _reddit_parent(comment.native_parent)
    comment.is_author = record.data.get("is_submitter") is True
    title = cell_text(record.data.get("link_title")) or cell_text(record.data.get("subreddit"))
    announced = threads.announce(comment.thread, title)
    if announced is not None:
        yield announced
    yield comment


def _reddit_author(author: str) -> str:
    return "" if author.strip() in _REDDIT_GONE else author


def _strip_prefix(reddit_id: str) -> str:
    return reddit_id[len(_REDDIT_COMMENT_PREFIX) :] if reddit_id.startswith(_REDDIT_COMMENT_PREFIX) else reddit_id


def _reddit_parent(parent: str) -> str:
    """A ``t1_`` parent is a comment; any other kind (``t3_``: the submission) is no parent.

    A bare id without a kind prefix is kept: some exports strip the prefixes.
    """
    if parent.startswith(_REDDIT_COMMENT_PREFIX):
        return _strip_prefix(parent)
    return "" if _REDDIT_KIND_PREFIX.match(parent) else parent
