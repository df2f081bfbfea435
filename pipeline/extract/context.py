"""The ``claim_context`` component: what each concept mention claims, and about whom.

For every concept span it decides the role (remedy, trigger, mention), the effect, and the
negation, hedging, question and experiencer attributes, recording the rule and the cue words
that made each decision. The decision rules are documented in ``docs/rules.md``; they live in
the pure functions below so that each can be tested on a hand-made Doc.

Cues attach to a mention through its *segment*: the stretch of the sentence between clause
breaks (``but``, ``;``, a comma that opens a new subject...). A segment with no effect cue of
its own borrows from cue-only segments of the same sentence, then from the next sentences
when those name no concept ("I take X daily. It really helps.").
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.cue_matcher import SPAN_KEY as CUE_KEY
from pipeline.extract.cues import CueSet, cached_cues
from pipeline.extract.concept_matcher import SPAN_KEY as CONCEPT_KEY
from pipeline.extract.extensions import register_extensions
from pipeline.extract.lexicon import cached_lexicon
from pipeline.extract.sentences import sentence_spans, sentence_starts

EFFECT_LABELS = frozenset({
    "helped", "partial", "no_effect", "no_reaction", "worsened", "caused_by", "cessation", "relief_outcome",
    "cramp_outcome", "conditional", "temporal", "purpose", "advised", "intent", "unrelated",
})
STATE_LABELS = frozenset({"relief_outcome", "cramp_outcome"})
ACTING_LABELS = frozenset({"use", "cessation", "conditional", "temporal", "purpose", "advised", "intent", "tried"})
OUTCOME_LABELS = frozenset({"helped", "partial", "no_effect", "no_reaction", "relief_outcome", "cramp_outcome"})
PERSON_LABELS = ("family", "friend", "other_person")
SUBJECT_PRONOUNS = frozenset({"i", "my", "me", "we", "our", "she", "he", "they", "it", "her", "his", "their", "you"})
REFERENCE_PRONOUNS = frozenset({"it", "this", "that", "they", "them", "these", "those", "which"})
FIRST_PERSON = frozenset({"i", "my", "me", "i'm", "im", "myself", "mine", "we", "our", "us"})
THIRD_PERSON = frozenset({"she", "he", "they", "her", "his", "him", "their"})
CLAUSE_PUNCT = frozenset({";", ":", "!", "?", "—", "–", "...", "--"})
SOFT_CLAUSE_OPENERS = frozenset({"and", "so", "then", "which", "because", "as", "now"})
LIST_SEPARATORS = frozenset({
    ",", "and", "or", "&", "/", "plus", "nor", "and/or", "also", "the", "a", "an", "some", "more", "my", "extra",
    "of", "lots", "plenty", "with", "+",
})
# A negation before the first item of a plain list covers the rest ("don't take my magnesium,
# iron or zinc"), but not across quantifiers ("no alcohol, no soda, lots of water").
PLAIN_LIST_SEPARATORS = frozenset({",", "and", "or", "&", "/", "nor", "...", "and/or"})
NEGATION_WINDOW = 3
REFUSING_WORDS = frozenset({"don't", "dont", "do", "never", "no", "not"})
CESSATION_WINDOW = 6
CONDITIONAL_WINDOW = 12
FOLLOWING_SENTENCES = 2
_CONCEPTS = "remedy_miner.concepts"
# Marks a rule decided by cues of a later sentence ("I take magnesium. No cramps since.").
LENT_SUFFIX = ":next_sentence"
_SENTENCE_STARTS = "remedy_miner.sentence_starts"
_ABOUT_CRAMPS = "remedy_miner.about_cramps"
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


@dataclass
class Decision:
    """Role and effect for one mention, with the rule and the cues that decided them."""

    role: str
    effect: str
    rule: str
    cues: list[Span] = field(default_factory=list)

    def lent_by_other_sentences(self, sentence: Span) -> bool:
        """Every deciding cue comes from another sentence (a weaker reading)."""
        return bool(self.cues) and all(not (sentence.start <= c.start < sentence.end) for c in self.cues)


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


class Marked:
    """A concept or cue span with its label and extension values read once.

    The rules read ``start``, ``end``, ``label_`` and ``_.concept`` of the same few spans many
    times; on a spaCy Span each read goes through the vocabulary or builds an Underscore
    object. This holds the values, and answers to the same names.
    """

    __slots__ = ("span", "doc", "start", "end", "start_char", "end_char", "label_", "concept", "entry", "discovered",
                 "match_rule", "ambiguous", "_text")

    def __init__(self, span: Span, with_extensions: bool) -> None:
        self.span, self.doc = span, span.doc
        self.start, self.end = span.start, span.end
        self.start_char, self.end_char = span.start_char, span.end_char
        self.label_ = span.label_
        self._text: str | None = None
        self.ambiguous = False
        if with_extensions:
            values = span._
            self.concept, self.entry = values.concept, values.entry
            self.discovered, self.match_rule = values.discovered, values.match_rule

    @property
    def _(self) -> "Marked":
        return self

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.span.text
        return self._text

    def __len__(self) -> int:
        return self.end - self.start


def decide_claims(doc: Doc, context: ClaimContext) -> list[Claim]:
    """Claims for every concept span of ``doc``, in text order."""
    concepts = [Marked(span, True) for span in doc.spans[CONCEPT_KEY]]
    if not concepts:
        return []
    for mention in concepts:
        mention.ambiguous = mention.entry in context.ambiguous
    starts = sentence_starts(doc)
    sentences = sentence_spans(doc, starts)
    cues = [Marked(span, False) for span in doc.spans[CUE_KEY]]
    # Span groups and Span.sent are costly to rebuild; the rules below read these per-doc copies.
    doc.user_data[_SENTENCE_STARTS] = starts
    doc.user_data[_CONCEPTS] = _group_by_sentence_start(concepts, starts)
    doc.user_data[_ABOUT_CRAMPS] = any(c.label_ == "condition" for c in cues)
    try:
        return _decide_sentences(doc, context, sentences, concepts, cues)
    finally:
        doc.user_data.pop(_CONCEPTS, None)
        doc.user_data.pop(_SENTENCE_STARTS, None)
        doc.user_data.pop(_ABOUT_CRAMPS, None)


def _group_by_sentence_start(spans: list[Span], starts: list[int]) -> dict[int, list[Span]]:
    grouped: dict[int, list[Span]] = {}
    for span in spans:
        grouped.setdefault(starts[span.start], []).append(span)
    return grouped


def _concepts_near(span: Span) -> list[Span]:
    """The concept mentions of the sentence ``span`` is in (the rules look no further)."""
    return span.doc.user_data[_CONCEPTS].get(_sentence_of(span), [])


def _sentence_of(span: Span) -> int:
    """The start token of the sentence ``span`` begins in (what ``span.sent.start`` says, fast)."""
    return span.doc.user_data[_SENTENCE_STARTS][span.start]


def _decide_sentences(doc: Doc, context: ClaimContext, sentences: list[Span], concepts: list[Span], cues: list[Span]) -> list[Claim]:
    mentions_by_sentence = _by_sentence(concepts, sentences, doc)
    cues_by_sentence = _by_sentence(cues, sentences, doc)
    claims: list[Claim] = []
    previous_experiencer = "self"
    for index, sentence in enumerate(sentences):
        mentions, sentence_cues = mentions_by_sentence[index], cues_by_sentence[index]
        sentence_experiencer = experiencer_of_sentence(sentence, sentence_cues, previous_experiencer, context.imperatives)
        if mentions:
            text = sentence.text
            following = following_context(index, sentences, mentions_by_sentence, cues_by_sentence)
            segments = segment_bounds(sentence, sentence_cues)
            question = is_question(sentence, sentence_cues, text)
            asked_from = (
                question_start(sentence, sentence_cues, segment_bounds(sentence, sentence_cues, dashes=True), context.question_words)
                if question else sentence.end
            )
            for mention in mentions:
                asked = question and mention.start >= asked_from
                claim = _claim_for(mention, sentence, text.strip(), sentence_cues, segments, following, asked, sentence_experiencer, context)
                if claim is not None:
                    claims.append(claim)
        if sentence_experiencer != "general":
            previous_experiencer = sentence_experiencer
    return resolve_lent_conflicts(claims)


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


def _treated(condition: Span, segment: tuple[int, int], context: "ClaimContext") -> bool:
    """"a hysterectomy for a prolapsed uterus", "surgery to remove my fibroids": the
    condition is the object of a treatment named just before it."""
    if condition._.concept in context.other_complaints:
        return False
    doc = condition.doc
    for treatment in _concepts_near(condition):
        if segment[0] <= treatment.start and treatment.end <= condition.start and treatment.label_ != "condition":
            between = doc[treatment.end : condition.start]
            if len(between) <= 6 and any(t.lower_ in TREATMENT_LINKS for t in between):
                return True
    return False


WEAK_RULES = frozenset({"intended_remedy", "tried", "advice_to_use", "no_claim_cue"})


def _about_another_complaint(mention: Span, sentence: Span, cues: list[Span], context: "ClaimContext") -> bool:
    """The sentence is about heel pain or heartburn, not cramps ("vinegar is great for my heartburn")."""
    if any(c.label_ == "condition" for c in cues):
        return False
    others = [
        m for m in _concepts_near(mention)
        if sentence.start <= m.start < sentence.end and m._.concept in context.other_complaints and m.start != mention.start
    ]
    return bool(others)


def _claim_for(
    mention: Span,
    sentence: Span,
    sentence_text: str,
    sentence_cues: list[Span],
    segments: list[tuple[int, int]],
    following: list[Span],
    question: bool,
    sentence_experiencer: str,
    context: ClaimContext,
) -> Claim | None:
    segment = _segment_of(mention, segments)
    negation = negation_cue(mention, segment, sentence_cues)
    attached = attached_cues(mention, segment, segments, sentence_cues, sentence, following, negated=negation is not None)
    decision = decide_role(
        mention, attached, question, context, negated=negation is not None, advice=sentence_experiencer == "general",
        about_cramps=mention.doc.user_data[_ABOUT_CRAMPS],
    )
    if mention.label_ == "condition" and decision.role == "remedy":
        # A condition is never a remedy; when its treatment brought relief, it was the cause.
        if decision.effect == "helped" and _treated(mention, segment, context):
            decision = Decision("trigger", "worsened", "treated_cause", decision.cues)
        else:
            decision = Decision("mention", "unclear", "condition_not_remedy", decision.cues)
    if decision.role != "mention" and _about_another_complaint(mention, sentence, sentence_cues, context):
        decision = Decision("mention", "unclear", "about_another_complaint", decision.cues)
    if mention._.discovered and decision.rule in WEAK_RULES:
        return None
    if decision.role == "mention" and (mention._.entry in context.ambiguous or mention._.discovered):
        return None
    hedge = hedge_cue(mention, segment, sentence_cues) or next((c for c in attached if c.label_ == "hedge"), None)
    experiencer, person_cue = experiencer_of_mention(mention, segment, sentence_cues, sentence_experiencer)
    used = [*decision.cues, *(c for c in (negation, hedge, person_cue) if c is not None)]
    return Claim(
        concept=mention._.concept,
        category=mention.label_,
        entry=mention._.entry,
        role=decision.role,
        effect=decision.effect,
        negated=(negation is not None and not decision.rule.startswith("cessation")) or _refused(mention, attached),
        hedged=hedge is not None,
        question=question and decision.role != "mention",
        experiencer=experiencer,
        start=mention.start_char,
        end=mention.end_char,
        surface=mention.text,
        sentence=sentence_text,
        rule=decision.rule + (LENT_SUFFIX if decision.lent_by_other_sentences(sentence) else ""),
        cues="; ".join(f"{c.label_}: {c.text}" for c in sorted(set(used), key=lambda c: c.start)),
        discovered=bool(mention._.discovered),
        match_rule=mention._.match_rule,
        lent=decision.lent_by_other_sentences(sentence),
        sentence_start=sentence.start_char,
        sentence_end=sentence.end_char,
    )


def decide_role(
    mention: Span,
    cues: Sequence[Span],
    question: bool,
    context: ClaimContext,
    negated: bool = False,
    advice: bool = False,
    about_cramps: bool = True,
) -> Decision:
    """The first rule that fits decides the role and effect (see docs/rules.md)."""
    by_label: dict[str, list[Span]] = {}
    for cue in cues:
        by_label.setdefault(cue.label_, []).append(cue)
    has = by_label.get
    relief = [*(has("relief_outcome") or []), *(has("helped") or [])]
    if has("unrelated"):
        return Decision("mention", "unclear", "unrelated", has("unrelated")[:1])
    if question:
        return _question_decision(mention, by_label)
    cessation = [
        c for c in has("cessation") or []
        if c.end <= mention.start and mention.start - c.end <= CESSATION_WINDOW
        or c.start >= mention.end and c.start - mention.end <= CESSATION_WINDOW and _points_back_to(c)
    ]
    if cessation:
        relief = [r for r in relief if r.start != cessation[0].start]
        if relief:
            return Decision("trigger", "worsened", "cessation_relief", [cessation[0], relief[0]])
        if has("no_effect"):
            return Decision("trigger", "no_effect", "cessation_no_change", [cessation[0], has("no_effect")[0]])
        if advice and _mentions_condition(cues):
            return Decision("trigger", "worsened", "advice_to_avoid", [cessation[0]])
        if has("cramp_outcome"):
            return Decision("remedy", "helped", "cessation_relapse", [cessation[0], has("cramp_outcome")[0]])
        meant = [c for c in has("intent") or [] if c.start < cessation[0].start]
        if meant or has("purpose"):
            rule = "intended_avoidance" if meant else "avoided_for_condition"
            return Decision("trigger", "worsened", rule, [(meant or has("purpose"))[0], cessation[0]])
        if advice and _mentions_condition(cues):
            return Decision("trigger", "worsened", "advice_to_avoid", [cessation[0]])
    after = [c for c in [*(has("no_effect") or []), *(has("cramp_outcome") or [])] if c.start >= mention.end]
    if negated and after:
        return Decision("trigger", "no_effect", "negated_exposure", after[:1])
    no_reaction = has("no_reaction") or []
    if no_reaction:
        return Decision("trigger", "no_effect", "trigger_no_reaction", no_reaction[:1])
    conditional = [c for c in has("conditional") or [] if c.end <= mention.start and mention.start - c.end <= CONDITIONAL_WINDOW]
    if conditional and relief:
        return Decision("remedy", "helped", "conditional_relief", [conditional[0], relief[0]])
    if conditional and (has("cramp_outcome") or has("worsened") or _mentions_condition(cues)):
        return Decision("trigger", "worsened", "conditional_trigger", [conditional[0], *(has("cramp_outcome") or has("worsened") or [])[:1]])
    elsewhere = _sentence_of(mention)
    worsened = [c for c in has("worsened") or [] if c.start >= mention.end or _sentence_of(c) != elsewhere]
    caused_by = [
        c for c in has("caused_by") or []
        if _sentence_of(c) != elsewhere or c.end <= mention.start and mention.start - c.end <= CONDITIONAL_WINDOW
    ]
    if caused_by and relief and mention.label_ != "condition":
        return Decision("remedy", "helped", "causal_relief", [caused_by[0], relief[0]])
    if worsened or caused_by:
        cue = (worsened or caused_by)[0]
        negated_cause = _negated(cue, cues)
        effect = "no_effect" if negated_cause else "worsened"
        return Decision("trigger", effect, "causative_negated" if negated_cause else "causative", [cue])
    temporal = [c for c in has("temporal") or [] if _temporal_reaches(c, mention)]
    if temporal and relief:
        return Decision("remedy", "helped", "temporal_relief", [temporal[0], relief[0]])
    outcome = has("cramp_outcome") or has("condition") or []
    if temporal and outcome:
        return Decision("trigger", "worsened", "temporal_trigger", [temporal[0], outcome[0]])
    exposure = [c for c in has("use") or [] if c.end <= mention.start]
    later_outcome = [c for c in has("cramp_outcome") or [] if c.start >= mention.end and _sentence_of(c) == _sentence_of(mention)]
    if exposure and later_outcome and not relief and not has("no_effect"):
        return Decision("trigger", "worsened", "exposure_outcome", [exposure[0], later_outcome[0]])
    compared = [c for c in has("comparison") or [] if c.end <= mention.start and mention.start - c.end <= 3]
    if compared and (has("helped") or has("partial") or has("no_effect")):
        return Decision("remedy", "unclear", "comparison_baseline", [compared[0]])
    if has("no_effect"):
        return Decision("remedy", "no_effect", "no_effect", has("no_effect")[:1])
    if has("partial"):
        return Decision("remedy", "partial", "partial", has("partial")[:1])
    if relief:
        if _negated_before(relief[0], mention, cues):
            return Decision("remedy", "no_effect", "helped_negated", relief[:1])
        return Decision("remedy", "helped", "helped", relief[:1])
    purpose = [c for c in has("purpose") or [] if c.start >= mention.end or _sentence_of(c) != elsewhere]
    advised = [c for c in has("advised") or [] if c.end <= mention.start and about_cramps]
    if purpose or advised:
        return Decision("remedy", "unclear", "use_for_condition", (purpose or advised)[:1])
    intent = [c for c in has("intent") or [] if c.start < mention.start]
    if intent and cessation:
        return Decision("trigger", "worsened", "intended_avoidance", [intent[0], cessation[0]])
    if intent and (has("use") or mention.start - intent[-1].end <= 3):
        return Decision("remedy", "unclear", "intended_remedy", [intent[-1]])
    tried = [c for c in has("tried") or [] if c.end <= mention.start]
    if tried:
        return Decision("remedy", "unclear", "tried", tried[:1])
    used = [c for c in has("use") or [] if c.end <= mention.start]
    if advice and used:
        return Decision("remedy", "unclear", "advice_to_use", used[:1])
    return Decision("mention", "unclear", "no_claim_cue")


def _question_decision(mention: Span, by_label: dict[str, list[Span]]) -> Decision:
    if mention.start > 0 and mention.doc[mention.start - 1].lower_ in {"with", "while", "alongside"}:
        return Decision("mention", "unclear", "question_companion", [])
    trigger_cues = [*(by_label.get("worsened") or []), *(by_label.get("conditional") or []), *(by_label.get("temporal") or [])]
    if trigger_cues and not by_label.get("helped") and not by_label.get("purpose"):
        return Decision("trigger", "unclear", "question_trigger", trigger_cues[:1])
    if mention.label_ == "condition":
        return Decision("trigger", "unclear", "question_trigger", [])
    asked = [*(by_label.get("helped") or []), *(by_label.get("purpose") or [])]
    return Decision("remedy", "unclear", "question_remedy", asked[:1])


def _negated_before(cue: Span, mention: Span, cues: Sequence[Span]) -> bool:
    """"I don't think X helps": a negation before the mention turns its helped cue."""
    return any(
        c.label_ == "negation" and c.end <= mention.start and 0 <= cue.start - c.end <= 8
        for c in cues
    )


def _points_back_to(cue: Span) -> bool:
    """"the coffee, I cut it out": a cessation that names what it stops with a pronoun."""
    return any(word in REFERENCE_PRONOUNS for word in cue.text.lower().split()[1:])


def _refused(mention: Span, cues: Sequence[Span]) -> bool:
    """"I don't drink coffee": a cessation cue that is a negated use, right before the mention."""
    return any(
        c.label_ == "cessation" and c.end <= mention.start and mention.start - c.end <= NEGATION_WINDOW
        and c.text.split(" ", 1)[0].lower() in REFUSING_WORDS
        for c in cues
    )


def _temporal_reaches(cue: Span, mention: Span) -> bool:
    """"after drinking X", "started after I began X", or "X ... an hour later"."""
    if _sentence_of(cue) != _sentence_of(mention):
        return True
    if cue.end <= mention.start:
        return mention.start - cue.end <= CONDITIONAL_WINDOW
    return "later" in cue.text.lower() and cue.start - mention.end <= CONDITIONAL_WINDOW


def _mentions_condition(cues: Sequence[Span]) -> bool:
    return any(c.label_ == "condition" for c in cues)


def _negated(cue: Span, cues: Sequence[Span]) -> bool:
    return any(c.label_ == "negation" and 0 <= cue.start - c.end <= 2 for c in cues)


def attached_cues(
    mention: Span,
    segment: tuple[int, int],
    segments: list[tuple[int, int]],
    sentence_cues: list[Span],
    sentence: Span,
    following: list[Span],
    negated: bool = False,
) -> list[Span]:
    """The cues that speak about ``mention``: its segment's, else borrowed ones.

    A segment without an effect cue borrows the effect cues of segments in the same
    sentence that name no concept, and then outcome cues from the next sentences.
    """
    start, end = segment
    mentions = [m for m in _concepts_near(mention) if start <= m.start < end]
    own = [
        c for c in sentence_cues
        if start <= c.start and c.end <= end and not _inside(c, mention) and not _separated(mention, c, mentions)
        and not (c.label_ == "relief_outcome" and c.end == mention.start)  # "no more sugar": not an outcome
    ]
    concept_tokens = {i for span in _concepts_near(mention) for i in range(span.start, span.end)}
    free = [c for c in sentence_cues if not (start <= c.start and c.end <= end)
            and not _segment_has_concept(_segment_of(c, segments), concept_tokens)]
    if not any(c.label_ in EFFECT_LABELS for c in own):
        own += [c for c in free if c.label_ in EFFECT_LABELS and (c.start >= end or c.label_ in STATE_LABELS)]
    elif not any(c.label_ in OUTCOME_LABELS for c in own):
        causal = any(c.label_ in {"worsened", "caused_by"} for c in own)
        own += [
            c for c in free
            if (c.label_ in OUTCOME_LABELS or c.label_ == "worsened" and not causal)
            and (c.start >= end or c.label_ in STATE_LABELS)
        ]
    if not any(c.label_ in OUTCOME_LABELS for c in own) and not negated and _acts_on(mention, own, mentions):
        own += following
    return own


def _acts_on(mention: Span, cues: list[Span], mentions: list[Span]) -> bool:
    """Later sentences' outcomes belong to a mention that something is done with (taken,
    stopped, tried...), or to the only thing its clause names."""
    if any(c.label_ in ACTING_LABELS for c in cues) or len({m._.concept for m in mentions}) == 1:
        return True
    first_in_sentence = min(mentions, key=lambda m: m.start, default=mention)
    return first_in_sentence.start == mention.start


def _separated(mention: Span, cue: Span, mentions: list[Span]) -> bool:
    """Another mention stands between the cue and this one, and is not in a list with it."""
    low, high = (mention.end, cue.start) if cue.start >= mention.end else (cue.end, mention.start)
    between = [
        m for m in mentions
        if low <= m.start and m.end <= high and m._.concept != mention._.concept and m.label_ != "condition"
        and not m.ambiguous
    ]
    if not between:
        return False
    doc = mention.doc
    chain = sorted([mention, *between], key=lambda m: m.start)
    return not all(_only_separators(doc[a.end:b.start]) for a, b in zip(chain, chain[1:]))


def _only_separators(tokens: Span) -> bool:
    return all(t.lower_ in LIST_SEPARATORS or t.is_space for t in tokens)


def _segment_has_concept(segment: tuple[int, int], concept_tokens: set[int]) -> bool:
    return any(segment[0] <= i < segment[1] for i in concept_tokens)


def following_context(index: int, sentences: list[Span], mentions: list[list[Span]], cues: list[list[Span]]) -> list[Span]:
    """Cues of the next sentences that still speak about this sentence's concepts.

    A sentence that points back ("It really helps", "I wonder if that is related") lends
    its effect and hedge cues; a sentence that names no new concept lends its outcome cues
    ("No leg cramps for months."). The search ends at the first outcome, or at a sentence
    that names a concept of its own (conditions aside).
    """
    concepts_here = {m._.concept for m in mentions[index]}
    lent: list[Span] = []
    for later in range(index + 1, min(index + 1 + FOLLOWING_SENTENCES, len(cues))):
        if any(m.label_ != "condition" and m._.concept not in concepts_here for m in mentions[later]):
            break
        if _points_back(sentences[later], cues[later]):
            lent.extend(c for c in cues[later] if c.label_ in EFFECT_LABELS or c.label_ == "hedge")
        else:
            lent.extend(c for c in cues[later] if c.label_ in OUTCOME_LABELS)
        if any(c.label_ in OUTCOME_LABELS for c in lent):
            break
    return lent


def _points_back(sentence: Span, cues: Iterable[Span]) -> bool:
    first_effect = min((c.end for c in cues if c.label_ in EFFECT_LABELS), default=sentence.end)
    return any(t.lower_ in REFERENCE_PRONOUNS for t in sentence.doc[sentence.start:first_effect])


def segment_bounds(sentence: Span, cues: Iterable[Span], *, dashes: bool = False) -> list[tuple[int, int]]:
    """Token ranges of the sentence's clauses (see module docstring).

    With ``dashes``, a spaced hyphen also breaks a clause: used to find where a question
    begins ("no cramps on holiday - could it be the salt?"), but not for attaching cues,
    since dashes as often enclose an aside ("relief - at least by day - from stockings").
    """
    doc = sentence.doc
    breaks = {c.start for c in cues if c.label_ == "contrast" and c.start > sentence.start}
    for token in sentence:
        spaced_dash = dashes and token.text == "-" and token.whitespace_ and token.i > 0 and doc[token.i - 1].whitespace_
        if (token.text in CLAUSE_PUNCT or spaced_dash) and token.i + 1 < sentence.end:
            breaks.add(token.i + 1)
        elif token.text == "," and token.i + 1 < sentence.end:
            following = doc[token.i + 1].lower_
            if following in SUBJECT_PRONOUNS or following in SOFT_CLAUSE_OPENERS:
                breaks.add(token.i + 1)
    bounds = [sentence.start, *sorted(b for b in breaks if sentence.start < b < sentence.end), sentence.end]
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def _segment_of(span: Span, segments: list[tuple[int, int]]) -> tuple[int, int]:
    for segment in segments:
        if segment[0] <= span.start < segment[1]:
            return segment
    return segments[-1]


def is_question(sentence: Span, cues: Iterable[Span], text: str | None = None) -> bool:
    """A sentence asks when it ends with ``?`` or opens with a question phrase
    ("has anyone tried ..."), and is not a rhetorical claim ("am I the only one ...")."""
    cues = list(cues)
    if any(c.label_ == "rhetorical" for c in cues):
        return False
    if (sentence.text if text is None else text).rstrip().endswith("?"):
        return True
    first = next((t.i for t in sentence if not t.is_space and not t.is_punct), sentence.start)
    return any(c.label_ == "question_start" and c.start == first and len(c) > 1 for c in cues)


def question_start(sentence: Span, cues: Iterable[Span], segments: list[tuple[int, int]], question_words: frozenset[str] = frozenset()) -> int:
    """Where the asking begins: the last clause that opens with a question word, else the
    sentence start ("I had no cramps on holiday - could it be the salt?" asks only about salt)."""
    openers = {c.start for c in cues if c.label_ in {"question_start", "hedge"}}
    openers |= {t.i for t in sentence if t.lower_ in question_words}
    start = sentence.start
    contrast_words = {c.start for c in cues if c.label_ == "contrast"}
    for segment_start, segment_end in segments:
        words = [t.i for t in sentence.doc[segment_start:segment_end] if not t.is_punct and not t.is_space]
        if words and words[0] in contrast_words:
            words = words[1:]
        if words and words[0] in openers:
            start = segment_start
    return start


def negation_cue(mention: Span, segment: tuple[int, int], cues: Iterable[Span]) -> Span | None:
    """A negation right before the mention, or before the head of the list it is in
    ("I don't drink coffee", "they don't take my magnesium, iron or zinc")."""
    head = list_head(mention, segment)
    for cue in cues:
        if cue.label_ == "negation" and segment[0] <= cue.start and cue.end <= head.start:
            if head.start - cue.end <= NEGATION_WINDOW:
                return cue
    return None


def list_head(mention: Span, segment: tuple[int, int]) -> Span:
    """The first mention of the list (joined by commas, "and", "or") that ``mention`` ends."""
    doc = mention.doc
    earlier = [m for m in _concepts_near(mention) if segment[0] <= m.start and m.end <= mention.start]
    head = mention
    for candidate in reversed(earlier):
        if not all(t.lower_ in PLAIN_LIST_SEPARATORS or t.is_space for t in doc[candidate.end : head.start]):
            break
        head = candidate
    return head


def hedge_cue(mention: Span, segment: tuple[int, int], cues: Iterable[Span]) -> Span | None:
    """A hedge before the mention in its sentence, or anywhere in its segment."""
    for cue in cues:
        if cue.label_ == "hedge" and (cue.start < mention.start or segment[0] <= cue.start < segment[1]):
            return cue
    return None


def experiencer_of_sentence(sentence: Span, cues: Iterable[Span], previous: str, imperatives: frozenset[str]) -> str:
    """Who the sentence is about, before looking at any one mention."""
    first = next((t for t in sentence if not t.is_space and not t.is_punct), None)
    if first is None:
        return "self"
    person = next((c for c in cues if c.label_ in PERSON_LABELS and c.start - first.i <= 2), None)
    if person is not None:
        return _experiencer_label(person.label_)
    carried = previous in {"family", "friend", "other"}
    if carried and (first.lower_ in THIRD_PERSON or not any(t.lower_ in FIRST_PERSON for t in sentence)):
        return previous
    if any(c.label_ == "general" for c in cues):
        return "general"
    second = first.nbor(1) if first.i + 1 < sentence.end else None
    if first.lower_ in imperatives and (second is None or second.lower_ not in SUBJECT_PRONOUNS | {"anyone", "anybody"}):
        return "general"
    return "self"


def experiencer_of_mention(
    mention: Span, segment: tuple[int, int], cues: Iterable[Span], sentence_experiencer: str
) -> tuple[str, Span | None]:
    """A person named in the mention's segment overrides the sentence's experiencer."""
    for cue in cues:
        if cue.label_ not in PERSON_LABELS or not segment[0] <= cue.start < segment[1]:
            continue
        before = cue.end <= mention.start
        beneficiary = cue.start >= mention.end and cue.start > 0 and cue.doc[cue.start - 1].lower_ == "for"
        if before or beneficiary:
            return _experiencer_label(cue.label_), cue
    return sentence_experiencer, None


def _experiencer_label(cue_label: str) -> str:
    return "other" if cue_label == "other_person" else cue_label


def _by_sentence(spans: list[Span], sentences: list[Span], doc: Doc) -> list[list[Span]]:
    """Spans grouped by the sentence they start in, in sentence order."""
    index = {sentence.start: position for position, sentence in enumerate(sentences)}
    starts = doc.user_data[_SENTENCE_STARTS]
    grouped: list[list[Span]] = [[] for _ in sentences]
    for span in spans:
        grouped[index[starts[span.start]]].append(span)
    return grouped


def _inside(cue: Span, mention: Span) -> bool:
    """A cue wholly inside the mention ("use" in "use heat") says nothing about it."""
    return mention.start <= cue.start and cue.end <= mention.end
