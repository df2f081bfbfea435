"""The report stage over a folder of stage tables, in memory that does not grow with the corpus.

``build_report`` takes whole tables; on millions of comments those are gigabytes (the text of
every comment, every claim's sentence). Here the large tables are read in slices, only the
columns each part needs:

1. the comments without their text (:class:`CommentDirectory`);
2. the claims, counted as streaming aggregates (:class:`ConceptTally`), for the concept
   summary and the counts by thread;
3. the claims again, keeping only those the report may quote (:class:`QuoteCandidates`);
4. the flags' sort keys as numbers (:class:`QueueKeys`, about 30 bytes a flag), then the review
   queue in windows of rows, each window's comments fetched in one filtered pass, written to
   ``summary/review_queue.csv`` as it goes;
5. the comments again, only the ones the report quotes or shows, with their text.

``build_report`` then renders those rows with the whole tables' totals, so every file is
byte-identical to rendering the whole tables. Arrow allocates from the C heap meanwhile
(:func:`~pipeline.io.memory.system_allocator`), which hands freed slices back.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import StageInputError
from pipeline.io.ids import id_numbers
from pipeline.io.memory import release_freed_memory, system_allocator
from pipeline.report.batches import (
    BATCH_ROWS, arrow_batches, frames, require_file_columns, rows_where, table_file,
)
from pipeline.report.counts import CLAIM_COLUMNS, ConceptTally, CountedSlice, claim_rows
from pipeline.report.directory import DETAIL_COLUMNS, CommentDirectory
from pipeline.report.stage import QUEUE_COLUMNS, QUEUE_ROWS_IN_MARKDOWN, build_report, queue_csv, redactor_of
from pipeline.report.view import QUEUE_ROWS_IN_HTML, QUOTES_PER_SIDE, CorpusTotals, QuoteCandidates, as_list, records_of, sort_themes
from pipeline.review.queue import COMMENT_INPUT_COLUMNS, FLAG_INPUT_COLUMNS, SEVERITIES
from pipeline.review.store import DECISION_COLUMNS

# Rows of the review queue assembled (with their comments' text) at a time.
QUEUE_WINDOW_ROWS = 5_000
QUOTED_COMMENT_COLUMNS = ("comment_id", "source", "thread", "position", "author", "posted_at", "text")
QUEUE_FILE = "summary/review_queue.csv"


@dataclass(frozen=True)
class QueueTop:
    """What the report shows of the review queue besides the CSV: its first rows and counts."""

    rows: pd.DataFrame
    total: int
    open: int


@system_allocator()  # freed slices go back to the system at each release (see system_allocator)
def write_report(
    folder: Path,
    *,
    decisions: pd.DataFrame,
    redact: bool,
    generated_from: str,
    write_text: Callable[[str, Path], Path],
    write_chunks: Callable[[Iterator[str], Path], Path],
    tables: Callable[[str], pd.DataFrame],
    batch_rows: int = BATCH_ROWS,
    window_rows: int = QUEUE_WINDOW_ROWS,
) -> list[str]:
    """Write ``summary/`` and ``report.html`` for the stage tables in ``folder``.

    ``tables(name)`` reads a small table whole (concepts, themes, sources, threads);
    ``write_text`` and ``write_chunks`` write a file atomically from a string or from pieces.
    Returns the relative paths written, sorted.

    Raises:
        StageInputError: a table is missing, or lacks a column the report needs.
    """
    comments_file = table_file(folder, "comments")
    comment_columns = require_file_columns(comments_file, ("comment_id", "text", "author"))
    claims_file = table_file(folder, "claims")
    require_file_columns(claims_file, ("comment_id", "concept", "role", "effect"))
    directory = CommentDirectory(arrow_batches(comments_file, DETAIL_COLUMNS, batch_rows))

    by_thread = ConceptTally(group="thread") if directory.thread_count > 1 else None
    tally = ConceptTally()
    for claims in frames(claims_file, (*CLAIM_COLUMNS, "cluster", "cluster_category", "hedged", "rule", "start"), batch_rows):
        rows = CountedSlice(claim_rows(claims, directory))
        tally.add(rows)
        if by_thread is not None:
            by_thread.add(rows)
    concept_summary = tally.table()
    # The tallies' (group, commenter) pairs grow with the corpus: gone before the review queue's keys come.
    thread_summary = by_thread.table() if by_thread is not None else None
    del tally, by_thread, rows, claims
    release_freed_memory()

    quotes = QuoteCandidates(concept_summary, directory.contains)
    for claims in frames(claims_file, (*QUOTE_CLAIM_COLUMNS,), batch_rows):
        quotes.add(claims)

    release_freed_memory()
    redactor = redactor_of(redact)
    flags_file = _optional_file(folder, "flags")
    written = [QUEUE_FILE]
    if flags_file is None:
        write_chunks(iter([queue_csv(pd.DataFrame(columns=QUEUE_COLUMNS), redactor, header=True)]), folder / QUEUE_FILE)
        top = QueueTop(pd.DataFrame(columns=QUEUE_COLUMNS), 0, 0)
    else:
        _require_queue_columns(flags_file, comment_columns)
        top = _write_queue(flags_file, comments_file, directory, decisions, redactor, folder / QUEUE_FILE, write_chunks,
                           batch_rows, window_rows)

    release_freed_memory()
    themes = tables("themes")
    quoted_ids = _shown_comment_ids(quotes.claims(), top.rows.head(QUEUE_ROWS_IN_HTML), themes)
    # Comments with their text are the widest rows the report reads: a smaller slice.
    quoted = rows_where(comments_file, QUOTED_COMMENT_COLUMNS, lambda batch: pc.is_in(_ids_of(batch), value_set=quoted_ids),
                        max(1, batch_rows // 4))
    files = build_report(
        quoted,
        quotes.claims(),
        concept_summary,
        tables("concepts"),
        themes,
        top.rows if flags_file is not None else None,
        tables("sources"),
        tables("threads"),
        redact=redact,
        generated_from=generated_from,
        by_thread=thread_summary,
        totals=CorpusTotals(
            comments=directory.size,
            threads=directory.thread_count,
            remedy_claims=quotes.remedy_claims,
            trigger_claims=quotes.trigger_claims,
            queue_rows=top.total,
            queue_open=top.open,
        ),
        with_queue_csv=False,
    )
    for name, content in files.items():
        write_text(content, folder / name)
    return sorted([*files, *written])


QUOTE_CLAIM_COLUMNS = ("comment_id", "claim_id", "concept", "cluster", "role", "effect", "negated", "question", "sentence",
                       "surface")


def _optional_file(folder: Path, name: str) -> Path | None:
    try:
        return table_file(folder, name)
    except StageInputError:
        return None


def _require_queue_columns(flags_file: Path, comment_columns: list[str]) -> None:
    """The checks ``build_review_queue`` makes, with its messages."""
    for name, columns, required in (
        ("flags", require_file_columns(flags_file, ()), FLAG_INPUT_COLUMNS),
        ("comments", comment_columns, COMMENT_INPUT_COLUMNS),
    ):
        missing = [column for column in required if column not in columns]
        if missing:
            raise StageInputError(f"{name} table: missing columns {', '.join(missing)}")


def _ids_of(batch: pa.RecordBatch) -> pa.Array:
    return pc.cast(batch.column("comment_id"), pa.large_string())


def _shown_comment_ids(candidates: pd.DataFrame, queue_rows: pd.DataFrame, themes: pd.DataFrame) -> pa.Array:
    """Every comment the report can quote, link or show: the quote candidates', the shown queue
    rows' and the themes' representative comments."""
    ids: set[str] = set()
    for table in (candidates, queue_rows):
        if "comment_id" in table.columns:
            ids.update(str(value) for value in table["comment_id"].dropna().tolist())
    if "representative_ids" in themes.columns:
        for record in records_of(sort_themes(themes)):
            ids.update(as_list(record.get("representative_ids"), ids=True)[:QUOTES_PER_SIDE])
    return pa.array(sorted(ids), type=pa.large_string())


def _latest_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    missing = [column for column in DECISION_COLUMNS if column not in decisions.columns]
    if missing:
        raise StageInputError(f"review decisions table: missing columns {', '.join(missing)}")
    return _as_text(decisions[DECISION_COLUMNS]).drop_duplicates(["comment_id", "flag"], keep="last")


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    return table.astype(object).where(table.notna(), "").astype(str)


def _write_queue(
    flags_file: Path,
    comments_file: Path,
    directory: CommentDirectory,
    decisions: pd.DataFrame,
    redactor: Callable[[str], str],
    target: Path,
    write_chunks: Callable[[Iterator[str], Path], Path],
    batch_rows: int,
    window_rows: int,
) -> QueueTop:
    """Write the review queue CSV a window at a time; return its first rows and its counts.

    The order is ``build_review_queue``'s (severity, newest comment first with unknown dates
    last, comment id, flag, flag id, then table order), computed from the keys alone. The
    flags and their comments are parked in temporary files on the way, so that each window
    fetches its rows without another pass over the tables.
    """
    latest = _latest_decisions(decisions)
    keys = QueueKeys()
    comment_rows: list[np.ndarray] = []
    open_rows = 0
    with RowStore(FLAG_INPUT_COLUMNS) as flag_store, RowStore(COMMENT_INPUT_COLUMNS[1:]) as comment_store:
        for flags in frames(flags_file, FLAG_INPUT_COLUMNS, max(1, batch_rows // 4)):
            release_freed_memory()
            flags = _as_text(flags[list(FLAG_INPUT_COLUMNS)])
            flag_store.add(np.arange(flag_store.size, flag_store.size + len(flags)), flags)
            rows = directory.rows(flags["comment_id"].tolist(), last=False)
            posted = pd.to_datetime(pd.Series(directory.values("posted_at", rows), dtype=object), utc=True,
                                    errors="coerce", format="ISO8601")
            open_rows += _open_count(flags, latest)
            keys.add(flags, posted.array.asi8)
            comment_rows.append(rows)
        order = keys.order()
        del keys
        comment_row = np.concatenate(comment_rows) if comment_rows else np.zeros(0, dtype=np.int64)
        _park_comments(comments_file, np.unique(comment_row[comment_row >= 0]), comment_store, batch_rows)
        top: list[pd.DataFrame] = []

        def chunks() -> Iterator[str]:
            for start in range(0, max(len(order), 1), window_rows):
                flag_rows = order[start:start + window_rows]
                window = _queue_window(flag_store.get(flag_rows), comment_store, comment_row[flag_rows], latest)
                if start < QUEUE_ROWS_IN_MARKDOWN:
                    top.append(window.head(QUEUE_ROWS_IN_MARKDOWN - start))
                yield queue_csv(window, redactor, header=start == 0)
                release_freed_memory()

        write_chunks(chunks(), target)
    return QueueTop(pd.concat(top, ignore_index=True), len(order), open_rows)


def _open_count(flags: pd.DataFrame, latest: pd.DataFrame) -> int:
    """How many of the flags have no decision, or a latest decision of ``open``."""
    if latest.empty or flags.empty:
        return len(flags)
    statuses = flags[["comment_id", "flag"]].merge(latest, on=["comment_id", "flag"], how="left")["decision"]
    return int(statuses.fillna("").isin(("", "open")).sum())


def _park_comments(comments_file: Path, rows: np.ndarray, store: "RowStore", batch_rows: int) -> None:
    """Copy the comments at ``rows`` (their queue columns, as text) into ``store``, in one pass."""
    start = 0
    # Comments with their text are the widest rows the report reads: a smaller slice.
    for batch in arrow_batches(comments_file, COMMENT_INPUT_COLUMNS, max(1, batch_rows // 4)):
        end = start + batch.num_rows
        low, high = np.searchsorted(rows, [start, end])
        if high > low:
            picked = _as_text(batch.take(pa.array(rows[low:high] - start)).to_pandas()[list(COMMENT_INPUT_COLUMNS[1:])])
            store.add(rows[low:high], picked)
        start = end
        release_freed_memory()


class RowStore:
    """Rows of text parked in an anonymous temporary file (gone when closed) and fetched by row
    number: random access to many rows without holding them in memory. Rows are added in
    increasing row order."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self.size = 0
        self._file = tempfile.TemporaryFile()
        self._rows: list[np.ndarray] = []
        self._ends: list[np.ndarray] = []
        self._written = 0

    def __enter__(self) -> "RowStore":
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def add(self, rows: np.ndarray, table: pd.DataFrame) -> None:
        """Keep ``table``'s rows under the numbers ``rows`` (larger than any added before)."""
        # pickle keeps every str as it was, lone surrogates from JSON input included.
        pieces = [pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)
                  for row in zip(*(table[column].tolist() for column in self.columns))]
        self._file.write(b"".join(pieces))
        self._rows.append(np.asarray(rows, dtype=np.int64))
        self._ends.append(self._written + np.cumsum([len(piece) for piece in pieces], dtype=np.int64))
        self._written += sum(len(piece) for piece in pieces)
        self.size += len(table)

    def get(self, rows: np.ndarray) -> pd.DataFrame:
        """The rows numbered ``rows``, in that order (each must have been added)."""
        if len(self._rows) > 1:
            self._rows, self._ends = [np.concatenate(self._rows)], [np.concatenate(self._ends)]
        kept = self._rows[0] if self._rows else np.zeros(0, dtype=np.int64)
        ends = self._ends[0] if self._ends else np.zeros(0, dtype=np.int64)
        slots = np.searchsorted(kept, rows)
        starts = np.where(slots > 0, ends[np.maximum(slots - 1, 0)], 0)
        self._file.flush()
        descriptor = self._file.fileno()
        records = [pickle.loads(os.pread(descriptor, int(end - start), int(start)))
                   for start, end in zip(starts.tolist(), ends[slots].tolist())] if len(rows) else []
        if not records:
            return pd.DataFrame({column: pd.Series(dtype=object) for column in self.columns})
        return pd.DataFrame(records, columns=self.columns, dtype=object)


