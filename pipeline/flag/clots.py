"""Blood clots (``dvt``) and symptoms that need prompt care (``red_flag_symptom``).

A clot mentioned in passing is still a flag, at a severity set by its status: a swollen hot
calf today is urgent, "I had a clot last year" or "I'm afraid it's a clot" medium, "no clots on
my scan" low. A clot ruled out anywhere in a comment also settles the fear and the leg signs
told before it ("I was sure it was a clot ... the ultrasound showed no clot").
"""
from __future__ import annotations

from pipeline.flag.context import CommentView
from pipeline.flag.findings import LEADS, Finding, most_severe, reason, severity_for
from pipeline.flag.rules import DROP, Hit, SafetyRules
from pipeline.flag.text import minutes_in


def dvt_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Clot words, clot signs in a leg, and a risk factor next to a leg complaint."""
    findings: list[Finding] = []
    signs = [(hit, clot_sign_status(view, hit)) for hit in view.hits("dvt_sign")]
    current_signs = [hit for hit, status in signs if status == "current"] + _current_red_flags(view)
    term_policy = rules.status_severity.get("dvt_term", {})
    for hit in view.hits("dvt_term"):
        status = _clot_term_status(view, hit)
        severity = severity_for(status, hit.cue.severity, term_policy)
        lead = LEADS[status].format(label=hit.cue.label)
        if status == "current" and current_signs:
            severity = most_severe(severity, rules.settings["dvt_with_current_signs"])
            lead += f" with {current_signs[0].cue.label} now"
        findings.append(Finding("dvt", severity, reason(lead, hit.cue.why), hit.start, hit.end,
                                f"dvt_term/{hit.cue.name}/{status}", hit.cue.source))
    sign_policy = rules.status_severity.get("dvt_sign", {})
    for hit, status in signs:
        severity = severity_for(status, hit.cue.severity, sign_policy)
        lead = LEADS[status].format(label=hit.cue.label)
        findings.append(Finding("dvt", severity, reason(lead, hit.cue.why), hit.start, hit.end,
                                f"dvt_sign/{hit.cue.name}/{status}", hit.cue.source))
    findings += _risk_with_leg_complaint(view, rules)
    return findings


def clot_sign_status(view: CommentView, hit: Hit) -> str:
    """A leg sign's status, ``negated`` when a clot is ruled out later in the comment (or in its sentence).

    A sign said to be there now ("still swollen") stands whatever a scan showed.
    """
    status = view.status(hit.start, hit.end)
    if status in ("current", "question") and _ruled_out_after(view, hit) and not view.in_clause("current", hit.start, hit.end):
        return "negated"
    return status


def _clot_term_status(view: CommentView, hit: Hit) -> str:
    """The status of a clot word: feared or guessed is ``suspected``; ruled out afterwards is ``negated``.

    A fear told in the past tense ("I thought I had a DVT") is still only a fear, not a past clot.
    """
    status = view.status(hit.start, hit.end)
    if status in ("current", "historical") and view.opens_clause("suspicion", hit.start):
        status = "suspected"
    if status in ("current", "suspected", "question") and _ruled_out_after(view, hit):
        return "negated"
    return status


def _ruled_out_after(view: CommentView, hit: Hit) -> bool:
    """A clot denied or a test found clear in the hit's sentence or any later one."""
    sentence_start, _ = view.sentence_range(hit.start)
    denied = [term.start for term in view.hits("dvt_term") if view.status(term.start, term.end) == "negated"]
    all_clear = [cue.start for cue in view.hits("clot_all_clear")] if view.hits("dvt_term") else []
    return any(offset >= sentence_start for offset in denied + all_clear)


def red_flag_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Red-flag symptom phrases, plus the clot signs that are red flags too (``red_flag_includes``)."""
    policy = rules.status_severity.get("red_flag_symptom", {})
    findings = []
    for hit, is_clot_sign in _red_flag_hits(view, rules):
        status = clot_sign_status(view, hit) if is_clot_sign else view.status(hit.start, hit.end)
        severity = severity_for(status, hit.cue.severity, policy)
        if severity == DROP:
            continue
        lead = LEADS[status].format(label=hit.cue.label)
        findings.append(Finding("red_flag_symptom", severity, reason(lead, hit.cue.why), hit.start, hit.end,
                                f"red_flag_symptom/{hit.cue.name}/{status}", hit.cue.source))
    return findings + _bleeding_on_thinners(view, rules)


def _bleeding_on_thinners(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Bleeding or bruising now, in a comment naming a blood thinner or quinine being taken."""
    rule = rules.bleeding_red_flag
    if rule is None or not view.hits("bleeding"):
        return []
    medicines = [c for c in view.claims if not c.negated and not c.question and c.experiencer != "general"
                 and (c.concept in rule.with_any.concepts or c.classes & rule.with_any.classes)]
    if not medicines:
        return []
    findings = []
    for hit in view.hits("bleeding"):
        if view.status(hit.start, hit.end) == "current":
            lead = f"Reports {hit.text.strip()} while taking {medicines[0].concept}"
            findings.append(Finding("red_flag_symptom", rule.severity, reason(lead, rule.why), hit.start, hit.end,
                                    "red_flag_symptom/bleeding on a blood thinner/current", rule.source))
    return findings


def _red_flag_hits(view: CommentView, rules: SafetyRules) -> list[tuple[Hit, bool]]:
    """Red-flag hits that count, each with whether it came from an included clot-sign set."""
    hits = [(hit, False) for hit in view.hits("red_flag_symptom")]
    for set_name in rules.red_flag_includes:
        hits += [(hit, set_name == "dvt_sign") for hit in view.hits(set_name)]
    return [(hit, is_clot_sign) for hit, is_clot_sign in hits if _lasts_long_enough(hit)]


def _lasts_long_enough(hit: Hit) -> bool:
    """A duration entry ("cramp lasted N minutes") counts only above its threshold."""
    if hit.cue.more_than_minutes is None:
        return True
    minutes = minutes_in(hit.text)
    return minutes is not None and minutes > hit.cue.more_than_minutes


def _current_red_flags(view: CommentView) -> list[Hit]:
    return [hit for hit in view.hits("red_flag_symptom")
            if _lasts_long_enough(hit) and view.status(hit.start, hit.end) == "current"]


def _risk_with_leg_complaint(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """A long flight or an operation beside a painful or swollen leg, in the same or the next sentence."""
    findings = []
    for risk in view.hits("dvt_risk_factor"):
        if view.is_negated(risk.start, risk.end):
            continue
        for complaint in view.near("leg_complaint", risk.start):
            status = view.status(complaint.start, complaint.end)
            if status not in ("current", "question"):
                continue
            lead = f"Reports {complaint.text.strip()} after or during {risk.cue.label}"
            start, end = min(risk.start, complaint.start), max(risk.end, complaint.end)
            findings.append(Finding("dvt", rules.settings["dvt_risk_with_leg_complaint"], reason(lead, risk.cue.why),
                                    start, end, f"dvt_risk_factor/{risk.cue.name}/{status}", risk.cue.source))
    return findings
