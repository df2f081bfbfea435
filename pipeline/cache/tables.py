"""The cache around the engine's table-to-table stages (:mod:`pipeline.engine.stages`), streaming.

With a store, a stage runs in four passes over its input tables, none of which holds a table whole:

1. keys: one pass over the comments (and, for flag, the claims) gives every comment its cache key
   (:mod:`pipeline.cache.stages`), kept as 16-byte digests in a NumPy array;
2. misses: the keys are looked up in an index of the keys the store holds (sorted digests), and
   extract adds the parents, grandparents... of the missed replies, which reply linking reads;
3. compute: the missed comments (and their claims) are copied to a scratch folder inside the
   cache and go through the engine on its executor (``--workers``, ``--engine dask``), streaming;
4. merge: partition by partition, the cache serves the rows of the keys it holds, the scratch
   output those of the misses (which become a new shard), and the rows are written in comment order.

Without a store (``--no-cache``) the engine streams the tables as it always does.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import numpy as np
import pandas as pd

from pipeline.cache.rows import ROWS_PART, CachedRows, cached_rows
from pipeline.cache.stages import FLAG_CLAIM_COLUMNS as KEYED_CLAIM_COLUMNS
from pipeline.cache.stages import chained_keys, extract_finish, flag_finish, flag_keys, text_key
from pipeline.cache.store import KEY, KEYS_PART, ShardStore, member_of, strings, work_folder
from pipeline.engine.executors import Executor
from pipeline.errors import PipelineError
from pipeline.engine.settings import PARTITION_SIZE, ExtractSettings, FlagSettings
from pipeline.engine.stages import (
    ExtractSummary,
    FlagSummary,
    add_extract_counts,
    claim_partitions,
    extract_table,
    flag_table,
    rows_by_partition,
)
from pipeline.extract.stage import CLAIM_COLUMNS, empty_claims_table
from pipeline.flag.stage import CLAIM_COLUMNS as FLAG_CLAIM_COLUMNS, FLAG_COLUMNS, empty_flags_table
from pipeline.io.streams import TableWriter, iter_frames, rechunk, table_columns, table_path

Progress = Optional[Callable[[int], None]]
_STAGING = "parquet"
_NO_KEY = b""
_SCAN_ROWS = 65_536
_SHARDS_HELD = 4


@dataclass
class _Keys:
    """Every comment's cache key, by row (``b""``: none, always computed), and for extract each
    reply's parent row."""

    digests: np.ndarray
    parent_of: dict[int, int]


@dataclass(frozen=True)
class _Stage:
    """What extract and flag differ in, through the cache."""

    output: str
    columns: list[str]
    empty: Callable[[], pd.DataFrame]
    keys: Callable[[Path, str], _Keys]
    stage_input: Callable[[Path, Path, np.ndarray], None]
    run: Callable[[Path], None]
    finish: Callable[[pd.DataFrame], pd.DataFrame]


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
        keys=lambda _, version: _extract_keys(source, columns, version),
        stage_input=lambda _, staging, needed: _copy_rows(source, columns, needed, staging, "comments"),
        run=lambda staging: extract_table(staging, _STAGING, settings, executor, progress=progress, partition_size=partition_size),
        finish=extract_finish,
    )
    summary = ExtractSummary()
    served = _cached_table(stage, folder, fmt, store, source, columns, partition_size, lambda part, rows: add_extract_counts(summary, len(part), rows))
    return summary, served


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

    def stage_input(_: Path, staging: Path, needed: np.ndarray) -> None:
        _copy_rows(source, ["comment_id", "text"], needed, staging, "comments")
        _copy_claims(source, claims_path, claim_columns, needed, staging, partition_size)

    stage = _Stage(
        output="flags",
        columns=FLAG_COLUMNS,
        empty=empty_flags_table,
        keys=lambda _, version: _flag_keys(source, claims_path, claim_columns, version, partition_size),
        stage_input=stage_input,
        run=lambda staging: flag_table(staging, _STAGING, settings, executor, progress=progress, partition_size=partition_size),
        finish=flag_finish,
    )
    summary = FlagSummary()

    def count(partition: pd.DataFrame, flags: pd.DataFrame) -> None:
        summary.comments += len(partition)
        summary.flags += len(flags)
        summary.severities.update(flags["severity"].astype(str))

    served = _cached_table(stage, folder, fmt, store, source, ["comment_id", "text"], partition_size, count)
    return summary, served


