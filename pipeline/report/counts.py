"""Counting the claims: how many readers credit or blame each concept, and how sure we can be.

One row per (concept, role) for the roles ``remedy`` and ``trigger``. The effect counts, the
share and its interval cover the *stated* claims: not questions ("does mustard help?") and not
negated mentions (the concept itself denied), which say nothing about an effect. A row is
evidence FOR its concept as the contract defines it: stated, and effect not ``no_effect``.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipeline.cluster.columns import bool_values, require_columns, shortened, text_values
from pipeline.errors import PipelineError
from pipeline.report.directory import ANONYMOUS_AUTHORS, COMMENTER_LIMIT, CommentDirectory, normalised_author

ROLES = ("remedy", "trigger")
EFFECTS = ("helped", "partial", "no_effect", "worsened", "unclear")
EXPERIENCERS = ("self", "family", "friend", "other", "general")
# The effect whose share is reported, and the effects that support or contradict the claim.
SHARE_EFFECT = {"remedy": "helped", "trigger": "worsened"}
SUPPORTING = {"remedy": frozenset({"helped", "partial"}), "trigger": frozenset({"worsened"})}
CONTRARY = {"remedy": frozenset({"no_effect", "worsened"}), "trigger": frozenset({"no_effect"})}
GROUP_COLUMNS = ("thread", "source")
EXAMPLE_CHARS = 200
Z_95 = 1.959963984540054  # two-sided 95% normal quantile
DIGITS = 4
# Distinct (group, commenter) codes of the slices are merged once this many have piled up.
PAIRS_BEFORE_MERGE = 1 << 20

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
    tally = ConceptTally()
    tally.add(claim_rows(claims, _directory(comments)))
    return tally.table()


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
    tally = ConceptTally(group=by)
    tally.add(claim_rows(claims, _directory(comments, extra=(by,)), extra=(by,)))
    return tally.table()


def _directory(comments: pd.DataFrame, extra: tuple[str, ...] = ()) -> CommentDirectory:
    require_columns(comments, "comments", ("comment_id", "author"))
    return CommentDirectory([comments], extra=extra)


class ConceptTally:
    """The concept summary counted a slice of claims at a time.

    Each slice is grouped on its own (sums, smallest and largest dates, category counts, the
    best example so far, distinct (group, commenter) codes) and merged into what came before, so
    memory follows the number of groups and distinct commenters, not the number of claims. The
    table is the same as counting all claims at once: ties between examples go to the earlier
    claim, as a stable sort of the whole table would give.
    """

    def __init__(self, group: str | None = None) -> None:
        self.group = group
        self.keys = [group, "concept", "role"] if group else ["concept", "role"]
        self._sums: pd.DataFrame | None = None
        self._mentions: pd.Series | None = None
        self._categories: pd.Series | None = None
        self._dates: pd.DataFrame | None = None
        self._examples: dict[str, pd.DataFrame] = {}
        self._group_codes: dict[tuple, int] = {}
        self._pairs: list[np.ndarray] = []
        self._pair_count = 0
        self._merged_count = 0

    def add(self, rows: "pd.DataFrame | CountedSlice") -> None:
        """Count one slice of :func:`claim_rows` (or that slice prepared once for several tallies)."""
        counted = rows if isinstance(rows, CountedSlice) else CountedSlice(rows)
        keys = self.keys
        mentions = counted.mentions[keys[:-1]].groupby(keys[:-1], sort=True).size()
        self._mentions = _summed(self._mentions, mentions)
        claims = counted.claims
        if claims.empty:
            return
        codes, groups = pd.MultiIndex.from_frame(claims[keys]).factorize()
        groups = groups.set_names(keys)
        self._sums = _summed(self._sums, _by_group(counted.indicators.groupby(codes, sort=False).sum(), groups))
        named = (claims["category"] != "").to_numpy()
        self._categories = _summed(self._categories, claims[named].groupby([*keys, "category"], sort=True).size())
        dated = (claims["posted_at"] != "").to_numpy()
        dates = _by_group(claims["posted_at"][dated].groupby(codes[dated], sort=False).agg(["min", "max"]), groups)
        self._dates = dates if self._dates is None else pd.concat([self._dates, dates]).groupby(level=keys, sort=True).agg(
            {"min": "min", "max": "max"})
        self._add_pairs(claims, codes, groups)
        for name, (tier, prefer) in counted.tiers.items():
            best = counted.best_examples(tier, prefer, codes, keys)
            if name in self._examples:
                best = _first_per_group(pd.concat([self._examples[name], best], ignore_index=True), keys)
            self._examples[name] = best

    def table(self) -> pd.DataFrame:
        """The summary of every slice added so far."""
        group, keys = self.group, self.keys
        columns = [group, *SUMMARY_COLUMNS] if group else SUMMARY_COLUMNS
        if self._sums is None:
            return pd.DataFrame(columns=columns).astype({group: "string"} if group else {}).astype(SUMMARY_TYPES)
        sums = self._sums.astype("int64")
        index = sums.index
        table = pd.DataFrame({"claims": sums["claims"], "commenters": self._commenter_counts(index)})
        table["category"] = _most_common_category(self._categories, keys, index)
        for effect in EFFECTS:
            table[effect] = sums[effect]
        table["questions"] = sums["questions"]
        table["evidence_for"] = sums["evidence_for"]
        table["stated"] = sums[list(EFFECTS)].sum(axis=1)
        roles = index.get_level_values(-1)
        table["share_count"] = np.select([roles == role for role in SHARE_EFFECT], [sums[effect] for effect in SHARE_EFFECT.values()])
        for experiencer in EXPERIENCERS:
            table[f"experiencer_{experiencer}"] = sums[f"experiencer_{experiencer}"]
        dates = self._dates.reindex(index) if self._dates is not None else pd.DataFrame(index=index, columns=["min", "max"])
        table["first_seen"], table["last_seen"] = dates["min"], dates["max"]
        table["contrary_claims"] = sums["contrary_claims"]
        table["contradicted"] = (sums["supporting"] > 0) & (table["contrary_claims"] > 0)
        table["negated"] = sums["negated"]
        table["example"], table["example_comment_id"] = _examples(
            [self._examples.get(name) for name in ("supporting", "stated", "any")], keys, index)
        table["contrary_example"], table["contrary_comment_id"] = _examples([self._examples.get("contrary")], keys, index)
        mentions = self._mentions if self._mentions is not None else pd.Series(dtype="int64")
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
        table = table[columns].reset_index(drop=True).astype(SUMMARY_TYPES)
        if group:
            table[group] = table[group].astype("string")
        return table

    def _add_pairs(self, claims: pd.DataFrame, local: np.ndarray, groups: pd.MultiIndex) -> None:
        """Remember each distinct (group, commenter) of the slice as one int64; ``local``: each
        claim's number in ``groups``, the slice's distinct keys."""
        codes = np.array([self._group_codes.setdefault(key, len(self._group_codes)) for key in groups], dtype=np.int64)
        pairs = np.unique(codes[local] * COMMENTER_LIMIT + claims["commenter"].to_numpy(dtype=np.int64))
        self._pairs.append(pairs)
        self._pair_count += len(pairs)
        if len(self._pairs) > 1 and self._pair_count > 2 * self._merged_count + PAIRS_BEFORE_MERGE:
            merged = np.unique(np.concatenate(self._pairs))
            self._pairs, self._pair_count, self._merged_count = [merged], len(merged), len(merged)

    def _commenter_counts(self, index: pd.Index) -> np.ndarray:
        pairs = np.unique(np.concatenate(self._pairs)) if self._pairs else np.zeros(0, dtype=np.int64)
        per_code = np.bincount(pairs // COMMENTER_LIMIT, minlength=len(self._group_codes))
        return np.array([per_code[self._group_codes[key]] for key in index], dtype=np.int64)


def _summed(total: pd.Series | pd.DataFrame | None, part: pd.Series | pd.DataFrame):
    if total is None:
        return part
    return pd.concat([total, part]).groupby(level=list(range(part.index.nlevels)), sort=True).sum()


def _indicators(claims: pd.DataFrame) -> pd.DataFrame:
    """One 0/1 column per thing counted; a group's counts are their sums."""
    stated = claims["stated"]
    columns = {"claims": np.ones(len(claims), dtype=np.int64), "questions": claims["question"].astype("int64")}
    for effect in EFFECTS:
        columns[effect] = (stated & (claims["effect"] == effect)).astype("int64")
    columns["evidence_for"] = (stated & (claims["effect"] != "no_effect")).astype("int64")
    columns["supporting"] = (stated & claims["supporting"]).astype("int64")
    columns["contrary_claims"] = (stated & claims["contrary"]).astype("int64")
    columns["negated"] = (~claims["question"] & claims["negated"]).astype("int64")
    for experiencer in EXPERIENCERS:
        columns[f"experiencer_{experiencer}"] = (claims["experiencer"] == experiencer).astype("int64")
    return pd.DataFrame(columns, index=claims.index)


