"""Reading a label file: labelled comments with the claims (and flags) they should give.

A label file is JSON lines. Each record names one comment, either by its text (``text``,
for comments written for the labels) or by where it is (``source`` file name, ``position``
and ``author``, for comments of a real page that must not be copied), and lists its gold
``claims`` (and optionally ``flags``). See tests/extract/labels/README.md.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputFormatError

CLAIM_FIELDS = ("concept", "role", "effect", "negated", "hedged", "question", "experiencer")
ROLES = ("remedy", "trigger", "mention")
EFFECTS = ("helped", "partial", "no_effect", "worsened", "unclear")
EXPERIENCERS = ("self", "family", "friend", "other", "general")


@dataclass(frozen=True)
class GoldClaim:
    """One expected (concept, role) of a comment and its attributes."""

    concept: str
    role: str
    effect: str = "unclear"
    negated: bool = False
    hedged: bool = False
    question: bool = False
    experiencer: str = "self"
    discovered: bool = False


@dataclass
class LabelRecord:
    """One labelled comment and how to find it among the ingested comments."""

    key: str
    line: int
    text: str = ""
    source: str = ""
    position: int | None = None
    author: str = ""
    claims: list[GoldClaim] = field(default_factory=list)
    flags: list[str] | None = None


def load_labels(path: Path) -> list[LabelRecord]:
    """Parse a label file.

    Raises:
        InputFormatError: the file is unreadable, a line is not JSON, or a claim is malformed
            (the message names the file and line).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputFormatError(str(path), f"cannot read label file: {getattr(error, 'strerror', None) or error}") from None
    records = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            records.append(_record(str(path), number, line))
    if not records:
        raise InputFormatError(str(path), "label file has no records")
    return records


def _record(name: str, number: int, line: str) -> LabelRecord:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputFormatError(name, f"not valid JSON: {error.msg}", line=number) from None
    if not isinstance(data, dict) or not (data.get("text") or data.get("position") is not None):
        raise InputFormatError(name, "a label needs 'text', or 'position' (with 'source'/'author')", line=number)
    claims = [_gold_claim(name, number, claim) for claim in data.get("claims") or []]
    flags = data.get("flags")
    if isinstance(flags, list):
        flags = [_flag_name(name, number, flag) for flag in flags]
    return LabelRecord(
        key=str(data.get("id") or f"line {number}"),
        line=number,
        text=str(data.get("text") or ""),
        source=str(data.get("source") or ""),
        position=int(data["position"]) if data.get("position") is not None else None,
        author=str(data.get("author") or ""),
        claims=claims,
        flags=[str(f) for f in flags] if isinstance(flags, list) else None,
    )


def _flag_name(name: str, number: int, flag: object) -> str:
    """A gold flag is written as its id, or as {"flag": id, "severity": ...}."""
    if isinstance(flag, dict) and isinstance(flag.get("flag"), str):
        return flag["flag"]
    if isinstance(flag, str):
        return flag
    raise InputFormatError(name, f"a flag must be an id or {{'flag': id, ...}}: {flag!r}"[:300], line=number)


def _gold_claim(name: str, number: int, claim: object) -> GoldClaim:
    if not isinstance(claim, dict) or not claim.get("concept") or claim.get("role") not in ROLES:
        raise InputFormatError(name, f"a claim needs 'concept' and 'role' in {ROLES}: {claim!r}"[:300], line=number)
    effect = claim.get("effect", "unclear")
    experiencer = claim.get("experiencer", "self")
    if effect not in EFFECTS or experiencer not in EXPERIENCERS:
        raise InputFormatError(name, f"bad effect {effect!r} or experiencer {experiencer!r}", line=number)
    return GoldClaim(
        concept=str(claim["concept"]).lower(),
        role=claim["role"],
        effect=effect,
        negated=bool(claim.get("negated", False)),
        hedged=bool(claim.get("hedged", False)),
        question=bool(claim.get("question", False)),
        experiencer=experiencer,
        discovered=bool(claim.get("discovered", False)),
    )
