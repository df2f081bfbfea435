"""The store as the partitions of a run read it: rows gathered in the order asked, each shard read
about once, keys many comments share kept aside."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pandas as pd
import pytest

from pipeline.cache.partitions import KeyIndex, PartitionStore
from pipeline.cache.store import ShardStore

#: Six shards of two keys each; key "k0a" has two rows, "k1b" none.
SHARDS = [[(f"k{n}a", [f"{n}a-1", f"{n}a-2"] if n == 0 else [f"{n}a"]), (f"k{n}b", [] if n == 1 else [f"{n}b"])] for n in range(6)]


class CountingStore(ShardStore):
    """A store that counts how often each shard's rows are opened."""

    reads: dict[str, int]

    def open_part(self, shard, part):
        if part == "rows":
            self.reads[shard.name] = self.reads.get(shard.name, 0) + 1
        return super().open_part(shard, part)


@pytest.fixture
def store(tmp_path) -> CountingStore:
    store = CountingStore(tmp_path / "cache", "extract", "v1")
    store.reads = {}
    for shard in SHARDS:
        rows = pd.DataFrame([(value, key) for key, values in shard for value in values], columns=["value", "key"])
        store.append({"rows": rows}, [key for key, _ in shard])
    return store


def digests(*keys: str) -> np.ndarray:
    return np.array([key.encode("ascii") for key in keys], dtype="S32")


@pytest.mark.parametrize(
    ("keys", "values", "counts"),
    [
        (["k2a", "k0a", "k5b"], ["2a", "0a-1", "0a-2", "5b"], [1, 2, 1]),
        (["k3a", "k3a"], ["3a", "3a"], [1, 1]),  # the same key twice: its rows twice
        (["k1b", "k4b"], ["4b"], [0, 1]),  # a key without rows
        (["k4b", "k1b"], ["4b"], [1, 0]),
        (["nope", "k2b"], ["2b"], [0, 1]),  # a key no shard holds
    ],
)
def test_rows_come_in_the_order_of_the_keys_asked(store, keys, values, counts):
    view = PartitionStore(store, KeyIndex(store), set(), digests())
    rows, found = view.rows(digests(*keys))
    assert rows["value"].tolist() == values
    assert found.tolist() == counts


@pytest.mark.parametrize(("often", "reads_of_first"), [([], 2), (["k0a"], 1)], ids=["not shared", "shared"])
def test_a_key_many_comments_share_does_not_read_its_shard_again(store, often, reads_of_first):
    view = PartitionStore(store, KeyIndex(store), set(), digests(*often))
    store.reads.clear()  # the index opened each shard's rows once, to check it can be read
    for n in range(6):  # partition by partition, each mostly from its own shard
        view.rows(digests(f"k{n}a", f"k{n}b"))
    rows, _ = view.rows(digests("k0a"))  # a later comment with the first shard's text
    assert rows["value"].tolist() == ["0a-1", "0a-2"]
    first = store.shards()[0].name
    assert store.reads[first] == reads_of_first
    assert all(reads == 1 for name, reads in store.reads.items() if name != first)


@pytest.mark.parametrize(
    ("often", "keys", "values"),
    [
        ([], ["k5a", "k0a", "k3b", "k1a"], ["5a", "0a-1", "0a-2", "3b", "1a"]),
        (["k0a", "k4a"], ["k4a", "k5b", "k0a", "k2a", "k0a"], ["4a", "5b", "0a-1", "0a-2", "2a", "0a-1", "0a-2"]),
        (["k2a"], ["k1b", "nope"], []),  # neither has rows
    ],
    ids=["from every shard", "with shared keys kept aside", "no rows at all"],
)
def test_a_partition_drawing_from_every_shard_gets_its_rows_in_order(store, often, keys, values):
    view = PartitionStore(store, KeyIndex(store), set(), digests(*often))
    view.rows(digests(*often))  # the shared keys' shards read once, their rows kept aside
    rows, _ = view.rows(digests(*keys))
    assert (rows["value"].tolist() if len(rows) else []) == values


@pytest.mark.parametrize("held", [1, 2])
def test_a_partition_drawing_from_every_shard_holds_only_a_few_shards_at_a_time(store, monkeypatch, held):
    """An added file's comments repeat texts stored all over the cache: its partition must not
    hold every shard it takes rows from (that grew with the corpus)."""
    monkeypatch.setattr("pipeline.cache.partitions._SHARDS_HELD", held)
    read, shards, most = PartitionStore._shard, [], [0]

    def tracked(self, place):
        rows = read(self, place)
        shards.append(weakref.ref(rows))
        gc.collect()
        most[0] = max(most[0], sum(ref() is not None for ref in shards))
        return rows

    monkeypatch.setattr(PartitionStore, "_shard", tracked)
    view = PartitionStore(store, KeyIndex(store), set(), digests())
    rows, _ = view.rows(digests(*(f"k{n}a" for n in range(6))))
    assert rows["value"].tolist() == ["0a-1", "0a-2", "1a", "2a", "3a", "4a", "5a"]
    assert most[0] <= held + 1  # those the store keeps, and the one being taken from
