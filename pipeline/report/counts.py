"""Counting the claims: how many readers credit or blame each concept, and how sure we can be.

One row per (concept, role) for the roles ``remedy`` and ``trigger``. The effect counts, the
share and its interval cover the *stated* claims: not questions ("does mustard help?") and not
negated mentions (the concept itself denied), which say nothing about an effect. A row is
evidence FOR its concept as the contract defines it: stated, and effect not ``no_effect``.
"""
from __future__ import annotations

import math
import pandas as pd

from pipeline.cluster.columns import bool_values, require_columns, shortened, text_values
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
    return _summary_table(_claim_rows(claims, comments))


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
    rows = _claim_rows(claims, comments)
    groups = pd.Series(text_values(comments[by]).tolist(), index=text_values(comments["comment_id"]).tolist(), dtype=object)
    groups = groups[~groups.index.duplicated(keep="last")]
    rows[by] = groups.reindex(rows["comment_id"].tolist()).fillna("").tolist()
    table = _summary_table(rows, group=by)
    table[by] = table[by].astype("string")
    return table


def _summary_table(rows: pd.DataFrame, group: str | None = None) -> pd.DataFrame:
    """One summary row per (concept, role), or per (``group``, concept, role) with ``group``
    as the first column, counted with group-bys over all claims at once: a loop per concept
    or per thread costs minutes on a corpus of millions of claims."""
    keys = [group, "concept", "role"] if group else ["concept", "role"]
    columns = [group, *SUMMARY_COLUMNS] if group else SUMMARY_COLUMNS
    mentions = rows[rows["role"] == "mention"].groupby(keys[:-1], sort=True).size()
    claims = _with_claim_keys(rows[rows["role"].isin(ROLES)].reset_index(drop=True))
    if claims.empty:
        return pd.DataFrame(columns=columns).astype({group: "string"} if group else {}).astype(SUMMARY_TYPES)
    grouped = claims.groupby(keys, sort=True)
    stated = claims[claims["stated"]]
    table = pd.DataFrame({"claims": grouped.size(), "commenters": grouped["commenter"].nunique()})
    index = table.index
    table["category"] = _most_common_per_group(claims, keys, "category")
    effects = _counts(stated, keys, "effect", EFFECTS, index)
    for effect in EFFECTS:
        table[effect] = effects[effect]
    table["questions"] = grouped["question"].sum()
    table["evidence_for"] = _per_group_count(stated[stated["effect"] != "no_effect"], keys, index)
    table["stated"] = effects.sum(axis=1)
    table["share_count"] = [effects.at[key, SHARE_EFFECT[key[-1]]] for key in index]
    experiencers = _counts(claims, keys, "experiencer", EXPERIENCERS, index)
    for experiencer in EXPERIENCERS:
        table[f"experiencer_{experiencer}"] = experiencers[experiencer]
    dated = claims[claims["posted_at"] != ""].groupby(keys, sort=True)["posted_at"]
    table["first_seen"], table["last_seen"] = dated.min(), dated.max()
    supporting = _per_group_count(stated[stated["supporting"]], keys, index)
    table["contrary_claims"] = _per_group_count(stated[stated["contrary"]], keys, index)
    table["contradicted"] = (supporting > 0) & (table["contrary_claims"] > 0)
    table["negated"] = _per_group_count(claims[~claims["question"] & claims["negated"]], keys, index)
    table["example"], table["example_comment_id"] = _examples(
        [stated[stated["supporting"]], stated, claims], keys, index, prefer_share_effect=(True, False, False)
    )
    table["contrary_example"], table["contrary_comment_id"] = _examples([stated[stated["contrary"]]], keys, index)
    table["mentions"] = mentions.reindex(index.droplevel(-1), fill_value=0).to_numpy()
    table = table.reset_index()
    table[["share", "share_low", "share_high"]] = [
        _share(int(count), int(total)) for count, total in zip(table["share_count"], table["stated"])
    ]
    table = table.fillna({"first_seen": "", "last_seen": "", "example": "", "example_comment_id": "",
                          "contrary_example": "", "contrary_comment_id": ""})
    order = [*keys[:-2], "evidence_for", "claims", "concept", "role"]
    ascending = [*(True for _ in keys[:-2]), False, False, True, True]
    table = table.sort_values(order, ascending=ascending, kind="mergesort")
    return table[columns].reset_index(drop=True).astype(SUMMARY_TYPES)


