"""The shard store: entries survive between runs, a damaged shard costs a warning and a recomputation."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.cache.stages import cached_extract
from pipeline.cache.store import KEY

from .conftest import CORPUS, corpus


def rows(keys: list[str], value: str) -> pd.DataFrame:
    return pd.DataFrame({KEY: keys, "value": [value] * len(keys)})


def test_each_run_adds_one_shard_and_nothing_is_rewritten(extract, store_for):
    store = store_for("extract")
    cached_extract(corpus(), extract, store)
    first = sorted(store.folder.iterdir())
    cached_extract(corpus(extra=[("c-new", "", "Epsom salt baths help me.")]), extract, store)
    cached_extract(corpus(extra=[("c-new", "", "Epsom salt baths help me.")]), extract, store)
    shards = sorted(store.folder.iterdir())
    assert len(first) == 1 and len(shards) == 2 and shards[0] == first[0]


def test_the_oldest_shard_serves_a_key_held_twice(store_for):
    store = store_for("extract")
    store.append({"rows": rows(["a", "b"], "old")}, ["a", "b"])
    store.append({"rows": rows(["b", "c"], "new")}, ["b", "c"])
    loaded = store.load(["a", "b", "c", "d"], ["rows"])
    assert dict(zip(loaded["rows"][KEY], loaded["rows"]["value"])) == {"a": "old", "b": "old", "c": "new"}
    assert sorted(loaded["keys"][KEY]) == ["a", "b", "c"]


def test_a_key_with_no_rows_is_still_held(store_for):
    store = store_for("flag")
    store.append({"rows": rows([], "none")}, ["quiet"])
    assert list(store.load(["quiet"], ["rows"])["keys"][KEY]) == ["quiet"]


def test_a_shard_still_being_written_is_not_read(store_for):
    store = store_for("extract")
    shard = store.append({"rows": rows(["a"], "x")}, ["a"])
    shard.rename(shard.parent / f".{shard.name}")
    assert store.load(["a"], ["rows"])["keys"] is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda shard: (shard / "rows.parquet").write_bytes(b"not parquet at all"),
        lambda shard: (shard / "rows.parquet").write_bytes((shard / "rows.parquet").read_bytes()[:40]),
        lambda shard: (shard / "keys.parquet").unlink(),
        lambda shard: (shard / "keys.parquet").write_bytes(b""),
    ],
    ids=["garbage", "truncated", "missing part", "empty part"],
)
def test_a_damaged_shard_is_skipped_with_one_warning_and_recomputed(extract, store_for, damage):
    store = store_for("extract")
    expected = cached_extract(corpus(), extract, store).table
    damage(next(store.folder.iterdir()))
    extract.calls.clear()
    result = cached_extract(corpus(), extract, store)
    assert result.table.equals(expected)
    assert extract.computed == {cid for cid, _, _ in CORPUS}
    assert len(store_for.warnings) == 1
    assert "unreadable" in store_for.warnings[0] or "no 'key' column" in store_for.warnings[0]
    assert "\n" not in store_for.warnings[0]
    extract.calls.clear()
    cached_extract(corpus(), extract, store)
    assert extract.computed == set()  # the recomputed entries went to a new shard


def test_a_cache_that_cannot_be_written_costs_a_warning_not_the_run(extract, store_for, tmp_path):
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    store = store_for("extract")
    result = cached_extract(corpus(), extract, store)
    assert len(result.table) > 0
    assert len(store_for.warnings) == 1 and "cannot write to the cache" in store_for.warnings[0]


@pytest.mark.parametrize(("age_seconds", "removed"), [(2 * 24 * 3600, True), (60, False)])
def test_a_killed_runs_hidden_folders_are_removed_once_stale(store_for, age_seconds, removed):
    import os
    import time

    store = store_for("extract")
    store.folder.mkdir(parents=True)
    unfinished = store.folder / ".01-killed-shard"
    unfinished.mkdir()
    old = time.time() - age_seconds
    os.utime(unfinished, (old, old))
    store.append({"rows": rows(["a"], "x")}, ["a"])
    assert unfinished.exists() is not removed
