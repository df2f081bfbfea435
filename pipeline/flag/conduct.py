"""Moderation flags: ``distress``, ``personal_data``, ``self_promotion`` and ``medical_question``.

E-mail addresses and phone numbers are found by :mod:`pipeline.redact`, so that what is flagged
is exactly what the reports redact.
"""
from __future__ import annotations

import re

from pipeline.flag.context import CommentView
from pipeline.flag.findings import Finding, reason
from pipeline.flag.rules import Hit, SafetyRules
from pipeline.redact import find_contacts

_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?([^/\s:?#]+)", re.IGNORECASE)


def distress_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Fear of dying, pleas for help, self-harm language (not negated)."""
    return [
        Finding("distress", hit.cue.severity, reason(f"Expresses {hit.cue.label} (\"{hit.text.strip()}\")", hit.cue.why),
                hit.start, hit.end, f"distress/{hit.cue.name}", hit.cue.source)
        for hit in view.hits("distress")
        if not view.is_negated(hit.start, hit.end)
    ]


def personal_data_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Contact details (as :mod:`pipeline.redact` finds them), addresses, names, invitations to private contact."""
    contacts = find_contacts(view.text) if view.text else []
    labels = rules.cues("personal_contact")
    findings = []
    for contact in contacts:
        cue = labels.cue(contact.kind)
        if cue is not None:
            findings.append(Finding("personal_data", cue.severity, reason(f"Contains {cue.label}", cue.why),
                                    contact.start, contact.end, f"personal_data/{contact.kind}", cue.source))
    for hit in view.hits("personal_data"):
        if not _overlaps(hit, contacts):
            findings.append(Finding("personal_data", hit.cue.severity, reason(f"Contains {hit.cue.label}", hit.cue.why),
                                    hit.start, hit.end, f"personal_data/{hit.cue.name}", hit.cue.source))
    return findings


def self_promotion_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Links (other than to reference sites), pointers to one's own page, sales pitches, cure claims."""
    hits = view.hits("self_promotion")
    if not hits:
        return []
    # Only the domain of a written address ("@") is not a link; spelled-out finds may be a sentence.
    addresses = [c for c in find_contacts(view.text) if c.kind == "email" and "@" in c.text]
    allowlist = rules.settings["url_allowlist"]
    findings = []
    for hit in hits:
        if _overlaps(hit, addresses) or (hit.cue.is_link and _allowed(hit.text, allowlist)):
            continue
        lead = f"Contains {hit.cue.label} (\"{hit.text.strip()}\")"
        findings.append(Finding("self_promotion", hit.cue.severity, reason(lead, hit.cue.why), hit.start, hit.end,
                                f"self_promotion/{hit.cue.name}", hit.cue.source))
    return findings


def medical_question_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Requests for medical advice, and questions about a medicine or a symptom."""
    findings = []
    asked_sentences = set()
    for hit in view.hits("advice_request"):
        if hit.cue.needs_question and not view.is_question(hit.start):
            continue
        asked_sentences.add(view.sentence_of(hit.start))
        findings.append(Finding("medical_question", hit.cue.severity, reason(f"Asks {hit.cue.label}", hit.cue.why),
                                hit.start, hit.end, f"medical_question/{hit.cue.name}", hit.cue.source))
    findings += _plain_questions(view, rules, asked_sentences)
    return findings


def _plain_questions(view: CommentView, rules: SafetyRules, skip: set[int]) -> list[Finding]:
    """A question sentence ("?") that names a medicine or a symptom, unless rhetorical."""
    if "?" not in view.text:
        return []
    advice = rules.cues("advice_request").cue("question about symptoms")
    if advice is None:
        return []
    findings = []
    for index, (start, end) in enumerate(view.sentences):
        if index in skip or "?" not in view.text[start:end] or view.hits_between("rhetorical_question", start, end):
            continue
        subject = _question_subject(view, start, end)
        if subject is not None:
            what, span_start, span_end = subject
            findings.append(Finding("medical_question", advice.severity,
                                    reason(f"Asks a question about {what}", advice.why),
                                    span_start, span_end, "medical_question/question_sentence", advice.source))
    return findings


def _question_subject(view: CommentView, start: int, end: int) -> tuple[str, int, int] | None:
    for claim in view.claims:
        if start <= claim.start < end and claim.category in ("medication", "supplement"):
            return claim.concept, claim.start, claim.end
    symptoms = view.hits_between("symptom_words", start, end)
    if symptoms:
        return symptoms[0].text.strip().lower(), symptoms[0].start, symptoms[0].end
    return None


def _overlaps(hit: Hit, contacts) -> bool:
    return any(hit.start < contact.end and contact.start < hit.end for contact in contacts)


def _allowed(link: str, allowlist: tuple[str, ...]) -> bool:
    match = _DOMAIN.match(link.strip())
    domain = match.group(1).lower() if match else ""
    return any(domain == allowed or domain.endswith("." + allowed) for allowed in allowlist)
