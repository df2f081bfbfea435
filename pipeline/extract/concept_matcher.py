"""The ``remedy_concepts`` component: finds lexicon concepts and medicines in a Doc.

Writes ``doc.spans["concepts"]``: non-overlapping spans labelled with their category, with
``span._.concept`` (canonical name), ``span._.entry`` (the lexicon entry, e.g. a variant such
as ``red wine``) and ``span._.match_rule`` (``lexicon``, ``drug-dictionary`` or ``fuzzy``).
"""
from __future__ import annotations

import functools
from typing import Iterable

from spacy.attrs import IS_ALPHA, IS_TITLE, IS_UPPER, LENGTH, LIKE_NUM, LOWER, ORTH, SPACY
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.extract.extensions import register_extensions
from pipeline.extract.lexicon import Lexicon, cached_lexicon
from pipeline.extract.medicines import DrugDictionary, SpellingMatcher, load_drug_dictionary
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

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[SPAN_KEY] = find_concepts(doc, self)
        return doc


def find_concepts(doc: Doc, matcher: ConceptMatcher) -> list[Span]:
    """All concept spans of ``doc``: lexicon first, then the drug dictionary, then spelling."""
    candidates = list(_lexicon_spans(doc, matcher))
    if matcher.drugs is not None or matcher.spelling is not None:
        tokens = TokenTable.of(doc)
        if matcher.drugs is not None:
            candidates.extend(_dictionary_spans(doc, tokens, matcher))
        if matcher.spelling is not None:
            taken = {i for span in candidates for i in range(span.start, span.end)}
            candidates.extend(_misspelt_spans(doc, tokens, matcher, taken))
    if candidates:
        blocked = {i for _, start, end in matcher.blockers(doc) for i in range(start, end)}
        candidates = [span for span in candidates if not any(i in blocked for i in range(span.start, span.end))]
    # Longest span wins; among equals, the lexicon beats the dictionary beats spelling.
    candidates.sort(key=lambda s: _RULE_PRIORITY[s._.match_rule])
    return sorted(filter_spans(candidates), key=lambda s: s.start)


class TokenTable:
    """Token attributes as plain lists, read once per Doc: indexing a Doc in Python creates a
    Token object each time, and ``Doc.text`` rebuilds the text; both dominate a per-token loop."""

    __slots__ = ("lower", "orth", "space", "length", "alpha", "title", "upper", "like_num", "strings")

    def __init__(self, doc: Doc) -> None:
        attributes = [LOWER, ORTH, SPACY, LENGTH, IS_ALPHA, IS_TITLE, IS_UPPER, LIKE_NUM]
        columns = doc.to_array(attributes).T.tolist() if len(doc) else [[] for _ in attributes]
        self.lower, self.orth, self.space, self.length, self.alpha, self.title, self.upper, self.like_num = columns
        self.strings = doc.vocab.strings

    @classmethod
    def of(cls, doc: Doc) -> "TokenTable":
        return cls(doc)

    def phrase(self, start: int, end: int) -> str:
        """The lower-cased text of tokens ``start:end``, single spaces where the text had space."""
        words = [self.strings[self.orth[i]] + (" " if self.space[i] and i < end - 1 else "") for i in range(start, end)]
        return "".join(words).lower()


def _lexicon_spans(doc: Doc, matcher: ConceptMatcher) -> Iterable[Span]:
    vocab_strings = doc.vocab.strings
    matches = matcher.phrase_matcher(doc)
    if len(matcher.pattern_matcher):
        matches = [*matches, *matcher.pattern_matcher(doc)]
    for match_id, start, end in matches:
        entry = vocab_strings[match_id]
        yield _concept_span(doc, start, end, matcher.lexicon, entry, "lexicon")


def _dictionary_spans(doc: Doc, tokens: TokenTable, matcher: ConceptMatcher) -> Iterable[Span]:
    drugs, lengths_of = matcher.drugs, matcher.drug_lengths
    size = len(tokens.lower)
    for i, lower in enumerate(tokens.lower):
        lengths = lengths_of.get(lower)
        if lengths is None:
            continue
        for length in lengths:
            if i + length > size:
                continue
            generic = drugs.lookup(tokens.phrase(i, i + length))
            if generic:
                if length == 1 and not _looks_like_a_drug_name(tokens, i, matcher.dose_units):
                    break
                entry = generic if generic in matcher.lexicon.concepts else ""
                yield _concept_span(doc, i, i + length, matcher.lexicon, entry, "drug-dictionary", generic)
                break


def _misspelt_spans(doc: Doc, tokens: TokenTable, matcher: ConceptMatcher, taken: set[int]) -> Iterable[Span]:
    for i, lower in enumerate(tokens.lower):
        if i in taken or not tokens.alpha[i] or lower in matcher.known_words:
            continue
        if not _looks_like_a_drug_name(tokens, i, matcher.dose_units, min_length=99):
            continue  # lower-case words are too often ordinary words ("starting" is not "statin")
        entry = matcher.spelling.match(tokens.phrase(i, i + 1))
        if entry:
            yield _concept_span(doc, i, i + 1, matcher.lexicon, entry, "fuzzy")


def _looks_like_a_drug_name(tokens: TokenTable, i: int, dose_units: frozenset[int], min_length: int = 8) -> bool:
    """A one-word hit counts when written like a name, followed by a dose, or long."""
    following = i + 1 if i + 1 < len(tokens.lower) else None
    dosed = following is not None and (tokens.like_num[following] or tokens.lower[following] in dose_units)
    return bool(tokens.title[i] or tokens.upper[i] or dosed or tokens.length[i] >= min_length)


def _concept_span(doc: Doc, start: int, end: int, lexicon: Lexicon, entry: str, rule: str, generic: str = "") -> Span:
    if entry:
        concept = lexicon.canonical(entry)
        span = Span(doc, start, end, label=concept.category)
        span._.concept, span._.entry = concept.name, entry
    else:
        span = Span(doc, start, end, label="medication")
        span._.concept = span._.entry = generic
    span._.match_rule = rule
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
