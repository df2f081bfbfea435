"""Ingest remembers every comment across batches in compact form: the ids seen as one sorted
array of integers, and reply-linking keys in bucket files on disk, joined a bucket at a time."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pipeline.ingest.combine as combine
from pipeline.ingest.combine import BUCKETS, KNOWN, BucketFile, ParentIndex, SeenIds


@pytest.mark.parametrize(
    "batches, copies",
    [
        ([[5, 3, 9]], [[False, False, False]]),  # all new
        ([[5, 3, 5, 5]], [[False, False, True, True]]),  # copies within one batch: the first is kept
        ([[5, 3], [3, 7, 5]], [[False, False], [True, False, True]]),  # copies of an earlier batch
        ([[2**64 - 1], [0, 2**64 - 1]], [[False], [False, True]]),  # the whole unsigned range
        ([[], [4]], [[], [False]]),  # an empty batch
    ],
)
def test_seen_ids_mark_every_copy_after_the_first(batches, copies):
    seen = SeenIds()
    found = [seen.copies(np.array(batch, dtype=np.uint64)).tolist() for batch in batches]
    assert found == copies


def test_seen_ids_are_one_sorted_integer_array_not_python_objects():
    seen = SeenIds()
    seen.copies(np.array([9, 1, 5, 1], dtype=np.uint64))
    seen.copies(np.array([3, 9], dtype=np.uint64))
    assert isinstance(seen.numbers, np.ndarray) and seen.numbers.dtype == np.uint64
    assert seen.numbers.tolist() == [1, 3, 5, 9]


def _known(values: list[int], first: int) -> np.ndarray:
    """Records keyed ``values``, numbered from ``first``."""
    records = np.zeros(len(values), dtype=KNOWN)
    records["a"], records["cid"] = values, np.arange(first, first + len(values))
    return records


@pytest.mark.parametrize("flush_records", [1, 3, 1000])
@pytest.mark.parametrize("on_disk", [True, False])
def test_a_bucket_file_gives_back_each_bucket_in_the_order_added(tmp_path, monkeypatch, flush_records, on_disk):
    monkeypatch.setattr(combine, "_FLUSH_RECORDS", flush_records)
    values = [7, BUCKETS + 7, 3, 2 * BUCKETS + 3, 7, 0]
    records = BucketFile(KNOWN, tmp_path if on_disk else None)
    for start in range(0, len(values), 2):
        records.add(_known(values[start:start + 2], start))
    buckets = [bucket["cid"].tolist() for bucket in records.buckets()]
    assert len(buckets) == BUCKETS
    assert buckets[7] == [0, 1, 4] and buckets[3] == [2, 3] and buckets[0] == [5]
    assert sum(len(bucket) for bucket in buckets) == len(values)


def test_an_empty_bucket_file_gives_empty_buckets(tmp_path):
    assert [len(bucket) for bucket in BucketFile(KNOWN, tmp_path).buckets()] == [0] * BUCKETS


def _comments(count: int) -> pd.DataFrame:
    """Comments replying by native id and by ``@name``, some posted on the same day."""
    rows = []
    for number in range(count):
        rows.append({
            "comment_id": f"c{number + 1:016x}", "source": "s.jsonl", "thread": f"t{number % 3}",
            "author": f"Reader{number % 4}", "posted_at": f"2024-01-{number % 9 + 1:02d}",
            "native_id": f"n{number}", "native_parent": f"n{number - 2}" if number % 4 == 1 else "",
            "reply_to": f"reader{(number + 1) % 4}" if number % 5 == 0 else "",
        })
    return pd.DataFrame(rows)


@pytest.mark.parametrize("batch", [1, 7, 40])
def test_parents_do_not_depend_on_batches_or_on_records_waiting_on_disk(tmp_path, monkeypatch, batch):
    comments = _comments(40)
    no_duplicates = comments.iloc[:0]
    whole = ParentIndex()
    whole.add(comments, no_duplicates)
    expected = whole.parents()
    assert len(expected) > 10  # replies of both kinds were linked
    monkeypatch.setattr(combine, "_FLUSH_RECORDS", 5)
    pieces = ParentIndex(tmp_path)
    for start in range(0, len(comments), batch):
        pieces.add(comments.iloc[start:start + batch].reset_index(drop=True), no_duplicates)
    pd.testing.assert_series_equal(pieces.parents(), expected)