def _with_claim_keys(claims: pd.DataFrame) -> pd.DataFrame:
    """The per-claim columns the counts group by: stated, supporting, contrary, commenter."""
    stated = ~claims["question"] & ~claims["negated"]
    # Python lists, not Series: iterating pandas' Arrow-backed strings costs microseconds a cell.
    effects, roles, authors = claims["effect"].tolist(), claims["role"].tolist(), claims["author"].tolist()
    supporting = [effect in SUPPORTING[role] for effect, role in zip(effects, roles)]
    contrary = [effect in CONTRARY[role] for effect, role in zip(effects, roles)]
    names = {author: " ".join(author.split()).casefold() for author in set(authors)}
    commenter = [
        f"comment\x1f{comment_id}" if names[author] in ANONYMOUS_AUTHORS else f"author\x1f{thread}\x1f{names[author]}"
        for author, thread, comment_id in zip(authors, claims["thread"].tolist(), claims["comment_id"].tolist())
    ]
    return claims.assign(stated=stated, supporting=supporting, contrary=contrary, commenter=commenter)


def _counts(claims: pd.DataFrame, keys: list[str], column: str, values: tuple[str, ...], index: pd.Index) -> pd.DataFrame:
    """How many claims of each group have each of ``values`` in ``column`` (0 where none)."""
    counted = claims.groupby([*keys, column], sort=True).size().unstack(column, fill_value=0)
    return counted.reindex(index=index, columns=list(values), fill_value=0).astype("int64")


def _per_group_count(claims: pd.DataFrame, keys: list[str], index: pd.Index) -> pd.Series:
    return claims.groupby(keys, sort=True).size().reindex(index, fill_value=0).astype("int64")


def _most_common_per_group(claims: pd.DataFrame, keys: list[str], column: str, default: str = "other") -> pd.Series:
    """The most frequent non-empty value per group; ties go to the alphabetically first."""
    named = claims[claims[column] != ""]
    counts = named.groupby([*keys, column], sort=True).size().rename("n").reset_index()
    order = [*keys, "n", column]
    counts = counts.sort_values(order, ascending=[*(True for _ in keys), False, True], kind="mergesort")
    best = counts.drop_duplicates(keys).set_index(keys)[column]
    groups = claims[keys].drop_duplicates().set_index(keys).index
    return best.reindex(groups).fillna(default)


def _examples(
    tiers: list[pd.DataFrame], keys: list[str], index: pd.Index, prefer_share_effect: tuple[bool, ...] = (False,),
) -> tuple[pd.Series, pd.Series]:
    """Per group, the quote that best shows a claim, from the first tier that has one.

    Best: short enough to read whole, with the effect the share counts (helped, worsened) where
    ``prefer_share_effect``, not hedged, decided in its own sentence by a direct cue, the
    reader's own experience; then the first by comment id and position, for determinism.
    """
    sentences = pd.Series("", index=index, dtype=object)
    comment_ids = pd.Series("", index=index, dtype=object)
    found = pd.Series(False, index=index)
    for tier, prefer in zip(tiers, prefer_share_effect):
        candidates = tier[tier["sentence"].str.strip() != ""]
        if candidates.empty:
            continue
        keyed = candidates.assign(
            _long=candidates["sentence"].str.len() > EXAMPLE_CHARS,
            _other_effect=[
                prefer and effect != SHARE_EFFECT[role]
                for effect, role in zip(candidates["effect"].tolist(), candidates["role"].tolist())
            ],
            _hedged=candidates["hedged"].astype(bool),
            _indirect=~candidates["rule"].isin(DIRECT_RULES),
            _not_self=candidates["experiencer"] != "self",
        )
        order = [*keys, "_long", "_other_effect", "_hedged", "_indirect", "_not_self", "comment_id", "start"]
        best = keyed.sort_values(order, kind="mergesort").drop_duplicates(keys).set_index(keys)
        best = best.reindex(index)
        take = ~found & best["sentence"].notna()
        sentences[take] = [shortened(text, EXAMPLE_CHARS) for text in best.loc[take, "sentence"].tolist()]
        comment_ids[take] = best.loc[take, "comment_id"]
        found |= take
    return sentences, comment_ids


def _share(count: int, total: int) -> tuple[float, float, float]:
    low, high = wilson_interval(count, total)
    share = round(count / total, DIGITS) if total else math.nan
    return share, round(low, DIGITS), round(high, DIGITS)


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


def _claim_rows(claims: pd.DataFrame, comments: pd.DataFrame) -> pd.DataFrame:
    """The claim columns counting needs, as plain values, joined with their comment's author,
    thread and date."""
    require_columns(claims, "claims", CLAIM_COLUMNS)
    require_columns(comments, "comments", ("comment_id", "author"))
    # A repeated comment_id: the last copy's details stand for all (as a dict built in order would).
    details = pd.DataFrame({
        "comment_id": text_values(comments["comment_id"]),
        "author": text_values(comments["author"]),
        "thread": _optional_text(comments, "thread"),
        "posted_at": _optional_text(comments, "posted_at"),
    }).drop_duplicates("comment_id", keep="last").set_index("comment_id")
    claims = claims.reset_index(drop=True)
    comment_ids = text_values(claims["comment_id"])
    info = details.reindex(comment_ids.tolist()).fillna("").reset_index(drop=True)
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
        "author": info["author"],
        "thread": info["thread"],
        "posted_at": info["posted_at"],
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
