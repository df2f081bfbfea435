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

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.concept_matcher import SPAN_KEY as CONCEPT_KEY
from pipeline.extract.cue_matcher import SPAN_KEY as CUE_KEY
from pipeline.extract.cues import CueSet, cached_cues
from pipeline.extract.extensions import register_extensions
from pipeline.extract.sentences import sentence_spans, sentence_starts

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
        known = list(doc.spans[CONCEPT_KEY])
        found = list(discover_phrases(doc, doc.spans[CUE_KEY], known, self))
        if found:
            doc.spans[CONCEPT_KEY] = sorted(known + found, key=lambda s: s.start)
        return doc


def discover_phrases(doc: Doc, cues: Iterable[Span], known: list[Span], words: "Discovery") -> Iterable[Span]:
    """Noun phrases next to claim cues that overlap no known concept."""
    stop_words, cue_words = words.stop_words, words.cue_words
    taken = {i for span in known for i in range(span.start, span.end)}
    cue_list = list(cues)
    starts = sentence_starts(doc)
    for quoted in _quoted_names(doc, cue_list, starts):
        if not any(i in taken for i in range(quoted.start, quoted.end)):
            taken.update(range(quoted.start, quoted.end))
            yield _discovered_span(quoted, None)
    claim_sentences = {starts[c.start] for c in cue_list if c.label_ in TRAILING_CUES | {"relief_outcome", "purpose"}}
    seen: set[tuple[int, int]] = set()
    longer_claims = {(c.start, c.end) for c in cue_list if c.label_ in TRAILING_CUES | {"worsened", "helped"}}
    for cue in cue_list:
        candidate = None
        if any(start <= cue.start and cue.end < end for start, end in longer_claims):
            continue  # "take" in "take care of" is part of a claim phrase, not a lead-in
        if cue.label_ == "discovery_lead" and (starts[cue.start] in claim_sentences or cue.text.lower() in CREDITING_LEADS):
            candidate = _phrase_after(doc, cue.end, stop_words, cue_words)
        elif cue.label_ in TRAILING_CUES and cue[0].lower_ in words.claim_verbs:
            candidate = _phrase_before(doc, cue.start, stop_words, cue_words)
        if candidate is None or (candidate.start, candidate.end) in seen:
            continue
        if any(i in taken for i in range(candidate.start, candidate.end)):
            continue
        seen.add((candidate.start, candidate.end))
        yield _discovered_span(candidate, cue)


def _phrase_after(doc: Doc, start: int, stop_words: frozenset[str], cue_words: frozenset[str]) -> Span | None:
    index = start
    while index < len(doc) and doc[index].lower_ in stop_words and doc[index].lower_ not in {"and", "but", "to"}:
        index += 1
    end = index
    while end < len(doc) and end - index < MAX_PHRASE_TOKENS and _phrase_token(doc[end], stop_words, cue_words, end > index):
        end += 1
    if any(t.lower_ in QUANTITY_LINKS for t in doc[end : end + 2]):
        return None  # "a fair amount of ...", "a lot of ...": a quantity, not a thing
    return _trimmed(doc, index, end, stop_words)


def _phrase_before(doc: Doc, end: int, stop_words: frozenset[str], cue_words: frozenset[str]) -> Span | None:
    start = end
    while start > 0 and end - start < MAX_PHRASE_TOKENS and _phrase_token(doc[start - 1], stop_words, cue_words, True):
        start -= 1
    return _trimmed(doc, start, end, stop_words)


def _phrase_token(token, stop_words: frozenset[str], cue_words: frozenset[str], inside: bool) -> bool:
    """Can this token be part of a discovered noun phrase?"""
    if token.is_space or token.is_punct and token.text not in {"'s", "-", "&"}:
        return False
    if token.like_num or token.like_url or token.like_email:
        return False
    if token.text == "'s":
        return inside
    return token.lower_ not in stop_words and token.lower_ not in cue_words and (token.is_alpha or "-" in token.text)


def _trimmed(doc: Doc, start: int, end: int, stop_words: frozenset[str]) -> Span | None:
    while start < end and (doc[start].lower_ in stop_words or doc[start].text == "'s"):
        start += 1
    while end > start and (doc[end - 1].lower_ in stop_words or doc[end - 1].text in {"'s", "-", "&"}):
        end -= 1
    if start >= end or not any(t.is_alpha and len(t) > 2 for t in doc[start:end]):
        return None
    return doc[start:end]


def _quoted_names(doc: Doc, cues: list[Span], starts: list[int]) -> Iterable[Span]:
    """Product names in quotes ("Stop Leg Cramps") in a sentence that uses or asks about them."""
    if not doc.vocab.strings and not len(doc):
        return
    quotes = {doc.vocab.strings[q] for q in QUOTES if q in doc.vocab.strings}
    if not quotes.intersection(doc.to_array(ORTH).tolist()):
        return
    acting = {starts[c.start] for c in cues if c.label_ in {"use", "discovery_lead", "question_start", "tried", "purpose"}}
    acting |= {sentence.start for sentence in sentence_spans(doc, starts) if sentence.text.rstrip().endswith("?")}
    opening = None
    for token in doc:
        if token.text not in QUOTES:
            continue
        if opening is None:
            opening = token.i
            continue
        inside = doc[opening + 1 : token.i]
        opening = None
        words = [t for t in inside if t.is_alpha]
        if 0 < len(inside) <= MAX_PHRASE_TOKENS + 1 and words and all(t.is_title or t.is_upper for t in words):
            if starts[inside.start] in acting:
                yield inside


def _discovered_span(phrase: Span, cue: Span | None) -> Span:
    span = Span(phrase.doc, phrase.start, phrase.end, label="other")
    span._.concept = span._.entry = " ".join(phrase.text.lower().split())
    span._.discovered = True
    span._.match_rule = f"discovery:{cue.label_}" if cue is not None else "discovery:quoted"
    return span
