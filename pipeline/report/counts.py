"""Counting the claims: how many readers credit or blame each concept, and how sure we can be.

One row per (concept, role) for the roles ``remedy`` and ``trigger``. The effect counts, the
share and its interval cover the *stated* claims: not questions ("does mustard help?") and not
negated mentions (the concept itself denied), which say nothing about an effect. A row is
evidence FOR its concept as the contract defines it: stated, and effect not ``no_effect``.
"""
from __future__ import annotations

import math
from typing import Iterable

import pandas as pd

from pipeline.cluster.columns import bool_values, most_common, require_columns, shortened, text_values
from pipeline.errors import PipelineError

ROLES = ("remedy", "trigger")
EFFECTS = ("helped", "partial", "no_effect", "worsened", "unclear")
EXPERIENCERS = ("self", "family", "friend", "other", "general")
# The effect whose share is reported, and the effects that support or contradict the claim.
SHARE_EFFECT = {"remedy": "helped", "trigger": "worsened"}
SUPPORTING = {"remedy": frozenset({"helped", "partial"}), "trigger": frozenset({"worsened"})}
CONTRARY = {"remedy": frozenset({"no_effect", "worsened"}), "trigger": frozenset({"no_effect"})}
# Names that do not identify a person: each such comment counts as its own commenter.
ANONYMOUS_AUTHORS = frozenset({"", "anonymous", "anon", "guest"})
GROUP_COLUMNS = ("thread", "source")
EXAMPLE_CHARS = 200
Z_95 = 1.959963984540054  # two-sided 95% normal quantile
DIGITS = 4

SUMMARY_COLUMNS = [
    "concept", "role", "category", "claims", "commenters", "helped", "partial", "no_effect", "worsened", "unclear",
    "questions", "evidence_for", "share", "share_low", "share_high",
    *(f"experiencer_{e}" for e in EXPERIENCERS),
    "first_seen", "last_seen", "contradicted", "contrary_claims", "example", "example_comment_id", "contrary_example",
    "contrary_comment_id", "negated", "mentions",
]
_FLOATS = ("share", "share_low", "share_high")
_STRINGS = ("concept", "role", "category", "first_seen", "last_seen", "example", "example_comment_id",
            "contrary_example", "contrary_comment_id")
SUMMARY_TYPES = {
    c: "float64" if c in _FLOATS else "string" if c in _STRINGS else "bool" if c == "contradicted" else "int64"
    for c in SUMMARY_COLUMNS
}
CLAIM_COLUMNS = ("comment_id", "concept", "category", "role", "effect", "negated", "question", "experiencer", "sentence")


def count_concepts(claims: pd.DataFrame, comments: pd.DataFrame) -> pd.DataFrame:
    """The ``concept_summary`` table: one row per (concept, role) for remedies and triggers.

    Input columns: ``claims``: ``comment_id``, ``concept``, ``category``, ``role``, ``effect``,
    ``negated``, ``question``, ``experiencer``, ``sentence`` (optional: ``cluster`` and
    ``cluster_category`` from the cluster stage, used instead of ``concept`` and ``category``;
    ``hedged``, ``start``); ``comments``: ``comment_id``, ``author`` (optional: ``thread``,
    ``posted_at``).

    Output columns: ``concept``, ``role``, ``category``, ``claims`` (all rows), ``commenters``
    (one named author counts once per thread; anonymous or empty authors once per comment),
    ``helped`` .. ``unclear`` (stated claims by effect), ``questions``, ``evidence_for``,
    ``share`` with ``share_low``/``share_high`` (Wilson 95% interval of the stated claims
    saying helped for a remedy, worsened for a trigger; empty without stated claims),
    ``experiencer_*`` (all rows), ``first_seen``/``last_seen`` (``posted_at`` of its
    comments), ``contradicted`` (both supporting and contrary stated claims),
    ``contrary_claims``, ``example`` and ``example_comment_id`` (a supporting sentence, or any
    claim's when none supports), ``contrary_example``, ``contrary_comment_id``, ``negated``
    (negated stated rows), ``mentions`` (the concept's ``mention`` rows).
    Sorted by evidence_for, then claims (most first), then concept and role. No side effects.
    """
    rows = _claim_rows(claims, comments)
    mentions = rows.loc[rows["role"] == "mention", "concept"].value_counts()
    # Plain records grouped in Python: per-group pandas filtering costs more than the counting.
    groups: dict[tuple[str, str], list[dict]] = {}
    for record in rows[rows["role"].isin(ROLES)].to_dict("records"):
        groups.setdefault((record["concept"], record["role"]), []).append(record)
    summary = [
        _summary_row(concept, role, groups[(concept, role)], int(mentions.get(concept, 0)))
        for concept, role in sorted(groups)
    ]
    table = pd.DataFrame(summary, columns=SUMMARY_COLUMNS)
    table = table.sort_values(
        ["evidence_for", "claims", "concept", "role"], ascending=[False, False, True, True], kind="mergesort"
    )
    return table.reset_index(drop=True).astype(SUMMARY_TYPES)


