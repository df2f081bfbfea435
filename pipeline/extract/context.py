"""The ``claim_context`` component: what each concept mention claims, and about whom.

For every concept span it decides the role (remedy, trigger, mention), the effect, and the
negation, hedging, question and experiencer attributes, recording the rule and the cue words
that made each decision. The decision rules are documented in ``docs/rules.md``; they live in
pure functions (``clauses.py``: which cues speak about a mention and its attributes;
``decisions.py``: the rules) so that each can be tested on a hand-made Doc.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.clauses import (
    attached_cues,
    cues_in_free_segments,
    experiencer_of_mention,
    experiencer_of_sentence,
    following_context,
    hedge_cue,
    is_question,
    PERSON_LABELS,
    negation_cue,
    question_start,
    segment_bounds,
    segment_of,
)
from pipeline.extract.concept_matcher import SPAN_KEY as CONCEPT_KEY
from pipeline.extract.cue_matcher import SPAN_KEY as CUE_KEY
from pipeline.extract.cues import CueSet, cached_cues
from pipeline.extract.decisions import Decision, decide_role, refused
from pipeline.extract.doc_state import (
    Marked,
    Sentence,
    by_sentence,
    forget_marked,
    marked_spans,
    concepts_near,
    group_by_sentence_start,
    sentences_of,
)
from pipeline.extract.extensions import register_extensions
from pipeline.extract.lexicon import cached_lexicon
from pipeline.extract.words import forget_words, words_of

# Marks a rule decided by cues of a later sentence ("I take magnesium. No cramps since.").
LENT_SUFFIX = ":next_sentence"
OTHER_COMPLAINT = "other complaint"


@dataclass(frozen=True)
class Claim:
    """One concept mention and what the comment says about it."""

    concept: str
    category: str
    entry: str
    role: str
    effect: str
    negated: bool
    hedged: bool
    question: bool
    experiencer: str
    start: int
    end: int
    surface: str
    sentence: str
    rule: str
    cues: str
    discovered: bool
    match_rule: str
    lent: bool = False
    sentence_start: int = 0
    sentence_end: int = 0


@Language.factory(
    "claim_context",
    assigns=["doc._.claims"],
    requires=["doc.spans"],
    default_config={"lexicon_paths": [], "cue_paths": []},
)
def make_claim_context(nlp: Language, name: str, lexicon_paths: list[str], cue_paths: list[str]) -> "ClaimContext":
    lexicon = cached_lexicon(tuple(lexicon_paths))
    return ClaimContext(
        cached_cues(tuple(cue_paths)),
        ambiguous=frozenset(name for name, concept in lexicon.concepts.items() if concept.ambiguous),
        other_complaints=frozenset(lexicon.with_class(OTHER_COMPLAINT)),
    )


class ClaimContext:
    """Decides every mention's claim; holds only the word sets it needs."""

    def __init__(
        self, cues: CueSet, *, ambiguous: frozenset[str] = frozenset(), other_complaints: frozenset[str] = frozenset()
    ) -> None:
        register_extensions()
        self.ambiguous = ambiguous
        self.other_complaints = other_complaints
        self.imperatives = cues.words("imperative")
        self.question_words = cues.words("question_start")
        self.pointing_words = cues.words("reply_reference")

    def __call__(self, doc: Doc) -> Doc:
        doc._.claims = decide_claims(doc, self)
        return doc


def decide_claims(doc: Doc, context: ClaimContext) -> list[Claim]:
    """Claims for every concept span of ``doc``, in text order."""
    try:
        words = words_of(doc)
        concepts = marked_spans(doc, CONCEPT_KEY, words, True)
        if not concepts:
            return []
        for mention in concepts:
            mention.ambiguous = mention.entry in context.ambiguous
        starts = words.sentence_starts
        sentences = sentences_of(words)
        cues = marked_spans(doc, CUE_KEY, words, False)
        # Span groups and Span.sent are costly to rebuild; the rules below read these per-doc copies.
        words.concepts_by_sentence = group_by_sentence_start(concepts, starts)
        words.about_cramps = any(c.label_ == "condition" for c in cues)
        return _decide_sentences(doc, context, sentences, concepts, cues)
    finally:
        forget_words(doc)
        forget_marked(doc)


