"""Format-independent cleaning of comment text, dates and reply prefixes."""
from __future__ import annotations

import functools
import html
import re
import unicodedata
from datetime import datetime, timezone
from typing import Iterable

from bs4 import BeautifulSoup
from dateutil import parser as date_parser

from pipeline.ingest.text_tricks import undo_text_tricks

_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
_REPLY_PREFIX = re.compile(r"^\s*@([^:\n@]{1,80}?)\s*:")
_BLOCK_TAGS = ("p", "div", "li", "blockquote", "tr", "h1", "h2", "h3", "h4", "h5", "h6")
_EPOCH = re.compile(r"^\d{9,11}(\.\d+)?$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def normalize_text(text: str) -> str:
    """Decode HTML entities, apply Unicode NFC, undo Unicode tricks and normalise whitespace.

    Paragraph breaks survive as single newlines (sentence splitting and evidence quotes
    read better with them); every other run of whitespace becomes one space.
    """
    decoded = html.unescape(text) if "&" in text else text
    decoded = unicodedata.normalize("NFC", decoded.replace("\r\n", "\n").replace("\r", "\n"))
    decoded = undo_text_tricks(decoded)
    decoded = _HORIZONTAL_SPACE.sub(" ", decoded)
    return (_BLANK_LINES.sub("\n", decoded) if "\n" in decoded else decoded).strip()


_NAME_CHARS = 200


def normalize_name(text: str) -> str:
    """:func:`normalize_text` for the short fields that repeat from comment to comment (author,
    thread, addressee), remembering the most recent ones."""
    return _normalize_recent(text) if len(text) <= _NAME_CHARS else normalize_text(text)


@functools.lru_cache(maxsize=8192)
def _normalize_recent(text: str) -> str:
    return normalize_text(text)


def html_fragment_to_text(fragment: str) -> str:
    """Turn a comment body written in HTML into plain text, one line per block.

    Scripts and styles are dropped; entities are decoded by the HTML parser, which
    never fetches anything.
    """
    if "<" not in fragment:
        return fragment
    soup = BeautifulSoup(fragment, "html.parser")
    for unwanted in soup(["script", "style", "template", "noscript"]):
        unwanted.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCK_TAGS):
        block.insert_after("\n")
    return soup.get_text()


# How BeautifulSoup's html.parser tree builder treats some elements; html_events_to_text
# must agree with it (tests/ingest/test_html_speed.py compares the two on random markup).
_EMPTY_ELEMENTS = frozenset(
    "area base basefont bgsound br col command embed frame hr image img input isindex keygen "
    "link menuitem meta nextid param source spacer track wbr".split()
)
_WHITESPACE_KEEPING = frozenset({"pre", "textarea"})
_NOT_MAIN_TEXT = frozenset({"rt", "rp", "style", "script", "template"})  # strings get_text skips
_DROPPED_BY_FRAGMENT_TEXT = frozenset({"script", "style", "template", "noscript"})
_ASCII_SPACES = frozenset("\x20\x0a\x09\x0c\x0d")


def html_events_to_text(events: Iterable[tuple[str, str]]) -> str:
    """What :func:`html_fragment_to_text` returns for markup, without writing and re-parsing it.

    ``events`` describe well-nested markup in order: ``("start", name)``, ``("end", name)``
    (none for the empty elements such as ``br``) and ``("text", text)`` with text as
    read, entities already decoded. Parsing is most of the cost of reading a big HTML
    page, and a page's comments are already parsed. The result follows the same rules as
    the parser: text between two tags is one string, and one made only of ASCII
    whitespace shrinks to a newline or a space (except in ``pre`` and ``textarea``);
    strings in ``rt`` and ``rp`` are not text; ``br`` is a newline and a newline follows
    every block. The events must not hold ``script``, ``style``, ``template`` or
    ``noscript`` elements (their content is dropped, which this does not do).
    """
    out: list[str] = []
    run: list[str] = []
    keeping = not_text = 0

    def end_run() -> None:
        data = "".join(run)
        run.clear()
        if not data:
            return
        if not keeping and all(char in _ASCII_SPACES for char in data):
            data = "\n" if "\n" in data else " "
        if not not_text:
            out.append(data)

    for kind, value in events:
        if kind == "text":
            run.append(value)
            continue
        end_run()
        if value in _EMPTY_ELEMENTS:
            if kind == "start" and (value == "br" or value in _BLOCK_TAGS):
                out.append("\n")
            continue
        step = 1 if kind == "start" else -1
        keeping += step if value in _WHITESPACE_KEEPING else 0
        not_text += step if value in _NOT_MAIN_TEXT else 0
        if kind == "end" and value in _BLOCK_TAGS:
            out.append("\n")
    end_run()
    return "".join(out)


def leading_reply_target(text: str) -> str:
    """Return the addressee of a reply written as ``@name: ...``, or ``""``."""
    match = _REPLY_PREFIX.match(text)
    return match.group(1).strip() if match else ""


_ISO_DATETIME = re.compile(
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?\Z"
)


def parse_date(value: str) -> str:
    """Return an ISO 8601 date or datetime for a date as written, or ``""``.

    Accepts what comment sources write: ``August 29, 2018``, ISO strings, RFC 2822
    (``Wed, 29 Aug 2018 10:00:00 +0000``), SQL-style ``2018-08-29 10:00:00`` and epoch
    seconds (Reddit's ``created_utc``, read as UTC). A date without a time stays a date.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if _EPOCH.match(value):
        moment = datetime.fromtimestamp(float(value), tz=timezone.utc)
        return moment.replace(microsecond=0).isoformat()
    if _ISO_DATETIME.match(value):
        # Most exports write ISO 8601; the standard library reads it many times faster than dateutil.
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return ""  # a day the month does not have
        return moment.isoformat() if "T" in value or " " in value else moment.date().isoformat()
    try:
        parsed = date_parser.parse(value, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return ""
    if parsed.year == 1900 and "1900" not in value:
        return ""
    if _has_time(value):
        return parsed.isoformat()
    return parsed.date().isoformat()


def _has_time(value: str) -> bool:
    return bool(re.search(r"\d:\d\d", value)) and not _DATE_ONLY.match(value)
