"""The ingest stage: raw input files in, ``comments``, ``rejects``, ``threads`` and ``sources`` out."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator, Optional, Protocol

import numpy as np
import pandas as pd

from pipeline.errors import InputFormatError, PipelineError
from pipeline.ingest.assemble import COMMENT_COLUMNS, REJECT_COLUMNS, comment_row, excerpt, rejection_reason
from pipeline.ingest.combine import Combiner, Sink, Spill
from pipeline.ingest.decode import Survey, survey_bytes, text_reader
from pipeline.ingest.detect import FORMATS, detect_format
from pipeline.ingest.formats import parser_for
from pipeline.ingest.normalize import normalize_text, parse_date
from pipeline.ingest.options import DEFAULT_MAX_COMMENT_CHARS, IngestOptions  # noqa: F401 - DEFAULT_MAX_COMMENT_CHARS is named here too
from pipeline.ingest.records import ParsedItem, RawSource, RecordReject, SourceText, ThreadInfo

THREAD_COLUMNS = ["thread", "source", "title", "url", "author", "posted_at", "body", "comments"]
SOURCE_COLUMNS = [
    "source", "format", "encoding", "compression", "bytes", "records", "kept", "rejected", "duplicates", "error",
]
_SNIFF_CHARS = 4096
#: Parsed records per batch: what ingest holds of a file at a time (formats that stream).
BATCH_RECORDS = 10_000
#: Formats whose parser reads the text as it comes; the others get each file's text whole.
STREAMING_FORMATS = frozenset({"jsonl", "reddit", "json", "csv", "tsv", "page"})


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
    return collect_tables(lambda outputs: stream_ingest(sources, options, outputs))


def collect_tables(run: Callable[["IngestOutputs"], object]) -> IngestResult:
    """The tables a streaming ingest ``run`` writes, gathered in memory (for small inputs and tests)."""
    comments: list[pd.DataFrame] = []
    rejects: list[pd.DataFrame] = []
    outputs = IngestOutputs(comments=comments.append, rejects=rejects.append)
    run(outputs)
    return IngestResult(
        comments=_joined(comments, COMMENT_COLUMNS),
        rejects=_joined(rejects, REJECT_COLUMNS),
        threads=outputs.threads,
        sources=outputs.sources,
    )


def _joined(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not frames:
        return frame_of([], columns)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)


@dataclass
class IngestOutputs:
    """Where a streaming ingest writes: ``comments`` and ``rejects`` get frames in table order as
    they are ready; ``threads`` and ``sources`` (one row per thread or file) are set at the end.

    ``spill_folder``: where the kept comments wait (in an unnamed temporary file) until every
    file is read and their parents are known; ``None`` keeps them in memory.
    """

    comments: Sink
    rejects: Sink
    spill_folder: Optional[Path] = None
    threads: pd.DataFrame = field(default_factory=lambda: frame_of([], THREAD_COLUMNS))
    sources: pd.DataFrame = field(default_factory=lambda: frame_of([], SOURCE_COLUMNS))

    @property
    def reconciliation(self) -> dict[str, int]:
        """Records read, and how each ended: kept, rejected, or dropped as a duplicate."""
        return IngestResult(frame_of([], COMMENT_COLUMNS), frame_of([], REJECT_COLUMNS), self.threads, self.sources).reconciliation


@dataclass
class FileBatch:
    """A piece of one file's parse, in record order; every table has the ``file`` column (the
    file's place in the input order).

    Attributes:
        comments: normalised comments that passed the per-comment checks (``COMMENT_COLUMNS``,
            ``parent_id`` still empty, duplicates included), with ``at``: the comment's place
            among the file's comments.
        rejects: the ``rejects`` rows.
        threads: threads the file declares (``THREAD_COLUMNS``), with ``at``: how many of the
            file's comments came before the declaration.
    """

    comments: pd.DataFrame
    rejects: pd.DataFrame
    threads: pd.DataFrame


PARTS = ("comments", "rejects", "threads")
FILE_COLUMNS = [c for c in SOURCE_COLUMNS if c not in ("kept", "duplicates")] + ["default_thread"]
PART_COLUMNS = {
    "files": [*FILE_COLUMNS, "file"],
    "comments": [*COMMENT_COLUMNS, "file", "at"],
    "rejects": [*REJECT_COLUMNS, "file"],
    "threads": [*THREAD_COLUMNS, "file", "at"],
}


class ParsedFile(Protocol):
    """One file's parse: its batches, then (once they are all read) its ``files`` row."""

    def batches(self) -> Iterator[FileBatch]: ...

    def file_row(self) -> dict[str, object]: ...


class FileCache(Protocol):
    """What a per-file cache offers ingest (see :mod:`pipeline.cache.ingest`)."""

    def cached(self, opened: "OpenedSource", options: IngestOptions, number: int) -> Optional[ParsedFile]:
        """The file's parse from the cache, or ``None``."""

    def recorded(self, opened: "OpenedSource", options: IngestOptions, parsed: ParsedFile) -> ParsedFile:
        """``parsed``, storing its batches as they pass (kept once ingest ends well)."""