def _with_claim_keys(claims: pd.DataFrame) -> pd.DataFrame:
    """The per-claim columns the counts group by: stated, supporting, contrary."""
    stated = ~claims["question"] & ~claims["negated"]
    # Python lists, not Series: iterating pandas' Arrow-backed strings costs microseconds a cell.
    effects, roles = claims["effect"].tolist(), claims["role"].tolist()
    supporting = [effect in SUPPORTING[role] for effect, role in zip(effects, roles)]
    contrary = [effect in CONTRARY[role] for effect, role in zip(effects, roles)]
    return claims.assign(stated=stated, supporting=supporting, contrary=contrary)


def _most_common_category(counts: pd.Series | None, keys: list[str], index: pd.Index, default: str = "other") -> pd.Series:
    """The most frequent non-empty category per group; ties go to the alphabetically first."""
    if counts is None or counts.empty:
        return pd.Series(default, index=index, dtype=object)
    counted = counts.rename("n").reset_index()
    order = [*keys, "n", "category"]
    counted = counted.sort_values(order, ascending=[*(True for _ in keys), False, True], kind="mergesort")
    best = counted.drop_duplicates(keys).set_index(keys)["category"]
    return best.reindex(index).fillna(default)


_EXAMPLE_ORDER = ["_long", "_other_effect", "_hedged", "_indirect", "_not_self", "comment_id", "start"]
EXAMPLE_TIERS = ("supporting", "stated", "any", "contrary")


