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
    parent_ids,
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
    return assemble_files(parse_files(sources, options))


@dataclass
class ParsedFiles:
    """What ingest learns from each file on its own, before the steps that look across files
    (duplicate detection, parent resolution, thread rows and counts).

    This is the part worth caching per file: it depends only on the file's bytes, its name and
    the options. Every table has a ``file`` column, the file's place in the input order, and
    rows are in input order then record order.

    Attributes:
        files: one row per file: the ``sources`` columns except kept and duplicates, plus
            ``default_thread`` (the thread of comments that name none).
        comments: the normalised comments that passed the per-comment checks (``COMMENT_COLUMNS``,
            ``parent_id`` still empty), duplicates included.
        rejects: the ``rejects`` rows.
        threads: the threads the file declares (``THREAD_COLUMNS``), with ``at``: how many of the
            file's comments came before the declaration.
    """

    files: pd.DataFrame
    comments: pd.DataFrame
    rejects: pd.DataFrame
    threads: pd.DataFrame


FILE_COLUMNS = [c for c in SOURCE_COLUMNS if c not in ("kept", "duplicates")] + ["default_thread"]


def parse_files(sources: Iterable[RawSource], options: IngestOptions = IngestOptions()) -> ParsedFiles:
    """Parse and normalise each source on its own (see :class:`ParsedFiles`); files are numbered 0, 1, 2...

    Raises:
        InputFormatError: a file cannot be read at all and ``keep_going`` is off.
        PipelineError: ``input_format`` is not a known format.
    """
    return parse_numbered_files(enumerate(sources), options)


def parse_numbered_files(numbered: Iterable[tuple[int, RawSource]], options: IngestOptions) -> ParsedFiles:
    """:func:`parse_files` for sources that carry their own ``file`` number, so that files parsed
    apart (some read from a cache) can be put back in input order."""
    if options.input_format is not None and options.input_format not in FORMATS:
        raise PipelineError(f"--input-format {options.input_format!r} is unknown (choose from: {', '.join(FORMATS)})")
    tables: dict[str, list[dict[str, object]]] = {"files": [], "comments": [], "rejects": [], "threads": []}
    for number, raw_source in numbered:
        _parse_one(raw_source, options, number, tables)
    return ParsedFiles(
        files=_frame(tables["files"], [*FILE_COLUMNS, "file"]),
        comments=_frame(tables["comments"], [*COMMENT_COLUMNS, "file"]),
        rejects=_frame(tables["rejects"], [*REJECT_COLUMNS, "file"]),
        threads=_frame(tables["threads"], [*THREAD_COLUMNS, "file", "at"]),
    )


def _parse_one(raw_source: RawSource, options: IngestOptions, number: int, tables: dict[str, list]) -> None:
    summary: dict[str, object] = {
        "source": raw_source.name, "format": "", "encoding": "", "compression": raw_source.compression,
        "bytes": len(raw_source.data), "records": 0, "rejected": 0, "error": "",
        "default_thread": _default_thread_name(raw_source), "file": number,
    }
    tables["files"].append(summary)
    try:
        items = list(_parse(raw_source, options, summary))
    except InputFormatError as error:
        if not options.keep_going:
            raise
        tables["rejects"].append({**_reject_row(raw_source.name, "file", error.detail, ""), "file": number})
        summary.update(records=1, rejected=1, error=error.detail)
        return
    position = kept = 0
    for item in items:
        if isinstance(item, ThreadInfo):
            tables["threads"].append({**_thread_row(item, raw_source.name), "file": number, "at": kept})
            continue
        position += 1
        summary["records"] += 1
        if isinstance(item, RecordReject):
            tables["rejects"].append({**_reject_row(raw_source.name, item.locator, item.reason, item.raw), "file": number})
            summary["rejected"] += 1
            continue
        row = comment_row(position, item, raw_source.name, str(summary["default_thread"]))
        reason = rejection_reason(row, options.max_comment_chars)
        if reason:
            tables["rejects"].append({**_reject_row(raw_source.name, item.locator, reason, item.raw or item.text), "file": number})
            summary["rejected"] += 1
        else:
            tables["comments"].append({**row, "file": number})
            kept += 1


