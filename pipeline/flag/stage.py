"""The flag stage: ``comments`` and ``claims`` in, ``flags`` out."""
from __future__ import annotations

import operator
from typing import Callable, Iterable

import pandas as pd

from pipeline.errors import StageInputError
from pipeline.extract.lexicon import Lexicon, cached_lexicon
from pipeline.flag.clots import dvt_findings, red_flag_findings
from pipeline.flag.conduct import (
    distress_findings, medical_question_findings, personal_data_findings, self_promotion_findings,
)
from pipeline.flag.context import ClaimView, CommentView
from pipeline.flag.findings import Finding, merge_findings
from pipeline.flag.medicines import (
    cramp_drug_findings, hazardous_remedy_findings, interaction_findings, polypharmacy_findings,
)
from pipeline.flag.people import elderly_findings, pediatric_findings, pregnancy_findings
from pipeline.flag.rules import FLAGS, SafetyRules

FLAG_COLUMNS = [
    "flag_id", "comment_id", "flag", "severity", "reason", "evidence", "rule", "evidence_start", "evidence_end", "source",
]
COMMENT_COLUMNS = ("comment_id", "text")
CLAIM_COLUMNS = ("comment_id", "concept", "category", "role", "effect", "negated", "question", "experiencer",
                 "surface", "start", "end")
_TRUE = frozenset({"true", "1", "yes"})
# A claim a reply makes about its parent's concept ("Same here"): the reply's words do not name
# the medicine, so flagging it would pin the parent's medicine on the reply, and the parent is
# flagged on its own words anyway.
REPLY_REFERENCE_RULE = "reply_reference"

Rule = Callable[[CommentView, SafetyRules], list[Finding]]
#: Every flag's rule, in the contract's flag order.
RULES: tuple[Rule, ...] = (
    dvt_findings, red_flag_findings, polypharmacy_findings, interaction_findings, cramp_drug_findings,
    hazardous_remedy_findings, pediatric_findings, pregnancy_findings, elderly_findings, distress_findings,
    personal_data_findings, self_promotion_findings, medical_question_findings,
)
_FLAG_ORDER = {flag: index for index, flag in enumerate(FLAGS)}


def flag_comments(
    comments: pd.DataFrame, claims: pd.DataFrame, *, rules: SafetyRules, lexicon: Lexicon | None = None,
) -> pd.DataFrame:
    """Flag the comments a safety reviewer or moderator needs to see.

    Input columns: ``comments``: comment_id, text. ``claims`` (from extract): comment_id, concept,
    category, role, effect, negated, question, experiencer, surface, start, end (booleans and
    offsets may come back from CSV as text; they are converted), and optionally rule: claims
    whose rule starts with ``reply_reference`` (a reply's "same here" standing for its parent's
    concept) are not used, so every flag's evidence names what the comment itself says.
    Output: the ``flags`` table, one row per (comment, flag), in comment order then the
    contract's flag order: flag_id (stable hash of comment_id and flag), comment_id, flag,
    severity (urgent, high, medium, low), reason, evidence (starts with the text at
    evidence_start:evidence_end; other evidence follows after " … "), rule, evidence_start,
    evidence_end, source (reference URL of the fact, or a note where there is none).
    No side effects; the inputs are not modified.

    Args:
        lexicon: resolves the lexicon classes the rules name (anticoagulant, statin...);
            the packaged lexicon when omitted.

    Raises:
        StageInputError: a required column is missing.
    """
    _require(comments, COMMENT_COLUMNS, "comments")
    _require(claims, CLAIM_COLUMNS, "claims")
    classes_of = _classes_by_concept(lexicon or cached_lexicon(()), rules)
    claims_by_comment = _claims_by_comment(claims, classes_of)
    rows: list[dict] = []
    ids = comments["comment_id"].astype(str).tolist()
    texts = comments["text"].fillna("").astype(str).tolist()
    for comment_id, text in zip(ids, texts):
        view = CommentView(comment_id, text, claims_by_comment.get(comment_id, []), rules)
        findings = [finding for rule in RULES for finding in rule(view, rules)]
        if findings:
            rows.extend(merge_findings(comment_id, text, findings, _FLAG_ORDER))
    return _frame(rows)


def _require(table: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise StageInputError(f"{name} table: missing columns {', '.join(missing)} (run the earlier stage first)")


def _classes_by_concept(lexicon: Lexicon, rules: SafetyRules) -> dict[str, frozenset[str]]:
    """Canonical concept -> the rule classes it belongs to, resolved once per run."""
    members: dict[str, set[str]] = {}
    for class_name in sorted(rules.classes):
        for concept in lexicon.with_class(class_name):
            members.setdefault(concept, set()).add(class_name)
    return {concept: frozenset(classes) for concept, classes in members.items()}


def _claims_by_comment(claims: pd.DataFrame, classes_of: dict[str, frozenset[str]]) -> dict[str, list[ClaimView]]:
    """The claims each comment makes, in text order, columns converted whole (not value by value)."""
    rules = _texts(claims["rule"]) if "rule" in claims.columns else [""] * len(claims)
    concepts = [concept.lower() for concept in _texts(claims["concept"])]
    empty: frozenset[str] = frozenset()
    views = map(ClaimView._make, zip(
        concepts, _texts(claims["category"]), _texts(claims["role"]), _texts(claims["effect"]),
        _bools(claims["negated"]), _bools(claims["question"]), _texts(claims["experiencer"]),
        _texts(claims["surface"]), _ints(claims["start"]), _ints(claims["end"]),
        [classes_of.get(concept, empty) for concept in concepts],
    ))
    grouped: dict[str, list[ClaimView]] = {}
    for comment_id, rule, claim in zip(_texts(claims["comment_id"]), rules, views):
        if not rule.startswith(REPLY_REFERENCE_RULE):
            grouped.setdefault(comment_id, []).append(claim)
    in_text_order = operator.itemgetter(ClaimView._fields.index("start"), ClaimView._fields.index("end"),
                                        ClaimView._fields.index("concept"))
    for comment_claims in grouped.values():
        comment_claims.sort(key=in_text_order)
    return grouped


def _texts(column: pd.Series) -> list[str]:
    """The column as Python strings (missing values as their text, "nan" or "None", as ``str()`` gives)."""
    values = column.tolist()
    return values if all(type(value) is str for value in values) else [str(value) for value in values]


def _bools(column: pd.Series) -> list[bool]:
    """A boolean column as it is; text ("true", "1", "yes") or missing values converted one by one."""
    if column.dtype == bool:
        return column.tolist()
    return [_as_bool(value) for value in column.tolist()]


def _ints(column: pd.Series) -> list[int]:
    if pd.api.types.is_integer_dtype(column.dtype) and not isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        return column.tolist()
    return [int(value) for value in column.tolist()]


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value) if value is not None and not pd.isna(value) else False


def empty_flags_table() -> pd.DataFrame:
    """The table with no rows, its columns typed."""
    return _frame([])


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=FLAG_COLUMNS)
    types = {c: "int64" if c in ("evidence_start", "evidence_end") else "string" for c in FLAG_COLUMNS}
    return frame.astype(types)
