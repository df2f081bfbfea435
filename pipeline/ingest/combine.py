"""The steps of ingest that look across files, fed one batch of comments at a time.

Exact duplicates are dropped as they arrive (the first copy in input order is kept), the kept
comments go to a spill (memory or a temporary file) and, once every file is read, come back
with their ``parent_id`` filled. What memory holds across batches is one number per comment:
the ids already seen, as one sorted array of 64-bit integers (:class:`SeenIds`). What reply
linking needs of every comment (a few hashed keys) waits beside the spill in temporary files,
grouped in buckets by key (:class:`BucketFile`), and is joined one bucket at a time
(:class:`ParentIndex`); the records themselves are never held.
"""
from __future__ import annotations

import io
import pickle
import tempfile
from collections import Counter
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Optional

import numpy as np
import pandas as pd

from pipeline.ingest.assemble import COMMENT_COLUMNS
from pipeline.io.ids import id_numbers as numbers_of_ids, id_strings

#: Two different keys give two independent 64-bit hashes of a string: 128 bits, so that two
#: different keys sharing a hash is not a concern even at billions of comments.
_HASH_KEYS = ("remedy-miner-k-1", "remedy-miner-k-2")
_SEPARATOR = "\x1f"

Sink = Callable[[pd.DataFrame], None]


def id_numbers(comment_ids: pd.Series) -> np.ndarray:
    """Ingest's comment ids as unsigned 64-bit integers (see :mod:`pipeline.io.ids`)."""
    return numbers_of_ids(comment_ids.astype(str).tolist())


