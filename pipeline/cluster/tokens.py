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
_NOT_WORD, _LETTER, _OTHER_WORD = 0, 1, 2  # character kinds, ordered so that a run's largest tells it apart
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


def letter_words(texts: Sequence[str]) -> FoundWords:
    """What ``re.findall(LETTER_WORDS, text.lower())`` finds in each of ``texts``, all at once."""
    lowered = [text.lower() for text in texts]
    joined = _BETWEEN.join(lowered) + _BETWEEN  # ends in a non-word character: every run ends inside
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kinds = character_kinds()[points]
    starts, ends = _word_runs(kinds)
    if len(starts):
        # A run and the non-word characters after it: its largest kind is _LETTER when it has letters only.
        letters_only = np.maximum.reduceat(kinds, starts) == _LETTER
        kept = letters_only & (ends - starts >= _SHORTEST)
        starts, ends = starts[kept], ends[kept]
    lengths = np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered)) + len(_BETWEEN)
    text_starts = np.cumsum(lengths) - lengths
    text = np.searchsorted(text_starts, starts, side="right") - 1
    return FoundWords(_utf8_slices(joined, points, starts, ends), text, len(texts))


def _word_runs(kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of word characters starts, and where the character after it is."""
    edges = np.diff((kinds != _NOT_WORD).view(np.int8), prepend=np.int8(0))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _utf8_slices(joined: str, points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.LargeStringArray:
    """The pieces ``joined[start:end]`` as an Arrow string array, cut from its UTF-8 bytes."""
    data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    if len(data) != len(points):  # characters beyond ASCII: character positions to byte positions
        widths = 1 + (points >= 0x80).view(np.uint8) + (points >= 0x800).view(np.uint8) + (points >= 0x10000).view(np.uint8)
        byte_at = np.concatenate([[0], np.cumsum(widths, dtype=np.int64)])
        starts, ends = byte_at[starts], byte_at[ends]
    inside = np.zeros(len(data) + 1, dtype=np.int8)
    inside[starts], inside[ends] = 1, -1  # an end is never a start: a non-word character follows every word
    kept = data[np.cumsum(inside[:-1], dtype=np.int8).view(bool)]
    offsets = np.concatenate([[0], np.cumsum(ends - starts, dtype=np.int64)])
    return pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(kept))