class CountedSlice:
    """A slice of :func:`claim_rows` prepared once for every :class:`ConceptTally` that counts
    it (the concept summary and the counts by thread group the same rows differently): the
    mentions, the remedy and trigger claims with their 0/1 indicators, the tiers of quotes and
    what ranks a quote within its group.
    """

    def __init__(self, rows: pd.DataFrame) -> None:
        roles = rows["role"]
        self.mentions = rows[roles == "mention"]
        self.claims = claims = _with_claim_keys(rows[roles.isin(ROLES)].reset_index(drop=True))
        self.indicators = _indicators(claims)
        stated = claims["stated"].to_numpy(dtype=bool)
        self.tiers = {
            "supporting": (stated & claims["supporting"].to_numpy(dtype=bool), True),
            "stated": (stated, False),
            "any": (np.ones(len(claims), dtype=bool), False),
            "contrary": (stated & claims["contrary"].to_numpy(dtype=bool), False),
        }
        self._quotable = (claims["sentence"].str.strip() != "").to_numpy(dtype=bool)
        self._flags = {prefer: _example_flags(claims, prefer) for prefer in (True, False)}
        self._comment_rank = claims["comment_rank"].to_numpy()
        self._start = claims["start"].to_numpy(dtype=np.int64)

    def best_examples(self, tier: np.ndarray, prefer_share_effect: bool, groups: np.ndarray, keys: list[str]) -> pd.DataFrame:
        """Per group, the quote that best shows a claim among the ``tier`` rows.

        Best: short enough to read whole, with the effect the share counts (helped, worsened)
        where ``prefer_share_effect``, not hedged, decided in its own sentence by a direct cue,
        the reader's own experience; then the first by comment id and position, for determinism.
        """
        rows = np.flatnonzero(tier & self._quotable)
        flags = self._flags[prefer_share_effect]
        # The order of _first_per_group as whole numbers, for one lexsort (a table sort on many
        # text columns costs seconds a slice): flags, comment id's rank, start, then table order.
        order = rows[np.lexsort((rows, self._start[rows], self._comment_rank[rows], flags.to_numpy()[rows], groups[rows]))]
        first = np.sort(order[np.unique(groups[order], return_index=True)[1]]) if len(order) else order
        picked = self.claims.iloc[first]
        keyed = pd.DataFrame({key: picked[key] for key in keys})
        for column in _EXAMPLE_ORDER[:5]:
            keyed[column] = _flag(flags, column)[first]
        keyed["comment_id"], keyed["start"], keyed["sentence"] = picked["comment_id"], picked["start"], picked["sentence"]
        return keyed.reset_index(drop=True)


