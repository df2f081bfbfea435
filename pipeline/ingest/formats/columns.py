"""Which column of a tabular or JSON record holds which comment field, and reading it.

CSV, TSV and JSON inputs share one mapping step: the user's ``--text-column`` etc.
options are honoured first, and every field left open is auto-detected from the names
in ``pipeline/data/column_names.yaml``. A record (a CSV row as a dict, or a JSON
object) is then read through the resolved mapping into a :class:`RawComment`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from pipeline.errors import MissingColumnsError
from pipeline.ingest.normalize import html_fragment_to_text
from pipeline.ingest.records import ColumnMapping, ParsedItem, RawComment, RecordReject, ThreadInfo
from pipeline.io.rule_files import check_keys, packaged_file, parse_yaml, string_list

COLUMN_NAMES_FILE = "column_names.yaml"
FIELDS = ("text", "author", "date", "id", "parent", "thread")
_LIST_KEYS = (*FIELDS, "thread_title", "author_object_keys", "record_array_keys")
_IGNORED_IN_NAMES = re.compile(r"[\s_\-]+")
# Real tags only: "<3" or "dose < 5 mg" must not be sent through the HTML parser.
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
RAW_EXCERPT_CHARS = 500

MISSING: Any = object()
"""Returned by :func:`lookup` when a record has no such field (``None`` is a value)."""


@lru_cache(maxsize=1)
def column_names() -> dict[str, tuple[str, ...]]:
    """Load the recognised column names once.

    Raises:
        RuleFileError: the file has an unknown or missing key, or a non-list entry.
    """
    name, text = packaged_file(COLUMN_NAMES_FILE)
    return validated_column_names(name, parse_yaml(name, text))


def validated_column_names(name: str, loaded: Any) -> dict[str, tuple[str, ...]]:
    """Check a loaded column-names mapping; ``name`` is the file, for messages.

    Raises:
        RuleFileError: an unknown or missing key, or an entry that is not a list of names.
    """
    keys = set(_LIST_KEYS)
    entry = check_keys(name, "top level", loaded, allowed=keys, required=keys)
    return {key: tuple(string_list(name, key, entry[key])) for key in _LIST_KEYS}


def normalize_column_name(name: str) -> str:
    """Compare key for column names: case-insensitive, ignoring spaces, ``_`` and ``-``."""
    return _IGNORED_IN_NAMES.sub("", name).casefold()


@dataclass(frozen=True)
class ResolvedColumns:
    """The column (or dotted JSON path) chosen for each field; ``None`` = not present."""

    text: str
    author: str | None = None
    date: str | None = None
    id: str | None = None
    parent: str | None = None
    thread: str | None = None
    thread_title: str | None = None


def resolve_columns(
    source_name: str,
    available: Sequence[str],
    requested: ColumnMapping,
    *,
    preferred: Mapping[str, str] | None = None,
) -> ResolvedColumns:
    """Choose a column for every field: the user's choice first, then auto-detection.

    Args:
        source_name: the input file, for error messages.
        available: the column names in file order (JSON: keys and dotted nested paths).
        requested: the user's column options; ``None`` fields are auto-detected.
        preferred: per field, a name tried before the common names (e.g. Reddit's
            ``body`` for text).

    Raises:
        MissingColumnsError: a requested column does not exist, or no text column is found.
    """
    chosen: dict[str, str | None] = {}
    for field_name in FIELDS:
        wanted = getattr(requested, field_name)
        if wanted is not None:
            chosen[field_name] = _find_requested(source_name, available, wanted)
    claimed = {column for column in chosen.values() if column}
    names = column_names()
    for field_name in FIELDS:
        if field_name in chosen:
            continue
        first_choice = (preferred or {}).get(field_name)
        candidates = ((first_choice,) if first_choice else ()) + names[field_name]
        chosen[field_name] = detect_column(available, candidates, claimed)
        if chosen[field_name]:
            claimed.add(chosen[field_name])
    text_column = chosen["text"]
    if text_column is None:
        listed = ", ".join(available) or "(none)"
        raise MissingColumnsError(source_name, f"no text column found among: {listed}; use --text-column")
    thread_title = detect_column(available, names["thread_title"], claimed) if chosen["thread"] else None
    return ResolvedColumns(
        text=text_column,
        author=chosen["author"],
        date=chosen["date"],
        id=chosen["id"],
        parent=chosen["parent"],
        thread=chosen["thread"],
        thread_title=thread_title,
    )


def detect_column(available: Iterable[str], candidates: Iterable[str], claimed: set[str]) -> str | None:
    """Return the first unclaimed column matching the earliest candidate name, or ``None``."""
    by_key: dict[str, str] = {}
    for column in available:
        if column not in claimed:
            by_key.setdefault(normalize_column_name(column), column)
    for candidate in candidates:
        column = by_key.get(normalize_column_name(candidate))
        if column is not None:
            return column
    return None


def _find_requested(source_name: str, available: Sequence[str], wanted: str) -> str:
    if wanted in available:
        return wanted
    # Forgive "comment_text" for a header written "Comment Text".
    loose = detect_column(available, [wanted], set())
    if loose is not None:
        return loose
    listed = ", ".join(available) or "(none)"
    raise MissingColumnsError(source_name, f"no column '{wanted}' (columns: {listed})")


def lookup(record: Mapping[str, Any], column: str | None) -> Any:
    """Return a record's value for a column or dotted path (``user.login``), or :data:`MISSING`.

    A key that itself contains a dot wins over the nested path it resembles.
    """
    if column is None:
        return MISSING
    if column in record:
        return record[column]
    value: Any = record
    for part in column.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    return value


def cell_text(value: Any) -> str:
    """Render a cell or JSON value as the string the assembler expects."""
    if value is MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        # Epoch seconds arrive as 1693300000.0; the date parser wants them without ".0".
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def author_name(value: Any) -> str:
    """Return a display name; an author object yields its first name-like key."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in column_names()["author_object_keys"]:
            name = value.get(key)
            if isinstance(name, str) and name.strip():
                return name
        return ""
    return cell_text(value)


