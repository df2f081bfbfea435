"""What the report shows, gathered once from the stage tables for both the HTML and the Markdown.

Everything here is plain data: redacted text, whole numbers, anchors. The renderers only lay it
out, so the two documents cannot disagree about a number or a quote.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from pipeline.report.charts import EFFECTS, Segment, share_text

Redactor = Callable[[str], str]

CHART_ROWS = 12
QUEUE_ROWS_IN_HTML = 150
QUOTES_PER_SIDE = 3
QUOTE_CHARS = 280
ROLE_ORDER = ("remedy", "trigger", "mention")
SEVERITY_ORDER = ("urgent", "high", "medium", "low")
_LIST_SPLIT = re.compile(r"\s*[;|,]\s*")
_ID_SPLIT = re.compile(r"[\s;|,]+")


@dataclass(frozen=True)
class Quote:
    """An evidence sentence, split around the words that matched so they can be highlighted."""

    before: str
    match: str
    after: str
    comment_anchor: str
    author: str
    posted_at: str
    effect: str

    @property
    def text(self) -> str:
        return self.before + self.match + self.after


@dataclass(frozen=True)
class ConceptRow:
    """One (concept, role) with its counts, interval and quotes."""

    concept: str
    role: str
    category: str
    claims: int
    commenters: int
    questions: int
    evidence_for: int
    effects: tuple[Segment, ...]
    share: float | None
    share_low: float | None
    share_high: float | None
    contradicted: bool
    example: str
    members: str
    anchor: str
    supporting: tuple[Quote, ...] = ()
    contrary: tuple[Quote, ...] = ()

    def count(self, effect: str) -> int:
        return next((s.count for s in self.effects if s.effect == effect), 0)

    @property
    def share_label(self) -> str:
        return share_text(self.share, self.share_low, self.share_high)

    @property
    def share_measure(self) -> str:
        return "helped" if self.role == "remedy" else "worsened"


@dataclass(frozen=True)
class QueueRow:
    """One review item as a reviewer sees it."""

    severity: str
    flag: str
    reason: str
    evidence: str
    author: str
    posted_at: str
    thread: str
    status: str
    comment_anchor: str


@dataclass(frozen=True)
class ThemeRow:
    """One theme: its label, size, top terms and a few comments that stand for it."""

    theme: str
    label: str
    size: int
    top_terms: tuple[str, ...]
    representatives: tuple[Quote, ...]


@dataclass(frozen=True)
class SourceRow:
    """Ingest reconciliation of one input file: records read = kept + rejected + duplicates."""

    source: str
    format: str
    records: int
    kept: int
    rejected: int
    duplicates: int
    note: str

    @property
    def balanced(self) -> bool:
        return self.records == self.kept + self.rejected + self.duplicates


@dataclass(frozen=True)
class EvidenceComment:
    """A comment quoted somewhere in the report, shown whole under its anchor."""

    anchor: str
    author: str
    posted_at: str
    thread: str
    text: str


@dataclass(frozen=True)
class PlainTable:
    """A table shown as given (e.g. counts by thread): column names and rows of strings."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total_rows: int


@dataclass(frozen=True)
class CorpusTotals:
    """Counts over the whole tables, for a report given only the rows it shows (the comments it
    quotes, the claims it may quote, the top of the review queue)."""

    comments: int
    threads: int
    remedy_claims: int
    trigger_claims: int
    queue_rows: int
    queue_open: int


@dataclass(frozen=True)
class ReportView:
    """Everything the report documents show."""

    generated_from: str
    overview: tuple[tuple[str, int], ...]
    remedies: tuple[ConceptRow, ...]
    triggers: tuple[ConceptRow, ...]
    queue: tuple[QueueRow, ...]
    queue_total: int
    queue_open: int
    themes: tuple[ThemeRow, ...]
    sources: tuple[SourceRow, ...]
    evidence: tuple[EvidenceComment, ...]
    by_thread: PlainTable | None = None
    redacted: bool = True
    chart_rows: int = CHART_ROWS

    @property
    def source_total(self) -> SourceRow:
        return SourceRow(
            "all files",
            "",
            sum(s.records for s in self.sources),
            sum(s.kept for s in self.sources),
            sum(s.rejected for s in self.sources),
            sum(s.duplicates for s in self.sources),
            "",
        )

    @property
    def remedy_scale(self) -> int:
        return _scale(self.remedies[: self.chart_rows])

    @property
    def trigger_scale(self) -> int:
        return _scale(self.triggers[: self.chart_rows])