def _example_flags(claims: pd.DataFrame, prefer_share_effect: bool) -> pd.Series:
    """The quote-ranking flags of _EXAMPLE_ORDER, packed into one whole number a claim (first flag highest)."""
    other_effect = (claims["effect"] != claims["role"].map(SHARE_EFFECT)).to_numpy(dtype=bool) if prefer_share_effect \
        else np.zeros(len(claims), dtype=bool)
    flags = {
        "_long": (claims["sentence"].str.len() > EXAMPLE_CHARS).to_numpy(dtype=bool),
        "_other_effect": other_effect,
        "_hedged": claims["hedged"].to_numpy(dtype=bool),
        "_indirect": (~claims["rule"].isin(DIRECT_RULES)).to_numpy(dtype=bool),
        "_not_self": (claims["experiencer"] != "self").to_numpy(dtype=bool),
    }
    return pd.Series(sum(flags[column].astype(np.int64) << shift for shift, column in enumerate(reversed(_EXAMPLE_ORDER[:5]))),
                     dtype=np.int64)


def _flag(flags: pd.Series, column: str) -> np.ndarray:
    """One flag of :func:`_example_flags`' packed numbers, as booleans."""
    shift = list(reversed(_EXAMPLE_ORDER[:5])).index(column)
    return ((flags.to_numpy() >> shift) & 1).astype(bool)


def _by_group(per_code: pd.DataFrame, groups: pd.MultiIndex) -> pd.DataFrame:
    """Figures computed per group number, indexed by the groups' keys instead, in key order."""
    return per_code.set_axis(groups[per_code.index.to_numpy()]).sort_index()


def _first_per_group(keyed: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return keyed.sort_values([*keys, *_EXAMPLE_ORDER], kind="mergesort").drop_duplicates(keys).reset_index(drop=True)


def _examples(tiers: list[pd.DataFrame | None], keys: list[str], index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Per group, the best quote of the first tier that has one."""
    sentences = pd.Series("", index=index, dtype=object)
    comment_ids = pd.Series("", index=index, dtype=object)
    found = pd.Series(False, index=index)
    for tier in tiers:
        if tier is None or tier.empty:
            continue
        best = tier.set_index(keys).reindex(index)
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
    return normalised_author(author) in ANONYMOUS_AUTHORS


def claim_rows(claims: pd.DataFrame, directory: CommentDirectory, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The claim columns counting needs, as plain values, with their comment's commenter code,
    thread and date (and the ``extra`` comment columns); a repeated comment_id: the last
    copy's details stand for all (as a dict built in order would)."""
    require_columns(claims, "claims", CLAIM_COLUMNS)
    claims = claims.reset_index(drop=True)
    comment_ids = text_values(claims["comment_id"])
    id_list = comment_ids.tolist()
    rows = directory.rows(id_list, last=True)
    details = {column: directory.values(column, rows) for column in ("thread", "posted_at", *extra)}
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
        "commenter": directory.commenters(rows, id_list),
        # Comment ids' alphabetical rank within the slice: sorting whole numbers is fast.
        "comment_rank": pd.factorize(comment_ids, sort=True)[0],
        **details,
    }).reset_index(drop=True)


def _preferred(claims: pd.DataFrame, first: str, fallback: str) -> pd.Series:
    """``first`` where the column exists and the cell is not empty, else ``fallback``."""
    values = text_values(claims[fallback])
    if first not in claims.columns:
        return values.reset_index(drop=True)
    preferred = text_values(claims[first])
    return preferred.where(preferred != "", values).reset_index(drop=True)


# Rules whose evidence is in the quoted sentence itself, so the quote shows the claim.
DIRECT_RULES = frozenset({"helped", "partial", "no_effect", "causative", "conditional_trigger", "temporal_trigger",
                          "cessation_relief", "trigger_no_reaction"})