def count_by_group(claims: pd.DataFrame, comments: pd.DataFrame, by: str = "thread") -> pd.DataFrame:
    """:func:`count_concepts` per thread or per source: the same columns after a first
    column named ``by``; groups in alphabetical order.

    Raises:
        PipelineError: ``by`` is neither ``thread`` nor ``source``.
    """
    if by not in GROUP_COLUMNS:
        raise PipelineError(f"cannot count by {by!r} (choose from: {', '.join(GROUP_COLUMNS)})")
    require_columns(comments, "comments", ("comment_id", by))
    require_columns(claims, "claims", ("comment_id",))
    group_of = dict(zip(text_values(comments["comment_id"]), text_values(comments[by])))
    claim_groups = text_values(claims["comment_id"]).map(lambda comment_id: group_of.get(comment_id, ""))
    tables = []
    for group in sorted(set(claim_groups)):
        table = count_concepts(claims[claim_groups == group], comments)
        table.insert(0, by, pd.Series([group] * len(table), dtype="string"))
        tables.append(table)
    if not tables:
        empty = count_concepts(claims.iloc[0:0], comments)
        empty.insert(0, by, pd.Series([], dtype="string"))
        return empty
    return pd.concat(tables, ignore_index=True)


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial share; ``(nan, nan)`` when ``total`` is 0.

    Unlike the plain ``p ± z·se`` interval it stays inside [0, 1] and does not collapse to a
    point at 0 of n or n of n, so 3 of 3 reads as weaker evidence than 30 of 40.
    """
    if total <= 0:
        return math.nan, math.nan
    share = successes / total
    spread = z * z / total
    centre = (share + spread / 2) / (1 + spread)
    half_width = z * math.sqrt(share * (1 - share) / total + spread / (4 * total)) / (1 + spread)
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


def is_anonymous(author: str) -> bool:
    """Is this author name one that does not identify a person?"""
    return " ".join(author.split()).casefold() in ANONYMOUS_AUTHORS


def commenter_keys(authors: Iterable[str], threads: Iterable[str], comment_ids: Iterable[str]) -> set[tuple[str, str, str]]:
    """One key per distinct commenter: a named author once per thread, an anonymous one per comment."""
    keys = set()
    for author, thread, comment_id in zip(authors, threads, comment_ids):
        if is_anonymous(author):
            keys.add(("comment", "", comment_id))
        else:
            keys.add(("author", thread, " ".join(author.split()).casefold()))
    return keys


def _claim_rows(claims: pd.DataFrame, comments: pd.DataFrame) -> pd.DataFrame:
    """The claim columns counting needs, as plain values, joined with their comment's author,
    thread and date."""
    require_columns(claims, "claims", CLAIM_COLUMNS)
    require_columns(comments, "comments", ("comment_id", "author"))
    comment_info = {
        comment_id: (author, thread, posted_at)
        for comment_id, author, thread, posted_at in zip(
            text_values(comments["comment_id"]), text_values(comments["author"]),
            _optional_text(comments, "thread"), _optional_text(comments, "posted_at"),
        )
    }
    claims = claims.reset_index(drop=True)
    comment_ids = text_values(claims["comment_id"])
    info = [comment_info.get(comment_id, ("", "", "")) for comment_id in comment_ids]
    return pd.DataFrame({
        "comment_id": comment_ids,
        "concept": _preferred(claims, "cluster", "concept"),
        "category": _preferred(claims, "cluster_category", "category"),
        "role": text_values(claims["role"]),
        "effect": text_values(claims["effect"]),
        "negated": bool_values(claims["negated"]),
        "question": bool_values(claims["question"]),
        "hedged": bool_values(claims["hedged"]) if "hedged" in claims.columns else False,
        "experiencer": text_values(claims["experiencer"]),
        "sentence": text_values(claims["sentence"]),
        "rule": text_values(claims["rule"]) if "rule" in claims.columns else "",
        "start": pd.to_numeric(claims["start"], errors="coerce").fillna(0).astype("int64") if "start" in claims.columns else 0,
        "author": [i[0] for i in info],
        "thread": [i[1] for i in info],
        "posted_at": [i[2] for i in info],
    }).reset_index(drop=True)


def _preferred(claims: pd.DataFrame, first: str, fallback: str) -> pd.Series:
    """``first`` where the column exists and the cell is not empty, else ``fallback``."""
    values = text_values(claims[fallback])
    if first not in claims.columns:
        return values.reset_index(drop=True)
    preferred = text_values(claims[first])
    return preferred.where(preferred != "", values).reset_index(drop=True)


def _optional_text(table: pd.DataFrame, column: str) -> pd.Series:
    return text_values(table[column]) if column in table.columns else pd.Series([""] * len(table), dtype=object)


# Rules whose evidence is in the quoted sentence itself, so the quote shows the claim.
DIRECT_RULES = frozenset({"helped", "partial", "no_effect", "causative", "conditional_trigger", "temporal_trigger",
                          "cessation_relief", "trigger_no_reaction"})


def _summary_row(concept: str, role: str, rows: list[dict], mentions: int) -> dict[str, object]:
    stated = [r for r in rows if not r["question"] and not r["negated"]]
    effects = {effect: sum(1 for r in stated if r["effect"] == effect) for effect in EFFECTS}
    share_count = effects[SHARE_EFFECT[role]]
    low, high = wilson_interval(share_count, len(stated))
    supporting = [r for r in stated if r["effect"] in SUPPORTING[role]]
    contrary = [r for r in stated if r["effect"] in CONTRARY[role]]
    example = _example(supporting, SHARE_EFFECT[role]) or _example(stated) or _example(rows)
    contrary_example = _example(contrary)
    dates = sorted(r["posted_at"] for r in rows if r["posted_at"])
    return {
        "concept": concept,
        "role": role,
        "category": most_common(r["category"] for r in rows),
        "claims": len(rows),
        "commenters": len(commenter_keys(*zip(*((r["author"], r["thread"], r["comment_id"]) for r in rows)))),
        **effects,
        "questions": sum(1 for r in rows if r["question"]),
        "evidence_for": sum(1 for r in stated if r["effect"] != "no_effect"),
        "share": round(share_count / len(stated), DIGITS) if stated else math.nan,
        "share_low": round(low, DIGITS),
        "share_high": round(high, DIGITS),
        **{f"experiencer_{e}": sum(1 for r in rows if r["experiencer"] == e) for e in EXPERIENCERS},
        "first_seen": dates[0] if dates else "",
        "last_seen": dates[-1] if dates else "",
        "contradicted": bool(supporting and contrary),
        "contrary_claims": len(contrary),
        "example": example[0] if example else "",
        "example_comment_id": example[1] if example else "",
        "contrary_example": contrary_example[0] if contrary_example else "",
        "contrary_comment_id": contrary_example[1] if contrary_example else "",
        "negated": sum(1 for r in rows if not r["question"] and r["negated"]),
        "mentions": mentions,
    }


def _example(rows: list[dict], preferred_effect: str = "") -> tuple[str, str] | None:
    """The quote that best shows a claim: short enough to read whole, with the effect the
    share counts (helped, worsened), not hedged, decided in its own sentence by a direct cue,
    the reader's own experience; then the first by comment id and position, for determinism."""
    candidates = [r for r in rows if r["sentence"].strip()]
    if not candidates:
        return None
    best = min(
        candidates,
        key=lambda r: (
            len(r["sentence"]) > EXAMPLE_CHARS,
            bool(preferred_effect) and r["effect"] != preferred_effect,
            bool(r["hedged"]),
            r["rule"] not in DIRECT_RULES,
            r["experiencer"] != "self",
            r["comment_id"],
            r["start"],
        ),
    )
    return shortened(best["sentence"], EXAMPLE_CHARS), best["comment_id"]


