"""Findings (one instance of a flag in a comment) and how they become one row per comment and flag."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable

from pipeline.flag.rules import DROP, SEVERITIES

MAX_EVIDENCE_CHARS = 200
EVIDENCE_JOINER = " … "
_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}

#: How a reason starts, by the status of what was found.
LEADS = {
    "current": "Reports {label}",
    "historical": "Reports {label} in the past",
    "question": "Asks about {label}",
    "suspected": "Fears or suspects {label}",
    "negated": "Mentions {label}, ruled out or denied",
    "general": "Mentions {label} in general",
}


@dataclass(frozen=True)
class Finding:
    """One instance of a flag: what was found where, how severe, why, and from which rule and source."""

    flag: str
    severity: str
    reason: str
    start: int
    end: int
    rule: str
    source: str
    extra_spans: tuple[tuple[int, int], ...] = ()
    order: int = 0  # among equally severe findings, the lower wins (e.g. the interaction table's order)


def rank(severity: str) -> int:
    """0 for low up to 3 for urgent."""
    return _RANK[severity]


def lower(severity: str, steps: int = 1) -> str:
    """The severity ``steps`` levels lower, never below low."""
    return SEVERITIES[max(rank(severity) - steps, 0)]


def raise_(severity: str, cap: str = "urgent") -> str:
    """One level higher, never above ``cap``."""
    return SEVERITIES[min(rank(severity) + 1, max(rank(cap), rank(severity)))]


def most_severe(*severities: str) -> str:
    return max(severities, key=rank)


def severity_for(status: str, base: str, policy: dict[str, str]) -> str:
    """The severity of a finding with ``status``: the base when current, else the policy's (may be ``drop``)."""
    if status == "current":
        return base
    return policy.get(status, base)


def sentence(text: str) -> str:
    """Capitalised and ending in a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def reason(lead: str, why: str) -> str:
    """``lead: why.`` as one sentence."""
    return sentence(f"{lead}: {why}" if why else lead)


def flag_id(comment_id: str, flag: str) -> str:
    """A stable id for a comment's flag: the same comment and flag give the same id on every run."""
    return "f" + hashlib.sha256(f"{comment_id}\x1f{flag}".encode("utf-8")).hexdigest()[:16]


def merge_findings(comment_id: str, text: str, findings: Iterable[Finding], flag_order: dict[str, int]) -> list[dict]:
    """One row per flag: the most severe finding (earliest on a tie) with all evidence joined if short.

    ``evidence`` always starts with ``text[evidence_start:evidence_end]``, the winning span;
    further spans follow, separated by " … ", while the whole stays within 200 characters.
    """
    by_flag: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.severity != DROP:
            by_flag.setdefault(finding.flag, []).append(finding)
    rows = []
    for flag in sorted(by_flag, key=lambda f: flag_order.get(f, len(flag_order))):
        group = by_flag[flag]
        best = min(group, key=lambda f: (-rank(f.severity), f.order, f.start, f.end, f.rule))
        rows.append({
            "flag_id": flag_id(comment_id, flag),
            "comment_id": comment_id,
            "flag": flag,
            "severity": best.severity,
            "reason": best.reason,
            "evidence": _evidence(text, best, group),
            "rule": best.rule,
            "evidence_start": best.start,
            "evidence_end": best.end,
            "source": best.source,
        })
    return rows


def _evidence(text: str, best: Finding, group: list[Finding]) -> str:
    primary = (best.start, best.end)
    others = sorted({span for f in group for span in ((f.start, f.end), *f.extra_spans)} - {primary})
    pieces = [_clip(text[best.start:best.end])]
    length = len(pieces[0])
    for start, end in others:
        if start < best.end and end > best.start:
            continue  # already inside the winning span
        piece = text[start:end].strip()
        if not piece or piece in pieces:
            continue
        if length + len(EVIDENCE_JOINER) + len(piece) > MAX_EVIDENCE_CHARS:
            break
        pieces.append(piece)
        length += len(EVIDENCE_JOINER) + len(piece)
    return EVIDENCE_JOINER.join(pieces)


def _clip(span: str) -> str:
    return span if len(span) <= MAX_EVIDENCE_CHARS else span[: MAX_EVIDENCE_CHARS - 1] + "…"