def _decide_sentences(doc: Doc, context: ClaimContext, sentences: list[Sentence], concepts: list[Marked], cues: list[Marked]) -> list[Claim]:
    mentions_by_sentence = by_sentence(concepts, sentences, doc)
    cues_by_sentence = by_sentence(cues, sentences, doc)
    claims: list[Claim] = []
    previous_experiencer = "self"
    # Sentences after the last one that names a concept decide nothing (the experiencer carries only forward).
    last = max(index for index, mentions in enumerate(mentions_by_sentence) if mentions)
    for index in range(last + 1):
        sentence, mentions, sentence_cues = sentences[index], mentions_by_sentence[index], cues_by_sentence[index]
        sentence_experiencer = experiencer_of_sentence(sentence, sentence_cues, previous_experiencer, context.imperatives)
        if mentions:
            claims.extend(_sentence_claims(index, sentences, mentions_by_sentence, cues_by_sentence, sentence_experiencer, context))
        if sentence_experiencer != "general":
            previous_experiencer = sentence_experiencer
    return resolve_lent_conflicts(claims)


class SentenceCues:
    """A sentence's cues, and the few kinds the rules look for in every mention's segment, picked
    out once per sentence (in the sentence's order, so the first found is the same)."""

    __slots__ = ("all", "negations", "hedges", "persons", "about_condition", "_mentions", "_segments", "_free")

    def __init__(self, cues: list[Marked], mentions: list[Marked], segments: list[tuple[int, int]]) -> None:
        self.all = cues
        labels = {c.label_ for c in cues}
        self.negations = [c for c in cues if c.label_ == "negation"] if "negation" in labels else []
        self.hedges = [c for c in cues if c.label_ == "hedge"] if "hedge" in labels else []
        self.persons = [c for c in cues if c.label_ in PERSON_LABELS] if not labels.isdisjoint(PERSON_LABELS) else []
        self.about_condition = "condition" in labels
        self._mentions, self._segments = mentions, segments
        self._free: list[tuple[Marked, bool]] | None = None

    def free(self) -> list[tuple[Marked, bool]]:
        """Each cue, and whether its segment names no concept: the same for every mention of the
        sentence, worked out when the first mention needs it."""
        if self._free is None:
            self._free = cues_in_free_segments(self._mentions, self._segments, self.all)
        return self._free


def _sentence_claims(
    index: int,
    sentences: list[Sentence],
    mentions_by_sentence: list[list[Marked]],
    cues_by_sentence: list[list[Marked]],
    sentence_experiencer: str,
    context: ClaimContext,
) -> list[Claim]:
    """The claims of the mentions of sentence ``index``; what is the same for all of them is worked out once."""
    sentence, mentions, sentence_cues = sentences[index], mentions_by_sentence[index], cues_by_sentence[index]
    text = sentence.text
    following = following_context(index, sentences, mentions_by_sentence, cues_by_sentence)
    segments = segment_bounds(sentence, sentence_cues)
    question = is_question(sentence, sentence_cues, text)
    asked_from = (
        question_start(sentence, sentence_cues, segment_bounds(sentence, sentence_cues, dashes=True), context.question_words)
        if question else sentence.end
    )
    picked = SentenceCues(sentence_cues, concepts_near(mentions[0]), segments)
    place = _SentencePlace(text.strip(), sentence.start_char, sentence.end_char)
    claims = []
    for mention in mentions:
        asked = question and mention.start >= asked_from
        claim = _claim_for(mention, sentence, place, picked, segments, following, asked, sentence_experiencer, context)
        if claim is not None:
            claims.append(claim)
    return claims


class _SentencePlace:
    """What every claim of a sentence repeats: its stripped text and character bounds."""

    __slots__ = ("text", "start_char", "end_char")

    def __init__(self, text: str, start_char: int, end_char: int) -> None:
        self.text, self.start_char, self.end_char = text, start_char, end_char


def resolve_lent_conflicts(claims: list[Claim]) -> list[Claim]:
    """A claim decided only by other sentences' cues yields to a claim about the same
    concept decided in its own sentence ("Stop the sugar. I can have a little dessert.
    No cramps since." is one trigger claim, not a trigger and a remedy)."""
    firm = {(c.concept, c.role) for c in claims if not c.lent and c.role != "mention"}
    firm_concepts = {concept for concept, _ in firm}
    resolved = []
    for claim in claims:
        if claim.lent and claim.concept in firm_concepts and (claim.concept, claim.role) not in firm:
            claim = replace(claim, role="mention", effect="unclear", rule="yields_to_own_sentence_claim", question=False)
        resolved.append(claim)
    return resolved


