"""Medicines beyond the hand-made lexicon: a drug dictionary and forgiving spelling.

The lexicon lists the medicines readers of cramp articles name most, with brand names
and classes. Anything else is looked up in the dictionary shipped by the PyPI package
``drug-named-entity-recognition`` (about 20,000 drugs and 100,000 names from MedlinePlus,
DrugBank and the NHS), read straight from its data file so that no network code runs.
Misspellings of lexicon medicines and supplements ("Amiodaron", "Hydrochlrothia") are
matched with rapidfuzz, but only for tokens long enough not to be ordinary words.
"""
from __future__ import annotations

import bz2
import functools
import pickle
from dataclasses import dataclass
from importlib import resources

from rapidfuzz import fuzz, process
from spacy.lang.en.stop_words import STOP_WORDS

DRUG_PACKAGE = "drug_named_entity_recognition"
_DICTIONARY_FILE = "drug_ner_dictionary.pkl.bz2"
MIN_DICTIONARY_NAME = 5
MAX_NAME_WORDS = 4
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
    """Load the package's dictionary once per process.

    Args:
        excluded: lower-cased phrases never to treat as drugs (the lexicon's own phrases,
            which it knows better, and the denylist of ordinary words).
    """
    with resources.files(DRUG_PACKAGE).joinpath(_DICTIONARY_FILE).open("rb") as handle:
        data = pickle.load(bz2.open(handle))
    canonical_data = data["drug_canonical_to_data"]
    names: dict[str, str] = {}
    for variant, canonicals in data["drug_variant_to_canonical"].items():
        if len(variant) < MIN_DICTIONARY_NAME or variant in excluded or not canonicals:
            continue
        canonical = canonicals[0]
        names[variant] = str(canonical_data.get(canonical, {}).get("name", canonical)).lower()
    lengths: dict[str, set[int]] = {}
    for name in names:
        first, words = name.split(" ", 1)[0], name.count(" ") + 1
        if words <= MAX_NAME_WORDS and _can_start_a_name(first):
            # A name of n words spans n tokens, or n + 1 when one word splits ("st. john's").
            lengths.setdefault(first, set()).update({words, words + 1})
    longest = max((max(v) for v in lengths.values()), default=1)
    return DrugDictionary(
        names, frozenset(lengths), min(longest, MAX_NAME_WORDS),
        {first: tuple(sorted((n for n in found if n <= MAX_NAME_WORDS), reverse=True)) for first, found in lengths.items()},
    )


def _can_start_a_name(word: str) -> bool:
    """Dictionary names that start with a stop word or a symbol ("a and d ointment") would make
    every "a" and "," a candidate; they are left out."""
    return len(word) >= 3 and word not in STOP_WORDS and any(character.isalpha() for character in word)


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