class QueueKeys:
    """The review queue's sort keys, gathered a slice of flags at a time as numbers where they
    can be: severity rank, the comment's date, the comment and flag ids as 64-bit numbers when
    they are ingest's and the flag stage's (a letter and 16 hex digits, whose numbers sort as the
    strings do), the flag's rank among the flag names. About 30 bytes a flag instead of the
    strings' hundred."""

    def __init__(self) -> None:
        self._severity: list[np.ndarray] = []
        self._posted: list[np.ndarray] = []
        self._flag_codes: dict[str, int] = {}
        self._flags: list[np.ndarray] = []
        self._ids: dict[str, list[np.ndarray | list[str]]] = {"comment_id": [], "flag_id": []}

    def add(self, flags: pd.DataFrame, posted: np.ndarray) -> None:
        """Keys of a slice of flags (text columns), ``posted``: their comments' dates (NaT unknown)."""
        ranks = {name: rank for rank, name in enumerate(SEVERITIES)}
        self._severity.append(np.array([ranks.get(name, len(SEVERITIES)) for name in flags["severity"].tolist()], dtype=np.int8))
        self._posted.append(np.asarray(posted, dtype=np.int64))
        self._flags.append(np.array([self._flag_codes.setdefault(name, len(self._flag_codes))
                                     for name in flags["flag"].tolist()], dtype=np.int32))
        for column, prefix in (("comment_id", "c"), ("flag_id", "f")):
            values = flags[column].tolist()
            numbers = _prefixed_numbers(values, prefix)
            self._ids[column].append(values if numbers is None else numbers)

    def order(self) -> np.ndarray:
        """Flag rows, most urgent first, as ``build_review_queue`` orders them: severity, newest
        comment first (unknown dates last), comment id, flag, flag id; a stable sort, so full
        ties keep table order."""
        if not self._severity:
            return np.zeros(0, dtype=np.int64)
        names = sorted(self._flag_codes)
        rank_of_code = np.zeros(len(names), dtype=np.int32)
        for rank, name in enumerate(names):
            rank_of_code[self._flag_codes[name]] = rank
        # NaT is the smallest int64; ~x turns the descending date order into an ascending one
        # without overflow, with NaT last.
        keys = [self._id_key("flag_id"), rank_of_code[np.concatenate(self._flags)], self._id_key("comment_id"),
                ~np.concatenate(self._posted), np.concatenate(self._severity)]
        return np.lexsort(keys).astype(np.int64)

    def _id_key(self, column: str) -> np.ndarray:
        """The column as numbers when every slice's ids were numbers, else as strings' ranks."""
        parts = self._ids[column]
        if all(isinstance(part, np.ndarray) for part in parts):
            return np.concatenate(parts)
        prefix = column[0]
        texts = [value for part in parts for value in (_prefixed_strings(part, prefix) if isinstance(part, np.ndarray) else part)]
        return pd.factorize(pd.Series(texts, dtype=object), sort=True)[0]


