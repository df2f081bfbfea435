"""The cache store as extract and flag see it through a whole table: an index of the keys it holds,
and a view of it for one partition at a time."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.cache.keys import NO_KEY
from pipeline.cache.rows import ROWS_PART
from pipeline.cache.store import KEY, KEYS_PART, ShardStore, member_of, strings
from pipeline.errors import PipelineError

_SHARDS_HELD = 4


class _StoredOnce:
    """The keys a run has stored, so that none is stored twice. Only keys more than one comment
    of the run has (``repeated``) can come again, so only those are remembered."""

    def __init__(self, repeated: set[bytes]) -> None:
        self.repeated = repeated
        self.stored: set[bytes] = set()

    def __contains__(self, digest: bytes) -> bool:
        return digest in self.stored

    def add(self, digest: bytes) -> None:
        if digest in self.repeated:
            self.stored.add(digest)


class KeyIndex:
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
        found = (self.digests[at] == digests) & (digests != NO_KEY)
        return np.where(found, self.places[at], -1)


@dataclass(frozen=True)
class _KeyedRows:
    """Cached rows (with their ``key`` column) grouped by key, each key's rows in their stored
    order, and where each key's rows start: what a gather takes slices from."""

    table: pa.Table
    keys: np.ndarray  # sorted, unique
    starts: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, table: pa.Table) -> "_KeyedRows":
        keys = _digests(table.column(KEY))
        unique, starts, counts = np.unique(keys, return_index=True, return_counts=True)
        runs = 1 + int((keys[1:] != keys[:-1]).sum()) if len(keys) else 0
        if runs != len(unique):  # some key's rows not together (rows are stored a comment's together)
            order = np.argsort(keys, kind="stable")
            table = table.take(pa.array(order))
            unique, starts, counts = np.unique(keys[order], return_index=True, return_counts=True)
        return cls(table, unique, starts, counts)

    def find(self, digests: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each digest's rows start, and how many there are (0 for a key without rows)."""
        if not len(self.keys):
            return np.zeros(len(digests), dtype=np.int64), np.zeros(len(digests), dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, digests), len(self.keys) - 1)
        found = self.keys[at] == digests
        return np.where(found, self.starts[at], 0), np.where(found, self.counts[at], 0)

    def subset(self, digests: np.ndarray) -> "_KeyedRows":
        starts, counts = self.find(digests)
        return _KeyedRows.of(self.table.take(pa.array(_ranges(starts, counts))))


