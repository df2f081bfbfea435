"""Medicines beyond the hand-made lexicon: a drug dictionary and forgiving spelling.

The lexicon lists the medicines readers of cramp articles name most, with brand names
and classes. Anything else is looked up in the dictionary shipped by the PyPI package
``drug-named-entity-recognition`` (about 20,000 drugs and 100,000 names from MedlinePlus,
DrugBank and the NHS), read straight from its data file so that no network code runs.
Misspellings of lexicon medicines and supplements ("Amiodaron", "Hydrochlrothia") are
matched with rapidfuzz, but only for tokens long enough not to be ordinary words.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from pipeline.extract.drug_index import MAX_NAME_WORDS, NameIndex, first_word_and_length, load_name_index

MIN_FUZZY_TOKEN = 6
FUZZY_RATIO = 85.0
PREFIX_RATIO = 90.0
MIN_PREFIX_TOKEN = 8


@dataclass(frozen=True)
class DrugDictionary:
    """Lower-cased drug names mapped to a canonical generic name."""

    names: dict[str, str]
    first_words: frozenset[str]
    longest: int
    lengths: dict[str, tuple[int, ...]] = None  # type: ignore[assignment]

    def lookup(self, phrase: str) -> str:
        """The canonical drug for a lower-cased phrase, or ``""``."""
        return self.names.get(phrase, "")


@functools.cache
def load_drug_dictionary(excluded: frozenset[str] = frozenset()) -> DrugDictionary:
    """Load the package's dictionary once per process (its index is cached on disk: see
    :mod:`pipeline.extract.drug_index`).

    Args:
        excluded: lower-cased phrases never to treat as drugs (the lexicon's own phrases,
            which it knows better, and the denylist of ordinary words).
    """
    return dictionary_without(load_name_index(), excluded)


def dictionary_without(index: NameIndex, excluded: frozenset[str]) -> DrugDictionary:
    """The dictionary of ``index`` less the ``excluded`` names, with the token lengths a name
    starting with each word can span."""
    names = dict(index.names)
    changed: dict[str, list[int]] = {}
    for phrase in excluded:
        if names.pop(phrase, None) is not None:
            first, words = first_word_and_length(phrase)
            if first in index.word_counts and words <= MAX_NAME_WORDS:
                changed.setdefault(first, list(index.word_counts[first]))[words - 1] -= 1
    word_counts = {**index.word_counts, **changed}
    lengths = {first: _SPANS[tuple(map(bool, counts))] for first, counts in word_counts.items() if any(counts)}
    longest = max((found[0] for found in lengths.values()), default=1)
    return DrugDictionary(names, frozenset(lengths), longest, lengths)


def _spans(has_names: tuple[bool, ...]) -> tuple[int, ...]:
    """Longest first, the token lengths names of 1, 2 ... words (``has_names``) can span: a name
    of n words spans n tokens, or n + 1 when one word splits ("st. john's")."""
    spans = {n for words, present in enumerate(has_names, start=1) if present for n in (words, words + 1)}
    return tuple(sorted((n for n in spans if n <= MAX_NAME_WORDS), reverse=True))


#: The spans of every pattern of name lengths present (there are 2 ** MAX_NAME_WORDS).
_SPANS = {pattern: _spans(pattern) for pattern in itertools.product((False, True), repeat=MAX_NAME_WORDS)}


class SpellingMatcher:
    """Maps a misspelt word to the lexicon phrase it most likely means."""

    def __init__(self, phrases: dict[str, str]) -> None:
        self.phrases = {p: entry for p, entry in phrases.items() if " " not in p and len(p) >= MIN_FUZZY_TOKEN}
        self.choices = sorted(self.phrases)
        self.long_choices = [p for p in self.choices if len(p) >= MIN_PREFIX_TOKEN + 2]
        # Words recur across a corpus (Zipf), so each distinct word is compared only once.
        self.match = functools.lru_cache(maxsize=65536)(self._match)

    def _match(self, word: str) -> str:
        """The lexicon entry for ``word`` (lower case), or ``""`` when nothing is close enough."""
        if len(word) < MIN_FUZZY_TOKEN or not self.choices:
            return ""
        best = process.extractOne(word, self.choices, scorer=fuzz.ratio, score_cutoff=FUZZY_RATIO)
        if best is not None:
            return self.phrases[best[0]]
        if len(word) >= MIN_PREFIX_TOKEN:
            # Truncated names ("Hydrochlrothia"): compare with the same-length start of each name.
            truncated = {choice[: len(word) + 1]: choice for choice in self.long_choices}
            best = process.extractOne(word, list(truncated), scorer=fuzz.ratio, score_cutoff=PREFIX_RATIO)
            if best is not None:
                return self.phrases[truncated[best[0]]]
        return ""
