"""From parsed records to the ``comments`` table: normalise, identify, de-duplicate, link replies.

This is the format-independent half of ingest. Parsers say what they found; here every
record gets the same treatment, so a comment read from a CSV export and the same comment
read from a saved page come out identical.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from pipeline.ingest.normalize import leading_reply_target, normalize_name, normalize_text, parse_date
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
    author = normalize_name(raw.author)
    thread = normalize_name(raw.thread) or default_thread
    posted_at = parse_date(raw.posted_at)
    return {
        "comment_id": comment_id(thread, author, posted_at, text),
        "source": source,
        "thread": thread,
        "position": position,
        "author": author,
        "posted_at": posted_at,
        "reply_to": normalize_name(raw.reply_to) or leading_reply_target(text),
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
    """Fill ``parent_id`` in place in ``rows`` (see :func:`parent_ids`)."""
    columns = ["comment_id", "source", "thread", "author", "posted_at", "reply_to", "native_id", "native_parent"]
    kept = pd.DataFrame(rows, columns=columns).astype("string")
    copies = pd.DataFrame(list(duplicates), columns=columns).astype("string")
    for row, parent in zip(rows, parent_ids(kept, copies)):
        row["parent_id"] = parent


def parent_ids(comments: pd.DataFrame, duplicates: pd.DataFrame) -> list[str]:
    """The ``parent_id`` of every row of ``comments``, where the parent can be known without guessing.

    A native parent id (WordPress, Disqus, Reddit, HTML nesting) is followed within its
    source. Otherwise an ``@name`` reply is linked only when exactly one other comment by
    that name, in the same thread, was not posted after the reply: with several
    ``anonymous`` commenters there is no parent to pick, so none is picked.

    ``duplicates`` are the rows dropped as copies of a kept comment: a reply whose parent
    was such a copy points at the kept comment, which has the same ``comment_id``. A native
    id that two different comments of one source claim names no parent at all. Both
    tables need comment_id, source, thread, author, posted_at, reply_to, native_id and
    native_parent. (Streaming ingest feeds :class:`pipeline.ingest.combine.ParentIndex` batch by
    batch; this is the same on whole tables.)
    """
    from pipeline.ingest.combine import ParentIndex  # combine builds on this module
    from pipeline.io.ids import id_strings

    index = ParentIndex()
    index.add(comments.reset_index(drop=True), duplicates.reset_index(drop=True))
    parents = index.parents()
    found = dict(zip(parents.index.tolist(), id_strings(parents.to_numpy())))
    return [found.get(row, "") for row in range(len(comments))]


def _original(raw: RawComment, text: str) -> str:
    """The text as the source wrote it, when normalising changed more than whitespace."""
    source_text = raw.original or raw.text
    return source_text if _differs_beyond_whitespace(source_text, text) else ""


def _differs_beyond_whitespace(raw: str, normalised: str) -> bool:
    return " ".join(raw.split()) != " ".join(normalised.split())