@dataclass
class _Anchors:
    """Unique, URL-safe element ids, handed out in a fixed order so the output is deterministic."""

    taken: dict[tuple[str, str], str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def get(self, prefix: str, key: str) -> str:
        if (prefix, key) in self.taken:
            return self.taken[(prefix, key)]
        base = f"{prefix}-{re.sub(r'[^a-z0-9]+', '-', key.lower()).strip('-') or 'x'}"
        anchor, suffix = base, 2
        while anchor in self.used:
            anchor, suffix = f"{base}-{suffix}", suffix + 1
        self.used.add(anchor)
        self.taken[(prefix, key)] = anchor
        return anchor


def build_view(
    *,
    comments: pd.DataFrame,
    claims: pd.DataFrame,
    concept_summary: pd.DataFrame,
    concepts: pd.DataFrame,
    themes: pd.DataFrame,
    review_queue: pd.DataFrame,
    sources: pd.DataFrame,
    threads: pd.DataFrame,
    by_thread: pd.DataFrame | None,
    redact: Redactor,
    redacted: bool,
    generated_from: str,
    totals: CorpusTotals | None = None,
) -> ReportView:
    """Gather the report's content; every free text passes through ``redact``.

    Without ``totals`` the tables are whole and the overview counts them; with ``totals`` they
    may be the selection :class:`QuoteCandidates` and the queue's first rows make.
    """
    totals = totals or _totals_of(comments, claims, review_queue)
    anchors = _Anchors()
    comment_index = _comment_index(comments, redact)
    referenced: set[str] = set()

    def comment_anchor(comment_id: str) -> str:
        # Only comments present in the table get an anchor: a link must never point nowhere.
        if comment_id not in comment_index:
            return ""
        referenced.add(comment_id)
        return anchors.get("comment", comment_id)

    members = _members_by_concept(concepts)
    quotes = _QuoteFinder(claims, comment_index, comment_anchor, redact)
    rows = [
        _concept_row(record, members, anchors, quotes, redact)
        for record in records_of(sort_concept_summary(concept_summary))
        if str(record.get("role", "")) in ("remedy", "trigger")
    ]
    # Only the rows the report shows are built: their comments join the evidence section.
    shown_queue = sort_review_queue(review_queue).head(QUEUE_ROWS_IN_HTML)
    queue_rows = [_queue_row(record, comment_anchor, redact) for record in records_of(shown_queue)]
    theme_rows = [_theme_row(record, comment_index, comment_anchor, redact) for record in records_of(sort_themes(themes))]
    return ReportView(
        generated_from=generated_from,
        overview=_overview(totals, sources, threads, rows),
        remedies=tuple(row for row in rows if row.role == "remedy"),
        triggers=tuple(row for row in rows if row.role == "trigger"),
        queue=tuple(queue_rows),
        queue_total=totals.queue_rows,
        queue_open=totals.queue_open,
        themes=tuple(theme_rows),
        sources=tuple(_source_row(record) for record in records_of(sources)),
        evidence=_evidence(comments, comment_index, referenced, anchors),
        by_thread=_plain_table(by_thread, redact) if by_thread is not None and len(by_thread) else None,
        redacted=redacted,
    )


def sort_concept_summary(concept_summary: pd.DataFrame) -> pd.DataFrame:
    """Remedies, then triggers, then the rest; most evidence first; ties by name."""
    if concept_summary.empty:
        return concept_summary.copy()
    keyed = concept_summary.assign(
        _role=concept_summary["role"].astype(str).map(lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER)),
        _evidence=-as_int(concept_summary, "evidence_for"),
        _claims=-as_int(concept_summary, "claims"),
        _concept=concept_summary["concept"].astype(str),
    )
    ordered = keyed.sort_values(["_role", "_evidence", "_claims", "_concept", "role"], kind="mergesort")
    return ordered.drop(columns=["_role", "_evidence", "_claims", "_concept"]).reset_index(drop=True)


