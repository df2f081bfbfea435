"""From parsed records to the ``comments`` table: normalise, identify, de-duplicate, link replies.

This is the format-independent half of ingest. Parsers say what they found; here every
record gets the same treatment, so a comment read from a CSV export and the same comment
read from a saved page come out identical.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from pipeline.ingest.normalize import leading_reply_target, normalize_text, parse_date
from pipeline.ingest.records import RawComment, RecordReject

COMMENT_COLUMNS = [
    "comment_id", "source", "thread", "position", "author", "posted_at", "reply_to", "parent_id",
    "is_author", "text", "native_id", "native_parent", "locator", "posted_at_raw", "text_original",
]
REJECT_COLUMNS = ["source", "locator", "reason", "raw"]
RAW_EXCERPT_CHARS = 500
ANONYMOUS_NAMES = frozenset({"", "anonymous", "anon", "guest"})


@dataclass
class SourceRecords:
    """Everything read from one source, ready to assemble."""

    source: str
    default_thread: str
    comments: list[tuple[int, RawComment]] = field(default_factory=list)
    rejects: list[RecordReject] = field(default_factory=list)


def comment_row(position: int, raw: RawComment, source: str, default_thread: str) -> dict[str, object]:
    """Normalise one raw comment into a ``comments`` row (``parent_id`` still empty)."""
    text = normalize_text(raw.text)
    author = normalize_text(raw.author)
    thread = normalize_text(raw.thread) or default_thread
    posted_at = parse_date(raw.posted_at)
    return {
        "comment_id": comment_id(thread, author, posted_at, text),
        "source": source,
        "thread": thread,
        "position": position,
        "author": author,
        "posted_at": posted_at,
        "reply_to": normalize_text(raw.reply_to) or leading_reply_target(text),
        "parent_id": "",
        "is_author": bool(raw.is_author),
        "text": text,
        "native_id": raw.native_id.strip(),
        "native_parent": raw.native_parent.strip(),
        "locator": raw.locator,
        "posted_at_raw": raw.posted_at.strip(),
        "text_original": _original(raw, text),
    }


def comment_id(thread: str, author: str, posted_at: str, text: str) -> str:
    """A stable id: the same comment gets the same id on every run, machine and input file.

    The source file is deliberately left out, so the same comment exported twice is
    recognised as a duplicate.
    """
    key = "\x1f".join((thread, author.casefold(), posted_at, text))
    return "c" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def rejection_reason(row: dict[str, object], max_comment_chars: int) -> str:
    """Why a normalised comment cannot be kept, or ``""`` when it can."""
    text = str(row["text"])
    if not text:
        return "empty comment: the header has no text under it" if row["author"] else "empty comment"
    if len(text) > max_comment_chars:
        return f"comment is {len(text):,} characters, over the {max_comment_chars:,} limit (see --max-comment-chars)"
    return ""


def excerpt(text: str) -> str:
    """Shorten raw text for the ``rejects`` table."""
    return text if len(text) <= RAW_EXCERPT_CHARS else text[: RAW_EXCERPT_CHARS - 1] + "…"


def resolve_parents(rows: list[dict[str, object]], duplicates: Iterable[dict[str, object]] = ()) -> None:
    """Fill ``parent_id`` in place, where the parent can be known without guessing.

    A native parent id (WordPress, Disqus, Reddit, HTML nesting) is followed within its
    source. Otherwise an ``@name`` reply is linked only when exactly one other comment by
    that name, in the same thread, was not posted after the reply: with several
    ``anonymous`` commenters there is no parent to pick, so none is picked.

    ``duplicates`` are the rows dropped as copies of a kept comment: a reply whose parent
    was such a copy points at the kept comment, which has the same ``comment_id``. A native
    id that two different comments of one source claim names no parent at all.
    """
    by_native_id = _comments_by_native_id([*rows, *duplicates])
    by_author: dict[tuple[object, str], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        by_author[(row["thread"], str(row["author"]).casefold())].append(row)
    for row in rows:
        if row["native_parent"]:
            row["parent_id"] = by_native_id.get((row["source"], row["native_parent"]), "")
        elif row["reply_to"]:
            row["parent_id"] = _unique_earlier_comment(row, by_author[(row["thread"], str(row["reply_to"]).casefold())])


def _comments_by_native_id(rows: list[dict[str, object]]) -> dict[tuple[object, object], str]:
    """``(source, native_id) -> comment_id``; ``""`` for an id given to different comments."""
    found: dict[tuple[object, object], str] = {}
    for row in rows:
        if not row["native_id"]:
            continue
        key = (row["source"], row["native_id"])
        known = found.setdefault(key, str(row["comment_id"]))
        if known != row["comment_id"]:
            found[key] = ""
    return found


def _unique_earlier_comment(reply: dict[str, object], candidates: list[dict[str, object]]) -> str:
    earlier = [c for c in candidates if c is not reply and not _posted_after(c, reply)]
    return str(earlier[0]["comment_id"]) if len(earlier) == 1 else ""


def _posted_after(candidate: dict[str, object], reply: dict[str, object]) -> bool:
    first, second = str(candidate["posted_at"]), str(reply["posted_at"])
    return bool(first and second) and first[:10] > second[:10]


def _original(raw: RawComment, text: str) -> str:
    """The text as the source wrote it, when normalising changed more than whitespace."""
    source_text = raw.original or raw.text
    return source_text if _differs_beyond_whitespace(source_text, text) else ""


def _differs_beyond_whitespace(raw: str, normalised: str) -> bool:
    return " ".join(raw.split()) != " ".join(normalised.split())
