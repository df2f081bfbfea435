"""The report stage: the pipeline's tables in, the summary files and ``report.html`` out (as text)."""
from __future__ import annotations

import functools
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import StageInputError
from pipeline.io.tables import defuse_formulas, defuse_text_array
from pipeline.report.csv_text import csv_text
from pipeline.report.html import render_html
from pipeline.report.markdown import render_markdown
from pipeline.report.view import (
    CorpusTotals, as_list, build_view, excerpt, sort_concept_summary, sort_review_queue, sort_themes, text_of,
)

# The contract's columns of summary/concepts.csv, in this order; the rest of concept_summary follows.
CONCEPT_COLUMNS = [
    "concept", "role", "category", "claims", "commenters", "helped", "partial", "no_effect", "worsened",
    "questions", "example",
]
_NUMERIC_CONCEPT_COLUMNS = {"claims", "commenters", "helped", "partial", "no_effect", "worsened", "questions"}
_SHARE_COLUMNS = ("share", "share_low", "share_high")
# Headers written when a table arrives with no columns at all, so that every CSV reads back.
QUEUE_COLUMNS = [
    "flag_id", "comment_id", "flag", "severity", "reason", "evidence", "rule", "author", "posted_at",
    "thread", "text", "status", "decided_by", "decided_at", "note",
]
# summary/review_queue.md is for reading: the most severe rows; the CSV holds every row.
QUEUE_ROWS_IN_MARKDOWN = 1000
THEME_COLUMNS = ["theme", "label", "size", "top_terms", "representative_ids"]
# Cells a commenter wrote (or that quote a commenter): the only ones redaction touches, so that
# ids, dates and counts are never mistaken for phone numbers.
FREE_TEXT_COLUMNS = frozenset({
    "author", "text", "evidence", "example", "contrary_example", "sentence", "surface", "note", "reason",
    "label", "top_terms", "title", "thread", "members", "decided_by",
})


def build_report(
    comments: pd.DataFrame,
    claims: pd.DataFrame,
    concept_summary: pd.DataFrame,
    concepts: pd.DataFrame,
    themes: pd.DataFrame,
    flags_queue: pd.DataFrame | None,
    sources: pd.DataFrame,
    threads: pd.DataFrame,
    *,
    redact: bool = True,
    generated_from: str,
    by_thread: pd.DataFrame | None = None,
    totals: CorpusTotals | None = None,
    with_queue_csv: bool = True,
) -> dict[str, str]:
    """Render the summary tables, ``summary.md`` and ``report.html``.

    Input columns: ``comments`` (comment_id, author, posted_at, thread, text; source and position
    order the evidence), ``claims`` (comment_id, concept or cluster, role, effect, negated, question,
    sentence, surface, claim_id), ``concept_summary`` (see ``count_concepts``), ``concepts``
    (concept, members), ``themes`` (theme, label, size, top_terms, representative_ids),
    ``flags_queue`` (the review queue; None or empty when nothing was flagged), ``sources``
    (source, format, records, kept, rejected, duplicates, error), ``threads``; ``by_thread`` is
    written as ``summary/by_thread.csv`` when given. Missing optional columns count as empty.

    Returns:
        Relative path -> file content: ``summary/concepts.csv``, ``summary/review_queue.csv``,
        ``summary/themes.csv``, (``summary/by_thread.csv``), ``summary/summary.md``, ``report.html``.
        Same input, same bytes: rows are sorted explicitly and nothing reads the clock;
        ``generated_from`` (e.g. the input folder) is the only provenance shown.

    With ``redact`` (the default) e-mail addresses and phone numbers in commenters' text are
    replaced by ``[email]`` / ``[phone]`` everywhere. No side effects; inputs are not modified.

    A caller that cannot hold whole tables (see ``pipeline.report.streamed``) passes ``totals``
    with only the rows the report shows: the comments it quotes, the claims
    ``QuoteCandidates`` keeps, the review queue's first ``QUEUE_ROWS_IN_MARKDOWN`` rows; with
    ``with_queue_csv=False`` it writes ``summary/review_queue.csv`` itself (:func:`queue_csv`).
    """
    _require(comments, "comments", ("comment_id",))
    _require(concept_summary, "concept_summary", ("concept", "role"))
    review_queue = _with_header(flags_queue, QUEUE_COLUMNS)
    themes = _with_header(themes, THEME_COLUMNS)
    redactor = redactor_of(redact)
    shown_queue = redact_columns(sort_review_queue(review_queue), redactor)
    files = {
        "summary/concepts.csv": to_csv(concepts_table(concept_summary, concepts, redactor)),
        "summary/themes.csv": to_csv(themes_table(themes, comments, redactor)),
    }
    if with_queue_csv:
        files["summary/review_queue.csv"] = to_csv(shown_queue)
    if by_thread is not None:
        files["summary/by_thread.csv"] = to_csv(redact_columns(by_thread, redactor))
    files["summary/review_queue.md"] = queue_markdown(
        shown_queue, limit=QUEUE_ROWS_IN_MARKDOWN, total=totals.queue_rows if totals else None)
    view = build_view(
        comments=comments,
        claims=claims,
        concept_summary=concept_summary,
        concepts=concepts,
        themes=themes,
        review_queue=review_queue,
        sources=sources,
        threads=threads,
        by_thread=by_thread,
        redact=redactor,
        redacted=redact,
        generated_from=generated_from,
        totals=totals,
    )
    files["summary/summary.md"] = render_markdown(view)
    files["report.html"] = render_html(view)
    return dict(sorted(files.items()))