def sort_review_queue(review_queue: pd.DataFrame) -> pd.DataFrame:
    """Most severe first; within a severity the order given (the queue's own: newest first)."""
    if review_queue.empty or "severity" not in review_queue.columns:
        return review_queue.copy()
    rank = review_queue["severity"].astype(str).map(lambda s: SEVERITY_ORDER.index(s) if s in SEVERITY_ORDER else len(SEVERITY_ORDER))
    return review_queue.iloc[rank.to_numpy().argsort(kind="stable")].reset_index(drop=True)


def sort_themes(themes: pd.DataFrame) -> pd.DataFrame:
    """Largest theme first; ties by theme id."""
    if themes.empty or "theme" not in themes.columns:
        return themes.copy()
    keyed = themes.assign(_size=-as_int(themes, "size"), _theme=themes["theme"].astype(str))
    return keyed.sort_values(["_size", "_theme"], kind="mergesort").drop(columns=["_size", "_theme"]).reset_index(drop=True)


def as_int(table: pd.DataFrame, column: str) -> pd.Series:
    """A column as whole numbers (tables read back from CSV hold strings); 0 when absent."""
    if column not in table.columns:
        return pd.Series(0, index=table.index, dtype="int64")
    return pd.to_numeric(table[column], errors="coerce").fillna(0).astype("int64")


def as_bool(value: object) -> bool:
    """True for True, 1, "true", "True", "1", "yes" (CSV round trips turn booleans into text)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    if _missing(value):
        return False
    return bool(value)


def as_list(value: object, *, ids: bool = False) -> list[str]:
    """A list cell from Parquet (array) or CSV (text joined by ``;``, ``|`` or ``,``) as strings."""
    if isinstance(value, str):
        parts = (_ID_SPLIT if ids else _LIST_SPLIT).split(value.strip().strip("[]"))
        return [part.strip().strip("'\"") for part in parts if part.strip().strip("'\"")]
    if hasattr(value, "__iter__"):
        return [str(item) for item in value]
    return [] if _missing(value) else [str(value)]


def text_of(value: object) -> str:
    """A cell as display text: missing values become the empty string."""
    return "" if _missing(value) else str(value)


def _missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA (nullable "string" columns hold pd.NA); never true for a list."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def excerpt(text: str, limit: int = QUOTE_CHARS) -> str:
    """Shorten ``text`` at a word boundary, marking the cut with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:") + "…"


def as_float(value: object) -> float | None:
    if _missing(value):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _scale(rows: Sequence[ConceptRow]) -> int:
    return max((sum(s.count for s in row.effects) for row in rows), default=1) or 1


@dataclass(frozen=True)
class _CommentInfo:
    author: str
    posted_at: str
    thread: str
    text: str


class _CommentIndex:
    """The comments by id; a comment's text is read and redacted only when the report uses it
    (the report quotes a few hundred comments of a corpus that may hold millions)."""

    def __init__(self, comments: pd.DataFrame, redact: Redactor) -> None:
        # Kept as the table's own (compact) columns; a cell becomes a Python string only when quoted.
        columns = [comments[name] if name in comments.columns else None for name in ("author", "posted_at", "thread", "text")]
        ids = _plain_column(comments, "comment_id")
        self._rows: dict[str, int] = {}
        for row, comment_id in enumerate(ids):
            self._rows.setdefault(comment_id, row)  # a repeated id: the first copy stands for all
        self._columns = columns
        self._redact = redact
        self._built: dict[str, _CommentInfo] = {}

    def __contains__(self, comment_id: object) -> bool:
        return comment_id in self._rows

    def __getitem__(self, comment_id: str) -> _CommentInfo:
        info = self._built.get(comment_id)
        if info is None:
            row = self._rows[comment_id]
            author, posted_at, thread, text = ("" if column is None else text_of(column.iat[row]) for column in self._columns)
            info = _CommentInfo(self._redact(author), posted_at, self._redact(thread), self._redact(text))
            self._built[comment_id] = info
        return info

    def get(self, comment_id: str) -> _CommentInfo | None:
        return self[comment_id] if comment_id in self._rows else None


