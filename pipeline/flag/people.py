"""Who a comment is about: ``elderly``, ``pregnancy`` and ``pediatric_medication``."""
from __future__ import annotations

from pipeline.flag.context import ClaimView, CommentView
from pipeline.flag.findings import LEADS, Finding, reason
from pipeline.flag.rules import Hit, SafetyRules
from pipeline.flag.text import parse_number

MAX_AGE = 120
_YEAR_OLD_WORDS = ("year", "yr", "yo", "y/o", "y.o")
_GIVEN_CATEGORIES = frozenset({"food", "drink"})


def stated_ages(view: CommentView) -> list[tuple[int, Hit]]:
    """Ages written in the comment ("I'm 84", "93 year old", "in my eighties"), not negated."""
    ages = []
    for hit in view.hits("age"):
        age = parse_number(hit.text)
        if age is not None and 0 < age < MAX_AGE and not view.is_negated(hit.start, hit.end):
            ages.append((int(age), hit))
    return ages


def senior_evidence(view: CommentView, rules: SafetyRules, min_age: int) -> str:
    """Why the comment reads as an older person's ("age 93", "retired"), or ``""``."""
    for age, hit in stated_ages(view):
        if age >= min_age:
            return f"age {age}"
    for hit in view.hits("senior_context"):
        if not view.is_negated(hit.start, hit.end):
            return hit.text.strip().lower()
    return ""


def elderly_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """A stated age of 75 or more (or "elderly", "care home") together with medicines or symptoms."""
    medicines = view.medicine_claims()
    conditions = [c for c in view.claims if c.category == "condition" and not c.negated]
    if not medicines and not conditions and not view.hits("symptom_words"):
        return []  # settled before the costlier search for ages
    old = [(f"an age of {age}", hit) for age, hit in stated_ages(view) if age >= rules.settings["elderly_min_age"]]
    old += [(f"\"{hit.text.strip()}\"", hit) for hit in view.hits("elderly_words") if not view.is_negated(hit.start, hit.end)]
    if not old:
        return []
    symptoms = [h for h in view.hits("symptom_words") if not view.is_negated(h.start, h.end)] + conditions
    if not medicines and not symptoms:
        return []
    rule = rules.elderly
    context = " and ".join(word for word, present in (("medicines", medicines), ("symptoms", symptoms)) if present)
    return [
        Finding("elderly", rule.severity, reason(f"States {what} together with {context}", rule.why), hit.start, hit.end,
                f"elderly/{hit.cue.name}", rule.source)
        for what, hit in old
    ]


