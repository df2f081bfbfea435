"""The ``claim_discovery`` component: remedies and triggers that no lexicon knows.

Readers name products and habits no list will ever hold ("a copper bracelet", "Hyland's
tablets"). Cue patterns find the noun phrase such a claim is about: the thing after "I take",
"relief by wearing", "thanks to", "had ... and no more cramps", or the thing before "helps"
or "works". The span is trimmed to a clean noun phrase and added to ``doc.spans["concepts"]``
with ``span._.discovered = True``; the context component then decides its claim, and keeps
it only when it is a remedy or a trigger.
"""
from __future__ import annotations

from typing import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.concept_matcher import SPAN_KEY as CONCEPT_KEY
from pipeline.extract.cue_matcher import SPAN_KEY as CUE_KEY
from pipeline.extract.cues import CueSet, cached_cues
from pipeline.extract.doc_state import Marked, keep_marked, marked_spans, sentences_of
from pipeline.extract.extensions import register_extensions
from pipeline.extract.words import (
    ROW_IS_ALPHA,
    ROW_IS_PUNCT,
    ROW_IS_SPACE,
    ROW_LIKE_EMAIL,
    ROW_LIKE_NUM,
    ROW_LIKE_URL,
    ROW_LOWER,
    ROW_TEXT,
    Words,
    words_of,
)

MAX_PHRASE_TOKENS = 4
QUANTITY_LINKS = frozenset({"of", "af", "o'"})
QUOTES = frozenset({'"', "“", "”", "''", "``"})
# Cues before which a noun phrase is the thing that worked ("X helps").
TRAILING_CUES = frozenset({"helped", "partial", "no_effect"})
CREDITING_LEADS = frozenset({"thanks to", "relief by", "relief from", "relief with", "by wearing", "by using", "by taking"})


@Language.factory(
    "claim_discovery",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={"cue_paths": []},
)
def make_discovery(nlp: Language, name: str, cue_paths: list[str]) -> "Discovery":
    return Discovery(cached_cues(tuple(cue_paths)))


class Discovery:
    """Finds unknown remedy and trigger phrases next to claim cues."""

    def __init__(self, cues: CueSet) -> None:
        register_extensions()
        self.stop_words = cues.words("discovery_stop")
        self.claim_verbs = cues.words("claim_verb")
        self.cue_words = frozenset(w for label, phrases in cues.phrases.items() if label != "discovery_stop" for p in phrases for w in p.split())

    def __call__(self, doc: Doc) -> Doc:
        words = words_of(doc)
        known = marked_spans(doc, CONCEPT_KEY, words, True)
        found = list(discover_phrases(words, marked_spans(doc, CUE_KEY, words, False), known, self))
        if found:
            spans = [*doc.spans[CONCEPT_KEY], *(_discovered_span(doc, mark) for mark in found)]
            doc.spans[CONCEPT_KEY] = sorted(spans, key=lambda s: s.start)
            keep_marked(doc, CONCEPT_KEY, sorted([*known, *found], key=lambda m: m.start))
        return doc


def discover_phrases(words: Words, cues: list[Marked], known: list[Marked], finder: "Discovery") -> Iterable[Marked]:
    """Noun phrases next to claim cues that overlap no known concept."""
    stop_words, cue_words = finder.stop_words, finder.cue_words
    taken = {i for span in known for i in range(span.start, span.end)}
    starts = words.sentence_starts
    for start, end in _quoted_names(words, cues, starts):
        if not any(i in taken for i in range(start, end)):
            taken.update(range(start, end))
            yield _discovered(words, start, end, None)
    leads = [c for c in cues if c.label_ == "discovery_lead" or c.label_ in TRAILING_CUES]
    if not leads:
        return  # only these cues can lead to a phrase
    claim_sentences = {starts[c.start] for c in cues if c.label_ in TRAILING_CUES | {"relief_outcome", "purpose"}}
    seen: set[tuple[int, int]] = set()
    longer_claims = {(c.start, c.end) for c in cues if c.label_ in TRAILING_CUES | {"worsened", "helped"}}
    for cue in leads:
        candidate = None
        if any(start <= cue.start and cue.end < end for start, end in longer_claims):
            continue  # "take" in "take care of" is part of a claim phrase, not a lead-in
        if cue.label_ == "discovery_lead" and (starts[cue.start] in claim_sentences or _crediting(cue)):
            candidate = _phrase_after(words, cue.end, stop_words, cue_words)
        elif cue.label_ in TRAILING_CUES and words.lower[cue.start] in finder.claim_verbs:
            candidate = _phrase_before(words, cue.start, stop_words, cue_words)
        if candidate is None or candidate in seen:
            continue
        if any(i in taken for i in range(candidate[0], candidate[1])):
            continue
        seen.add(candidate)
        yield _discovered(words, candidate[0], candidate[1], cue)


