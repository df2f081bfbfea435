"""The concept lexicon: canonical concepts, their categories, synonyms and variants.

Entries live in ``pipeline/data/lexicon/*.yaml``; users add or override entries with
``--lexicon FILE`` (a user entry with the same ``concept`` replaces the packaged one).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from pipeline.errors import RuleFileError
from pipeline.io.rule_files import check_keys, packaged_files, parse_yaml, string_list, user_files

CATEGORIES = (
    "food", "drink", "supplement", "medication", "topical", "device", "activity", "procedure", "condition", "other",
)
_ENTRY_KEYS = {"concept", "category", "synonyms", "folds_into", "classes", "contains", "ambiguous", "source", "patterns"}


@dataclass(frozen=True)
class Concept:
    """One lexicon entry.

    ``name`` is the entry's own name; ``canonical`` is what claims report (the entry it
    folds into, or itself). ``ambiguous`` entries count only next to a claim cue.
    """

    name: str
    canonical: str
    category: str
    synonyms: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    ambiguous: bool = False
    source: str = ""
    patterns: tuple = ()
    origin: str = ""


@dataclass
class Lexicon:
    """All concepts by entry name, and the phrase index the matcher is built from."""

    concepts: dict[str, Concept] = field(default_factory=dict)

    def phrases(self) -> dict[str, str]:
        """Map every lower-cased phrase (entry names and synonyms) to its entry name."""
        index: dict[str, str] = {}
        for concept in self.concepts.values():
            for phrase in (concept.name, *concept.synonyms):
                # Later files (the user's) win over the packaged lexicon.
                index[phrase.lower()] = concept.name
        return index

    def canonical(self, entry_name: str) -> Concept:
        """The concept a claim about ``entry_name`` is reported under."""
        return self.concepts[self.concepts[entry_name].canonical]

    def with_class(self, class_name: str) -> set[str]:
        """Canonical names of concepts in a class (e.g. ``anticoagulant``)."""
        return {c.canonical for c in self.concepts.values() if class_name in c.classes}


def load_lexicon(extra: Sequence[Path] = ()) -> Lexicon:
    """Load the packaged lexicon and then the user's files, later entries overriding earlier ones.

    Raises:
        RuleFileError: a file is unreadable, not YAML, has an unknown key, an unknown
            category, a ``folds_into`` target that does not exist, or a phrase claimed by
            two concepts of the same file set.
    """
    raw_entries: dict[str, tuple[str, dict]] = {}
    for name, text in [*packaged_files("lexicon"), *user_files(extra)]:
        for index, entry in enumerate(_entries_of(name, text), start=1):
            where = f"entry {index}"
            check_keys(name, where, entry, _ENTRY_KEYS, {"concept", "category"})
            if not isinstance(entry["concept"], str):
                raise RuleFileError(
                    f"{name}: {where}: 'concept' was read as {entry['concept']!r}, not text (quote words such as on, no, yes)"
                )
            concept = entry["concept"].strip().lower()
            if not concept:
                raise RuleFileError(f"{name}: {where}: 'concept' is empty")
            raw_entries[concept] = (name, entry)
    lexicon = Lexicon({key: _concept(key, name, entry) for key, (name, entry) in raw_entries.items()})
    _check_folds(lexicon)
    _check_phrase_clashes(lexicon)
    return lexicon


def _entries_of(name: str, text: str) -> list:
    document = parse_yaml(name, text)
    if document is None:
        return []
    check_keys(name, "top level", document, {"concepts"})
    entries = document.get("concepts") or []
    if not isinstance(entries, list):
        raise RuleFileError(f"{name}: 'concepts' must be a list of entries")
    return entries


def _concept(key: str, name: str, entry: dict) -> Concept:
    where = f"concept {key!r}"
    category = str(entry["category"]).strip().lower()
    if category not in CATEGORIES:
        raise RuleFileError(f"{name}: {where}: unknown category {category!r} (choose from: {', '.join(CATEGORIES)})")
    patterns = entry.get("patterns") or []
    if not isinstance(patterns, list) or not all(_is_token_pattern(p) for p in patterns):
        raise RuleFileError(f"{name}: {where}: 'patterns' must be a list of spaCy token patterns (lists of mappings)")
    return Concept(
        name=key,
        canonical=str(entry.get("folds_into") or key).strip().lower(),
        category=category,
        synonyms=tuple(s.lower() for s in string_list(name, where, entry.get("synonyms"))),
        classes=tuple(string_list(name, where, entry.get("classes"))),
        contains=tuple(string_list(name, where, entry.get("contains"))),
        ambiguous=bool(entry.get("ambiguous", False)),
        source=str(entry.get("source") or ""),
        patterns=tuple(tuple(p) for p in patterns),
        origin=name,
    )


def _is_token_pattern(pattern: object) -> bool:
    return isinstance(pattern, list) and bool(pattern) and all(isinstance(token, dict) for token in pattern)


def _check_folds(lexicon: Lexicon) -> None:
    for concept in lexicon.concepts.values():
        target = lexicon.concepts.get(concept.canonical)
        if target is None:
            raise RuleFileError(f"{concept.origin}: concept {concept.name!r}: folds_into {concept.canonical!r}, which is not a concept")
        if target.canonical != target.name:
            raise RuleFileError(f"{concept.origin}: concept {concept.name!r}: folds_into {target.name!r}, which itself folds into {target.canonical!r}")


def _check_phrase_clashes(lexicon: Lexicon) -> None:
    owners: dict[str, Concept] = {}
    for concept in lexicon.concepts.values():
        for phrase in (concept.name, *concept.synonyms):
            other = owners.setdefault(phrase.lower(), concept)
            if other is not concept and other.canonical != concept.canonical and _same_set(other, concept):
                raise RuleFileError(
                    f"{concept.origin}: concept {concept.name!r}: phrase {phrase!r} already belongs to {other.name!r}"
                )


def _same_set(first: Concept, second: Concept) -> bool:
    """Two packaged entries, or two entries of one user file, may not share a phrase;
    a user file may take a phrase over from the packaged lexicon."""
    packaged = first.origin.startswith("pipeline/data/") and second.origin.startswith("pipeline/data/")
    return packaged or first.origin == second.origin


def concept_names(lexicon: Lexicon) -> Iterable[str]:
    """Canonical concept names, sorted."""
    return sorted({c.canonical for c in lexicon.concepts.values()})


@functools.lru_cache(maxsize=8)
def cached_lexicon(paths: tuple[str, ...] = ()) -> Lexicon:
    """:func:`load_lexicon`, loaded once per set of user files (components share it)."""
    return load_lexicon([Path(p) for p in paths])