def _comment_index(comments: pd.DataFrame, redact: Redactor) -> _CommentIndex:
    return _CommentIndex(comments, redact)


def _plain_column(table: pd.DataFrame, column: str) -> list[str]:
    """A column as display strings ("" for missing or absent), read in one pass."""
    if column not in table.columns:
        return [""] * len(table)
    return [text_of(value) for value in table[column].astype(object).tolist()]


def records_of(table: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values; ``DataFrame.to_dict("records")`` boxes every cell
    one by one, which is slow on Arrow-backed string columns."""
    columns = {str(name): table[name].astype(object).tolist() for name in table.columns}
    return [dict(zip(columns, values)) for values in zip(*columns.values())] if columns else [{} for _ in range(len(table))]


def open_count(review_queue: pd.DataFrame) -> int:
    """Rows without a decision (status empty or ``open``)."""
    if "status" not in review_queue.columns:
        return len(review_queue)
    return int(review_queue["status"].map(text_of).isin(["", "open"]).sum())


def _members_by_concept(concepts: pd.DataFrame) -> dict[str, str]:
    if concepts.empty or "concept" not in concepts.columns or "members" not in concepts.columns:
        return {}
    return {
        text_of(concept): "; ".join(sorted(set(as_list(members)) - {text_of(concept)}))
        for concept, members in zip(concepts["concept"], concepts["members"])
    }


class _QuoteFinder:
    """Picks supporting and contrary evidence sentences for a (concept, role) from the claims."""

    def __init__(self, claims: pd.DataFrame, comments: _CommentIndex, anchor, redact: Redactor) -> None:
        self._comments = comments
        self._anchor = anchor
        self._redact = redact
        self._by_key: dict[tuple[str, str], list[dict]] = {}
        if claims.empty:
            return
        concept_column = "cluster" if "cluster" in claims.columns else "concept"
        # Only what a quote needs, and only claims that can be quoted: on millions of claims a
        # dict per row of every column is gigabytes.
        wanted = [c for c in _QUOTE_COLUMNS if c in claims.columns]
        quotable = claims[claims["role"].astype(str).isin(ROLE_ORDER[:2])] if "role" in claims.columns else claims
        if "question" in quotable.columns:
            quotable = quotable[~quotable["question"].map(as_bool).astype(bool)]
        records = quotable[wanted].sort_values(
            ["comment_id", "claim_id"] if "claim_id" in claims.columns else ["comment_id"], kind="mergesort"
        )
        for record in records_of(records):
            key = (text_of(record.get(concept_column)) or text_of(record.get("concept")), text_of(record.get("role")))
            self._by_key.setdefault(key, []).append(record)

    def quotes(self, concept: str, role: str, preferred: Sequence[str] = ()) -> tuple[tuple[Quote, ...], tuple[Quote, ...]]:
        """Up to three supporting and three contrary quotes, one per comment; ``preferred`` comments first."""
        supporting: list[Quote] = []
        contrary: list[Quote] = []
        seen: set[tuple[str, bool]] = set()
        records = self._by_key.get((concept, role), [])
        rank = {comment_id: position for position, comment_id in enumerate(preferred) if comment_id}
        records = sorted(records, key=lambda record: rank.get(text_of(record.get("comment_id")), len(rank)))
        for record in records:
            if as_bool(record.get("question")):
                continue
            against = _is_contrary(record, role)
            target = contrary if against else supporting
            comment_id = text_of(record.get("comment_id"))
            if len(target) >= QUOTES_PER_SIDE or (comment_id, against) in seen or comment_id not in self._comments:
                continue
            seen.add((comment_id, against))
            target.append(self._quote(record, comment_id))
        return tuple(supporting), tuple(contrary)

    def _quote(self, record: dict, comment_id: str) -> Quote:
        info = self._comments[comment_id]
        sentence = self._redact(text_of(record.get("sentence"))) or info.text
        return split_quote(
            excerpt(sentence),
            self._redact(text_of(record.get("surface"))),
            comment_anchor=self._anchor(comment_id),
            author=info.author,
            posted_at=info.posted_at[:10],  # the date is enough beside a quote
            effect=text_of(record.get("effect")),
        )


class QuoteCandidates:
    """The claims :class:`_QuoteFinder` can pick for each (concept, role), chosen a slice of
    claims at a time, so that the report never holds every claim.

    Per (concept, role) and side (supporting or contrary), a finder takes up to three comments,
    the summary's example comments first, then the smallest comment ids, each through its first
    claim by (comment_id, claim_id). Kept here: for every comment on a side only that first
    claim, and of those the preferred comments' and the first three others', which is all the
    finder can reach. Claims of comments that are not in the comments table are dropped, as
    the finder skips them. Also counts the remedy and trigger claims for the overview.
    """

    def __init__(self, concept_summary: pd.DataFrame, known_comments: Callable[[list[str]], np.ndarray]) -> None:
        self._preferred = {
            (text_of(record.get("concept")), text_of(record.get("role")), text_of(record.get(column)))
            for record in records_of(concept_summary)
            for column in ("example_comment_id", "contrary_comment_id")
            if text_of(record.get(column))
        }
        self._preferred_keys = pd.MultiIndex.from_tuples(sorted(self._preferred)) if self._preferred else None
        self._known = known_comments
        self._kept: pd.DataFrame | None = None
        self._seen = 0
        self.remedy_claims = 0
        self.trigger_claims = 0

    def add(self, claims: pd.DataFrame) -> None:
        """Consider one slice of the claims table (slices in table order)."""
        sequence = np.arange(self._seen, self._seen + len(claims))
        self._seen += len(claims)
        if "role" not in claims.columns or claims.empty:
            return
        roles = claims["role"].astype(str)
        self.remedy_claims += int((roles == "remedy").sum())
        self.trigger_claims += int((roles == "trigger").sum())
        quotable = claims.assign(_sequence=sequence)[roles.isin(ROLE_ORDER[:2]).to_numpy()]
        if "question" in quotable.columns:
            quotable = quotable[~_bools(quotable["question"])]
        wanted = [c for c in (*_QUOTE_COLUMNS, "_sequence") if c in quotable.columns]
        quotable = quotable[wanted]
        if quotable.empty:
            return
        roles = _texts(quotable, "role")
        effects = _texts(quotable, "effect")
        negated = _bools(quotable["negated"]) if "negated" in quotable.columns else False
        cluster = _texts(quotable, "cluster")
        keyed = quotable.assign(
            _concept=cluster.where(cluster != "", _texts(quotable, "concept")),
            _role=roles,
            _contrary=negated | (effects == "no_effect") | ((roles == "remedy") & (effects == "worsened")),
            _comment=_texts(quotable, "comment_id"),
        )
        keyed = self._first_comments(keyed[self._known(keyed["_comment"].tolist())])
        # What the slice keeps, then what all slices so far keep: the same rows as one pass.
        self._kept = keyed if self._kept is None else self._first_comments(pd.concat([self._kept, keyed], ignore_index=True))

    def claims(self) -> pd.DataFrame:
        """The kept claims in table order, with the claims table's own columns."""
        if self._kept is None:
            return pd.DataFrame(columns=["comment_id", "role"])
        kept = self._kept.sort_values("_sequence", kind="mergesort")
        return kept[[c for c in kept.columns if not c.startswith("_")]].reset_index(drop=True)

    def _is_preferred(self, keyed: pd.DataFrame) -> np.ndarray:
        """Whether each row's (concept, role, comment) is a summary example's, matched in
        pandas' hash tables rather than a Python loop over the rows."""
        if not self._preferred or keyed.empty:
            return np.zeros(len(keyed), dtype=bool)
        rows = pd.MultiIndex.from_arrays([keyed[column].astype(object) for column in ("_concept", "_role", "_comment")])
        return rows.isin(self._preferred_keys)

    def _first_comments(self, keyed: pd.DataFrame) -> pd.DataFrame:
        order = [c for c in ("comment_id", "claim_id") if c in keyed.columns] + ["_sequence"]
        side = ["_concept", "_role", "_contrary"]
        first = keyed.sort_values(order, kind="mergesort").drop_duplicates([*side, "_comment"])
        preferred = pd.Series(self._is_preferred(first), index=first.index, dtype=bool)
        others = first[~preferred]
        rank = others.groupby(side, sort=False).cumcount()
        keep = preferred.copy()
        keep[rank.index] = rank < QUOTES_PER_SIDE
        return first[keep].reset_index(drop=True)


def _bools(column: pd.Series) -> pd.Series:
    """``column`` as :func:`as_bool` reads each cell; a boolean column as it is."""
    if pd.api.types.is_bool_dtype(column) and not column.isna().any():
        return column.astype(bool)
    return column.map(as_bool).astype(bool)


def _texts(table: pd.DataFrame, column: str) -> pd.Series:
    """``column`` as :func:`text_of` shows each cell ("" when the column is absent)."""
    if column not in table.columns:
        return pd.Series("", index=table.index, dtype=object)
    values = table[column]
    return values.astype(object).where(values.notna(), "").astype(str)


# Only what a quote needs: on millions of claims a dict per row of every column is gigabytes.
_QUOTE_COLUMNS = ("comment_id", "claim_id", "concept", "cluster", "role", "effect", "negated", "question", "sentence",
                  "surface")


def _is_contrary(record: dict, role: str) -> bool:
    """Against the claim: negated, no effect, or (for a remedy) made things worse."""
    effect = text_of(record.get("effect"))
    return as_bool(record.get("negated")) or effect == "no_effect" or (role == "remedy" and effect == "worsened")


def split_quote(sentence: str, surface: str, **details: str) -> Quote:
    """Cut ``sentence`` around the first case-insensitive occurrence of ``surface``."""
    at = sentence.lower().find(surface.lower()) if surface else -1
    if at < 0:
        return Quote(sentence, "", "", **details)
    return Quote(sentence[:at], sentence[at : at + len(surface)], sentence[at + len(surface) :], **details)


def _concept_row(record: dict, members: dict[str, str], anchors: _Anchors, quotes: _QuoteFinder, redact: Redactor) -> ConceptRow:
    concept, role = text_of(record.get("concept")), text_of(record.get("role"))
    preferred = (text_of(record.get("example_comment_id")), text_of(record.get("contrary_comment_id")))
    supporting, contrary = quotes.quotes(concept, role, preferred)
    if not contrary and text_of(record.get("contrary_example")):
        contrary = (Quote(excerpt(redact(text_of(record.get("contrary_example")))), "", "", "", "", "", ""),)
    return ConceptRow(
        concept=concept,
        role=role,
        category=text_of(record.get("category")),
        claims=_int(record.get("claims")),
        commenters=_int(record.get("commenters")),
        questions=_int(record.get("questions")),
        evidence_for=_int(record.get("evidence_for")),
        effects=tuple(Segment(effect, _int(record.get(effect))) for effect in EFFECTS),
        share=as_float(record.get("share")),
        share_low=as_float(record.get("share_low")),
        share_high=as_float(record.get("share_high")),
        contradicted=as_bool(record.get("contradicted")),
        example=excerpt(redact(text_of(record.get("example")))),
        members=members.get(concept, ""),
        anchor=anchors.get(f"concept-{role}", concept),
        supporting=supporting,
        contrary=contrary,
    )


def _int(value: object) -> int:
    number = as_float(value)
    return int(number) if number is not None else 0


def _queue_row(record: dict, comment_anchor, redact: Redactor) -> QueueRow:
    comment_id = text_of(record.get("comment_id"))
    return QueueRow(
        severity=text_of(record.get("severity")),
        flag=text_of(record.get("flag")),
        reason=redact(text_of(record.get("reason"))),
        evidence=excerpt(redact(text_of(record.get("evidence"))), 200),
        author=redact(text_of(record.get("author"))),
        posted_at=text_of(record.get("posted_at")),
        thread=redact(text_of(record.get("thread"))),
        status=text_of(record.get("status")) or "open",
        comment_anchor=comment_anchor(comment_id),
    )


def _theme_row(record: dict, comments: _CommentIndex, comment_anchor, redact: Redactor) -> ThemeRow:
    representatives = []
    for comment_id in as_list(record.get("representative_ids"), ids=True)[:QUOTES_PER_SIDE]:
        info = comments.get(comment_id)
        if info is not None:
            representatives.append(
                Quote(excerpt(info.text, 200), "", "", comment_anchor(comment_id), info.author, info.posted_at[:10], "")
            )
    return ThemeRow(
        theme=text_of(record.get("theme")),
        label=redact(text_of(record.get("label"))),
        size=_int(record.get("size")),
        top_terms=tuple(redact(term) for term in as_list(record.get("top_terms"))),
        representatives=tuple(representatives),
    )


def _source_row(record: dict) -> SourceRow:
    return SourceRow(
        source=text_of(record.get("source")),
        format=text_of(record.get("format")),
        records=_int(record.get("records")),
        kept=_int(record.get("kept")),
        rejected=_int(record.get("rejected")),
        duplicates=_int(record.get("duplicates")),
        note=text_of(record.get("error")),
    )


def _totals_of(comments: pd.DataFrame, claims: pd.DataFrame, review_queue: pd.DataFrame) -> CorpusTotals:
    roles = claims["role"].astype(str) if "role" in claims.columns else pd.Series(dtype=str)
    return CorpusTotals(
        comments=len(comments),
        threads=int(comments["thread"].nunique()) if "thread" in comments.columns else 0,
        remedy_claims=int((roles == "remedy").sum()),
        trigger_claims=int((roles == "trigger").sum()),
        queue_rows=len(review_queue),
        queue_open=open_count(review_queue),
    )


def _overview(
    totals: CorpusTotals, sources: pd.DataFrame, threads: pd.DataFrame, rows: Sequence[ConceptRow],
) -> tuple[tuple[str, int], ...]:
    return (
        ("comments", totals.comments),
        ("threads", int(len(threads) if len(threads) else totals.threads)),
        ("files", len(sources)),
        ("remedy claims", totals.remedy_claims),
        ("trigger claims", totals.trigger_claims),
        ("remedies", sum(1 for row in rows if row.role == "remedy")),
        ("triggers", sum(1 for row in rows if row.role == "trigger")),
        ("to review", totals.queue_rows),
    )


def _evidence(
    comments: pd.DataFrame, index: _CommentIndex, referenced: set[str], anchors: _Anchors
) -> tuple[EvidenceComment, ...]:
    """The quoted comments, in the order of the input (source, then position)."""
    if "comment_id" not in comments.columns or not referenced:
        return ()
    quoted = comments[comments["comment_id"].astype(str).isin(referenced)]
    if {"source", "position"} <= set(quoted.columns):
        keyed = quoted.assign(_position=as_int(quoted, "position"), _source=quoted["source"].astype(str))
        quoted = keyed.sort_values(["_source", "_position"], kind="mergesort")
    order = [text_of(value) for value in quoted["comment_id"].astype(object).tolist()]
    return tuple(
        EvidenceComment(anchors.get("comment", comment_id), index[comment_id].author, index[comment_id].posted_at,
                        index[comment_id].thread, index[comment_id].text)
        for comment_id in dict.fromkeys(order)
        if comment_id in index
    )


def _plain_table(table: pd.DataFrame, redact: Redactor, limit: int = 200) -> PlainTable:
    rows = tuple(tuple(redact(text_of(value)) for value in row) for row in table.head(limit).itertuples(index=False))
    return PlainTable(tuple(str(column) for column in table.columns), rows, len(table))
