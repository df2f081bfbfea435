"""The cache around the engine's table-to-table stages (:mod:`pipeline.engine.stages`), streaming.

With a store, a stage first keys every comment (:mod:`pipeline.cache.keys`: one pass over the
comments, and for flag the claims, giving 16-byte digests in a NumPy array) and looks the keys up
in an index of the keys the store holds (:class:`pipeline.cache.partitions.KeyIndex`). Then:

* the store holds none of them (a first run, or rules changed): the engine runs on the tables
  themselves, exactly as without the cache, and each partition's rows are stored as they reach
  the main process (one shard per partition, a key stored once per run, by its first comment);
* otherwise, two more passes, none of which holds a table whole: the missed comments (with the
  parents, grandparents... of missed replies, which reply linking reads) and their claims are
  copied to a scratch folder inside the cache and go through the engine on its executor
  (``--workers``, ``--engine dask``); then, partition by partition, the cache serves the rows of
  the keys it holds, the scratch output those of the misses (which become a new shard), and the
  rows are written in comment order. A partition with no miss (most of an incremental run) is
  gathered from the shards in comment order (:meth:`PartitionStore.rows`), with no merge.

A run whose partitions are each either all missed or all held still takes the scratch folder:
running the engine on the tables for the missed partitions only would need the claims of the
held parents that replies in them link to (``pipeline.engine.replies``), served from the cache
into the reply linker; not worth its complexity while the misses are few (an added file) or all
(a first run).

Without a store (``--no-cache``) the engine streams the tables as it always does.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

import numpy as np
import pandas as pd

from pipeline.cache.keys import NO_KEY, Keys, ancestors, extract_table_keys, flag_table_keys, repeated
from pipeline.cache.partitions import KeyIndex, PartitionStore, StoreAsWritten
from pipeline.cache.rows import CachedRows, cached_rows
from pipeline.cache.stages import extract_finish, flag_finish
from pipeline.cache.store import KEY, ShardStore, member_of, strings, work_folder
from pipeline.engine.executors import Executor
from pipeline.engine.settings import PARTITION_SIZE, ExtractSettings, FlagSettings
from pipeline.engine.stages import (
    ExtractSummary,
    FlagSummary,
    PartitionRows,
    add_extract_counts,
    with_claim_partitions,
    extract_table,
    flag_table,
    rows_by_partition,
)
from pipeline.extract.stage import CLAIM_COLUMNS, empty_claims_table
from pipeline.flag.stage import CLAIM_COLUMNS as FLAG_CLAIM_COLUMNS, FLAG_COLUMNS, empty_flags_table
from pipeline.io.memory import release_freed_memory, system_allocator
from pipeline.io.streams import TableWriter, iter_frames, rechunk, table_columns, table_path

Progress = Optional[Callable[[int], None]]
Summary = Union[ExtractSummary, FlagSummary]
_STAGING = "parquet"
_RELEASE_EVERY = 16  # partitions (each release costs a few milliseconds of walking the heap)
_SCAN_ROWS = 16_384  # the copy passes read every text: one slice held at a time


@dataclass(frozen=True)
class _Stage:
    """What extract and flag differ in, through the cache."""

    output: str
    columns: list[str]
    empty: Callable[[], pd.DataFrame]
    keys: Callable[[str], Keys]
    stage_input: Callable[[Path, np.ndarray], None]
    run: Callable[[Path, str, PartitionRows], Summary]
    finish: Callable[[pd.DataFrame], pd.DataFrame]
    count: Callable[[Summary, pd.DataFrame, pd.DataFrame], None]
    summary: Callable[[], Summary]


def extract_table_cached(
    folder: Path, fmt: str, settings: ExtractSettings, executor: Executor, store: ShardStore | None,
    *, progress: Progress = None, partition_size: int = PARTITION_SIZE,
) -> tuple[ExtractSummary, int]:
    """:func:`pipeline.engine.stages.extract_table` through the cache; also returns how many
    comments the cache served."""
    if store is None:
        return extract_table(folder, fmt, settings, executor, progress=progress, partition_size=partition_size), 0
    source = table_path(folder, "comments", required=("comment_id", "text"))
    columns = [c for c in ("comment_id", "text", "parent_id") if c in table_columns(source)]
    stage = _Stage(
        output="claims",
        columns=CLAIM_COLUMNS,
        empty=empty_claims_table,
        keys=lambda version: extract_table_keys(source, columns, version),
        stage_input=lambda staging, needed: _copy_rows(source, columns, needed, staging, "comments"),
        run=lambda where, how, stored: extract_table(
            where, how, settings, executor, progress=progress, partition_size=partition_size, on_partition=stored),
        finish=extract_finish,
        count=lambda summary, partition, rows: add_extract_counts(summary, len(partition), rows),
        summary=ExtractSummary,
    )
    return _cached_table(stage, folder, fmt, store, source, partition_size)


def flag_table_cached(
    folder: Path, fmt: str, settings: FlagSettings, executor: Executor, store: ShardStore | None,
    *, progress: Progress = None, partition_size: int = PARTITION_SIZE,
) -> tuple[FlagSummary, int]:
    """:func:`pipeline.engine.stages.flag_table` through the cache; also returns how many
    comments the cache served."""
    if store is None:
        return flag_table(folder, fmt, settings, executor, progress=progress, partition_size=partition_size), 0
    source = table_path(folder, "comments", required=("comment_id", "text"))
    claims_path = table_path(folder, "claims", required=FLAG_CLAIM_COLUMNS)
    claim_columns = [*FLAG_CLAIM_COLUMNS, *(["rule"] if "rule" in table_columns(claims_path) else [])]

    def stage_input(staging: Path, needed: np.ndarray) -> None:
        _copy_rows(source, ["comment_id", "text"], needed, staging, "comments")
        _copy_claims(source, claims_path, claim_columns, needed, staging, partition_size)

    stage = _Stage(
        output="flags",
        columns=FLAG_COLUMNS,
        empty=empty_flags_table,
        keys=lambda version: flag_table_keys(source, claims_path, claim_columns, version, partition_size),
        stage_input=stage_input,
        run=lambda where, how, stored: flag_table(
            where, how, settings, executor, progress=progress, partition_size=partition_size, on_partition=stored),
        finish=flag_finish,
        count=_count_flags,
        summary=FlagSummary,
    )
    return _cached_table(stage, folder, fmt, store, source, partition_size)


def _count_flags(summary: FlagSummary, partition: pd.DataFrame, flags: pd.DataFrame) -> None:
    summary.comments += len(partition)
    summary.flags += len(flags)
    summary.severities.update(flags["severity"].astype(str))


@system_allocator()
def _cached_table(
    stage: _Stage, folder: Path, fmt: str, store: ShardStore, source: Path, partition_size: int,
) -> tuple[Summary, int]:
    """Through the cache (see the module's docstring); also returns how many comments it served.

    Arrow allocates from the C heap here, and what each pass freed goes back to the system before
    the next starts (:mod:`pipeline.io.memory`): the keys pass alone read every text, and Arrow's
    pool kept the freed slices, half again the memory of the rest of the run at 300k comments."""
    keys = stage.keys(store.version)
    index = KeyIndex(store)
    missing = ~index.holds(keys.digests)
    release_freed_memory()
    if missing.all():
        stored = StoreAsWritten(store, keys.digests, repeated(keys.digests), stage.empty())
        return stage.run(folder, fmt, stored), 0
    needed = missing | ancestors(keys.parent_of, missing)
    summary = stage.summary()
    with work_folder(store.root) as scratch:
        staging = Path(scratch)
        if needed.any():
            stage.stage_input(staging, needed)
            release_freed_memory()
            stage.run(staging, _STAGING, None)
            release_freed_memory()
        computed = _computed_rows(staging / f"{stage.output}.{_STAGING}", source, needed, partition_size)
        view = PartitionStore(store, index, repeated(keys.digests[missing]), _served_often(keys.digests[~missing]))
        served = 0
        with TableWriter(folder, stage.output, fmt, stage.empty()) as writer:
            start = 0
            ids = rechunk(iter_frames(source, ["comment_id"], partition_size), partition_size)
            for number, (partition, rows) in enumerate(zip(ids, computed)):
                digests = keys.digests[start : start + len(partition)]
                all_held = not needed[start : start + len(partition)].any()
                start += len(partition)
                if all_held:
                    table = _served_partition(partition, digests, view, stage)
                    served += len(partition)
                else:
                    result = _partition_rows(partition, digests, rows, view, stage)
                    table = result.table
                    served += result.served
                writer.write(table[stage.columns])
                stage.count(summary, partition, table)
                del table
                if number % _RELEASE_EVERY == _RELEASE_EVERY - 1:
                    release_freed_memory()  # else the heap, fragmented by each partition's strings, creeps up
    return summary, served


def _served_partition(partition: pd.DataFrame, digests: np.ndarray, view: PartitionStore, stage: _Stage) -> pd.DataFrame:
    """The rows of a partition the cache serves whole: taken from the shards in comment order,
    as :func:`pipeline.cache.rows.cached_rows` gives them without the merge, the sort and the
    ``finish`` of rows whose owner did not change."""
    rows, counts = view.rows(digests)
    table = rows.drop(columns=[KEY])
    owners = np.repeat(np.array(strings(partition["comment_id"]), dtype=object), counts)
    moved = np.array(strings(table["comment_id"]), dtype=object) != owners
    if moved.any():  # the same text as another comment's: served with its own ids
        table.loc[moved, "comment_id"] = owners[moved]
        before = table.loc[moved].reset_index(drop=True)
        finished = stage.finish(before.copy()).reset_index(drop=True)
        for column in table.columns:  # only the columns finish changed (the ids), not every column
            if not finished[column].equals(before[column]):
                table.loc[moved, column] = finished[column].to_numpy()
    return table


def _served_often(held: np.ndarray) -> np.ndarray:
    """The held keys more than one comment of the run has."""
    values, counts = np.unique(held[held != NO_KEY], return_counts=True)
    return values[counts > 1]


def _partition_rows(
    partition: pd.DataFrame, digests: np.ndarray, rows: pd.DataFrame, view: "PartitionStore", stage: _Stage,
) -> CachedRows:
    """One partition's rows: :func:`pipeline.cache.rows.cached_rows` over the partition, computing
    from the scratch output (the misses were computed there, with the context they need)."""
    keys = [digest.decode("ascii") if digest else None for digest in digests.tolist()]

    def compute(some: pd.DataFrame) -> pd.DataFrame:
        if not len(rows.columns):
            return stage.empty()
        return rows[member_of(rows["comment_id"], set(strings(some["comment_id"])))].reset_index(drop=True)

    return cached_rows(partition.reset_index(drop=True), keys, compute, view, finish=stage.finish)


def _computed_rows(path: Path, source: Path, needed: np.ndarray, partition_size: int) -> Iterator[pd.DataFrame]:
    """The scratch output cut into the comment partitions' rows (empty for a partition with no miss)."""
    ids = _partition_id_sets(source, needed, partition_size)
    if not path.exists():
        return (pd.DataFrame() for _ in ids)
    return rows_by_partition(iter_frames(path, table_columns(path), partition_size), ids, pd.DataFrame())


def _partition_id_sets(source: Path, chosen: np.ndarray, partition_size: int) -> Iterator[set[str]]:
    start = 0
    for partition in rechunk(iter_frames(source, ("comment_id",), partition_size), partition_size):
        mask = chosen[start : start + len(partition)]
        start += len(partition)
        yield set(partition["comment_id"].astype(str)[mask])


# --- scratch inputs -----------------------------------------------------------------------


def _copy_rows(source: Path, columns: list[str], chosen: np.ndarray, folder: Path, name: str) -> None:
    """The chosen rows of a table, in order, as ``folder/name``."""
    start = 0
    with TableWriter(folder, name, _STAGING, _empty_like(source, columns)) as writer:
        for frame in iter_frames(source, columns, _SCAN_ROWS):
            mask = chosen[start : start + len(frame)]
            start += len(frame)
            writer.write(frame[mask].reset_index(drop=True))
            del frame
            release_freed_memory()


def _copy_claims(source: Path, claims_path: Path, columns: list[str], chosen: np.ndarray, folder: Path, partition_size: int) -> None:
    """The claims of the chosen comments, in order, as ``folder/claims``."""

    def copy(pairs: Iterator[tuple[pd.DataFrame, pd.DataFrame]]) -> None:
        start = 0
        with TableWriter(folder, "claims", _STAGING, _empty_like(claims_path, columns)) as writer:
            for partition, claims in pairs:
                mask = chosen[start : start + len(partition)]
                start += len(partition)
                if mask.any():
                    wanted = set(partition["comment_id"].astype(str)[mask])
                    writer.write(claims[member_of(claims["comment_id"], wanted)].reset_index(drop=True))

    with_claim_partitions(source, claims_path, ("comment_id",), columns, partition_size, copy)


def _empty_like(path: Path, columns: list[str]) -> pd.DataFrame:
    for frame in iter_frames(path, columns, 1):
        return frame.iloc[0:0]
    return pd.DataFrame({column: pd.Series([], dtype=object) for column in columns})
