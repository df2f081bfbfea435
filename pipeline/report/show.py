"""``remedy-miner show``: the summary tables as rich tables in the terminal.

Cells are ``rich.text.Text`` objects, never markup strings, so a comment containing ``[bold]`` or
``[link=...]`` prints as written.
"""
from __future__ import annotations

from typing import Optional

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.errors import PipelineError
from pipeline.report.view import (
    ROLE_ORDER, as_bool, as_float, as_int, as_list, excerpt, sort_concept_summary, sort_review_queue, sort_themes, text_of,
)

SEVERITY_STYLES = {"urgent": "bold white on red", "high": "bold red", "medium": "yellow", "low": "dim"}
# The effect counts share one column ("4/1/6/0") so that the table fits an 80-column terminal.
_EFFECT_COLUMNS = ("helped", "partial", "no_effect", "worsened")
_EFFECT_HEADER = "h/p/n/w"


def show_concepts(concept_summary: pd.DataFrame, *, role: Optional[str] = None, top: int = 20,
                  console: Optional[Console] = None) -> None:
    """Print the top ``top`` concepts (of one ``role`` if given), most evidence first."""
    if role is not None and role not in ROLE_ORDER:
        raise PipelineError(f"--role {role!r} is not a role (choose from: {', '.join(ROLE_ORDER)})")
    rows = sort_concept_summary(concept_summary)
    if role is not None and not rows.empty:
        rows = rows[rows["role"].astype(str) == role]
    caption = (
        f"{_caption(len(rows), top)}. h/p/n/w: helped, partly, no effect, worsened; asked: questions;"
        " * contradicted: some readers say the opposite."
    )
    table = Table(title=f"Concepts{f' ({role})' if role else ''}", caption=caption,
                  box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("concept", min_width=12, overflow="fold")
    if role is None:
        table.add_column("role")
    table.add_column("category", overflow="fold")
    table.add_column("claims", justify="right")
    table.add_column("people", justify="right")
    table.add_column(_EFFECT_HEADER, justify="center")
    table.add_column("asked", justify="right")
    table.add_column("share, 95% CI", no_wrap=True, min_width=13)
    counts = {column: as_int(rows, column) for column in ("claims", "commenters", "questions", *_EFFECT_COLUMNS)}
    for position, record in enumerate(rows.head(top).to_dict("records")):
        concept = Text(text_of(record.get("concept")))
        if as_bool(record.get("contradicted")):
            concept.append(" *", style="magenta")
        number = {column: str(values.iloc[position]) for column, values in counts.items()}
        cells = [concept] + ([Text(text_of(record.get("role")))] if role is None else [])
        cells += [
            Text(text_of(record.get("category"))),
            Text(number["claims"]),
            Text(number["commenters"]),
            Text("/".join(number[column] for column in _EFFECT_COLUMNS)),
            Text(number["questions"]),
            Text(_short_share(record)),
        ]
        table.add_row(*cells)
    _console(console).print(table)


def show_queue(review_queue: pd.DataFrame, *, top: int = 20, console: Optional[Console] = None) -> None:
    """Print the first ``top`` review items, most severe first."""
    rows = sort_review_queue(review_queue)
    table = Table(title="Review queue", caption=_caption(len(rows), top), box=box.SIMPLE_HEAD, pad_edge=False)
    # One line per item: the full reason is in review_queue.csv and the report.
    widths = {"severity": 7, "flag": 12, "author": 10, "posted": 10, "reason": 40, "evidence": 22, "status": 6}
    for header, width in widths.items():
        table.add_column(header, overflow="ellipsis", no_wrap=True, max_width=width, min_width=min(width, 6))
    for record in rows.head(top).to_dict("records"):
        severity = text_of(record.get("severity"))
        table.add_row(
            Text(severity, style=SEVERITY_STYLES.get(severity, "")),
            Text(text_of(record.get("flag"))),
            Text(text_of(record.get("author")) or "anonymous"),
            Text(text_of(record.get("posted_at"))),
            Text(text_of(record.get("reason"))),
            Text(excerpt(text_of(record.get("evidence")), 120)),
            Text(text_of(record.get("status")) or "open"),
        )
    _console(console).print(table)


def show_themes(themes: pd.DataFrame, *, top: int = 20, console: Optional[Console] = None) -> None:
    """Print the ``top`` largest themes with their top terms."""
    rows = sort_themes(themes)
    table = Table(title="Themes", caption=_caption(len(rows), top), box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("theme")
    table.add_column("label")
    table.add_column("comments", justify="right")
    table.add_column("top terms", overflow="fold")
    for record in rows.head(top).to_dict("records"):
        table.add_row(
            Text(text_of(record.get("theme"))),
            Text(text_of(record.get("label"))),
            Text(text_of(record.get("size"))),
            Text(", ".join(as_list(record.get("top_terms")))),
        )
    _console(console).print(table)


def _short_share(record: dict) -> str:
    """``31% (13–58%)``: the share with its 95% interval, compact for a terminal."""
    share, low, high = (as_float(record.get(column)) for column in ("share", "share_low", "share_high"))
    if share is None:
        return "–"
    if low is None or high is None:
        return f"{round(100 * share)}%"
    return f"{round(100 * share)}% ({round(100 * low)}–{round(100 * high)}%)"


def _caption(total: int, top: int) -> str:
    return f"{min(total, top)} of {total} rows" if total > top else f"{total} rows"


def _console(console: Optional[Console]) -> Console:
    return console if console is not None else Console(highlight=False)