class PartitionStore:
    """The store as the partitions of a run see it, one partition after the other: ``rows``
    gathers the cached rows of a partition's keys, ``load`` serves
    :func:`pipeline.cache.rows.cached_rows`, and ``append`` writes one shard per partition.

    Shards are read whole as Arrow tables, and the last few read are kept: a partition's keys
    mostly come from the shard its comments were stored in (or two, when comments were added
    before them). A key more than one comment of the run has (``served_often``: the same text
    twice) is served from wherever its first comment was stored, far from the later ones: its
    rows are kept aside when its shard is first read, so a shard is not read again for every
    partition that repeats one of its texts, which grew with the square of the corpus.

    Keys this run stores are never read back: every comment the index misses was computed in
    the scratch folder, so a later comment with the same key (the same text twice) takes its
    own computed rows, exactly what ``--no-cache`` gives it, and its key is not stored twice.
    ``repeated``: the keys of missed comments that more than one comment has."""

    def __init__(self, store: ShardStore, index: KeyIndex, repeated: set[bytes], served_often: np.ndarray) -> None:
        self.store, self.index = store, index
        self.stored = _StoredOnce(repeated)
        self._read: OrderedDict[int, _KeyedRows] = OrderedDict()
        self._often_by_shard = _by_place(served_often, index.find(served_often))
        self._kept: dict[bytes, tuple[_KeyedRows, int, int]] = {}

    @property
    def version(self) -> str:
        return self.store.version

    def rows(self, digests: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        """The cached rows of each digest, in the order of ``digests`` (a digest given twice, its
        rows twice), with their ``key`` column; and how many rows each digest has (0 for one the
        store does not hold).

        Each shard's wanted rows are taken as soon as it is read, so a partition whose comments
        repeat texts stored all over the cache (an added file) holds only those rows, not every
        shard it draws from: that held tens of shards at once and grew with the corpus."""
        places = self.index.find(digests)
        kept = np.fromiter((digest in self._kept for digest in digests.tolist()), dtype=bool, count=len(digests))
        pieces = _Pieces(len(digests))
        for place in np.unique(places[(places >= 0) & ~kept]).tolist():
            at = np.flatnonzero((places == place) & ~kept)
            rows = self._shard(place)
            pieces.take(rows, at, *rows.find(digests[at]))
        by_source: dict[int, list[int]] = {}
        for row in np.flatnonzero(kept).tolist():
            by_source.setdefault(id(self._kept[digests[row]][0]), []).append(row)
        for rows_of_source in by_source.values():
            at = np.array(rows_of_source, dtype=np.int64)
            found = [self._kept[digests[row]] for row in rows_of_source]
            starts = np.array([start for _, start, _ in found], dtype=np.int64)
            counts = np.array([count for _, _, count in found], dtype=np.int64)
            pieces.take(found[0][0], at, starts, counts)
        return pieces.gathered(), pieces.counts

    def load(self, keys: Iterable[str], parts: Iterable[str]) -> dict[str, pd.DataFrame | None]:
        wanted = np.unique(np.array(strings(keys), dtype="S32"))
        held = wanted[self.index.holds(wanted)]
        if not len(held):
            return {KEYS_PART: None, **{part: None for part in parts}}
        return {KEYS_PART: pd.DataFrame({KEY: held.astype("U32").tolist()}), ROWS_PART: self.rows(held)[0]}

    def append(self, parts: dict[str, pd.DataFrame], keys: Iterable[str]) -> Optional[Path]:
        keys = list(keys)
        again = {key for key in keys if key.encode("ascii") in self.stored}
        if again:
            keys = [key for key in keys if key not in again]
            parts = {part: table[~member_of(table[KEY], again)].reset_index(drop=True) for part, table in parts.items()}
        for key in keys:
            self.stored.add(key.encode("ascii"))
        return self.store.append(parts, keys)

    def _shard(self, place: int) -> _KeyedRows:
        if place not in self._read:
            self._read[place] = self._read_shard(place)
            while len(self._read) > _SHARDS_HELD:
                self._read.popitem(last=False)
        self._read.move_to_end(place)
        return self._read[place]

    def _read_shard(self, place: int) -> _KeyedRows:
        shard = self.index.shards[place]
        handle = self.store.open_part(shard, ROWS_PART)
        try:
            table = handle.read() if handle is not None else None
        except (OSError, pa.ArrowException, ValueError):
            table = None
        if table is None:
            raise PipelineError(f"cache shard {shard} became unreadable during the run; run again to recompute it")
        rows = _KeyedRows.of(table)
        often = self._often_by_shard.pop(place, None)  # kept aside once, when the shard is first read
        if often is not None:
            kept = rows.subset(often)
            starts, counts = kept.find(often)
            self._kept.update(zip(often.tolist(), ((kept, s, c) for s, c in zip(starts.tolist(), counts.tolist()))))
        return rows


class _Pieces:
    """The rows wanted from each source, taken one source at a time, and where each digest's
    rows sit among them."""

    def __init__(self, wanted: int) -> None:
        self.tables: list[pa.Table] = []
        self.starts = np.zeros(wanted, dtype=np.int64)
        self.counts = np.zeros(wanted, dtype=np.int64)
        self.taken = 0

    def take(self, source: _KeyedRows, at: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> None:
        """Take rows ``starts[i]`` to ``starts[i] + counts[i]`` of ``source`` for digest ``at[i]``."""
        if not len(self.tables) or counts.any():  # a source of keys without rows only: left out
            self.tables.append(source.table.take(pa.array(_ranges(starts, counts))))
        self.starts[at] = self.taken + np.cumsum(counts) - counts
        self.counts[at] = counts
        self.taken += int(counts.sum())

    def gathered(self) -> pd.DataFrame:
        """Every digest's rows, in the order of the digests."""
        tables = [table for table in self.tables if table.num_rows] or self.tables[:1]
        if not tables:
            return pd.DataFrame(columns=[KEY])
        order = _ranges(self.starts, self.counts)
        try:
            joined = pa.concat_tables(tables)
        except pa.ArrowInvalid:  # shards written with other types (an old run): joined as pandas joins them
            frames = [table.to_pandas() for table in tables]
            return pd.concat(frames, ignore_index=True).take(order).reset_index(drop=True)
        return joined.take(pa.array(order)).to_pandas()


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``starts[0] .. starts[0] + counts[0] - 1``, then the next range, and so on, in one array."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - counts), counts)


def _by_place(digests: np.ndarray, places: np.ndarray) -> dict[int, np.ndarray]:
    """The digests each shard (by number) serves, for those some shard serves."""
    held = places >= 0
    digests, places = digests[held], places[held]
    order = np.argsort(places, kind="stable")
    digests, places = digests[order], places[order]
    cuts = np.flatnonzero(np.diff(places)) + 1
    return {int(group[0]): chunk for group, chunk in zip(np.split(places, cuts), np.split(digests, cuts)) if len(group)}


def _digests(keys: pa.ChunkedArray) -> np.ndarray:
    return np.array(keys.to_pylist(), dtype="S32")


class StoreAsWritten:
    """Stores a stage's rows partition by partition as the engine writes them (an
    :data:`pipeline.engine.stages.PartitionRows` callback), when every comment is computed: one
    shard per partition, keyed by the partition's digests from the keys pass (``digests``, one per
    row of the comments table, in order). A key is stored once per run, by its first comment;
    ``repeated`` lists the keys more than one comment has, the only ones worth remembering.

    The rows are stored with the types they have once written and read back (``empty`` gives the
    table's columns and types), as the scratch folder of a run with misses gives them: a later run
    served from either writes the same bytes."""

    def __init__(self, store: ShardStore, digests: np.ndarray, repeated: set[bytes], empty: pd.DataFrame) -> None:
        self.store, self.digests = store, digests
        self.schema = _arrow(empty).schema
        self.stored = _StoredOnce(repeated)
        self.start = 0

    def __call__(self, partition: pd.DataFrame, rows: pd.DataFrame) -> None:
        digests = self.digests[self.start : self.start + len(partition)].tolist()
        self.start += len(partition)
        key_of = self._first_comments(strings(partition["comment_id"]), digests)
        owners = strings(rows["comment_id"])
        mine = np.fromiter((owner in key_of for owner in owners), dtype=bool, count=len(owners))
        entries = _arrow(rows[mine]).cast(self.schema).to_pandas()
        entries[KEY] = [key_of[owner] for owner, kept in zip(owners, mine.tolist()) if kept]
        self.store.append({ROWS_PART: entries}, list(dict.fromkeys(key_of.values())))

    def _first_comments(self, ids: list[str], digests: list[bytes]) -> dict[str, str]:
        """The key each comment stores, for the first comment of each key not stored yet."""
        key_of: dict[str, str] = {}
        seen: set[bytes] = set()
        for comment_id, digest in zip(ids, digests):
            if digest == NO_KEY or digest in seen or digest in self.stored:
                continue
            seen.add(digest)
            self.stored.add(digest)
            key_of[comment_id] = digest.decode("ascii")
        return key_of


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """As a stage table is written (:class:`pipeline.io.streams.TableWriter`): no pandas metadata."""
    return pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False).replace_schema_metadata(None)
