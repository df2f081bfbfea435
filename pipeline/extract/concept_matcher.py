"""The ``remedy_concepts`` component: finds lexicon concepts and medicines in a Doc.

Writes ``doc.spans["concepts"]``: non-overlapping spans labelled with their category, with
``span._.concept`` (canonical name), ``span._.entry`` (the lexicon entry, e.g. a variant such
as ``red wine``) and ``span._.match_rule`` (``lexicon``, ``drug-dictionary`` or ``fuzzy``).
"""
from __future__ import annotations

import functools
from typing import Iterable

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from pipeline.extract.doc_state import Marked, keep_marked
from pipeline.extract.extensions import register_extensions
from pipeline.extract.lexicon import Lexicon, cached_lexicon
from pipeline.extract.medicines import DrugDictionary, SpellingMatcher, load_drug_dictionary
from pipeline.extract.words import (
    ROW_IS_ALPHA,
    ROW_IS_TITLE,
    ROW_IS_UPPER,
    ROW_LENGTH,
    ROW_LIKE_NUM,
    ROW_LOWER_ID,
    ROW_TEXT,
    Words,
    words_of,
)
from pipeline.io.rule_files import check_keys, packaged_file, parse_yaml, string_list

SPAN_KEY = "concepts"
_FUZZY_CATEGORIES = ("medication", "supplement")
DOSE_UNITS = frozenset({"mg", "mcg", "µg", "ml", "iu", "g", "units", "milligrams", "tablet", "tablets", "pill", "pills"})
_RULE_PRIORITY = {"lexicon": 0, "drug-dictionary": 1, "fuzzy": 2}


@Language.factory(
    "remedy_concepts",
    assigns=["doc.spans"],
    default_config={"lexicon_paths": [], "drug_dictionary": True, "fuzzy": True},
)
def make_concept_matcher(
    nlp: Language, name: str, lexicon_paths: list[str], drug_dictionary: bool, fuzzy: bool
) -> "ConceptMatcher":
    return ConceptMatcher(nlp, cached_lexicon(tuple(lexicon_paths)), drug_dictionary=drug_dictionary, fuzzy=fuzzy)


class ConceptMatcher:
    """Builds its matchers once, from the lexicon, and tags every Doc it is given."""

    def __init__(self, nlp: Language, lexicon: Lexicon, *, drug_dictionary: bool = True, fuzzy: bool = True) -> None:
        register_extensions()
        self.lexicon = lexicon
        phrases = lexicon.phrases()
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for phrase, entry in phrases.items():
            self.phrase_matcher.add(entry, [nlp.make_doc(phrase)])
        self.blockers = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.blockers.add("not_a_concept", list(nlp.tokenizer.pipe(_not_concepts())))
        self.pattern_matcher = Matcher(nlp.vocab)
        for concept in lexicon.concepts.values():
            if concept.patterns:
                self.pattern_matcher.add(concept.name, [list(p) for p in concept.patterns])
        excluded = frozenset(phrases) | _ordinary_words()
        self.drugs: DrugDictionary | None = load_drug_dictionary(excluded) if drug_dictionary else None
        strings = nlp.vocab.strings
        # Token tables hold hashes of lower-cased words; compare hashes, not strings.
        self.drug_lengths = {strings.add(w): n for w, n in self.drugs.lengths.items()} if self.drugs else {}
        spelled = {p: e for p, e in phrases.items() if lexicon.concepts[e].category in _FUZZY_CATEGORIES}
        self.spelling = SpellingMatcher(spelled) if fuzzy else None
        known = {word for phrase in phrases for word in phrase.split()} | _ordinary_words()
        self.known_words = frozenset(strings.add(w) for w in known)
        self.dose_units = frozenset(strings.add(w) for w in DOSE_UNITS)
        self.token_kinds: dict[int, int] = {}  # by orth hash, see token_kinds
        self.dictionary_hits: dict[tuple, tuple | None] = {}  # see _dictionary_hit

    def __call__(self, doc: Doc) -> Doc:
        words = words_of(doc)
        found = find_concept_marks(doc, self, words)
        doc.spans[SPAN_KEY] = [_concept_span(doc, mark) for mark in found]
        keep_marked(doc, SPAN_KEY, found)
        return doc


def find_concepts(doc: Doc, matcher: ConceptMatcher) -> list[Span]:
    """All concept spans of ``doc``: lexicon first, then the drug dictionary, then spelling."""
    return [_concept_span(doc, mark) for mark in find_concept_marks(doc, matcher, words_of(doc))]


class _Values:
    """The ``span._`` values of the candidates, by character offsets: spaCy keeps extension
    values per (start_char, end_char), so candidates with the same offsets share them and the
    last one written wins. The candidates are plain tuples; this keeps that behaviour."""

    __slots__ = ("words", "by_offsets")

    def __init__(self, words: Words) -> None:
        self.words = words
        self.by_offsets: dict[tuple[int, int], tuple[str, str, str]] = {}

    def candidate(self, start: int, end: int, label: str, concept: str, entry: str, rule: str) -> tuple[int, int, str, tuple[int, int]]:
        key = (self.words.idx[start], self.words.end_char(end))
        self.by_offsets[key] = (concept, entry, rule)
        return start, end, label, key