def comment_text(value: Any) -> str:
    """Return a comment body as text; bodies written in HTML are converted."""
    text = cell_text(value)
    return html_fragment_to_text(text) if _HTML_TAG.search(text) else text


_JSON_KINDS = {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "an object"}


def _can_be_text(value: Any) -> bool:
    """A comment body must be a string (or null, which reads as empty); a number, list,
    object or boolean there means the wrong field was mapped, and guessing text from it
    would invent a comment."""
    return value is None or isinstance(value, str)


def raw_excerpt(raw: str) -> str:
    """Shorten a raw record for the rejects table."""
    return raw[:RAW_EXCERPT_CHARS]


def record_to_comment(
    locator: str, record: Mapping[str, Any], columns: ResolvedColumns, raw: str | Callable[[], str]
) -> RawComment | RecordReject:
    """Read one record through the mapping; a record without the text field is rejected.

    ``raw`` is the record's raw text, or a function that makes it (called only when needed).
    """
    text_value = lookup(record, columns.text)
    if text_value is MISSING:
        return RecordReject(locator, f"no '{columns.text}' field in this record", raw_excerpt(_made(raw)))
    if not _can_be_text(text_value):
        kind = _JSON_KINDS.get(type(text_value), type(text_value).__name__)
        return RecordReject(locator, f"the '{columns.text}' field holds {kind}, not text", raw_excerpt(_made(raw)))
    body = cell_text(text_value)
    lazy = callable(raw)
    return RawComment(
        locator=locator,
        text=comment_text(text_value),
        original=body if _HTML_TAG.search(body) else "",
        author=author_name(lookup(record, columns.author)),
        posted_at=cell_text(lookup(record, columns.date)),
        thread=cell_text(lookup(record, columns.thread)),
        native_id=cell_text(lookup(record, columns.id)),
        native_parent=cell_text(lookup(record, columns.parent)),
        raw="" if lazy else raw_excerpt(raw),
        raw_maker=(lambda: raw_excerpt(raw())) if lazy else None,
    )


def _made(raw: str | Callable[[], str]) -> str:
    return raw() if callable(raw) else raw


def thread_title(record: Mapping[str, Any], columns: ResolvedColumns) -> str:
    """The record's thread title: the title column when there is one, else the thread value."""
    title = cell_text(lookup(record, columns.thread_title))
    return title or cell_text(lookup(record, columns.thread))


def comment_items(
    locator: str, record: Mapping[str, Any], columns: ResolvedColumns, threads: ThreadRegistry, raw: str | Callable[[], str]
) -> Iterator[ParsedItem]:
    """Yield a record's comment (or reject), preceded by its thread when first seen."""
    comment = record_to_comment(locator, record, columns, raw)
    if isinstance(comment, RawComment):
        announced = threads.announce(comment.thread, thread_title(record, columns))
        if announced is not None:
            yield announced
    yield comment


class ThreadRegistry:
    """Remembers which threads were announced, so each ThreadInfo is yielded once."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def announce(self, thread: str, title: str = "") -> ThreadInfo | None:
        """Return a new ThreadInfo the first time a non-empty thread key is seen, else ``None``."""
        url = thread if thread.startswith(("http://", "https://")) else ""
        return self.add(ThreadInfo(thread=thread, title=title or thread, url=url))

    def add(self, info: ThreadInfo) -> ThreadInfo | None:
        """Return ``info`` unless its thread was already announced (or its key is empty)."""
        if not info.thread or info.thread in self._seen:
            return None
        self._seen.add(info.thread)
        return info