@dataclass(frozen=True)
class OpenedSource:
    """A source after one pass over its bytes: their size, digest and encoding, or why it
    cannot be read at all."""

    raw: RawSource
    survey: Optional[Survey] = None
    error: Optional[InputFormatError] = None


def open_source(raw_source: RawSource) -> OpenedSource:
    """Read a source's bytes once (see :func:`pipeline.ingest.decode.survey_bytes`)."""
    if raw_source.read_error is not None:
        error = raw_source.read_error
        return OpenedSource(raw_source, error=error if isinstance(error, InputFormatError) else InputFormatError(raw_source.name, str(error)))
    try:
        return OpenedSource(raw_source, survey=survey_bytes(raw_source.pieces(), raw_source.name))
    except InputFormatError as error:
        return OpenedSource(raw_source, error=error)


def stream_ingest(
    sources: Iterable[RawSource], options: IngestOptions, outputs: IngestOutputs, file_cache: Optional[FileCache] = None,
) -> tuple[int, int]:
    """Parse every source, one file and one batch at a time, and write the ingest tables to
    ``outputs`` (the same tables as :func:`ingest_sources`). Returns how many files the cache
    served and how many were parsed.

    Raises:
        InputFormatError: a file cannot be read at all and ``keep_going`` is off.
        PipelineError: ``input_format`` is not a known format.
    """
    if options.input_format is not None and options.input_format not in FORMATS:
        raise PipelineError(f"--input-format {options.input_format!r} is unknown (choose from: {', '.join(FORMATS)})")
    combiner = Combiner(Spill(outputs.spill_folder), outputs.spill_folder)
    files: list[dict[str, object]] = []
    threads: list[dict[str, object]] = []
    served = parsed_count = 0
    for number, raw_source in enumerate(sources):
        opened = open_source(raw_source)
        parsed = file_cache.cached(opened, options, number) if file_cache is not None else None
        if parsed is not None:
            served += 1
        else:
            parsed_count += 1
            parsed = FileParse(opened, options, number)
            if file_cache is not None:
                parsed = file_cache.recorded(opened, options, parsed)
        file_row, declared = _combine_file(parsed, combiner, outputs)
        files.append({**file_row, "kept": combiner.kept, "duplicates": combiner.duplicates})
        threads.extend(_file_thread_rows(declared, combiner.first_in_default, file_row))
    combiner.finish(outputs.comments)
    outputs.threads = _with_comment_counts(frame_of(threads, THREAD_COLUMNS), combiner.thread_comments)
    outputs.sources = frame_of(files, [*SOURCE_COLUMNS, "file"])[SOURCE_COLUMNS]
    return served, parsed_count


def _combine_file(parsed: ParsedFile, combiner: Combiner, outputs: IngestOutputs) -> tuple[dict[str, object], list[dict[str, object]]]:
    combiner.start_file()
    declared: list[dict[str, object]] = []
    default_thread: Optional[str] = None
    for batch in parsed.batches():
        if default_thread is None:
            default_thread = str(parsed.file_row()["default_thread"])
        combiner.add_comments(batch.comments, default_thread)
        if len(batch.rejects):
            outputs.rejects(batch.rejects[REJECT_COLUMNS].reset_index(drop=True))
        declared.extend(batch.threads.to_dict("records"))
    return parsed.file_row(), declared