def find_concept_marks(doc: Doc, matcher: ConceptMatcher, words: Words) -> list[Marked]:
    """The concept mentions of ``doc`` as :class:`Marked`: lexicon first, then the drug
    dictionary, then spelling; overlaps resolved like ``spacy.util.filter_spans``."""
    values = _Values(words)
    candidates = list(_lexicon_spans(doc, matcher, values))
    if matcher.drugs is not None or matcher.spelling is not None:
        kinds = token_kinds(words, matcher)
        if matcher.drugs is not None:
            candidates.extend(_dictionary_spans(words, matcher, values, kinds))
        if matcher.spelling is not None:
            taken = {i for start, end, _, _ in candidates for i in range(start, end)}
            candidates.extend(_misspelt_spans(words, matcher, taken, values, kinds))
    if candidates:
        blocked = {i for _, start, end in matcher.blockers(doc) for i in range(start, end)}
        if blocked:
            candidates = [c for c in candidates if not any(i in blocked for i in range(c[0], c[1]))]
    # Longest span wins; among equals, the lexicon beats the dictionary beats spelling.
    shared = values.by_offsets
    candidates.sort(key=lambda c: _RULE_PRIORITY[shared[c[3]][2]])
    marks = []
    for start, end, label, key in _longest_first(candidates):
        concept, entry, rule = shared[key]
        marks.append(Marked(words, start, end, label, concept, entry, False, rule))
    return marks


# What a word can be for the dictionary and spelling rules (bit flags; they depend only on the word).
NAMED_UNKNOWN = 1  # an unknown word written like a name (Title or UPPER case): a misspelt medicine?
PLAIN_UNKNOWN = 2  # an unknown lower-case word: a misspelt medicine only when a dose follows
DOSE = 4  # a number or a dose unit
DRUG_START = 8  # the first word of some drug dictionary name
_KINDS_LIMIT = 500_000


def token_kinds(words: Words, matcher: ConceptMatcher) -> list[int]:
    """For every token, its word's kind bits, looked up once per distinct word (cached in ``matcher``)."""
    kinds = matcher.token_kinds
    if len(kinds) > _KINDS_LIMIT:
        kinds.clear()
    try:
        return [kinds[orth] for orth in words.orth_ids]
    except KeyError:
        return [kinds[orth] if orth in kinds else _word_kind(matcher, orth, row) for orth, row in zip(words.orth_ids, words.rows)]


def _word_kind(matcher: ConceptMatcher, orth: int, row: tuple) -> int:
    kind = 0
    if row[ROW_IS_ALPHA] and row[ROW_LOWER_ID] not in matcher.known_words:
        # lower-case words are too often ordinary words ("starting" is not "statin")
        named = row[ROW_IS_TITLE] or row[ROW_IS_UPPER] or row[ROW_LENGTH] >= _NEVER_LONG_ENOUGH
        kind |= NAMED_UNKNOWN if named else PLAIN_UNKNOWN
    if row[ROW_LIKE_NUM] or row[ROW_LOWER_ID] in matcher.dose_units:
        kind |= DOSE
    if row[ROW_LOWER_ID] in matcher.drug_lengths:
        kind |= DRUG_START
    matcher.token_kinds[orth] = kind
    return kind


def _longest_first(candidates: list[tuple]) -> list[tuple]:
    """``spacy.util.filter_spans`` on ``(start, end, ...)`` tuples, sorted by start."""
    ordered = sorted(candidates, key=lambda c: (c[1] - c[0], -c[0]), reverse=True)
    result = []
    seen: set[int] = set()
    for candidate in ordered:
        start, end = candidate[0], candidate[1]
        if start not in seen and end - 1 not in seen:
            result.append(candidate)
            seen.update(range(start, end))
    return sorted(result, key=lambda c: c[0])


def _lexicon_spans(doc: Doc, matcher: ConceptMatcher, values: _Values) -> Iterable[tuple]:
    vocab_strings = doc.vocab.strings
    matches = matcher.phrase_matcher(doc)
    if len(matcher.pattern_matcher):
        matches = [*matches, *matcher.pattern_matcher(doc)]
    for match_id, start, end in matches:
        entry = vocab_strings[match_id]
        yield _candidate(values, start, end, matcher.lexicon, entry, "lexicon")


def _dictionary_spans(words: Words, matcher: ConceptMatcher, values: _Values, kinds: list[int]) -> Iterable[tuple]:
    for i in [i for i, kind in enumerate(kinds) if kind & DRUG_START]:
        hit = _dictionary_hit(words, matcher, i)
        if hit is not None:
            length, entry, generic = hit
            yield _candidate(values, i, i + length, matcher.lexicon, entry, "drug-dictionary", generic)


_HITS_LIMIT = 200_000