TREATMENT_LINKS = frozenset({"for", "remove", "removed", "removal", "treat", "treated", "fix", "fixed", "cure", "cured"})


def _treated(condition: Marked, segment: tuple[int, int], context: "ClaimContext") -> bool:
    """"a hysterectomy for a prolapsed uterus", "surgery to remove my fibroids": the
    condition is the object of a treatment named just before it."""
    if condition.concept in context.other_complaints:
        return False
    lower = condition.words.lower
    for treatment in concepts_near(condition):
        if segment[0] <= treatment.start and treatment.end <= condition.start and treatment.label_ != "condition":
            if condition.start - treatment.end <= 6 and not TREATMENT_LINKS.isdisjoint(lower[treatment.end : condition.start]):
                return True
    return False


WEAK_RULES = frozenset({"intended_remedy", "tried", "advice_to_use", "no_claim_cue"})


def _about_another_complaint(mention: Marked, sentence: Sentence, cues: list[Marked], context: "ClaimContext") -> bool:
    """The sentence is about heel pain or heartburn, not cramps ("vinegar is great for my heartburn")."""
    if any(c.label_ == "condition" for c in cues):
        return False
    others = [
        m for m in concepts_near(mention)
        if sentence.start <= m.start < sentence.end and m.concept in context.other_complaints and m.start != mention.start
    ]
    return bool(others)


def _claim_for(
    mention: Marked,
    sentence: Sentence,
    place: _SentencePlace,
    cues: SentenceCues,
    segments: list[tuple[int, int]],
    following: list[Marked],
    question: bool,
    sentence_experiencer: str,
    context: ClaimContext,
) -> Claim | None:
    segment = segment_of(mention, segments)
    negation = negation_cue(mention, segment, cues.negations) if cues.negations else None
    attached = attached_cues(
        mention, segment, segments, cues.all, sentence, following, negated=negation is not None, free_cues=cues.free
    )
    decision = decide_role(
        mention, attached, question, context, negated=negation is not None, advice=sentence_experiencer == "general",
        about_cramps=mention.words.about_cramps,
    )
    if mention.label_ == "condition" and decision.role == "remedy":
        # A condition is never a remedy; when its treatment brought relief, it was the cause.
        if decision.effect == "helped" and _treated(mention, segment, context):
            decision = Decision("trigger", "worsened", "treated_cause", decision.cues)
        else:
            decision = Decision("mention", "unclear", "condition_not_remedy", decision.cues)
    if decision.role != "mention" and not cues.about_condition and _about_another_complaint(mention, sentence, cues.all, context):
        decision = Decision("mention", "unclear", "about_another_complaint", decision.cues)
    if mention.discovered and decision.rule in WEAK_RULES:
        return None
    if decision.role == "mention" and (mention.entry in context.ambiguous or mention.discovered):
        return None
    hedge = hedge_cue(mention, segment, cues.hedges) or next((c for c in attached if c.label_ == "hedge"), None)
    experiencer, person_cue = experiencer_of_mention(mention, segment, cues.persons, sentence_experiencer)
    used = [*decision.cues, *(c for c in (negation, hedge, person_cue) if c is not None)]
    lent = decision.lent_by_other_sentences(sentence)
    return Claim(
        concept=mention.concept,
        category=mention.label_,
        entry=mention.entry,
        role=decision.role,
        effect=decision.effect,
        negated=(negation is not None and not decision.rule.startswith("cessation")) or refused(mention, attached),
        hedged=hedge is not None,
        question=question and decision.role != "mention",
        experiencer=experiencer,
        start=mention.start_char,
        end=mention.end_char,
        surface=mention.text,
        sentence=place.text,
        rule=decision.rule + LENT_SUFFIX if lent else decision.rule,
        cues=_cue_list(used),
        discovered=bool(mention.discovered),
        match_rule=mention.match_rule,
        lent=lent,
        sentence_start=place.start_char,
        sentence_end=place.end_char,
    )


def _cue_list(used: list[Marked]) -> str:
    """"label: text" of the cues behind a decision, in text order, each once."""
    if not used:
        return ""
    # dict.fromkeys, not set: spans that start together keep the order the rules named them in,
    # where a set would order them by memory address (different from run to run).
    return "; ".join(f"{c.label_}: {c.text}" for c in sorted(dict.fromkeys(used), key=_start))


def _start(span: Marked) -> int:
    return span.start