def _cached_table(
    stage: _Stage, folder: Path, fmt: str, store: ShardStore, source: Path, columns: list[str],
    partition_size: int, count: Callable[[pd.DataFrame, pd.DataFrame], None],
) -> int:
    """The four passes (see the module's docstring); returns how many comments the cache served."""
    keys = stage.keys(folder, store.version)
    index = _KeyIndex(store)
    missing = ~index.holds(keys.digests)
    needed = missing | _ancestors(keys.parent_of, missing)
    with work_folder(store.root) as scratch:
        staging = Path(scratch)
        if needed.any():
            stage.stage_input(folder, staging, needed)
            stage.run(staging)
        computed = _computed_rows(staging / f"{stage.output}.{_STAGING}", stage.output, source, needed, partition_size)
        view = _PartitionStore(store, index, _repeated(keys.digests[missing]))
        served = 0
        with TableWriter(folder, stage.output, fmt, stage.empty()) as writer:
            start = 0
            for partition, rows in zip(rechunk(iter_frames(source, columns, partition_size), partition_size), computed):
                digests = keys.digests[start : start + len(partition)]
                start += len(partition)
                result = _partition_rows(partition, digests, rows, view, stage)
                served += result.served
                writer.write(result.table[stage.columns])
                count(partition, result.table)
    return served


def _partition_rows(
    partition: pd.DataFrame, digests: np.ndarray, rows: pd.DataFrame, view: "_PartitionStore", stage: _Stage,
) -> CachedRows:
    """One partition's rows: :func:`pipeline.cache.rows.cached_rows` over the partition, computing
    from the scratch output (the misses were computed there, with the context they need)."""
    keys = [digest.decode("ascii") if digest else None for digest in digests.tolist()]

    def compute(some: pd.DataFrame) -> pd.DataFrame:
        if not len(rows.columns):
            return stage.empty()
        return rows[member_of(rows["comment_id"], set(strings(some["comment_id"])))].reset_index(drop=True)

    return cached_rows(partition.reset_index(drop=True), keys, compute, view, finish=stage.finish)


def _computed_rows(path: Path, name: str, source: Path, needed: np.ndarray, partition_size: int) -> Iterator[pd.DataFrame]:
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


# --- keys -------------------------------------------------------------------------------


def _extract_keys(source: Path, columns: list[str], version: str) -> _Keys:
    """Each comment's extract key (see :func:`pipeline.cache.stages.extract_keys`), one pass."""
    own: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    replies: list[tuple[int, int]] = []  # (row, hash of the parent id)
    row = 0
    for frame in iter_frames(source, columns, _SCAN_ROWS):
        own.append(np.array([text_key(version, text).encode("ascii") for text in strings(frame["text"])], dtype="S32"))
        hashed = _id_hashes(frame["comment_id"])
        ids.append(hashed)
        if "parent_id" in frame.columns:
            parents = frame["parent_id"].fillna("").astype(str)
            has_parent = (parents != "").to_numpy()
            rows = np.flatnonzero(has_parent) + row
            replies.extend(zip(rows.tolist(), _id_hashes(parents[has_parent]).tolist()))
        row += len(frame)
    digests = np.concatenate(own) if own else np.array([], dtype="S32")
    parent_of = _parent_rows(np.concatenate(ids) if ids else np.array([], dtype=np.uint64), replies)
    if parent_of:
        involved = sorted(set(parent_of) | set(parent_of.values()))
        local = {row: place for place, row in enumerate(involved)}
        chained = chained_keys(
            [digests[row].decode("ascii") for row in involved],
            {local[child]: local[parent] for child, parent in parent_of.items()},
        )
        for row, key in zip(involved, chained):
            digests[row] = key.encode("ascii") if key is not None else _NO_KEY
    return _Keys(digests, parent_of)


def _id_hashes(ids: pd.Series) -> np.ndarray:
    return pd.util.hash_array(ids.astype(str).to_numpy(dtype=object), hash_key="remedy-miner-ids")


