"""The cache around the engine's table-to-table stages (:mod:`pipeline.engine.stages`).

With a store, the comments table is read whole, the cache serves what it holds, and only the
comments it misses (with the parents they need) go through the engine, on its executor
(``--workers``, ``--engine dask``), from a scratch folder inside the cache; the claims or flags table is then
written whole. Without a store (``--no-cache``) the engine streams the tables as it always does.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Callable, Optional

import pandas as pd

from pipeline.cache.rows import CachedRows
from pipeline.cache.stages import cached_extract, cached_flags
from pipeline.cache.store import ShardStore, work_folder
from pipeline.engine.executors import Executor
from pipeline.engine.settings import ExtractSettings, FlagSettings
from pipeline.engine.stages import ExtractSummary, FlagSummary, extract_table, flag_table
from pipeline.flag.stage import CLAIM_COLUMNS as FLAG_CLAIM_COLUMNS
from pipeline.io.tables import read_table, write_table

Progress = Optional[Callable[[int], None]]
_STAGING = "parquet"


def extract_table_cached(
    folder: Path, fmt: str, settings: ExtractSettings, executor: Executor, store: ShardStore | None,
    *, progress: Progress = None,
) -> tuple[ExtractSummary, int]:
    """:func:`pipeline.engine.stages.extract_table` through the cache; also returns how many
    comments the cache served."""
    if store is None:
        return extract_table(folder, fmt, settings, executor, progress=progress), 0
    comments = read_table(folder, "comments", required=("comment_id", "text"))
    columns = [c for c in ("comment_id", "text", "parent_id") if c in comments.columns]

    def compute(some: pd.DataFrame) -> pd.DataFrame:
        with work_folder(store.root) as staging:
            write_table(some[columns], Path(staging), "comments", _STAGING)
            extract_table(Path(staging), _STAGING, settings, executor, progress=progress)
            return read_table(Path(staging), "claims")

    result = cached_extract(comments, compute, store)
    write_table(result.table, folder, "claims", fmt)
    return _extract_summary(len(comments), result), result.served


def flag_table_cached(
    folder: Path, fmt: str, settings: FlagSettings, executor: Executor, store: ShardStore | None,
    *, progress: Progress = None,
) -> tuple[FlagSummary, int]:
    """:func:`pipeline.engine.stages.flag_table` through the cache; also returns how many
    comments the cache served."""
    if store is None:
        return flag_table(folder, fmt, settings, executor, progress=progress), 0
    comments = read_table(folder, "comments", required=("comment_id", "text"))
    claims = read_table(folder, "claims", required=FLAG_CLAIM_COLUMNS)

    def compute(some: pd.DataFrame, their_claims: pd.DataFrame) -> pd.DataFrame:
        with work_folder(store.root) as staging:
            write_table(some[["comment_id", "text"]], Path(staging), "comments", _STAGING)
            write_table(their_claims, Path(staging), "claims", _STAGING)
            flag_table(Path(staging), _STAGING, settings, executor, progress=progress)
            return read_table(Path(staging), "flags")

    result = cached_flags(comments, claims, compute, store)
    write_table(result.table, folder, "flags", fmt)
    flags = result.table
    summary = FlagSummary(len(comments), len(flags), Counter(flags["severity"].astype(str)))
    return summary, result.served


def _extract_summary(comments: int, result: CachedRows) -> ExtractSummary:
    claims = result.table
    claiming = claims[claims["role"] != "mention"]
    return ExtractSummary(comments, len(claims), len(claiming), set(claiming["concept"].dropna().astype(str)))