def _dictionary_hit(words: Words, matcher: ConceptMatcher, i: int) -> tuple[int, str, str] | None:
    """``(length, entry, generic)`` of the dictionary name that starts at token ``i``, or None.

    The answer depends only on the next few words and the spaces between them (the longest name
    that can start with this word), so it is worked out once per such stretch of text.
    """
    longest = matcher.drug_lengths[words.lower_ids[i]][0]
    key = (tuple(words.orth_ids[i : i + longest]), tuple(words.space[i : i + longest - 1]))
    hits = matcher.dictionary_hits
    if key not in hits:
        if len(hits) > _HITS_LIMIT:
            hits.clear()
        hits[key] = _find_dictionary_hit(words, matcher, i)
    return hits[key]


def _find_dictionary_hit(words: Words, matcher: ConceptMatcher, i: int) -> tuple[int, str, str] | None:
    drugs = matcher.drugs
    lengths = [length for length in matcher.drug_lengths[words.lower_ids[i]] if i + length <= len(words.orth_ids)]
    if not lengths:
        return None
    phrases = _phrases_from(words, i, max(lengths))
    for length in lengths:
        generic = drugs.lookup(phrases[length - 1])
        if generic:
            if length == 1 and not _looks_like_a_drug_name(words, i, matcher.dose_units):
                return None
            entry = generic if generic in matcher.lexicon.concepts else ""
            return length, entry, generic
    return None


def _phrases_from(words: Words, start: int, longest: int) -> list[str]:
    """``words.phrase(start, start + n)`` for n = 1 .. ``longest``, built one token at a time."""
    orth, space = words.orth, words.space
    phrases = []
    text = orth[start]
    phrases.append(text.lower())
    for i in range(start + 1, start + longest):
        text += (" " if space[i - 1] else "") + orth[i]
        phrases.append(text.lower())
    return phrases


def _misspelt_spans(words: Words, matcher: ConceptMatcher, taken: set[int], values: _Values, kinds: list[int]) -> Iterable[tuple]:
    last = len(kinds) - 1
    # Unknown words written like a name, or followed by a number or dose unit ("Amiodaron 200", "Hydrochlrothia mg").
    spelt = [i for i, kind in enumerate(kinds) if kind & NAMED_UNKNOWN or kind & PLAIN_UNKNOWN and i < last and kinds[i + 1] & DOSE]
    rows = words.rows
    for i in spelt:
        if i in taken:
            continue
        entry = matcher.spelling.match(rows[i][ROW_TEXT].lower())  # words.phrase(i, i + 1)
        if entry:
            yield _candidate(values, i, i + 1, matcher.lexicon, entry, "fuzzy")


_NEVER_LONG_ENOUGH = 99


def _dosed(rows: list[tuple], i: int, dose_units: frozenset[int]) -> bool:
    """Token ``i`` is followed by a number or a dose unit ("Amiodaron 200", "Hydrochlrothia mg")."""
    following = rows[i + 1] if i + 1 < len(rows) else None
    return following is not None and bool(following[ROW_LIKE_NUM] or following[ROW_LOWER_ID] in dose_units)


def _looks_like_a_drug_name(words: Words, i: int, dose_units: frozenset[int], min_length: int = 8) -> bool:
    """A one-word hit counts when written like a name, followed by a dose, or long."""
    row = words.rows[i]
    return bool(row[ROW_IS_TITLE] or row[ROW_IS_UPPER] or _dosed(words.rows, i, dose_units) or row[ROW_LENGTH] >= min_length)


def _candidate(values: _Values, start: int, end: int, lexicon: Lexicon, entry: str, rule: str, generic: str = "") -> tuple:
    if entry:
        concept = lexicon.canonical(entry)
        return values.candidate(start, end, concept.category, concept.name, entry, rule)
    return values.candidate(start, end, "medication", generic, generic, rule)


def _concept_span(doc: Doc, mark: Marked) -> Span:
    span = Span(doc, mark.start, mark.end, label=mark.label_)
    values = span._  # one Underscore object for the three values
    values.concept, values.entry, values.match_rule = mark.concept, mark.entry, mark.match_rule
    return span


@functools.cache
def _not_concepts() -> tuple[str, ...]:
    """Phrases in which a lexicon word does not name its concept (``pipeline/data/not_concepts.yaml``)."""
    name, text = packaged_file("not_concepts.yaml")
    document = check_keys(name, "top level", parse_yaml(name, text) or {}, {"phrases"})
    return tuple(p.lower() for p in string_list(name, "phrases", document.get("phrases")))


_ORDINARY_WORDS: frozenset[str] | None = None


def _ordinary_words() -> frozenset[str]:
    """Everyday words that some drug dictionary lists as a brand name; never medicines here."""
    global _ORDINARY_WORDS
    if _ORDINARY_WORDS is None:
        name, text = packaged_file("ordinary_words.yaml")
        document = parse_yaml(name, text) or {}
        _ORDINARY_WORDS = frozenset(w.lower() for w in string_list(name, "words", document.get("words")))
    return _ORDINARY_WORDS