def _parent_rows(id_hashes: np.ndarray, replies: list[tuple[int, int]]) -> dict[int, int]:
    """Each reply's parent row, for parents in the table (a comment is not its own parent)."""
    if not replies:
        return {}
    wanted = np.array([parent for _, parent in replies], dtype=np.uint64)
    index = pd.Index(id_hashes)
    if index.is_unique:
        rows = index.get_indexer(wanted)
    else:  # ids repeated (a table edited by hand): the last row with the id, as a dict would keep
        last = pd.Series(np.arange(len(id_hashes)), index=id_hashes)
        rows = last[~last.index.duplicated(keep="last")].reindex(wanted).fillna(-1).astype(np.int64).to_numpy()
    return {child: int(parent) for (child, _), parent in zip(replies, rows) if parent >= 0 and parent != child}


def _flag_keys(source: Path, claims_path: Path, claim_columns: list[str], version: str, partition_size: int) -> _Keys:
    """Each comment's flag key (see :func:`pipeline.cache.stages.flag_keys`), a partition at a time."""
    keyed = ["comment_id", *(c for c in KEYED_CLAIM_COLUMNS if c in claim_columns and c != "comment_id")]
    comments = rechunk(iter_frames(source, ("comment_id", "text"), partition_size), partition_size)
    digests = [
        np.array([key.encode("ascii") for key in flag_keys(partition, claims, version)], dtype="S32")
        for partition, claims in zip(comments, claim_partitions(source, claims_path, keyed, partition_size))
    ]
    return _Keys(np.concatenate(digests) if digests else np.array([], dtype="S32"), {})


def _ancestors(parent_of: dict[int, int], chosen: np.ndarray) -> np.ndarray:
    """The parents, grandparents... of the chosen comments (rows), which reply linking reads."""
    needed = np.zeros(len(chosen), dtype=bool)
    if not parent_of:
        return needed
    for child in np.flatnonzero(chosen).tolist():
        parent = parent_of.get(child)
        while parent is not None and not needed[parent]:
            needed[parent] = True
            parent = parent_of.get(parent)
    return needed


def _repeated(digests: np.ndarray) -> set[bytes]:
    """Keys that more than one comment has (a later comment takes the rows the first one stored)."""
    values, counts = np.unique(digests[digests != _NO_KEY], return_counts=True)
    return set(values[counts > 1].tolist())


# --- scratch inputs -----------------------------------------------------------------------


def _copy_rows(source: Path, columns: list[str], chosen: np.ndarray, folder: Path, name: str) -> None:
    """The chosen rows of a table, in order, as ``folder/name``."""
    start = 0
    with TableWriter(folder, name, _STAGING, _empty_like(source, columns)) as writer:
        for frame in iter_frames(source, columns, _SCAN_ROWS):
            mask = chosen[start : start + len(frame)]
            start += len(frame)
            writer.write(frame[mask].reset_index(drop=True))


def _copy_claims(source: Path, claims_path: Path, columns: list[str], chosen: np.ndarray, folder: Path, partition_size: int) -> None:
    """The claims of the chosen comments, in order, as ``folder/claims``."""
    comments = rechunk(iter_frames(source, ("comment_id",), partition_size), partition_size)
    start = 0
    with TableWriter(folder, "claims", _STAGING, _empty_like(claims_path, columns)) as writer:
        for partition, claims in zip(comments, claim_partitions(source, claims_path, columns, partition_size)):
            mask = chosen[start : start + len(partition)]
            start += len(partition)
            wanted = set(partition["comment_id"].astype(str)[mask])
            writer.write(claims[member_of(claims["comment_id"], wanted)].reset_index(drop=True))


def _empty_like(path: Path, columns: list[str]) -> pd.DataFrame:
    for frame in iter_frames(path, columns, 1):
        return frame.iloc[0:0]
    return pd.DataFrame({column: pd.Series([], dtype=object) for column in columns})


# --- the store, a partition at a time ------------------------------------------------------


