"""Finding the words of many comments at once, as the themes' regular expression finds them.

The themes count words that :data:`LETTER_WORDS` finds in lower-cased comments. Run by
Python's ``re`` comment by comment, that search was most of the cluster stage's time.
:func:`letter_words` finds the same words for a whole batch in NumPy: what that pattern
matches is a whole run of word characters (``\\b`` on both sides) made of letters only
(``[^\\W\\d_]``), at least two of them. Which code points ``re`` counts as letters and as other
word characters (digits, "_") is asked of ``re`` itself, once per process, so that both ways
agree on every character of the Unicode version Python has. The words come back as an Arrow
string array, so that looking them up in a vocabulary needs no Python string per word.
"""
from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pyarrow as pa

LETTER_WORDS = r"(?u)\b[^\W\d_]{2,}\b"  # letters only: numbers and doses ("400mg") say little about a theme
_SHORTEST = 2  # the {2,} of LETTER_WORDS
_NOT_WORD, _LETTER, _OTHER_WORD = 0, 1, 2  # character kinds; _OTHER_WORD: a digit or "_"
_PIECE_ROWS = 16_384  # texts searched at once
_BETWEEN = "\n"  # joins the texts of a batch: no word character, so no word runs from one text into the next


@dataclass(frozen=True)
class FoundWords:
    """The words of a batch of texts, in text order and in order within each text."""

    words: pa.LargeStringArray
    text: np.ndarray  # text[i]: the position in the batch of the text words[i] is from (ascending)
    texts: int  # how many texts the batch holds


@functools.lru_cache(maxsize=1)
def character_kinds() -> np.ndarray:
    """For every code point: not a word character, a letter, or another word character, as ``re``
    sees it in a str pattern (``\\w``, ``[^\\W\\d_]``). About 60 ms, once."""
    points = np.arange(sys.maxunicode + 1, dtype=np.uint32)
    points = points[(points < 0xD800) | (points > 0xDFFF)]  # lone surrogates: no word characters, and not encodable
    every = points.tobytes().decode("utf-32-le")
    kinds = np.full(sys.maxunicode + 1, _NOT_WORD, dtype=np.uint8)
    for pattern, kind in ((r"\w+", _OTHER_WORD), (r"[^\W\d_]+", _LETTER)):
        for run in re.finditer(pattern, every):
            kinds[points[run.start() : run.end()]] = kind
    return kinds


def letter_words(texts: Sequence[str], rows: int = _PIECE_ROWS) -> FoundWords:
    """What ``re.findall(LETTER_WORDS, text.lower())`` finds in each of ``texts``, ``rows`` texts
    at a time (the working arrays hold a few bytes per character of a piece)."""
    pieces = [_letter_words(texts[start : start + rows]) for start in range(0, len(texts), rows)]
    if len(pieces) == 1:
        return pieces[0]
    starts = np.cumsum([0] + [piece.texts for piece in pieces])
    return FoundWords(
        pa.concat_arrays([pa.array([], type=pa.large_string())] + [piece.words for piece in pieces]),
        np.concatenate([np.zeros(0, dtype=np.int64)] + [piece.text + start for piece, start in zip(pieces, starts)]),
        len(texts),
    )


def _letter_words(texts: Sequence[str]) -> FoundWords:
    lowered = [text.lower() for text in texts]
    joined = _BETWEEN.join(lowered) + _BETWEEN  # ends in a non-word character: every run ends inside
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kinds = character_kinds().take(points)
    starts, ends = _word_runs(kinds)
    kept = ends - starts >= _SHORTEST
    kept[np.searchsorted(starts, np.flatnonzero(kinds == _OTHER_WORD), side="right") - 1] = False  # a digit or "_" inside
    starts, ends = starts[kept], ends[kept]
    lengths = np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered)) + len(_BETWEEN)
    words_per_text = np.diff(np.searchsorted(starts, np.cumsum(lengths) - lengths), append=len(starts))
    text = np.repeat(np.arange(len(texts), dtype=np.int64), words_per_text)
    return FoundWords(_utf8_slices(joined, points, starts, ends), text, len(texts))


def _word_runs(kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of word characters starts, and where the character after it is."""
    edges = np.flatnonzero(np.diff((kinds != _NOT_WORD).view(np.int8), prepend=np.int8(0)))
    return edges[0::2], edges[1::2]  # runs start and end by turns


def _utf8_slices(joined: str, points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.LargeStringArray:
    """The pieces ``joined[start:end]`` (ascending, apart) as an Arrow string array.

    The UTF-8 bytes of ``joined`` are cut in place, as the array of every piece and every gap
    between pieces, and the pieces are taken from it.
    """
    data = joined.encode("utf-8", "surrogatepass")
    if len(data) != len(points):  # characters beyond ASCII: character positions to byte positions
        wide = np.flatnonzero(points >= 0x80)
        wide_points = points[wide]
        extra_bytes = 1 + (wide_points >= 0x800).view(np.uint8) + (wide_points >= 0x10000).view(np.uint8)
        starts, ends = starts + _sum_before(wide, extra_bytes, starts), ends + _sum_before(wide, extra_bytes, ends)
    offsets = np.empty(2 * len(starts) + 2, dtype=np.int64)
    offsets[0], offsets[-1] = 0, len(data)
    offsets[1:-1:2], offsets[2:-1:2] = starts, ends
    pieces_and_gaps = pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data))
    return pieces_and_gaps.take(pa.array(np.arange(1, len(offsets) - 1, 2, dtype=np.int64)))


def _sum_before(positions: np.ndarray, amounts: np.ndarray, at: np.ndarray) -> np.ndarray:
    """For each of ``at`` (ascending), the sum of the ``amounts`` at ``positions`` (ascending, few) before it."""
    added = np.zeros(len(at) + 1, dtype=np.int64)
    np.add.at(added, np.searchsorted(at, positions, side="right"), amounts)
    return np.cumsum(added[:-1])
