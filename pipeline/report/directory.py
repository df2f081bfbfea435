"""The comments without their text: who wrote each one, where and when, found by id.

Counting joins every claim to its comment's author, thread and date. The report keeps those
columns (not the text) as Arrow arrays and integer codes, and looks a slice of claims up at a
time. What stays in memory per comment: its date (8 bytes as seconds when ingest wrote it, else
the text, about 33), its thread's code (4), its commenter's code (8) and the id lookup: 12 bytes
when the ids are ingest's (``c`` + 16 hex digits, kept as sorted 64-bit numbers), else the id
strings and their 64-bit hashes. Ids and dates become numbers a slice at a time while the
comments are read, so their strings never pile up (about 58 bytes a comment at the build's peak).
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.cluster.columns import text_values
from pipeline.io.ids import id_numbers, id_strings

# Names that do not identify a person: each such comment counts as its own commenter.
ANONYMOUS_AUTHORS = frozenset({"", "anonymous", "anon", "guest"})
DETAIL_COLUMNS = ("comment_id", "author", "thread", "posted_at")
# Commenter codes are below this, so that (group, commenter) pairs fit one int64.
COMMENTER_LIMIT = 1 << 40


def normalised_author(author: str) -> str:
    """An author name as commenters are told apart: whitespace folded, case ignored."""
    return " ".join(author.split()).casefold()


class CommentDirectory:
    """Per comment row: id, thread, date, a commenter code, and any ``extra`` columns, as text.

    A named author counts as one commenter per thread; an anonymous or empty one as one per
    comment. Where a ``comment_id`` repeats, lookups take the first or the last copy as asked
    (the review queue keeps the first, the counts the last, as they always have).
    """

    def __init__(self, comment_slices: Iterable[pd.DataFrame | pa.RecordBatch], extra: Sequence[str] = ()) -> None:
        self._columns = tuple(dict.fromkeys(("thread", "posted_at", *extra)))
        chunks: dict[str, list[pa.Array]] = {name: [] for name in self._columns if name != "posted_at"}
        # Ids and dates become numbers a slice at a time (their strings never pile up), as long as
        # every one is ingest's spelling; else the strings are kept (see _NumbersOrTexts).
        ids = _NumbersOrTexts(_canonical_numbers, lambda numbers: id_strings(numbers))
        dates = _NumbersOrTexts(_utc_seconds_of, _utc_texts)
        people = _People()
        raw_threads: set = set()
        for piece in comment_slices:
            names = piece.schema.names if isinstance(piece, pa.RecordBatch) else list(piece.columns)
            texts = {name: _text_array(piece[name] if name in names else None, len(piece))
                     for name in (*chunks, "comment_id", "posted_at", "author")}
            people.add(texts["author"], texts["thread"])
            ids.add(texts["comment_id"])
            dates.add(texts["posted_at"])
            for name in chunks:
                # Threads (and sources) repeat: kept dictionary-encoded, a few bytes a row.
                chunks[name].append(texts[name].dictionary_encode())
            if "thread" in names:
                raw_threads.update(_distinct(piece["thread"]))
            del texts
        self._values = {name: _joined(arrays) for name, arrays in chunks.items()}
        self.size = ids.size
        self.thread_count = len(raw_threads)
        # By number when every id is ingest's (see pipeline.io.ids), else by hash.
        numbers = ids.numbers()
        self._index = _NumberIndex(numbers) if numbers is not None and self.size else _IdIndex(ids.texts())
        del ids, numbers
        self._seconds = dates.numbers()
        if self._seconds is None:
            self._values["posted_at"] = dates.texts()
        self._commenters = people.codes(self._index.last_copies())
        self._unknown_commenters: dict[str, int] = {}

    def rows(self, comment_ids: Sequence[str], *, last: bool) -> np.ndarray:
        """The row of each id (its first or last copy), -1 where the id is not a comment."""
        return self._index.rows(list(comment_ids), last=last)

    def contains(self, comment_ids: Sequence[str]) -> np.ndarray:
        return self.rows(comment_ids, last=False) >= 0

    def values(self, column: str, rows: np.ndarray) -> list[str]:
        """``column`` at ``rows`` as strings, "" where a row is -1."""
        if self.size == 0:
            return [""] * len(rows)
        if column == "posted_at" and self._seconds is not None:
            return _utc_texts(np.where(rows >= 0, self._seconds[np.where(rows >= 0, rows, 0)], _NO_DATE))
        taken = self._values[column].take(pa.array(np.where(rows >= 0, rows, 0)))
        if pa.types.is_dictionary(taken.type):
            # Each distinct value becomes a Python string once; the rows share them.
            taken = taken.unify_dictionaries().combine_chunks()
            values = taken.dictionary.to_numpy(zero_copy_only=False)[taken.indices.to_numpy(zero_copy_only=False)]
        else:
            values = taken.to_numpy(zero_copy_only=False)
        values[rows < 0] = ""
        return values.tolist()

    def commenters(self, rows: np.ndarray, comment_ids: Sequence[str]) -> np.ndarray:
        """A code per claim that is equal exactly when two claims have the same commenter;
        a claim whose comment is missing is an anonymous commenter of its own id."""
        codes = self._commenters[np.where(rows >= 0, rows, 0)] if self.size else np.zeros(len(rows), dtype=np.int64)
        for position in np.flatnonzero(rows < 0).tolist():
            comment_id = comment_ids[position]
            codes[position] = self._unknown_commenters.setdefault(comment_id, 2 * self.size + len(self._unknown_commenters))
        return codes


class _People:
    """Commenter codes, gathered a slice of comments at a time: one code per (thread, named
    author), and for an anonymous comment its own."""

    def __init__(self) -> None:
        self._names: dict[str, int] = {}
        self._threads: dict[str, int] = {}
        self._named: list[np.ndarray] = []
        self._anonymous: list[np.ndarray] = []

    def add(self, authors: pa.Array, threads: pa.Array) -> None:
        authors, threads = authors.dictionary_encode(), threads.dictionary_encode()
        spelled = [normalised_author(author) for author in authors.dictionary.to_pylist()]
        name_codes = np.array([self._names.setdefault(name, len(self._names)) for name in spelled], dtype=np.int64)
        anonymous = np.array([name in ANONYMOUS_AUTHORS for name in spelled], dtype=bool)
        thread_codes = np.array([self._threads.setdefault(thread, len(self._threads))
                                 for thread in threads.dictionary.to_pylist()], dtype=np.int64)
        author_rows = authors.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        thread_rows = thread_codes[threads.indices.to_numpy(zero_copy_only=False).astype(np.int64)]
        self._named.append(thread_rows * COMMENTER_LIMIT + name_codes[author_rows])
        self._anonymous.append(anonymous[author_rows])

    def codes(self, last_copies: np.ndarray) -> np.ndarray:
        """A code per comment row; ``last_copies``: the row of each row's id's last copy, which
        stands for the id when the comment is anonymous."""
        if not self._named:
            return np.zeros(0, dtype=np.int64)
        _, named = np.unique(np.concatenate(self._named), return_inverse=True)
        size = len(named)
        return np.where(np.concatenate(self._anonymous), last_copies + size, named).astype(np.int64)


_CANONICAL_ID = r"^c[0-9a-f]{16}$"
# Dates as ingest writes them (UTC, to the second), and the number standing for an empty date.
_UTC_DATE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$"
_UTC_SUFFIX = "+00:00"
_NO_DATE = np.iinfo(np.int64).min


def _utc_seconds(dates: pa.ChunkedArray) -> np.ndarray | None:
    """The dates as seconds since 1970 (8 bytes a comment instead of about 33), when each is
    empty or ingest's ``YYYY-MM-DDTHH:MM:SS+00:00`` and :func:`_utc_texts` gives it back
    exactly; else None."""
    parts = []
    for chunk in dates.chunks:
        if not len(chunk):
            continue
        empty = pc.equal(chunk, "").to_numpy(zero_copy_only=False)
        if not pc.all(pc.or_(pc.match_substring_regex(chunk, _UTC_DATE), pa.array(empty))).as_py():
            return None
        texts = chunk.to_numpy(zero_copy_only=False)
        seconds = np.full(len(texts), _NO_DATE, dtype=np.int64)
        try:
            seconds[~empty] = np.array([text[:19] for text in texts[~empty].tolist()], dtype="datetime64[s]").astype(np.int64)
        except ValueError:  # e.g. a 31st of February
            return None
        if _utc_texts(seconds) != texts.tolist():
            return None
        parts.append(seconds)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _utc_texts(seconds: np.ndarray) -> list[str]:
    """Seconds of :func:`_utc_seconds` as the dates they stand for ("" for an empty one)."""
    known = seconds != _NO_DATE
    texts = np.full(len(seconds), "", dtype=object)
    texts[known] = np.char.add(np.datetime_as_string(seconds[known].astype("datetime64[s]"), unit="s"), _UTC_SUFFIX)
    return texts.tolist()


class _NumbersOrTexts:
    """A text column gathered a slice at a time as the numbers that spell it exactly (8 bytes a
    row), for as long as ``to_numbers`` can spell each slice; from the first slice it cannot,
    as text (the slices before spelled back by ``to_texts``)."""

    def __init__(self, to_numbers: Callable[[pa.Array], "np.ndarray | None"],
                 to_texts: Callable[[np.ndarray], list[str]]) -> None:
        self._to_numbers, self._to_texts = to_numbers, to_texts
        self._numbers: list[np.ndarray] | None = []
        self._texts: list[pa.Array] = []
        self.size = 0

    def add(self, texts: pa.Array) -> None:
        self.size += len(texts)
        numbers = self._to_numbers(texts) if self._numbers is not None else None
        if numbers is not None:
            self._numbers.append(numbers)
            return
        if self._numbers is not None:
            self._texts = [pa.array(self._to_texts(part), type=pa.large_string()) for part in self._numbers if len(part)]
            self._numbers = None
        self._texts.append(texts)

    def numbers(self) -> np.ndarray | None:
        """Every row as a number, or None when some slice was not spelled as numbers."""
        if self._numbers is None:
            return None
        return np.concatenate(self._numbers) if self._numbers else np.zeros(0, dtype=np.int64)

    def texts(self) -> pa.ChunkedArray:
        if self._numbers is not None:
            return _joined([pa.array(self._to_texts(part), type=pa.large_string()) for part in self._numbers if len(part)])
        return _joined(self._texts)


def _canonical_numbers(ids: pa.Array) -> np.ndarray | None:
    """The ids' numbers when each is ``c`` + 16 hex digits (see :mod:`pipeline.io.ids`), else None."""
    if len(ids) and not pc.all(pc.match_substring_regex(ids, _CANONICAL_ID)).as_py():
        return None
    return id_numbers(ids)