class FileParse:
    """One file parsed in batches of :data:`BATCH_RECORDS` records (see :class:`FileBatch`).

    A file that cannot be read at all raises before its first batch (parsers of the formats that
    stream raise only before their first record); with ``keep_going`` it becomes one reject.
    """

    def __init__(self, opened: OpenedSource, options: IngestOptions, number: int) -> None:
        raw_source = opened.raw
        self.opened, self.options, self.number = opened, options, number
        self.summary: dict[str, object] = {
            "source": raw_source.name, "format": "", "encoding": "", "compression": raw_source.compression,
            "bytes": opened.survey.size if opened.survey is not None else 0, "records": 0, "rejected": 0,
            "error": "", "default_thread": _default_thread_name(raw_source), "file": number,
        }

    def file_row(self) -> dict[str, object]:
        return dict(self.summary)

    def batches(self) -> Iterator[FileBatch]:
        try:
            items = self._items()
            first = _take(items, BATCH_RECORDS)
        except InputFormatError as error:
            if not self.options.keep_going:
                raise
            self.summary.update(records=1, rejected=1, error=error.detail)
            reject = {**_reject_row(str(self.summary["source"]), "file", error.detail, ""), "file": self.number}
            yield _batch([], [reject], [])
            return
        state = _FileState()
        yield self._batch(first, state)
        while chunk := _take(items, BATCH_RECORDS):
            yield self._batch(chunk, state)

    def _items(self) -> Iterator[ParsedItem]:
        if self.opened.error is not None:
            raise self.opened.error
        survey = self.opened.survey
        assert survey is not None
        raw_source = self.opened.raw
        if survey.refusal:
            raise InputFormatError(raw_source.name, survey.refusal)
        pieces = text_reader(raw_source.pieces, survey)
        head = _head(pieces(), _SNIFF_CHARS)
        logical_name = raw_source.logical_name or raw_source.name
        format_name = self.options.input_format or detect_format(logical_name, head)
        self.summary.update(encoding=survey.encoding, format=format_name)
        parser = parser_for(format_name)
        if format_name in STREAMING_FORMATS:
            return iter(parser(SourceText(raw_source.name, "", survey.encoding, pieces=pieces), self.options.columns))
        text = "".join(pieces())
        return iter(list(parser(SourceText(raw_source.name, text, survey.encoding), self.options.columns)))

    def _batch(self, items: list[ParsedItem], state: "_FileState") -> FileBatch:
        source, number = str(self.summary["source"]), self.number
        comments: list[dict[str, object]] = []
        rejects: list[dict[str, object]] = []
        threads: list[dict[str, object]] = []
        for item in items:
            if isinstance(item, ThreadInfo):
                threads.append({**_thread_row(item, source), "file": number, "at": state.kept})
                continue
            state.position += 1
            self.summary["records"] += 1
            if isinstance(item, RecordReject):
                rejects.append({**_reject_row(source, item.locator, item.reason, item.raw), "file": number})
                self.summary["rejected"] += 1
                continue
            row = comment_row(state.position, item, source, str(self.summary["default_thread"]))
            reason = rejection_reason(row, self.options.max_comment_chars)
            if reason:
                rejects.append({**_reject_row(source, item.locator, reason, item.raw_text() or item.text), "file": number})
                self.summary["rejected"] += 1
            else:
                comments.append({**row, "file": number, "at": state.kept})
                state.kept += 1
        return _batch(comments, rejects, threads)


@dataclass
class _FileState:
    position: int = 0
    kept: int = 0


def _batch(comments: list[dict[str, object]], rejects: list[dict[str, object]], threads: list[dict[str, object]]) -> FileBatch:
    return FileBatch(
        comments=frame_of(comments, PART_COLUMNS["comments"]),
        rejects=frame_of(rejects, PART_COLUMNS["rejects"]),
        threads=frame_of(threads, PART_COLUMNS["threads"]),
    )


def _take(items: Iterator[ParsedItem], count: int) -> list[ParsedItem]:
    taken: list[ParsedItem] = []
    for item in items:
        taken.append(item)
        if len(taken) >= count:
            break
    return taken


def _head(pieces: Iterable[str], chars: int) -> str:
    parts: list[str] = []
    held = 0
    for piece in pieces:
        parts.append(piece)
        held += len(piece)
        if held >= chars:
            break
    return "".join(parts)[:chars]


def _file_thread_rows(
    declared: list[dict[str, object]], first_in_default: Optional[int], file_row: dict[str, object],
) -> list[dict[str, object]]:
    """A file's thread rows: its declared threads and its default thread, in the order the
    records brought them.

    The default thread gets a row right after the file's first kept comment that lies in it,
    unless the file declared that thread already; a thread declared twice keeps its first row.
    """
    events: list[tuple[tuple[int, int], Optional[dict[str, object]]]] = [((int(row["at"]), 1), row) for row in declared]
    if first_in_default is not None:
        events.append(((first_in_default + 1, 0), None))
    default_thread = str(file_row["default_thread"])
    known: set[str] = set()
    rows: list[dict[str, object]] = []
    for _, row in sorted(events, key=lambda event: event[0]):
        if row is None:
            if default_thread not in known:
                info = ThreadInfo(thread=default_thread, title=default_thread)
                rows.append(_thread_row(info, str(file_row["source"])))
                known.add(default_thread)
        elif row["thread"] not in known:
            rows.append({column: row[column] for column in THREAD_COLUMNS})
            known.add(str(row["thread"]))
    return rows


def _with_comment_counts(threads: pd.DataFrame, counts: dict[tuple[str, str], int]) -> pd.DataFrame:
    keys = zip(threads["source"].astype(str).tolist(), threads["thread"].astype(str).tolist())
    threads["comments"] = np.array([counts.get(key, 0) for key in keys], dtype=np.int64)
    return threads


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


def frame_of(rows: list[dict[str, object]] | pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Build a table with fixed column types, so that an empty table has the same schema."""
    frame = rows[columns] if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=columns)
    types = {
        column: "int64" if column in _INTEGER_COLUMNS else "bool" if column in _BOOLEAN_COLUMNS else "string"
        for column in columns
    }
    return frame.astype(types)
