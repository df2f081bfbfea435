"""The cache store as extract and flag see it through a whole table: an index of the keys it holds,
and a view of it for one partition at a time."""
from __future__ import annotations

from collections import OrderedDict
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


class PartitionStore:
    """The store as :func:`pipeline.cache.rows.cached_rows` sees it for one partition: ``load``
    reads only the shards that hold the partition's keys (the last few read are kept), and
    ``append`` writes one shard per partition.

    Keys this run stores are never read back: every comment the index misses was computed in
    the scratch folder, so a later comment with the same key (the same text twice) takes its
    own computed rows, exactly what ``--no-cache`` gives it, and its key is not stored twice.
    Reading those shards back cost one shard read per earlier partition that shared a key,
    which grew with the square of the corpus."""

    def __init__(self, store: ShardStore, index: KeyIndex, repeated: set[bytes]) -> None:
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
        self.store, self.digests, self.repeated = store, digests, repeated
        self.schema = _arrow(empty).schema
        self.stored: set[bytes] = set()
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
            if digest in self.repeated:
                self.stored.add(digest)
            key_of[comment_id] = digest.decode("ascii")
        return key_of


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """As a stage table is written (:class:`pipeline.io.streams.TableWriter`): no pandas metadata."""
    return pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False).replace_schema_metadata(None)
