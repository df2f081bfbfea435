"""The ingest stage: raw input files in, ``comments``, ``rejects``, ``threads`` and ``sources`` out."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterable

import pandas as pd

from pipeline.errors import InputFormatError, PipelineError
from pipeline.ingest.assemble import (
    COMMENT_COLUMNS,
    REJECT_COLUMNS,
    comment_row,
    excerpt,
    rejection_reason,
    resolve_parents,
)
from pipeline.ingest.decode import decode_bytes
from pipeline.ingest.detect import FORMATS, detect_format
from pipeline.ingest.formats import parser_for
from pipeline.ingest.normalize import normalize_text, parse_date
from pipeline.ingest.records import ColumnMapping, RawSource, RecordReject, SourceText, ThreadInfo

THREAD_COLUMNS = ["thread", "source", "title", "url", "author", "posted_at", "body", "comments"]
SOURCE_COLUMNS = [
    "source", "format", "encoding", "compression", "bytes", "records", "kept", "rejected", "duplicates", "error",
]
DEFAULT_MAX_COMMENT_CHARS = 100_000
_SNIFF_CHARS = 4096


@dataclass(frozen=True)
class IngestOptions:
    """How to read the inputs.

    Attributes:
        columns: column names for tabular and JSON inputs (``None`` fields are auto-detected).
        input_format: force one parser for every file instead of detecting it.
        max_comment_chars: longer comments go to ``rejects``.
        keep_going: a file that cannot be read at all becomes a ``rejects`` row instead of
            stopping the run with an error.
    """

    columns: ColumnMapping = ColumnMapping()
    input_format: str | None = None
    max_comment_chars: int = DEFAULT_MAX_COMMENT_CHARS
    keep_going: bool = False


@dataclass
class IngestResult:
    """The tables ingest produces, plus the reconciliation counts."""

    comments: pd.DataFrame
    rejects: pd.DataFrame
    threads: pd.DataFrame
    sources: pd.DataFrame

    @property
    def reconciliation(self) -> dict[str, int]:
        """Records read, and how each ended: kept, rejected, or dropped as a duplicate."""
        totals = {key: int(self.sources[key].sum()) for key in ("records", "kept", "rejected", "duplicates")}
        return {"read": totals["records"], **{k: v for k, v in totals.items() if k != "records"}}


def ingest_sources(sources: Iterable[RawSource], options: IngestOptions = IngestOptions()) -> IngestResult:
    """Parse every source and assemble the ingest tables.

    Input: raw sources in a stable order. Output tables: ``comments`` (contract columns plus
    ``native_id``, ``native_parent``, ``locator``, ``posted_at_raw``, ``text_original``),
    ``rejects`` (source, locator, reason, raw), ``threads`` (one row per article or thread and
    source) and ``sources`` (one row per file with its format, encoding and counts; records =
    kept + rejected + duplicates). No side effects.

    Raises:
        InputFormatError: a file cannot be read at all and ``keep_going`` is off.
        PipelineError: ``input_format`` is not a known format.
    """
    if options.input_format is not None and options.input_format not in FORMATS:
        raise PipelineError(f"--input-format {options.input_format!r} is unknown (choose from: {', '.join(FORMATS)})")
    comments: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    threads: list[dict[str, object]] = []
    duplicates: list[dict[str, object]] = []
    summaries: list[dict[str, object]] = []
    seen_ids: set[str] = set()
    for raw_source in sources:
        summary = _ingest_one(raw_source, options, seen_ids, comments, rejects, threads, duplicates)
        summaries.append(summary)
    resolve_parents(comments, duplicates)
    _count_thread_comments(threads, comments)
    return IngestResult(
        comments=_frame(comments, COMMENT_COLUMNS),
        rejects=_frame(rejects, REJECT_COLUMNS),
        threads=_frame(threads, THREAD_COLUMNS),
        sources=_frame(summaries, SOURCE_COLUMNS),
    )


def _ingest_one(
    raw_source: RawSource,
    options: IngestOptions,
    seen_ids: set[str],
    comments: list[dict[str, object]],
    rejects: list[dict[str, object]],
    threads: list[dict[str, object]],
    duplicates: list[dict[str, object]],
) -> dict[str, object]:
    summary: dict[str, object] = {
        "source": raw_source.name, "format": "", "encoding": "", "compression": raw_source.compression,
        "bytes": len(raw_source.data), "records": 0, "kept": 0, "rejected": 0, "duplicates": 0, "error": "",
    }
    try:
        items = list(_parse(raw_source, options, summary))
    except InputFormatError as error:
        if not options.keep_going:
            raise
        rejects.append(_reject_row(raw_source.name, "file", error.detail, ""))
        summary.update(records=1, rejected=1, error=error.detail)
        return summary
    default_thread = _default_thread_name(raw_source)
    known_threads: set[str] = set()
    position = 0
    for item in items:
        if isinstance(item, ThreadInfo):
            row = _thread_row(item, raw_source.name)
            if row["thread"] not in known_threads:
                threads.append(row)
                known_threads.add(str(row["thread"]))
            continue
        position += 1
        summary["records"] += 1
        if isinstance(item, RecordReject):
            rejects.append(_reject_row(raw_source.name, item.locator, item.reason, item.raw))
            summary["rejected"] += 1
            continue
        row = comment_row(position, item, raw_source.name, default_thread)
        reason = rejection_reason(row, options.max_comment_chars)
        if reason:
            rejects.append(_reject_row(raw_source.name, item.locator, reason, item.raw or item.text))
            summary["rejected"] += 1
        elif row["comment_id"] in seen_ids:
            duplicates.append(row)
            summary["duplicates"] += 1
        else:
            seen_ids.add(str(row["comment_id"]))
            comments.append(row)
            summary["kept"] += 1
            if row["thread"] == default_thread and default_thread not in known_threads:
                threads.append(_thread_row(ThreadInfo(thread=default_thread, title=default_thread), raw_source.name))
                known_threads.add(default_thread)
    return summary


def _parse(raw_source: RawSource, options: IngestOptions, summary: dict[str, object]):
    if raw_source.read_error is not None:
        raise raw_source.read_error
    text, encoding = decode_bytes(raw_source.data, raw_source.name)
    logical_name = raw_source.logical_name or raw_source.name
    format_name = options.input_format or detect_format(logical_name, text[:_SNIFF_CHARS])
    summary.update(encoding=encoding, format=format_name)
    parser = parser_for(format_name)
    return parser(SourceText(raw_source.name, text, encoding), options.columns)


def _default_thread_name(raw_source: RawSource) -> str:
    name = PurePosixPath(raw_source.logical_name or raw_source.name).name
    return name.rsplit(".", 1)[0] if "." in name else name


def _thread_row(info: ThreadInfo, source: str) -> dict[str, object]:
    return {
        "thread": normalize_text(info.thread),
        "source": source,
        "title": normalize_text(info.title),
        "url": info.url.strip(),
        "author": normalize_text(info.author),
        "posted_at": parse_date(info.posted_at),
        "body": normalize_text(info.body),
        "comments": 0,
    }


def _reject_row(source: str, locator: str, reason: str, raw: str) -> dict[str, object]:
    return {"source": source, "locator": locator, "reason": reason, "raw": excerpt(raw)}


def _count_thread_comments(threads: list[dict[str, object]], comments: list[dict[str, object]]) -> None:
    counts: dict[tuple[object, object], int] = {}
    for row in comments:
        key = (row["source"], row["thread"])
        counts[key] = counts.get(key, 0) + 1
    for thread in threads:
        thread["comments"] = counts.get((thread["source"], thread["thread"]), 0)


_INTEGER_COLUMNS = {"position", "comments", "bytes", "records", "kept", "rejected", "duplicates"}
_BOOLEAN_COLUMNS = {"is_author"}


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    """Build a table with fixed column types, so that an empty table has the same schema."""
    frame = pd.DataFrame(rows, columns=columns)
    types = {
        column: "int64" if column in _INTEGER_COLUMNS else "bool" if column in _BOOLEAN_COLUMNS else "string"
        for column in columns
    }
    return frame.astype(types)