def _prefixed_numbers(values: list[str], prefix: str) -> np.ndarray | None:
    """``prefix`` + 16 lowercase hex digits as 64-bit numbers; None when a value is not so spelled."""
    texts = pa.array(values, type=pa.large_string())
    if len(texts) and not pc.all(pc.match_substring_regex(texts, f"^{prefix}[0-9a-f]{{16}}$")).as_py():
        return None
    return id_numbers(texts)


def _prefixed_strings(numbers: np.ndarray, prefix: str) -> list[str]:
    return [f"{prefix}{int(number):016x}" for number in numbers]


def _queue_window(flags: pd.DataFrame, comments: RowStore, comment_rows: np.ndarray, latest: pd.DataFrame) -> pd.DataFrame:
    """A window of the queue, in the order of ``flags``, as ``build_review_queue(redact=False)``
    makes it: the flag, its comment (first copy; empty when missing), its latest decision."""
    present = comment_rows >= 0
    details = pd.DataFrame("", index=range(len(flags)), columns=comments.columns, dtype=object)
    if present.any():
        details.loc[present, :] = comments.get(comment_rows[present]).to_numpy()
    queue = pd.concat([flags.reset_index(drop=True), details], axis=1)
    queue = queue.merge(latest, on=["comment_id", "flag"], how="left")
    queue = queue.rename(columns={"decision": "status"}).fillna("")
    queue.loc[queue["status"] == "", "status"] = "open"
    return queue[QUEUE_COLUMNS].reset_index(drop=True)