def concepts_table(concept_summary: pd.DataFrame, concepts: pd.DataFrame, redact: Callable[[str], str]) -> pd.DataFrame:
    """``summary/concepts.csv``: the contract's columns first, then the rest, plus cluster members."""
    table = sort_concept_summary(concept_summary)
    for column in CONCEPT_COLUMNS:
        if column not in table.columns:
            table[column] = 0 if column in _NUMERIC_CONCEPT_COLUMNS else ""
    for column in _SHARE_COLUMNS:
        if column in table.columns:
            table[column] = pd.to_numeric(table[column], errors="coerce").round(3)
    if "members" not in table.columns and {"concept", "members"} <= set(concepts.columns):
        members = {text_of(c): "; ".join(as_list(m)) for c, m in zip(concepts["concept"], concepts["members"])}
        table["members"] = table["concept"].astype(str).map(members).fillna("")
    ordered = CONCEPT_COLUMNS + [column for column in table.columns if column not in CONCEPT_COLUMNS]
    return redact_columns(table[ordered], redact)


def themes_table(themes: pd.DataFrame, comments: pd.DataFrame, redact: Callable[[str], str]) -> pd.DataFrame:
    """``summary/themes.csv``: themes, largest first, with an excerpt of their first representative comment."""
    table = sort_themes(themes)
    if "example" not in table.columns and "representative_ids" in table.columns and {"comment_id", "text"} <= set(comments.columns):
        texts = dict(zip(comments["comment_id"].astype(str), comments["text"].map(text_of)))
        first = table["representative_ids"].map(lambda ids: next(iter(as_list(ids, ids=True)), ""))
        table["example"] = first.map(lambda comment_id: excerpt(texts.get(comment_id, ""), 200))
    return redact_columns(table, redact)


def queue_markdown(queue: pd.DataFrame, limit: int | None = None, total: int | None = None) -> str:
    """The review queue as a Markdown table (the same view ``remedy-miner review export`` writes),
    its first ``limit`` rows; ``total`` is the queue's length when ``queue`` is only its top."""
    from pipeline.review.queue import queue_markdown as markdown_table

    return markdown_table(queue, limit=limit, total=total)


def queue_csv(queue: pd.DataFrame, redact: Callable[[str], str], *, header: bool) -> str:
    """Rows of ``summary/review_queue.csv`` (already in queue order), as :func:`build_report`
    writes them; the queue's slices in order, the first with ``header``, make the whole file.

    A queue of text cells (as the report assembles it) is redacted, defused and written in
    Arrow, column by column; anything else (lists, numbers, text Arrow cannot hold) the
    per-cell way. Both give the same bytes."""
    columns = _text_arrays(queue) if isinstance(redact, Redactor) or redact is _no_redaction else None
    if columns is None:
        return defuse_formulas(redact_columns(queue, redact)).to_csv(index=False, header=header, lineterminator="\n")
    cells = [defuse_text_array(redact.array(values) if name in FREE_TEXT_COLUMNS and isinstance(redact, Redactor) else values)
             for name, values in zip(queue.columns, columns)]
    return csv_text(cells, [str(name) for name in queue.columns], header=header)


