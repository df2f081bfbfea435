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
    native_parent; the work is done on whole columns, so a million comments take seconds.
    """
    parents = pd.Series("", index=range(len(comments)), dtype=object)
    if not len(comments):
        return []
    native_parent = comments["native_parent"].fillna("").astype(str).reset_index(drop=True)
    reply_to = comments["reply_to"].fillna("").astype(str).reset_index(drop=True)
    has_native = native_parent != ""
    if has_native.any():
        parents[has_native] = _native_parents(comments, duplicates)[has_native]
    by_name = (~has_native) & (reply_to != "")
    if by_name.any():
        parents[by_name] = _named_parents(comments, by_name)[by_name]
    return parents.tolist()


def _native_parents(comments: pd.DataFrame, duplicates: pd.DataFrame) -> pd.Series:
    """Parent ids by the source's own ids; an id held by different comments names none."""
    columns = ["source", "native_id", "comment_id"]
    known = pd.concat([comments[columns], duplicates[columns]], ignore_index=True).astype(str)
    known = known[known["native_id"] != ""].drop_duplicates()
    ambiguous = known.duplicated(["source", "native_id"], keep=False).to_numpy()
    known.loc[ambiguous, "comment_id"] = ""
    known = known.drop_duplicates(["source", "native_id"])
    lookup = pd.Series(known["comment_id"].to_numpy(), index=pd.MultiIndex.from_frame(known[["source", "native_id"]]))
    wanted = pd.MultiIndex.from_arrays([comments["source"].astype(str), comments["native_parent"].fillna("").astype(str)])
    return pd.Series(lookup.reindex(wanted).fillna("").to_numpy(), index=range(len(comments)))


def _named_parents(comments: pd.DataFrame, replying: pd.Series) -> pd.Series:
    """Parent ids of ``@name`` replies: the one comment by that name in the thread not posted after the reply."""
    table = pd.DataFrame({
        "row": range(len(comments)),
        "thread": comments["thread"].astype(str).to_numpy(),
        "name": comments["author"].fillna("").astype(str).str.casefold().to_numpy(),
        "day": comments["posted_at"].fillna("").astype(str).str[:10].to_numpy(),
        "comment_id": comments["comment_id"].astype(str).to_numpy(),
    })
    replies = table[replying.to_numpy()].drop(columns=["name", "comment_id"])
    replies["name"] = comments["reply_to"].fillna("").astype(str).str.casefold().to_numpy()[replying.to_numpy()]
    pairs = replies.merge(table, on=["thread", "name"], suffixes=("", "_candidate"))
    posted_after = (pairs["day_candidate"] != "") & (pairs["day"] != "") & (pairs["day_candidate"] > pairs["day"])
    earlier = pairs[(pairs["row_candidate"] != pairs["row"]) & ~posted_after]
    counts = earlier.groupby("row")["comment_id"].agg(["first", "size"])
    unique = counts[counts["size"] == 1]["first"]
    return pd.Series(unique.reindex(range(len(comments))).fillna("").to_numpy(), index=range(len(comments)))


def _original(raw: RawComment, text: str) -> str:
    """The text as the source wrote it, when normalising changed more than whitespace."""
    source_text = raw.original or raw.text
    return source_text if _differs_beyond_whitespace(source_text, text) else ""


def _differs_beyond_whitespace(raw: str, normalised: str) -> bool:
    return " ".join(raw.split()) != " ".join(normalised.split())