def _utc_seconds_of(dates: pa.Array) -> np.ndarray | None:
    return _utc_seconds(pa.chunked_array([dates], type=pa.large_string()))


class _NumberIndex:
    """Rows by comment id, in 12 bytes a row, when each id is ``c`` + 16 hex digits: the ids as
    sorted unsigned 64-bit numbers, and the row of each (the first copy of a repeated id first)."""

    def __init__(self, numbers: np.ndarray) -> None:
        order = np.argsort(numbers, kind="stable")
        self._sorted = numbers[order]
        self._order = order.astype(np.int32 if len(order) < 1 << 31 else np.int64)

    def rows(self, wanted: list[str], *, last: bool) -> np.ndarray:
        if not wanted or not len(self._sorted):
            return np.full(len(wanted), -1, dtype=np.int64)
        texts = pa.array(wanted, type=pa.large_string())
        canonical = pc.fill_null(pc.match_substring_regex(texts, _CANONICAL_ID), False).to_numpy(zero_copy_only=False)
        numbers = np.zeros(len(wanted), dtype=np.uint64)
        numbers[canonical] = id_numbers(texts.filter(pa.array(canonical)))
        slots = np.searchsorted(self._sorted, numbers, side="right" if last else "left") - (1 if last else 0)
        slots = np.clip(slots, 0, len(self._sorted) - 1)
        found = canonical & (self._sorted[slots] == numbers)
        return np.where(found, self._order[slots], -1).astype(np.int64)

    def last_copies(self) -> np.ndarray:
        """For each row, the row of its id's last copy."""
        run_ends = np.searchsorted(self._sorted, self._sorted, side="right") - 1
        last = np.empty(len(self._order), dtype=np.int64)
        last[self._order] = self._order[run_ends]
        return last