def _text_arrays(table: pd.DataFrame) -> list[pa.Array] | None:
    """Each column as Arrow text when every cell is a string and there are two or more
    columns of string names; else None."""
    if len(table.columns) < 2 or not all(isinstance(name, str) for name in table.columns):
        return None
    arrays = []
    for name in table.columns:
        column = table[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            return None
        try:
            values = pa.array(column, type=pa.large_string(), from_pandas=True)
        except (pa.ArrowException, UnicodeError):
            return None
        if values.null_count:
            return None
        arrays.append(values)
    return arrays


def redact_columns(table: pd.DataFrame, redact: Callable[[str], str]) -> pd.DataFrame:
    """A copy with list cells joined by ``; `` and free-text columns redacted."""
    result = table.copy()
    for column in result.columns:
        if len(result) and result[column].dtype == object and _holds_lists(result[column]):
            result[column] = result[column].map(lambda value: "; ".join(as_list(value)) if _is_list(value) else value)
        if column in FREE_TEXT_COLUMNS and len(result):
            values = result[column].tolist()
            redacted = redact.column(values) if isinstance(redact, Redactor) else \
                [redact(value) if isinstance(value, str) else value for value in values]
            if redacted is not values:
                result[column] = pd.Series(redacted, index=result.index, dtype=object)
    return result


def to_csv(table: pd.DataFrame) -> str:
    """CSV text with ``\\n`` line ends whose cells cannot start a spreadsheet formula."""
    return defuse_formulas(table).to_csv(index=False, lineterminator="\n")


def _with_header(table: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    if table is None or len(table.columns) == 0:
        return pd.DataFrame(columns=columns)
    return table


def _is_list(value: object) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _holds_lists(column: pd.Series) -> bool:
    # A column of strings only (pandas tells that in C) holds no list: no need to look at each cell.
    return pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty") and \
        any(_is_list(value) for value in column.tolist())


class Redactor:
    """The redaction of free text, remembering the texts it has seen: called on one text, or
    on a whole column with :meth:`column`, which sends only the cells that may hold an address
    or a number (see :func:`pipeline.redact.may_hold_contacts`) through the full patterns."""

    def __init__(self) -> None:
        # Imported here so that a report without redaction does not depend on the redaction rules.
        from pipeline.redact import may_hold_contacts, may_hold_contacts_array, redact as redact_text

        self._may_hold_contacts = may_hold_contacts
        self._may_hold_contacts_array = may_hold_contacts_array
        # The same names, threads and quotes recur across tables: each distinct text is redacted once.
        self._redact = functools.lru_cache(maxsize=1 << 16)(lambda text: redact_text(text) if text else text)

    def __call__(self, text: str) -> str:
        return self._redact(text)

    def column(self, values: list) -> list:
        """``values`` with every string redacted (the same list when nothing changed)."""
        candidates = np.flatnonzero(self._may_hold_contacts(values))
        if not len(candidates):
            return values
        redacted = list(values)
        for position in candidates.tolist():
            redacted[position] = self._redact(values[position])
        return redacted

    def array(self, texts: pa.Array) -> pa.Array:
        """An Arrow text column with every string redacted (the same array when nothing changed)."""
        candidates = np.flatnonzero(self._may_hold_contacts_array(texts))
        if not len(candidates):
            return texts
        mask = np.zeros(len(texts), dtype=bool)
        mask[candidates] = True
        redacted = [self._redact(text) for text in texts.take(pa.array(candidates)).to_pylist()]
        return pc.replace_with_mask(texts, pa.array(mask), pa.array(redacted, type=texts.type))


def redactor_of(enabled: bool) -> Callable[[str], str]:
    """The redaction of free text (a :class:`Redactor`), or none."""
    if not enabled:
        return _no_redaction
    return Redactor()


def _no_redaction(text: str) -> str:
    return text


def _require(table: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing and not table.empty:
        raise StageInputError(f"report: the {name} table lacks columns {', '.join(missing)}")
