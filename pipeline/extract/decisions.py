"""The decision rules: the first that fits a mention's cues decides its role and effect.

The rules, in order, with an example each, are documented in ``docs/rules.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from pipeline.extract.clauses import NEGATION_WINDOW, REFERENCE_PRONOUNS
from pipeline.extract.doc_state import Marked, Sentence, sentence_of

if TYPE_CHECKING:
    from pipeline.extract.context import ClaimContext

REFUSING_WORDS = frozenset({"don't", "dont", "do", "never", "no", "not"})

CESSATION_WINDOW = 6

CONDITIONAL_WINDOW = 12

@dataclass
class Decision:
    """Role and effect for one mention, with the rule and the cues that decided them."""

    role: str
    effect: str
    rule: str
    cues: list[Marked] = field(default_factory=list)

    def lent_by_other_sentences(self, sentence: Sentence) -> bool:
        """Every deciding cue comes from another sentence (a weaker reading)."""
        return bool(self.cues) and all(not (sentence.start <= c.start < sentence.end) for c in self.cues)

def decide_role(
    mention: Marked,
    cues: Sequence[Marked],
    question: bool,
    context: ClaimContext,
    negated: bool = False,
    advice: bool = False,
    about_cramps: bool = True,
) -> Decision:
    """The first rule that fits decides the role and effect (see docs/rules.md)."""
    by_label: dict[str, list[Marked]] = {}
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
        or sentence_of(c) != sentence_of(mention)  # lent by a sentence that points back at the thing
        or c.start < mention.start and mention.end < c.end  # "cut the coffee down"
    ]
    if cessation:
        relief = [r for r in relief if r.start != cessation[0].start]
        if relief:
            return Decision("trigger", "worsened", "cessation_relief", [cessation[0], relief[0]])
        if has("no_effect"):
            return Decision("trigger", "no_effect", "cessation_no_change", [cessation[0], has("no_effect")[0]])
        if advice and mentions_condition(cues):
            return Decision("trigger", "worsened", "advice_to_avoid", [cessation[0]])
        if has("cramp_outcome"):
            return Decision("remedy", "helped", "cessation_relapse", [cessation[0], has("cramp_outcome")[0]])
        meant = [c for c in has("intent") or [] if c.start < cessation[0].start]
        if meant or has("purpose"):
            rule = "intended_avoidance" if meant else "avoided_for_condition"
            return Decision("trigger", "worsened", rule, [(meant or has("purpose"))[0], cessation[0]])
        if advice and mentions_condition(cues):
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
    if conditional and (has("cramp_outcome") or has("worsened") or mentions_condition(cues)):
        return Decision("trigger", "worsened", "conditional_trigger", [conditional[0], *(has("cramp_outcome") or has("worsened") or [])[:1]])
    elsewhere = sentence_of(mention)
    worsened = [c for c in has("worsened") or [] if c.start >= mention.end or sentence_of(c) != elsewhere]
    caused_by = [
        c for c in has("caused_by") or []
        if sentence_of(c) != elsewhere or c.end <= mention.start and mention.start - c.end <= CONDITIONAL_WINDOW
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
    later_outcome = [c for c in has("cramp_outcome") or [] if c.start >= mention.end and sentence_of(c) == sentence_of(mention)]
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
    purpose = [c for c in has("purpose") or [] if c.start >= mention.end or sentence_of(c) != elsewhere]
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

def _question_decision(mention: Marked, by_label: dict[str, list[Marked]]) -> Decision:
    if mention.start > 0 and mention.words.lower[mention.start - 1] in {"with", "while", "alongside"}:
        return Decision("mention", "unclear", "question_companion", [])
    trigger_cues = [*(by_label.get("worsened") or []), *(by_label.get("conditional") or []), *(by_label.get("temporal") or [])]
    if trigger_cues and not by_label.get("helped") and not by_label.get("purpose"):
        return Decision("trigger", "unclear", "question_trigger", trigger_cues[:1])
    if mention.label_ == "condition":
        return Decision("trigger", "unclear", "question_trigger", [])
    asked = [*(by_label.get("helped") or []), *(by_label.get("purpose") or [])]
    return Decision("remedy", "unclear", "question_remedy", asked[:1])

def _negated_before(cue: Marked, mention: Marked, cues: Sequence[Marked]) -> bool:
    """"I don't think X helps": a negation before the mention turns its helped cue."""
    return any(
        c.label_ == "negation" and c.end <= mention.start and 0 <= cue.start - c.end <= 8
        for c in cues
    )

def _points_back_to(cue: Marked) -> bool:
    """"the coffee, I cut it out": a cessation that names what it stops with a pronoun."""
    return any(word in REFERENCE_PRONOUNS for word in cue.text.lower().split()[1:])

def refused(mention: Marked, cues: Sequence[Marked]) -> bool:
    """"I don't drink coffee": a cessation cue that is a negated use, right before the mention."""
    return any(
        c.label_ == "cessation" and c.end <= mention.start and mention.start - c.end <= NEGATION_WINDOW
        and c.text.split(" ", 1)[0].lower() in REFUSING_WORDS
        for c in cues
    )

def _temporal_reaches(cue: Marked, mention: Marked) -> bool:
    """"after drinking X", "started after I began X", or "X ... an hour later"."""
    if sentence_of(cue) != sentence_of(mention):
        return True
    if cue.end <= mention.start:
        return mention.start - cue.end <= CONDITIONAL_WINDOW
    return "later" in cue.text.lower() and cue.start - mention.end <= CONDITIONAL_WINDOW

def mentions_condition(cues: Sequence[Marked]) -> bool:
    return any(c.label_ == "condition" for c in cues)

def _negated(cue: Marked, cues: Sequence[Marked]) -> bool:
    return any(c.label_ == "negation" and 0 <= cue.start - c.end <= 2 for c in cues)