def pregnancy_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Pregnant or nursing now, with a remedy or medicine named, or with a swollen or red leg."""
    policy = rules.status_severity.get("pregnancy", {"historical": "drop", "negated": "drop", "general": "drop"})
    remedies = _remedies(view, rules)
    leg_signs = [h for h in view.hits("dvt_sign") if view.status(h.start, h.end) == "current"]
    if not remedies and not leg_signs:
        return []
    rule = rules.pregnancy
    findings = []
    idioms = view.hits("pregnancy_idiom")
    for hit in view.hits("pregnancy"):
        if any(idiom.start < hit.end and hit.start < idiom.end for idiom in idioms):
            continue
        status = view.status(hit.start, hit.end)
        if status != "current" and policy.get(status, "drop") == "drop":
            continue
        if leg_signs:
            severity, lead = rule.raised_severity, f"{LEADS[status].format(label=hit.cue.label)} with {leg_signs[0].cue.label}"
        else:
            severity = rule.severity if status == "current" else policy[status]
            lead = f"{LEADS[status].format(label=hit.cue.label)} and mentions {remedies[0].concept}"
        findings.append(Finding("pregnancy", severity, reason(lead, rule.why), hit.start, hit.end,
                                f"pregnancy/{hit.cue.name}/{status}", rule.source))
    return findings


def _remedies(view: CommentView, rules: SafetyRules) -> list[ClaimView]:
    """Medicines, supplements, topicals and remedies named, plus hazardous ones merely mentioned (tonic water).

    Worked out once per comment (the pregnancy and pediatric rules both ask).
    """
    remedies = view.memo.get("remedies")
    if remedies is None:
        named = view.remedy_or_medicine_claims()
        remedies = view.memo["remedies"] = named + [
            c for c in view.claims
            if not c.negated and c not in named and rules.hazardous.may_match(c.concept, c.classes)
        ]
    return remedies


def pediatric_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """A child, and a medicine or remedy given to them or asked about, in the same or a next sentence."""
    if not _anything_given(view, rules):
        return []
    findings = []
    for child in _children(view, rules):
        if not view.near("child_giving", child.start):
            continue
        low, high = view.sentence_range(child.start, 1)
        claims = [c for c in _remedies(view, rules) if low <= c.start < high] + _foods_given(view, low, high)
        medicine_words = view.hits_between("medicine_words", low, high)
        if not claims and not medicine_words:
            continue
        findings.append(_pediatric_finding(rules, child, claims, medicine_words))
    return findings


def _anything_given(view: CommentView, rules: SafetyRules) -> bool:
    """A remedy, a food or drink, or a medicine word anywhere in the comment: without one there is
    nothing a child could be given, and the costlier search for children and ages is skipped."""
    return bool(_remedies(view, rules) or _food_mentions(view) or view.hits("medicine_words"))


def _food_mentions(view: CommentView) -> list[ClaimView]:
    return [claim for claim in view.claims
            if not claim.negated and claim.role == "mention" and claim.category in _GIVEN_CATEGORIES]


def _foods_given(view: CommentView, low: int, high: int) -> list[ClaimView]:
    """Foods and drinks named in a sentence that gives something to a child ("we give him a banana").

    Extract records such food as a mere mention (no claim about cramps), so the remedy list
    misses it; the giving cue is what makes it a remedy given to the child.
    """
    giving = view.hits_between("child_giving", low, high)
    return [claim for claim in _food_mentions(view)
            if any(view.sentence_of(claim.start) == view.sentence_of(hit.start) for hit in giving)]


def _children(view: CommentView, rules: SafetyRules) -> list[Hit]:
    young_ages = [
        hit for age, hit in stated_ages(view)
        if age <= rules.settings["child_max_age"] and any(w in hit.text.lower() for w in _YEAR_OLD_WORDS)
    ]
    words = view.hits("child_young") + view.hits("child_relation")
    if words:  # grown-up sons and daughters only matter where there are such words
        adults = _adult_relatives(view, rules)
        words = [hit for hit in words if not any(adult.start <= hit.start and hit.end <= adult.end for adult in adults)]
    children = [hit for hit in words + young_ages if not view.is_negated(hit.start, hit.end)]
    return sorted(children, key=lambda h: h.start)


def _adult_relatives(view: CommentView, rules: SafetyRules) -> list[Hit]:
    """Sons, daughters and grandchildren said to be grown up or older than a child."""
    adults = []
    for hit in view.hits("relative_age"):
        age = parse_number(hit.text)
        if age is None or age > rules.settings["child_max_age"]:
            adults.append(hit)
    return adults


def _pediatric_finding(rules: SafetyRules, child: Hit, claims: list[ClaimView], medicine_words: list[Hit]) -> Finding:
    rule = rules.pediatric
    warned = [(w, c) for c in claims for w in rule.warnings
              if c.concept in w.side.concepts or c.classes & w.side.classes]
    medicines = [c for c in claims if c.category in rule.high_categories and c.concept not in ("medication",)]
    if warned:
        warning, claim = warned[0]
        severity, what, why, source = rule.raised_severity, claim.concept, warning.why, warning.source
    elif medicines or medicine_words:
        what = medicines[0].concept if medicines else f"a medicine (\"{medicine_words[0].text.strip()}\")"
        severity, why, source = rule.raised_severity, rule.why, rule.source
    else:
        severity, what, why, source = rule.severity, claims[0].concept, rule.why, rule.source
    lead = f"Gives or asks about {what} for a child (\"{child.text.strip()}\")"
    return Finding("pediatric_medication", severity, reason(lead, why), child.start, child.end,
                   f"pediatric/{child.cue.name}", source)