class _IdIndex:
    """Rows by comment id, in 16 bytes a row: the ids' 64-bit hashes, sorted (then by row).

    A lookup hashes the wanted ids, finds the first (or last) row with that hash, and checks
    that the id there is the one wanted; the rare miss (two ids with one hash) is looked up
    exactly. Arrow's own lookup rebuilds its hash table on every call, which on millions of
    comments costs more than the counting.
    """

    def __init__(self, ids: pa.ChunkedArray) -> None:
        self._ids = ids
        hashes = np.concatenate([_hashes(ids.slice(start, _HASH_SLICE).to_pylist())
                                 for start in range(0, len(ids), _HASH_SLICE)]) if len(ids) else np.zeros(0, np.uint64)
        self._order = np.lexsort((np.arange(len(ids)), hashes))
        self._sorted = hashes[self._order]

    def rows(self, wanted: list[str], *, last: bool) -> np.ndarray:
        if not wanted or not len(self._sorted):
            return np.full(len(wanted), -1, dtype=np.int64)
        hashes = _hashes(wanted)
        left = np.searchsorted(self._sorted, hashes, side="left")
        right = np.searchsorted(self._sorted, hashes, side="right")
        found = right > left
        slot = np.where(found, right - 1 if last else left, 0)
        rows = np.where(found, self._order[np.minimum(slot, len(self._order) - 1)], -1).astype(np.int64)
        candidates = self._ids.take(pa.array(np.maximum(rows, 0))).to_pylist()
        exact = [row >= 0 and candidate == key for row, candidate, key in zip(rows.tolist(), candidates, wanted)]
        doubtful = [position for position, (ok, hit) in enumerate(zip(exact, found.tolist())) if hit and not ok]
        if doubtful:
            rows[doubtful] = self._exact([wanted[position] for position in doubtful], last=last)
        return rows

    def last_copies(self) -> np.ndarray:
        """For each row, the row of its id's last copy."""
        slices = [self.rows(self._ids.slice(start, _HASH_SLICE).to_pylist(), last=True)
                  for start in range(0, len(self._ids), _HASH_SLICE)]
        return np.concatenate(slices) if slices else np.zeros(0, dtype=np.int64)

    def _exact(self, wanted: list[str], *, last: bool) -> np.ndarray:
        ids = self._ids.combine_chunks()
        if last:
            ids = ids.take(pa.array(np.arange(len(ids) - 1, -1, -1)))
        found = pc.index_in(pa.array(wanted, type=pa.large_string()), value_set=ids).to_numpy(zero_copy_only=False)
        rows = np.where(np.isnan(found), -1, np.nan_to_num(found)).astype(np.int64)
        return np.where(rows >= 0, len(ids) - 1 - rows, -1) if last else rows


_HASH_SLICE = 1 << 16


def _hashes(ids: list[str]) -> np.ndarray:
    return pd.util.hash_array(np.array(ids, dtype=object), categorize=False)


def _text_array(column: pa.Array | pd.Series | None, rows: int) -> pa.Array:
    """A column as Arrow text the way ``text_values`` reads it: missing cells are ""."""
    if column is None:
        return pa.array([""] * rows, type=pa.large_string())
    if isinstance(column, pa.Array) and (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return pc.fill_null(column.cast(pa.large_string()), "")
    if isinstance(column, pa.Array):
        column = column.to_pandas()
    return pa.array(text_values(column).tolist(), type=pa.large_string())


def _distinct(column: pa.Array | pd.Series) -> list:
    """The column's distinct values, missing ones left out (as ``Series.nunique`` counts them)."""
    if isinstance(column, pa.Array):
        column = column.to_pandas() if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type) \
            else pd.Series(pc.unique(column.drop_null()).to_pylist(), dtype=object)
    return column.dropna().unique().tolist()


def _joined(arrays: list[pa.Array]) -> pa.ChunkedArray:
    return pa.chunked_array(arrays) if arrays else pa.chunked_array([], type=pa.large_string())
