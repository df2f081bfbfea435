"""Extract and flag tables through the cache, partition by partition: the same bytes as the engine
writes without the cache, whatever the cache holds and however the comments are partitioned."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

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