def _crediting(cue: Marked) -> bool:
    """A lead that credits what follows ("thanks to"); those are two words, and no token holds a space."""
    return cue.end - cue.start == 2 and cue.text.lower() in CREDITING_LEADS


def _phrase_after(words: Words, start: int, stop_words: frozenset[str], cue_words: frozenset[str]) -> tuple[int, int] | None:
    lower, size = words.lower, len(words.lower)
    index = start
    while index < size and lower[index] in stop_words and lower[index] not in {"and", "but", "to"}:
        index += 1
    end = index
    while end < size and end - index < MAX_PHRASE_TOKENS and _phrase_token(words, end, stop_words, cue_words, end > index):
        end += 1
    if not QUANTITY_LINKS.isdisjoint(lower[end : end + 2]):
        return None  # "a fair amount of ...", "a lot of ...": a quantity, not a thing
    return _trimmed(words, index, end, stop_words)


def _phrase_before(words: Words, end: int, stop_words: frozenset[str], cue_words: frozenset[str]) -> tuple[int, int] | None:
    start = end
    while start > 0 and end - start < MAX_PHRASE_TOKENS and _phrase_token(words, start - 1, stop_words, cue_words, True):
        start -= 1
    return _trimmed(words, start, end, stop_words)


def _phrase_token(words: Words, i: int, stop_words: frozenset[str], cue_words: frozenset[str], inside: bool) -> bool:
    """Can token ``i`` be part of a discovered noun phrase?"""
    row = words.rows[i]  # one token's attributes: no need to make whole-Doc columns for a few tokens
    text = row[ROW_TEXT]
    if row[ROW_IS_SPACE] or row[ROW_IS_PUNCT] and text not in {"'s", "-", "&"}:
        return False
    if row[ROW_LIKE_NUM] or row[ROW_LIKE_URL] or row[ROW_LIKE_EMAIL]:
        return False
    if text == "'s":
        return inside
    lower = row[ROW_LOWER]
    return lower not in stop_words and lower not in cue_words and bool(row[ROW_IS_ALPHA] or "-" in text)


def _trimmed(words: Words, start: int, end: int, stop_words: frozenset[str]) -> tuple[int, int] | None:
    lower, orth = words.lower, words.orth
    while start < end and (lower[start] in stop_words or orth[start] == "'s"):
        start += 1
    while end > start and (lower[end - 1] in stop_words or orth[end - 1] in {"'s", "-", "&"}):
        end -= 1
    if start >= end or not any(words.is_alpha[i] and words.length[i] > 2 for i in range(start, end)):
        return None
    return start, end


def _quoted_names(words: Words, cues: list[Marked], starts: list[int]) -> Iterable[tuple[int, int]]:
    """Product names in quotes ("Stop Leg Cramps") in a sentence that uses or asks about them."""
    if QUOTES.isdisjoint(words.orth):
        return
    acting = {starts[c.start] for c in cues if c.label_ in {"use", "discovery_lead", "question_start", "tried", "purpose"}}
    acting |= {sentence.start for sentence in sentences_of(words) if sentence.text.rstrip().endswith("?")}
    opening = None
    for index, text in enumerate(words.orth):
        if text not in QUOTES:
            continue
        if opening is None:
            opening = index
            continue
        start, end, opening = opening + 1, index, None
        alpha = [i for i in range(start, end) if words.is_alpha[i]]
        if 0 < end - start <= MAX_PHRASE_TOKENS + 1 and alpha and all(words.is_title[i] or words.is_upper[i] for i in alpha):
            if starts[start] in acting:
                yield start, end


def _discovered(words: Words, start: int, end: int, cue: Marked | None) -> Marked:
    name = " ".join(words.span_text(start, end).lower().split())
    rule = f"discovery:{cue.label_}" if cue is not None else "discovery:quoted"
    return Marked(words, start, end, "other", name, name, True, rule)


def _discovered_span(doc: Doc, mark: Marked) -> Span:
    span = Span(doc, mark.start, mark.end, label="other")
    values = span._  # one Underscore object for the four values
    values.concept, values.entry = mark.concept, mark.entry
    values.discovered, values.match_rule = True, mark.match_rule
    return span
