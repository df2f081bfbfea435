"""The steps of ingest that look across files, fed one batch of comments at a time.

Exact duplicates are dropped as they arrive (the first copy in input order is kept), the kept
comments go to a spill (memory or a temporary file) and, once every file is read, come back
with their ``parent_id`` filled. What must be remembered across batches is kept compact: the
ids already seen (as integers), and for reply linking a few hashed keys per comment in NumPy
arrays (see :class:`ParentIndex`), never the records themselves.
"""
from __future__ import annotations

import pickle
import tempfile
from collections import Counter
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Optional

import numpy as np
import pandas as pd

from pipeline.ingest.assemble import COMMENT_COLUMNS

#: Two different keys give two independent 64-bit hashes of a string: 128 bits, so that two
#: different keys sharing a hash is not a concern even at billions of comments.
_HASH_KEYS = ("remedy-miner-k-1", "remedy-miner-k-2")
_SEPARATOR = "\x1f"

Sink = Callable[[pd.DataFrame], None]


def id_numbers(comment_ids: pd.Series) -> np.ndarray:
    """``c`` + 16 hex digits (see :func:`pipeline.ingest.assemble.comment_id`) as unsigned 64-bit integers."""
    return np.array([int(value[1:], 16) for value in comment_ids.astype(str).tolist()], dtype=np.uint64)


def id_strings(numbers: np.ndarray) -> list[str]:
    """The inverse of :func:`id_numbers`."""
    return [f"c{int(number):016x}" for number in numbers]


def _hashed(*columns: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A 128-bit hash (two uint64 arrays) of the strings joined row by row."""
    joined = columns[0].fillna("").astype(str)
    for column in columns[1:]:
        joined = joined + _SEPARATOR + column.fillna("").astype(str)
    values = joined.to_numpy(dtype=object)
    # categorize=False: the joined keys are mostly distinct, so factorizing them first only costs
    # time (the hashes are the same either way).
    return tuple(pd.util.hash_array(values, hash_key=key, categorize=False) for key in _HASH_KEYS)  # type: ignore[return-value]


class ParentIndex:
    """What reply linking needs of every comment, gathered batch by batch in compact arrays.

    ``add`` takes the kept comments of a batch (in input order) and the duplicates dropped from
    it; ``parents`` then gives the ``parent_id`` of every kept comment exactly as
    :func:`pipeline.ingest.assemble.parent_ids` defines it: a native parent id is followed within
    its source (an id two different comments claim names none; a duplicate's native id names the
    kept copy); an ``@name`` reply is linked when exactly one other comment by that name in the
    thread was not posted after it.
    """

    def __init__(self) -> None:
        self.rows = 0
        self._known: list[pd.DataFrame] = []  # (source, native_id) hash -> comment number
        self._wanted: list[pd.DataFrame] = []  # row -> (source, native_parent) hash
        self._names: list[pd.DataFrame] = []  # row -> (thread, author) hash, day, comment number
        self._replies: list[pd.DataFrame] = []  # row -> (thread, reply_to) hash, day

    def add(self, kept: pd.DataFrame, duplicates: pd.DataFrame) -> None:
        rows = np.arange(self.rows, self.rows + len(kept), dtype=np.int64)
        self.rows += len(kept)
        for table in (kept, duplicates):
            named = table[table["native_id"].fillna("").astype(str) != ""]
            if len(named):
                first, second = _hashed(named["source"], named["native_id"])
                self._known.append(pd.DataFrame({"a": first, "b": second, "cid": id_numbers(named["comment_id"])}))
        native_parent = kept["native_parent"].fillna("").astype(str).to_numpy()
        has_native = native_parent != ""
        if has_native.any():
            replies = kept[has_native]
            first, second = _hashed(replies["source"], replies["native_parent"])
            self._wanted.append(pd.DataFrame({"row": rows[has_native], "a": first, "b": second}))
        if not len(kept):
            return
        day = kept["posted_at"].fillna("").astype(str).str[:10].to_numpy(dtype="U10")
        first, second = _hashed(kept["thread"], kept["author"].fillna("").astype(str).str.casefold())
        self._names.append(pd.DataFrame({"a": first, "b": second, "day": day, "cid": id_numbers(kept["comment_id"])}))
        by_name = ~has_native & (kept["reply_to"].fillna("").astype(str).to_numpy() != "")
        if by_name.any():
            replies = kept[by_name]
            first, second = _hashed(replies["thread"], replies["reply_to"].fillna("").astype(str).str.casefold())
            self._replies.append(pd.DataFrame({"row": rows[by_name], "a": first, "b": second, "day": day[by_name]}))

    def parents(self) -> pd.Series:
        """The parent's comment number of every kept comment that has one, indexed by row."""
        found = [self._native_parents(), self._named_parents()]
        found = [series for series in found if len(series)]
        if not found:
            return pd.Series([], dtype=np.uint64)
        return pd.concat(found).sort_index()

    def _native_parents(self) -> pd.Series:
        if not self._wanted or not self._known:
            return pd.Series([], dtype=np.uint64)
        known = pd.concat(self._known, ignore_index=True).drop_duplicates()
        known = known[~known.duplicated(["a", "b"], keep=False)]  # an id claimed by different comments
        wanted = pd.concat(self._wanted, ignore_index=True).merge(known, on=["a", "b"])
        return pd.Series(wanted["cid"].to_numpy(), index=wanted["row"].to_numpy())

    def _named_parents(self) -> pd.Series:
        if not self._replies:
            return pd.Series([], dtype=np.uint64)
        table = pd.concat(self._names, ignore_index=True)
        table["row"] = np.arange(len(table), dtype=np.int64)
        replies = pd.concat(self._replies, ignore_index=True)
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

    def __init__(self, spill: Spill) -> None:
        self.spill = spill
        self.index = ParentIndex()
        self._seen: set[int] = set()
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
        copy = self._copies(id_numbers(comments["comment_id"]))
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

    def _copies(self, numbers: np.ndarray) -> np.ndarray:
        seen = self._seen
        copy = np.zeros(len(numbers), dtype=bool)
        for position, number in enumerate(numbers.tolist()):
            if number in seen:
                copy[position] = True
            else:
                seen.add(number)
        return copy

    def finish(self, sink: Sink) -> None:
        """Write every kept comment, in input order, with its ``parent_id``."""
        parents = self.index.parents()
        self._seen = set()
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
