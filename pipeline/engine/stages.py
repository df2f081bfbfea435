"""The extract and flag stages over a whole table on disk: read in fixed partitions, run on an
executor, written piece by piece in partition order.

The output bytes depend only on the input and the partition size, never on the executor or the
number of workers. Peak memory holds a few partitions in flight plus, for extract, the claims of
the comments that replies in other partitions point to.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence, TypeVar

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from pipeline.engine.executors import Executor
from pipeline.engine.replies import ReplyLinker, index_replies
from pipeline.engine.settings import PARTITION_SIZE, ExtractSettings, FlagSettings
from pipeline.engine.tasks import extract_partition, flag_partition
from pipeline.extract.stage import CLAIM_COLUMNS, empty_claims_table
from pipeline.flag.stage import CLAIM_COLUMNS as FLAG_CLAIM_COLUMNS, COMMENT_COLUMNS, FLAG_COLUMNS
from pipeline.flag.stage import empty_flags_table
from pipeline.io.streams import TableWriter, iter_frames, rechunk, table_columns, table_path

Progress = Optional[Callable[[int], None]]
T = TypeVar("T")
#: Called with each partition's comments and the rows written for them, in partition order, as
#: they are written (the cache stores them as they come: see :mod:`pipeline.cache.tables`).
PartitionRows = Optional[Callable[[pd.DataFrame, pd.DataFrame], None]]


@dataclass
class ExtractSummary:
    """What ``extract`` reports: comments read, claims written, and the claiming ones."""

    comments: int = 0
    claims: int = 0
    claiming: int = 0
    concepts: set[str] = field(default_factory=set)


@dataclass
class FlagSummary:
    """What ``flag`` reports: comments read and flags written by severity."""

    comments: int = 0
    flags: int = 0
    severities: Counter = field(default_factory=Counter)


def count_rows(path: Path) -> int:
    """How many rows the table at ``path`` has (Parquet: from its footer)."""
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    return sum(len(frame) for frame in iter_frames(path, table_columns(path)[:1], 65_536))


def extract_table(
    folder: Path, fmt: str, settings: ExtractSettings, executor: Executor, *,
    partition_size: int = PARTITION_SIZE, progress: Progress = None, on_partition: PartitionRows = None,
) -> ExtractSummary:
    """Read ``folder``'s comments table, write its claims table (as
    :func:`pipeline.extract.stage.extract_claims` would make it); ``on_partition`` is handed each
    partition and its claims as they are written."""
    source = table_path(folder, "comments", required=("comment_id", "text"))
    columns = [c for c in ("comment_id", "text", "parent_id") if c in table_columns(source)]
    index = index_replies(source, partition_size)
    linker = ReplyLinker(index, settings)
    linker.read_later_parents(source, partition_size)
    calls = (
        (partition, settings, index.exported.get(number, frozenset()))
        for number, partition in enumerate(rechunk(iter_frames(source, columns, partition_size), partition_size))
    )
    summary = ExtractSummary()
    with TableWriter(folder, "claims", fmt, empty_claims_table()) as writer:
        for number, ((partition, _, _), extracted) in enumerate(executor.map_ordered(extract_partition, calls)):
            claims = linker.finish(number, partition, extracted)[CLAIM_COLUMNS]
            writer.write(claims)
            if on_partition is not None:
                on_partition(partition, claims)
            add_extract_counts(summary, len(partition), claims)
            if progress is not None:
                progress(summary.comments)
    return summary


def add_extract_counts(summary: ExtractSummary, comments: int, claims: pd.DataFrame) -> None:
    claiming = claims[claims["role"] != "mention"]
    summary.comments += comments
    summary.claims += len(claims)
    summary.claiming += len(claiming)
    summary.concepts.update(str(concept) for concept in claiming["concept"].dropna().unique())


def flag_table(
    folder: Path, fmt: str, settings: FlagSettings, executor: Executor, *,
    partition_size: int = PARTITION_SIZE, progress: Progress = None, on_partition: PartitionRows = None,
) -> FlagSummary:
    """Read ``folder``'s comments and claims tables, write its flags table (as
    :func:`pipeline.flag.stage.flag_comments` would make it); ``on_partition`` is handed each
    partition and its flags as they are written."""
    comments_path = table_path(folder, "comments", required=COMMENT_COLUMNS)
    claims_path = table_path(folder, "claims", required=FLAG_CLAIM_COLUMNS)
    claim_columns = [*FLAG_CLAIM_COLUMNS, *(["rule"] if "rule" in table_columns(claims_path) else [])]

    def comment_partitions() -> Iterator[pd.DataFrame]:
        return rechunk(iter_frames(comments_path, COMMENT_COLUMNS, partition_size), partition_size)

    claim_parts = claim_partitions(comments_path, claims_path, claim_columns, partition_size)
    calls = ((comments, claims, settings) for comments, claims in zip(comment_partitions(), claim_parts))
    summary = FlagSummary()
    with TableWriter(folder, "flags", fmt, empty_flags_table()) as writer:
        for (comments, _, _), flags in executor.map_ordered(flag_partition, calls):
            flags = flags[FLAG_COLUMNS]
            writer.write(flags)
            if on_partition is not None:
                on_partition(comments, flags)
            summary.comments += len(comments)
            summary.flags += len(flags)
            summary.severities.update(flags["severity"].astype(str))
            if progress is not None:
                progress(summary.comments)
    return summary


def claim_partitions(comments_path: Path, claims_path: Path, columns: list[str], partition_size: int) -> Iterator[pd.DataFrame]:
    """The claims (``columns``) of each partition of the comments table, in partition order."""
    id_sets = _id_sets(rechunk(iter_frames(comments_path, ("comment_id",), partition_size), partition_size))
    if claims_follow_comments(comments_path, claims_path, partition_size):
        return claims_by_partition(iter_frames(claims_path, columns, partition_size), id_sets)
    # a claims table not in comment order (edited by hand): held whole, then cut per partition
    return _claims_held_whole(claims_path, columns, id_sets)


def with_claim_partitions(
    comments_path: Path, claims_path: Path, comment_columns: Sequence[str], claim_columns: list[str],
    partition_size: int, use: Callable[[Iterator[tuple[pd.DataFrame, pd.DataFrame]]], T],
) -> T:
    """``use(pairs)``, where ``pairs`` are each partition of the comments table (``comment_columns``)
    with its claims (``claim_columns``), in order: :func:`claim_partitions` without its first pass
    over the ids. The claims are cut as they come; when they turn out not to follow the comments'
    order, ``use`` is called again with claims held whole, so it must be able to start over (a
    :class:`TableWriter` left by the error writes nothing)."""

    def pairs(cut: Callable[[Iterator[set[str]]], Iterator[pd.DataFrame]]) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        partitions = rechunk(iter_frames(comments_path, comment_columns, partition_size), partition_size)
        current: list[pd.DataFrame] = []

        def id_sets() -> Iterator[set[str]]:
            for partition in partitions:  # one at a time, as the cut asks for the next partition's ids
                current[:] = [partition]
                yield set(partition["comment_id"].astype(str))

        for claims in cut(id_sets()):
            yield current[0], claims

    try:
        return use(pairs(lambda ids: claims_by_partition(iter_frames(claims_path, claim_columns, partition_size), ids)))
    except ClaimsOutOfOrder:
        return use(pairs(lambda ids: _claims_held_whole(claims_path, claim_columns, ids)))


def _id_sets(partitions: Iterable[pd.DataFrame]) -> Iterator[set[str]]:
    for partition in partitions:
        yield set(partition["comment_id"].astype(str))


class ClaimsOutOfOrder(Exception):
    """Claims remain that no partition took: the claims table is not in comment order."""


def claims_by_partition(claim_frames: Iterator[pd.DataFrame], id_sets: Iterable[set[str]]) -> Iterator[pd.DataFrame]:
    """Cut a claims table that follows the comments' order into each partition's claims.

    Raises (once every partition has had its claims):
        ClaimsOutOfOrder: some claim belongs to no partition, or came after a later partition's.
    """
    return rows_by_partition(claim_frames, id_sets, _no_claims())


def rows_by_partition(frames: Iterator[pd.DataFrame], id_sets: Iterable[set[str]], empty: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """Cut a table of rows owned by comments (``comment_id``), in comment order, into the rows of
    each set of ids in turn; ``empty`` is yielded once the table has run out.

    Raises (once every set has had its rows):
        ClaimsOutOfOrder: some row belongs to no set, or came after a later set's.
    """
    buffer: Optional[pd.DataFrame] = None
    for ids in id_sets:
        taken: list[pd.DataFrame] = []
        while True:
            if buffer is None or not len(buffer):
                buffer = next(frames, None)
                if buffer is None:
                    break
            belongs = _in_ids(buffer["comment_id"], ids)
            stop = len(belongs) if belongs.all() else int(np.argmin(belongs))
            taken.append(buffer.iloc[:stop])
            buffer = buffer.iloc[stop:]
            if len(buffer):
                break
        yield pd.concat(taken, ignore_index=True) if len(taken) > 1 else (taken[0].reset_index(drop=True) if taken else empty)
    if (buffer is not None and len(buffer)) or next(frames, None) is not None:
        raise ClaimsOutOfOrder()


def _in_ids(comment_ids: pd.Series, ids: set[str]) -> np.ndarray:
    """Which rows' comment id is in ``ids``: a set lookup per row (pandas' ``isin`` on a text
    column builds an Arrow scalar per id of the set, each call, which costs more than the lookups)."""
    return np.fromiter(map(ids.__contains__, comment_ids.astype(str).tolist()), dtype=bool, count=len(comment_ids))


def _no_claims() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series([], dtype="object") for column in FLAG_CLAIM_COLUMNS})


def claims_follow_comments(comments_path: Path, claims_path: Path, partition_size: int) -> bool:
    """Whether every claim falls in its comment's partition when both tables are read in
    order (true of the tables extract writes); only the id columns are read."""
    ids = _id_sets(rechunk(iter_frames(comments_path, ("comment_id",), partition_size), partition_size))
    try:
        for _ in claims_by_partition(iter_frames(claims_path, ("comment_id",), partition_size), ids):
            pass
    except ClaimsOutOfOrder:
        return False
    return True


def _claims_held_whole(claims_path: Path, columns: list[str], id_sets: Iterable[set[str]]) -> Iterator[pd.DataFrame]:
    claims = pd.concat(list(iter_frames(claims_path, columns, 65_536)) or [_no_claims()], ignore_index=True)
    comment_ids = claims["comment_id"]
    for ids in id_sets:
        yield claims[_in_ids(comment_ids, ids)].reset_index(drop=True)