class _KeyIndex:
    """Which shard holds each key the store holds (the oldest, as :meth:`ShardStore.load` serves
    it), as sorted 16-byte digests: compact enough for millions of keys."""

    def __init__(self, store: ShardStore) -> None:
        self.store = store
        self.shards: list[Path] = []
        digests: list[np.ndarray] = []
        places: list[np.ndarray] = []
        for shard in store.shards():
            keys = store.shard_keys(shard, [ROWS_PART])
            if keys is None:
                continue
            digests.append(np.array([key.encode("ascii") for key in keys], dtype="S32"))
            places.append(np.full(len(keys), len(self.shards), dtype=np.int32))
            self.shards.append(shard)
        all_digests = np.concatenate(digests) if digests else np.array([], dtype="S32")
        all_places = np.concatenate(places) if places else np.array([], dtype=np.int32)
        self.digests, first = np.unique(all_digests, return_index=True)  # the oldest shard first
        self.places = all_places[first]

    def holds(self, digests: np.ndarray) -> np.ndarray:
        return self.find(digests) >= 0

    def find(self, digests: np.ndarray) -> np.ndarray:
        """The shard number of each digest, or -1."""
        if not len(self.digests):
            return np.full(len(digests), -1, dtype=np.int64)
        at = np.searchsorted(self.digests, digests)
        at = np.minimum(at, len(self.digests) - 1)
        found = (self.digests[at] == digests) & (digests != _NO_KEY)
        return np.where(found, self.places[at], -1)


class _PartitionStore:
    """The store as :func:`pipeline.cache.rows.cached_rows` sees it for one partition: ``load``
    reads only the shards that hold the partition's keys (the last few read are kept), and
    ``append`` writes one shard per partition.

    Keys this run stores are never read back: every comment the index misses was computed in
    the scratch folder, so a later comment with the same key (the same text twice) takes its
    own computed rows, exactly what ``--no-cache`` gives it, and its key is not stored twice.
    Reading those shards back cost one shard read per earlier partition that shared a key,
    which grew with the square of the corpus."""

    def __init__(self, store: ShardStore, index: _KeyIndex, repeated: set[bytes]) -> None:
        self.store, self.index, self.repeated = store, index, repeated
        self.stored: set[bytes] = set()
        self._read: OrderedDict[Path, Optional[dict[str, pd.DataFrame]]] = OrderedDict()

    @property
    def version(self) -> str:
        return self.store.version

    def load(self, keys: Iterable[str], parts: Iterable[str]) -> dict[str, pd.DataFrame | None]:
        wanted = list(strings(keys))
        places = self.index.find(np.array([key.encode("ascii") for key in wanted], dtype="S32"))
        by_shard: dict[Path, set[str]] = {}
        for key, place in zip(wanted, places.tolist()):
            if place >= 0:
                by_shard.setdefault(self.index.shards[place], set()).add(key)
        found: dict[str, list[pd.DataFrame]] = {part: [] for part in [KEYS_PART, *parts]}
        for shard, shard_keys in by_shard.items():
            tables = self._shard(shard, [*parts])
            if tables is None:
                raise PipelineError(f"cache shard {shard} became unreadable during the run; run again to recompute it")
            for part, table in tables.items():
                found[part].append(table[member_of(table[KEY], shard_keys)])
        return {part: pd.concat(tables, ignore_index=True) if tables else None for part, tables in found.items()}

    def append(self, parts: dict[str, pd.DataFrame], keys: Iterable[str]) -> Optional[Path]:
        keys = list(keys)
        again = {key for key in keys if key.encode("ascii") in self.stored}
        if again:
            keys = [key for key in keys if key not in again]
            parts = {part: table[~member_of(table[KEY], again)].reset_index(drop=True) for part, table in parts.items()}
        self.stored.update(key.encode("ascii") for key in keys if key.encode("ascii") in self.repeated)
        return self.store.append(parts, keys)

    def _shard(self, shard: Path, parts: list[str]) -> Optional[dict[str, pd.DataFrame]]:
        if shard not in self._read:
            self._read[shard] = self.store.read_shard(shard, parts)
            while len(self._read) > _SHARDS_HELD:
                self._read.popitem(last=False)
        self._read.move_to_end(shard)
        return self._read[shard]