def assemble_files(parsed: ParsedFiles) -> IngestResult:
    """The steps across files: drop exact duplicates (the first copy in input order is kept),
    resolve parents, add each file's default thread where a kept comment uses it, count."""
    candidates = parsed.comments.reset_index(drop=True)
    candidates["at"] = candidates.groupby("file").cumcount()
    copy = candidates["comment_id"].duplicated().to_numpy()
    kept, duplicates = candidates[~copy].reset_index(drop=True), candidates[copy]
    kept["parent_id"] = pd.array(parent_ids(kept, duplicates), dtype="string")
    threads = _thread_rows(parsed, kept)
    return IngestResult(
        comments=kept[COMMENT_COLUMNS],
        rejects=parsed.rejects[REJECT_COLUMNS].reset_index(drop=True),
        threads=_with_comment_counts(threads, kept),
        sources=_source_rows(parsed.files, kept, duplicates),
    )


def _thread_rows(parsed: ParsedFiles, kept: pd.DataFrame) -> pd.DataFrame:
    """Declared threads and default threads, in the order the files and records brought them.

    A file's default thread gets a row right after its first kept comment that lies in it,
    unless the file declared that thread already; a thread declared twice keeps its first row.
    """
    files = parsed.files.set_index("file")
    in_default = kept["thread"].to_numpy() == files["default_thread"].reindex(kept["file"]).to_numpy()
    first_in_default = kept[in_default].groupby("file")["at"].min()
    declared: dict[int, list[dict[str, object]]] = {}
    for row in parsed.threads.to_dict("records"):
        declared.setdefault(int(row["file"]), []).append(row)
    rows: list[dict[str, object]] = []
    for number in sorted(set(declared) | set(first_in_default.index.astype(int))):
        events = [((int(row["at"]), 1), row) for row in declared.get(number, [])]
        if number in first_in_default.index:
            events.append(((int(first_in_default[number]) + 1, 0), None))
        default_thread = str(files.at[number, "default_thread"])
        known: set[str] = set()
        for _, row in sorted(events, key=lambda event: event[0]):
            if row is None:
                if default_thread not in known:
                    info = ThreadInfo(thread=default_thread, title=default_thread)
                    rows.append(_thread_row(info, str(files.at[number, "source"])))
                    known.add(default_thread)
            elif row["thread"] not in known:
                rows.append({column: row[column] for column in THREAD_COLUMNS})
                known.add(str(row["thread"]))
    return _frame(rows, THREAD_COLUMNS)


def _with_comment_counts(threads: pd.DataFrame, comments: pd.DataFrame) -> pd.DataFrame:
    counts = comments.groupby(["source", "thread"]).size()
    keys = pd.MultiIndex.from_frame(threads[["source", "thread"]].astype(str))
    threads["comments"] = counts.reindex(keys).fillna(0).astype("int64").to_numpy()
    return threads


def _source_rows(files: pd.DataFrame, kept: pd.DataFrame, duplicates: pd.DataFrame) -> pd.DataFrame:
    sources = files.reset_index(drop=True)
    sources["kept"] = kept.groupby("file").size().reindex(sources["file"]).fillna(0).astype("int64").to_numpy()
    sources["duplicates"] = duplicates.groupby("file").size().reindex(sources["file"]).fillna(0).astype("int64").to_numpy()
    return sources[SOURCE_COLUMNS]


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


_INTEGER_COLUMNS = {"position", "comments", "bytes", "records", "kept", "rejected", "duplicates", "file", "at"}
_BOOLEAN_COLUMNS = {"is_author"}


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    """Build a table with fixed column types, so that an empty table has the same schema."""
    frame = pd.DataFrame(rows, columns=columns)
    types = {
        column: "int64" if column in _INTEGER_COLUMNS else "bool" if column in _BOOLEAN_COLUMNS else "string"
        for column in columns
    }
    return frame.astype(types)
