"""Extract and flag tables through the cache, partition by partition: the same bytes as the engine
writes without the cache, whatever the cache holds and however the comments are partitioned."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.cache.store import ShardStore
from pipeline.cache.tables import extract_table_cached, flag_table_cached
from pipeline.engine.executors import InProcess
from pipeline.engine.settings import ExtractSettings, FlagSettings
from pipeline.engine.stages import extract_table, flag_table
from pipeline.io.tables import write_table
from tests.cache.conftest import corpus

#: Two partitions of three: replies (c-same -> c-mustard, c-again -> c-same) cross from one to the next.
PARTITION = 3
SECOND_COPY = ("c-copy", "", "Pickle juice stopped my calf cramp within a minute last night.")


def folder_with(folder: Path, comments: pd.DataFrame) -> Path:
    write_table(comments, folder, "comments")
    return folder


def uncached(folder: Path, comments: pd.DataFrame) -> dict[str, bytes]:
    folder_with(folder, comments)
    extract_table(folder, "parquet", ExtractSettings(), InProcess(), partition_size=PARTITION)
    flag_table(folder, "parquet", FlagSettings(), InProcess(), partition_size=PARTITION)
    return {name: (folder / f"{name}.parquet").read_bytes() for name in ("claims", "flags")}


def cached(folder: Path, comments: pd.DataFrame, store_for) -> tuple[dict[str, bytes], int, int]:
    folder_with(folder, comments)
    _, extract_served = extract_table_cached(
        folder, "parquet", ExtractSettings(), InProcess(), store_for("extract"), partition_size=PARTITION)
    _, flag_served = flag_table_cached(folder, "parquet", FlagSettings(), InProcess(), store_for("flag"), partition_size=PARTITION)
    return {name: (folder / f"{name}.parquet").read_bytes() for name in ("claims", "flags")}, extract_served, flag_served


RUNS = {
    "cold cache": [corpus()],
    "warm cache": [corpus(), corpus()],
    "a parent edited": [corpus(), corpus({"c-mustard": "A spoonful of mustard did nothing for my cramps."})],
    "a reply edited": [corpus(), corpus({"c-again": "@Bo: which mustard do you mean?"})],
    "a comment added": [corpus(), corpus(extra=[("c-new", "c-wine", "@Ann: red wine does it to me too.")])],
    "the same text twice": [corpus(extra=[SECOND_COPY]), corpus(extra=[SECOND_COPY])],
    "rows reordered": [corpus(), corpus().iloc[::-1].reset_index(drop=True)],
}


@pytest.mark.parametrize("runs", list(RUNS.values()), ids=list(RUNS))
def test_cached_tables_are_the_uncached_tables_byte_for_byte(tmp_path, store_for, runs):
    for number, comments in enumerate(runs):
        tables, _, _ = cached(tmp_path / f"run{number}", comments, store_for)
    assert tables == uncached(tmp_path / "uncached", runs[-1])


@pytest.mark.parametrize(
    ("second", "extract_served", "flag_served"),
    [
        (corpus(), 7, 7),
        # the parent and its two replies are computed again; their flags depend on what the claims become
        (corpus({"c-mustard": "A spoonful of mustard did nothing for my cramps."}), 4, None),
        (corpus({"c-calf": "My right calf is fine today."}), 6, 6),
    ],
    ids=["unchanged", "a parent edited", "a plain comment edited"],
)
def test_only_the_comments_the_cache_misses_are_computed(tmp_path, store_for, second, extract_served, flag_served):
    cached(tmp_path / "first", corpus(), store_for)
    _, served_by_extract, served_by_flag = cached(tmp_path / "second", second, store_for)
    assert served_by_extract == extract_served
    assert served_by_flag == flag_served if flag_served is not None else served_by_flag < len(second)


def test_each_partition_with_misses_adds_a_shard(tmp_path, store_for):
    cached(tmp_path / "first", corpus(), store_for)
    assert len(store_for("extract").shards()) == 3  # partitions of 3, 3 and 1 comments
    cached(tmp_path / "second", corpus({"c-calf": "My right calf is fine today."}), store_for)
    assert len(store_for("extract").shards()) == 4  # only the last partition missed


def test_a_text_seen_twice_in_one_run_is_stored_once(tmp_path, store_for):
    cached(tmp_path / "first", corpus(extra=[SECOND_COPY]), store_for)
    store = store_for("extract")
    keys = [key for shard in store.shards() for key in store.shard_keys(shard, ["rows"])]
    assert len(keys) == len(set(keys)) == len(corpus(extra=[SECOND_COPY])) - 1


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_warm_run_is_served_entirely_by_what_the_cold_run_stored(tmp_path, store_for, fmt):
    comments = corpus(extra=[SECOND_COPY])
    for run in ("cold", "warm"):
        folder = folder_with(tmp_path / run, comments)
        _, extract_served = extract_table_cached(
            folder, fmt, ExtractSettings(), InProcess(), store_for("extract"), partition_size=PARTITION)
        _, flag_served = flag_table_cached(folder, fmt, FlagSettings(), InProcess(), store_for("flag"), partition_size=PARTITION)
    assert (extract_served, flag_served) == (len(comments), len(comments))
    expected = folder_with(tmp_path / "uncached", comments)
    extract_table(expected, fmt, ExtractSettings(), InProcess(), partition_size=PARTITION)
    flag_table(expected, fmt, FlagSettings(), InProcess(), partition_size=PARTITION)
    for name in ("claims", "flags"):
        assert (tmp_path / "warm" / f"{name}.{fmt}").read_bytes() == (expected / f"{name}.{fmt}").read_bytes()
        assert (tmp_path / "cold" / f"{name}.{fmt}").read_bytes() == (expected / f"{name}.{fmt}").read_bytes()


def test_a_cold_run_stores_what_a_run_with_misses_stores(tmp_path, store_for):
    """A cold run stores the engine's rows as they come; a run that holds one key goes through the
    scratch folder: both store the same rows, with the same types, under the same keys."""
    comments = corpus(extra=[SECOND_COPY])
    cached(tmp_path / "cold", comments, store_for)
    seeded = lambda stage: ShardStore(tmp_path / "seeded", stage, "v1")  # noqa: E731
    cached(tmp_path / "seed", comments[comments["comment_id"] == "c-calf"].reset_index(drop=True), seeded)
    cached(tmp_path / "mixed", comments, seeded)
    for stage in ("extract", "flag"):
        cold, mixed = stored_rows(store_for(stage)), stored_rows(seeded(stage))
        assert len(cold) > 0
        pd.testing.assert_frame_equal(cold, mixed)


def stored_rows(store) -> pd.DataFrame:
    """Every row the store holds, by key (shards without rows left out: their types are not the rows')."""
    tables = [store.read_shard(shard, ["rows"])["rows"] for shard in store.shards()]
    rows = pd.concat([table for table in tables if len(table)], ignore_index=True)
    return rows.sort_values("key", kind="stable").reset_index(drop=True)


def test_a_cache_that_cannot_be_written_costs_the_cache_not_the_run(tmp_path, store_for):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "extract").write_text("not a folder")  # every shard fails to be written
    tables, extract_served, _ = cached(tmp_path / "run", corpus(), store_for)
    assert tables == uncached(tmp_path / "uncached", corpus())
    assert extract_served == 0 and store_for.warnings
    assert not store_for("extract").shards()
