"""The review queue: every flag with its comment and its decision, most urgent first."""
from __future__ import annotations

import re
from typing import Optional

import pandas as pd

from pipeline.errors import StageInputError
from pipeline.flag.rules import FLAGS
from pipeline.redact import redact as redact_text
from pipeline.review.choices import SEVERITIES
from pipeline.review.store import DECISION_COLUMNS, ReviewError

QUEUE_COLUMNS = [
    "flag_id", "comment_id", "flag", "severity", "reason", "evidence", "rule", "author", "posted_at",
    "thread", "text", "status", "decided_by", "decided_at", "note",
]
FLAG_INPUT_COLUMNS = ("flag_id", "comment_id", "flag", "severity", "reason", "evidence", "rule")
COMMENT_INPUT_COLUMNS = ("comment_id", "author", "posted_at", "thread", "text")
# Author names are redacted too: some comment systems show the e-mail address as the name.
REDACTED_COLUMNS = ("text", "evidence", "reason", "author")
MARKDOWN_COLUMNS = ("flag_id", "severity", "flag", "status", "author", "posted_at", "evidence", "reason", "text")
MARKDOWN_TEXT_CHARS = 160
_MARKDOWN_CELL_CHARS = {"text": MARKDOWN_TEXT_CHARS, "evidence": 120, "reason": 160}


def build_review_queue(
    flags: pd.DataFrame,
    comments: pd.DataFrame,
    decisions: pd.DataFrame,
    *,
    redact: bool = True,
) -> pd.DataFrame:
    """Join each flag with its comment and its latest decision, most severe first.

    Input columns: ``flags`` (flag_id, comment_id, flag, severity, reason, evidence, rule),
    ``comments`` (comment_id, author, posted_at, thread, text), ``decisions`` (comment_id, flag,
    decision, note, decided_by, decided_at; may be empty).
    Output: ``QUEUE_COLUMNS``; ``status`` is the decision or ``open``. Rows are ordered by
    severity (urgent first), then newest ``posted_at`` (unknown dates last), then ``comment_id``
    and ``flag``. With ``redact`` (the default) e-mail addresses and phone numbers in the text,
    evidence, reason and author become ``[email]`` / ``[phone]``. No side effects; the inputs
    are not modified.

    Raises:
        StageInputError: a table lacks a required column.
    """
    _require(flags, "flags", FLAG_INPUT_COLUMNS)
    _require(comments, "comments", COMMENT_INPUT_COLUMNS)
    _require(decisions, "review decisions", DECISION_COLUMNS)
    queue = _as_text(flags[list(FLAG_INPUT_COLUMNS)])
    queue = queue.merge(_one_row_per_comment(comments), on="comment_id", how="left")
    latest = _as_text(decisions[DECISION_COLUMNS]).drop_duplicates(["comment_id", "flag"], keep="last")
    queue = queue.merge(latest, on=["comment_id", "flag"], how="left")
    queue = queue.rename(columns={"decision": "status"}).fillna("")
    queue.loc[queue["status"] == "", "status"] = "open"
    if redact:
        for column in REDACTED_COLUMNS:
            queue[column] = queue[column].map(redact_text)
    return _most_urgent_first(queue)[QUEUE_COLUMNS].reset_index(drop=True)


def queue_markdown(queue: pd.DataFrame, *, limit: Optional[int] = None, total: Optional[int] = None) -> str:
    """A Markdown table of the queue (the first ``limit`` rows), one line per flag; ``total``
    is the length of the whole queue when ``queue`` holds only its first rows.

    Pipes, backslashes and ``<`` are escaped and line breaks folded, so a comment cannot
    break the table or inject markup; long texts are shortened with an ellipsis.
    """
    if queue.empty:
        return "No flags to review.\n"
    shown = queue if limit is None else queue.head(limit)
    lines = [
        "| " + " | ".join(MARKDOWN_COLUMNS) + " |",
        "|" + "---|" * len(MARKDOWN_COLUMNS),
    ]
    for row in shown.itertuples(index=False):
        record = row._asdict()
        cells = (_markdown_cell(record.get(c, ""), _MARKDOWN_CELL_CHARS.get(c)) for c in MARKDOWN_COLUMNS)
        lines.append("| " + " | ".join(cells) + " |")
    total = len(queue) if total is None else total
    if len(shown) < total:
        lines.append("")
        lines.append(f"Showing {len(shown)} of {total} flags, most severe first; review_queue.csv has them all.")
    return "\n".join(lines) + "\n"


def filter_queue(
    queue: pd.DataFrame,
    *,
    severities: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The rows whose severity, flag and status are among the given ones (empty: any).

    Raises:
        ReviewError: a flag id is not one of the canonical ones; a typo would otherwise
            show an empty queue, which reads as "nothing to review".
    """
    check_flag_ids(flags)
    keep = pd.Series(True, index=queue.index)
    for column, wanted in (("severity", severities), ("flag", flags), ("status", statuses)):
        if wanted:
            keep &= queue[column].isin(wanted)
    return queue[keep].reset_index(drop=True)


def check_flag_ids(flags: tuple[str, ...]) -> None:
    """Refuse flag ids that no rule raises, naming the valid ones."""
    unknown = [flag for flag in flags if flag not in FLAGS]
    if unknown:
        raise ReviewError(f"unknown flag id {unknown[0]!r} (valid flag ids: {', '.join(FLAGS)})")


def _require(table: pd.DataFrame, name: str, columns: tuple[str, ...] | list[str]) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise StageInputError(f"{name} table: missing columns {', '.join(missing)}")


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    return table.astype(object).where(table.notna(), "").astype(str)


def _one_row_per_comment(comments: pd.DataFrame) -> pd.DataFrame:
    # A repeated comment_id would duplicate flags in the join; the first copy stands for all.
    return _as_text(comments[list(COMMENT_INPUT_COLUMNS)]).drop_duplicates("comment_id", keep="first")


def _most_urgent_first(queue: pd.DataFrame) -> pd.DataFrame:
    severity_rank = queue["severity"].map({s: i for i, s in enumerate(SEVERITIES)}).fillna(len(SEVERITIES))
    posted = pd.to_datetime(queue["posted_at"], utc=True, errors="coerce", format="ISO8601")
    keys = pd.DataFrame(
        {"_severity": severity_rank, "_posted": posted, "_comment": queue["comment_id"], "_flag": queue["flag"],
         "_id": queue["flag_id"]}
    )
    # Newest first; na_position puts unknown dates last within their severity.
    ascending = [True, False, True, True, True]
    order = keys.sort_values(list(keys.columns), ascending=ascending, kind="mergesort", na_position="last").index
    return queue.loc[order]


def _markdown_cell(value: object, max_chars: Optional[int]) -> str:
    text = re.sub(r"\s+", " ", str(value)).strip()
    if max_chars is not None and len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
