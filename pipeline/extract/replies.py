"""Claims a reply makes about its parent's remedy ("@Ann: I use the same thing").

A reply often names no concept at all: it points back ("the same thing", "this item",
"it", "what brand?"). When the reply's parent is known (``parent_id``) and claims a
remedy or trigger, the pointing words stand in for that concept and the ordinary context
rules decide the reply's own effect, hedging and question. Rows made this way have a
``rule`` that starts with ``reply_reference:``.
"""
from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc, Span

from pipeline.extract.concept_matcher import SPAN_KEY as CONCEPT_KEY
from pipeline.extract.context import Claim, ClaimContext, decide_claims
from pipeline.extract.cue_matcher import SPAN_KEY as CUE_KEY
from pipeline.extract.sentences import sentence_starts as sentence_starts_of

MAX_BARE_REPLY_TOKENS = 40


def parent_claim(claims: list[Claim]) -> Claim | None:
    """The claim a reply most likely refers to: the parent's first remedy or trigger claim."""
    return next((c for c in claims if c.role in {"remedy", "trigger"} and not c.discovered), None) or next(
        (c for c in claims if c.role in {"remedy", "trigger"}), None
    )


def reply_claims(doc: Doc, parent: Claim, context: ClaimContext) -> list[Claim]:
    """Claims of a reply ``doc`` about its parent's concept, or ``[]`` when it does not refer to it."""
    if any(span._.concept == parent.concept for span in doc.spans[CONCEPT_KEY]):
        return []
    anchor, agreeing = _reference_anchor(doc, context.pointing_words)
    if anchor is None:
        return []
    stand_in = Span(doc, anchor.start, anchor.end, label=parent.category)
    stand_in._.concept, stand_in._.entry = parent.concept, parent.entry
    stand_in._.discovered, stand_in._.match_rule = parent.discovered, "reply_reference"
    original = list(doc.spans[CONCEPT_KEY])
    doc.spans[CONCEPT_KEY] = sorted([*original, stand_in], key=lambda s: s.start)
    try:
        decided = [c for c in decide_claims(doc, context) if c.start == stand_in.start_char and c.end == stand_in.end_char]
    finally:
        doc.spans[CONCEPT_KEY] = original
    # A bare "it" or "that" must carry a claim of its own; "the same thing", "same here" agree.
    return [_as_reply(claim, parent) for claim in decided if agreeing or claim.role != "mention" or claim.question]


def _reference_anchor(doc: Doc, pointing_words: frozenset[str]) -> tuple[Span | None, bool]:
    """The words that point at the parent's remedy, and whether they agree with it outright
    ("the same thing", "same here"). A pronoun counts only in a sentence that names nothing
    else it could point at; a short reply that names nothing is anchored at its first word."""
    concepts = list(doc.spans[CONCEPT_KEY])
    concept_tokens = {i for span in concepts for i in range(span.start, span.end)}
    starts = sentence_starts_of(doc)
    named_sentences = {starts[span.start] for span in concepts}
    for cue in doc.spans[CUE_KEY]:
        if cue.label_ == "reply_reference" and not any(i in concept_tokens for i in range(cue.start, cue.end)):
            # "Same here with simvastatin": the reply names its own thing; it is not the parent's.
            return (None, False) if starts[cue.start] in named_sentences else (cue, True)
    for token in doc:
        if token.lower_ in pointing_words and token.i not in concept_tokens and starts[token.i] not in named_sentences:
            return doc[token.i : token.i + 1], False
    if concept_tokens or len(doc) > MAX_BARE_REPLY_TOKENS:
        return None, False
    first = next((t for t in doc if t.is_alpha and not t.text.startswith("@") and not _in_prefix(t)), None)
    return (doc[first.i : first.i + 1] if first is not None else None), False


def _in_prefix(token) -> bool:
    """Tokens of a leading "@First Last:" address."""
    colon = next((t.i for t in token.doc[:8] if t.text == ":"), None)
    return token.doc[0].text.startswith("@") and (colon is None and token.i <= 1 or colon is not None and token.i < colon)


def _as_reply(claim: Claim, parent: Claim) -> Claim:
    role = parent.role
    effect = claim.effect
    if role == "trigger" and effect not in {"no_effect", "unclear"}:
        effect = "worsened"
    if role == "remedy" and effect == "worsened":
        effect = "no_effect"
    if claim.role == "mention" and not claim.question:
        effect = "helped" if role == "remedy" else "worsened"  # an outright "same here"
    return replace(claim, role=role, effect=effect, rule=f"reply_reference:{claim.rule}", category=parent.category)
