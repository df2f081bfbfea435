"""Blood clots (``dvt``) and symptoms that need prompt care (``red_flag_symptom``).

A clot mentioned in passing is still a flag, at a severity set by its status: a swollen hot
calf today is urgent, "I had a clot last year" medium, "no clots on my scan" low.
"""
from __future__ import annotations

from pipeline.flag.context import CommentView
from pipeline.flag.findings import LEADS, Finding, most_severe, reason, severity_for
from pipeline.flag.rules import DROP, Hit, SafetyRules
from pipeline.flag.text import minutes_in


def dvt_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Clot words, clot signs in a leg, and a risk factor next to a leg complaint."""
    findings: list[Finding] = []
    signs = [(hit, view.status(hit.start, hit.end)) for hit in view.hits("dvt_sign")]
    current_signs = [hit for hit, status in signs if status == "current"] + _current_red_flags(view)
    term_policy = rules.status_severity.get("dvt_term", {})
    for hit in view.hits("dvt_term"):
        status = view.status(hit.start, hit.end)
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


def red_flag_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Red-flag symptom phrases, plus the clot signs that are red flags too (``red_flag_includes``)."""
    policy = rules.status_severity.get("red_flag_symptom", {})
    findings = []
    for hit in _red_flag_hits(view, rules):
        status = view.status(hit.start, hit.end)
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


def _red_flag_hits(view: CommentView, rules: SafetyRules) -> list[Hit]:
    hits = list(view.hits("red_flag_symptom"))
    for set_name in rules.red_flag_includes:
        hits += view.hits(set_name)
    return [hit for hit in hits if _lasts_long_enough(hit)]


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