def _hashed(*columns: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A 128-bit hash (two uint64 arrays) of the strings joined row by row."""
    joined = columns[0].fillna("").astype(str)
    for column in columns[1:]:
        joined = joined + _SEPARATOR + column.fillna("").astype(str)
    values = joined.to_numpy(dtype=object)
    # categorize=False: the joined keys are mostly distinct, so factorizing them first only costs
    # time (the hashes are the same either way).
    return tuple(pd.util.hash_array(values, hash_key=key, categorize=False) for key in _HASH_KEYS)  # type: ignore[return-value]


class SeenIds:
    """The comment numbers seen so far, as one sorted NumPy array (8 bytes a comment, where a
    Python set of the same integers costs about ten times that)."""

    def __init__(self) -> None:
        self.numbers = np.zeros(0, dtype=np.uint64)

    def copies(self, numbers: np.ndarray) -> np.ndarray:
        """Which of ``numbers`` (in order) were seen before, in an earlier call or earlier in
        this one; the rest are remembered from now on."""
        numbers = np.asarray(numbers, dtype=np.uint64)
        distinct, first, inverse = np.unique(numbers, return_index=True, return_inverse=True)
        places = np.searchsorted(self.numbers, distinct)
        known = places < len(self.numbers)
        known[known] = self.numbers[places[known]] == distinct[known]
        copy = known[inverse]
        later = np.ones(len(numbers), dtype=bool)
        later[first] = False
        copy |= later
        self.numbers = np.insert(self.numbers, places[~known], distinct[~known])
        return copy


#: Hashed keys are spread over this many buckets: the joins that find parents hold one bucket at a time.
BUCKETS = 64
#: Records gathered in memory before they go to the bucket file, grouped by bucket.
_FLUSH_RECORDS = 65_536


class BucketFile:
    """Records of one NumPy structured type, written in any order and read back one bucket
    (``a % BUCKETS``, where ``a`` is the first key hash) at a time.

    The records wait in an unnamed temporary file in ``folder`` (in memory when ``folder`` is
    ``None``), in chunks of about :data:`_FLUSH_RECORDS` records, each chunk grouped by bucket;
    what stays in memory is the number of records of each bucket in each chunk.
    """

    def __init__(self, dtype: np.dtype, folder: Optional[Path]) -> None:
        self.dtype = np.dtype(dtype)
        self._folder = folder
        self._file: Optional[BinaryIO] = None
        self._pending: list[np.ndarray] = []
        self._held = 0
        self._counts: list[np.ndarray] = []  # per chunk: records per bucket

    def add(self, records: np.ndarray) -> None:
        if not len(records):
            return
        self._pending.append(records)
        self._held += len(records)
        if self._held >= _FLUSH_RECORDS:
            self._flush()

    def _flush(self) -> None:
        if not self._held:
            return
        records = np.concatenate(self._pending)
        self._pending, self._held = [], 0
        bucket = (records["a"] % BUCKETS).astype(np.int64)
        if self._file is None:
            self._file = tempfile.TemporaryFile(dir=self._folder) if self._folder is not None else io.BytesIO()
        self._file.seek(0, io.SEEK_END)
        self._file.write(records[np.argsort(bucket, kind="stable")].tobytes())
        self._counts.append(np.bincount(bucket, minlength=BUCKETS))

    def buckets(self) -> Iterator[np.ndarray]:
        """The records of each bucket in turn (in the order they were added within a bucket)."""
        self._flush()
        if self._file is None:
            for _ in range(BUCKETS):
                yield np.zeros(0, dtype=self.dtype)
            return
        counts = np.array(self._counts, dtype=np.int64)
        chunk_starts = np.concatenate([[0], np.cumsum(counts.sum(axis=1))[:-1]])
        offsets = chunk_starts[:, None] + np.cumsum(counts, axis=1) - counts
        size = self.dtype.itemsize
        for bucket in range(BUCKETS):
            parts = []
            for chunk in range(len(counts)):
                count = int(counts[chunk, bucket])
                if count:
                    self._file.seek(int(offsets[chunk, bucket]) * size)
                    parts.append(np.frombuffer(self._file.read(count * size), dtype=self.dtype))
            yield np.concatenate(parts) if parts else np.zeros(0, dtype=self.dtype)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file, self._pending, self._held, self._counts = None, [], 0, []


_KEYS = [("a", np.uint64), ("b", np.uint64)]
#: What reply linking keeps of each comment, by the hashed key it is looked up by.
KNOWN = np.dtype([*_KEYS, ("cid", np.uint64)])  # (source, native_id) -> comment number
WANTED = np.dtype([*_KEYS, ("row", np.int64)])  # (source, native_parent) of a row
NAMES = np.dtype([*_KEYS, ("cid", np.uint64), ("row", np.int64), ("day", "U10")])  # (thread, author) of a row
REPLIES = np.dtype([*_KEYS, ("row", np.int64), ("day", "U10")])  # (thread, reply_to) of a row


def _records(dtype: np.dtype, **columns: np.ndarray) -> np.ndarray:
    records = np.empty(len(next(iter(columns.values()))), dtype=dtype)
    for name, values in columns.items():
        records[name] = values
    return records


class ParentIndex:
    """What reply linking needs of every comment, gathered batch by batch as compact records
    that wait on disk (see :class:`BucketFile`; in memory when ``folder`` is ``None``).

    ``add`` takes the kept comments of a batch (in input order) and the duplicates dropped from
    it; ``parents`` then gives the ``parent_id`` of every kept comment exactly as
    :func:`pipeline.ingest.assemble.parent_ids` defines it: a native parent id is followed within
    its source (an id two different comments claim names none; a duplicate's native id names the
    kept copy); an ``@name`` reply is linked when exactly one other comment by that name in the
    thread was not posted after it. A comment and every comment it could be linked to share a
    hashed key, so the joins run one bucket of keys at a time: memory holds one bucket and the
    parents found (16 bytes a reply), not a record per comment.
    """

    def __init__(self, folder: Optional[Path] = None) -> None:
        self.rows = 0
        self._known = BucketFile(KNOWN, folder)
        self._wanted = BucketFile(WANTED, folder)
        self._names = BucketFile(NAMES, folder)
        self._replies = BucketFile(REPLIES, folder)

    def add(self, kept: pd.DataFrame, duplicates: pd.DataFrame) -> None:
        rows = np.arange(self.rows, self.rows + len(kept), dtype=np.int64)
        self.rows += len(kept)
        for table in (kept, duplicates):
            named = table[table["native_id"].fillna("").astype(str) != ""]
            if len(named):
                first, second = _hashed(named["source"], named["native_id"])
                self._known.add(_records(KNOWN, a=first, b=second, cid=id_numbers(named["comment_id"])))
        native_parent = kept["native_parent"].fillna("").astype(str).to_numpy()
        has_native = native_parent != ""
        if has_native.any():
            replies = kept[has_native]
            first, second = _hashed(replies["source"], replies["native_parent"])
            self._wanted.add(_records(WANTED, a=first, b=second, row=rows[has_native]))
        if not len(kept):
            return
        day = kept["posted_at"].fillna("").astype(str).str[:10].to_numpy(dtype="U10")
        first, second = _hashed(kept["thread"], kept["author"].fillna("").astype(str).str.casefold())
        self._names.add(_records(NAMES, a=first, b=second, cid=id_numbers(kept["comment_id"]), row=rows, day=day))
        by_name = ~has_native & (kept["reply_to"].fillna("").astype(str).to_numpy() != "")
        if by_name.any():
            replies = kept[by_name]
            first, second = _hashed(replies["thread"], replies["reply_to"].fillna("").astype(str).str.casefold())
            self._replies.add(_records(REPLIES, a=first, b=second, row=rows[by_name], day=day[by_name]))

    def parents(self) -> pd.Series:
        """The parent's comment number of every kept comment that has one, indexed by row
        (once: the records are let go after)."""
        rows: list[np.ndarray] = []
        numbers: list[np.ndarray] = []
        native = zip(self._wanted.buckets(), self._known.buckets())
        named = zip(self._replies.buckets(), self._names.buckets())
        for (wanted, known), (replies, names) in zip(native, named):
            for found in (_native_parents(wanted, known), _named_parents(replies, names)):
                rows.append(found.index.to_numpy(dtype=np.int64))
                numbers.append(found.to_numpy(dtype=np.uint64))
        for records in (self._known, self._wanted, self._names, self._replies):
            records.close()
        row, number = np.concatenate(rows), np.concatenate(numbers)
        order = np.argsort(row, kind="stable")
        return pd.Series(number[order], index=row[order], dtype=np.uint64)


_NONE = pd.Series([], dtype=np.uint64)


def _native_parents(wanted_records: np.ndarray, known_records: np.ndarray) -> pd.Series:
    """Parents by native id among the records of one bucket."""
    if not len(wanted_records) or not len(known_records):
        return _NONE
    known = pd.DataFrame(known_records).drop_duplicates()
    known = known[~known.duplicated(["a", "b"], keep=False)]  # an id claimed by different comments
    wanted = pd.DataFrame(wanted_records).merge(known, on=["a", "b"])
    return pd.Series(wanted["cid"].to_numpy(), index=wanted["row"].to_numpy())


def _named_parents(reply_records: np.ndarray, name_records: np.ndarray) -> pd.Series:
    """Parents by ``@name`` among the records of one bucket."""
    if not len(reply_records) or not len(name_records):
        return _NONE
    table, replies = pd.DataFrame(name_records), pd.DataFrame(reply_records)
    pairs = replies.merge(table, on=["a", "b"], suffixes=("", "_candidate"))
    day, candidate_day = pairs["day"].to_numpy(), pairs["day_candidate"].to_numpy()
    posted_after = (candidate_day != "") & (day != "") & (candidate_day > day)
    earlier = pairs[(pairs["row_candidate"].to_numpy() != pairs["row"].to_numpy()) & ~posted_after]
    counts = earlier.groupby("row")["cid"].agg(["first", "size"])
    unique = counts[counts["size"] == 1]["first"]
    return pd.Series(unique.to_numpy(dtype=np.uint64), index=unique.index.to_numpy())


class Spill:
    """Frames written once and read back once, in order: in memory, or pickled to an unnamed
    temporary file in ``folder`` (removed by the system even when the run is killed)."""

    def __init__(self, folder: Optional[Path] = None) -> None:
        self._frames: list[pd.DataFrame] = []
        self._file: Optional[BinaryIO] = tempfile.TemporaryFile(dir=folder) if folder is not None else None

    def write(self, frame: pd.DataFrame) -> None:
        if self._file is None:
            self._frames.append(frame)
        else:
            pickle.dump(frame, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def frames(self) -> Iterator[pd.DataFrame]:
        """The frames written, in order (once; the spill is closed after)."""
        if self._file is None:
            yield from self._frames
            self._frames = []
            return
        with self._file:
            self._file.seek(0)
            while True:
                try:
                    yield pickle.load(self._file)
                except EOFError:
                    return


class Combiner:
    """Duplicates, parents and the counts, over the comments of every file in input order.

    Feed each file's batches with :meth:`add_comments` (``COMMENT_COLUMNS`` plus ``at``, the
    comment's place among the file's comments); :meth:`finish` writes the kept comments, parents
    filled, to a sink. Per file it records the kept and duplicate counts and the ``at`` of the
    first kept comment in the file's default thread.
    """

    def __init__(self, spill: Spill, folder: Optional[Path] = None) -> None:
        self.spill = spill
        self.index = ParentIndex(folder)
        self._seen = SeenIds()
        self.kept = 0
        self.duplicates = 0
        self.thread_comments: Counter[tuple[str, str]] = Counter()
        self.first_in_default: Optional[int] = None

    def start_file(self) -> None:
        self.kept = self.duplicates = 0
        self.first_in_default = None

    def add_comments(self, comments: pd.DataFrame, default_thread: str) -> None:
        """Drop the copies of comments already seen, remember the rest and spill them."""
        if not len(comments):
            return
        copy = self._seen.copies(id_numbers(comments["comment_id"]))
        kept, duplicates = comments[~copy], comments[copy]
        self.index.add(kept, duplicates)
        self.kept += len(kept)
        self.duplicates += len(duplicates)
        in_default = kept["thread"].astype(str).to_numpy() == default_thread
        if self.first_in_default is None and in_default.any():
            self.first_in_default = int(kept["at"].to_numpy()[in_default][0])
        sources, threads = kept["source"].astype(str).tolist(), kept["thread"].astype(str).tolist()
        self.thread_comments.update(zip(sources, threads))
        self.spill.write(kept[COMMENT_COLUMNS].reset_index(drop=True))

    def finish(self, sink: Sink) -> None:
        """Write every kept comment, in input order, with its ``parent_id``."""
        self._seen = SeenIds()
        parents = self.index.parents()
        rows, numbers = parents.index.to_numpy(), parents.to_numpy()
        start = 0
        for frame in self.spill.frames():
            end = start + len(frame)
            low, high = np.searchsorted(rows, [start, end])
            if high > low:
                frame = frame.copy()
                positions = rows[low:high] - start
                values = frame["parent_id"].to_numpy(dtype=object)
                values[positions] = id_strings(numbers[low:high])
                frame["parent_id"] = pd.array(values, dtype=frame["parent_id"].dtype)
            sink(frame)
            start = end
