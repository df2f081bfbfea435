"""``remedy-miner review``: list the review queue, record decisions, export the queue.

The queue is rebuilt on every command from the current ``flags`` and ``comments`` tables and
the decisions in ``<out>/review.sqlite``, so a decision made before a re-run shows up after it.
"""
from __future__ import annotations

import contextlib
import getpass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator, Optional

import typer

from pipeline.review.choices import DECISIONS, SEVERITIES, STATUSES

if TYPE_CHECKING:  # the queue's code needs pandas: loaded when a command runs, not with the CLI
    import pandas as pd

# The same default as pipeline.cli; not imported from there because cli imports this module.
DEFAULT_OUT = Path("data/processed")
REVIEW_DATABASE = "review.sqlite"
SUMMARY_FOLDER = "summary"
QUEUE_NAME = "review_queue"
EXPORT_FORMATS = ("csv", "md")
_TERMINAL_COLUMNS = ("flag_id", "severity", "flag", "status", "posted_at", "author", "evidence")
_NO_WRAP = ("flag_id",)  # copied into "review resolve", so never broken

Severity = Enum("Severity", {name: name for name in SEVERITIES}, type=str)
Status = Enum("Status", {name: name for name in STATUSES}, type=str)
DecisionChoice = Enum("DecisionChoice", {name: name for name in DECISIONS}, type=str)
ExportFormat = Enum("ExportFormat", {name: name for name in EXPORT_FORMATS}, type=str)

review_app = typer.Typer(
    help="Review safety flags: list the queue, record decisions, export the queue.\n\n"
    "Example: remedy-miner review list --severity urgent",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

Out = Annotated[Path, typer.Option("--out", help="Folder holding the flags and comments tables and review.sqlite.")]
NoRedact = Annotated[
    bool, typer.Option("--no-redact", help="Keep e-mail addresses and phone numbers instead of [email]/[phone].")
]


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    # Imported when a command runs: pipeline.cli imports this module to add the sub-app.
    from pipeline.cli import _user_errors as cli_user_errors

    with cli_user_errors():
        yield


@review_app.command("list")
def list_queue(
    severity: Annotated[
        Optional[list[Severity]], typer.Option("--severity", help="Show only these severities; repeatable.")
    ] = None,
    flag: Annotated[Optional[list[str]], typer.Option("--flag", help="Show only these flag ids; repeatable.")] = None,
    status: Annotated[
        Optional[list[Status]], typer.Option("--status", help="Show only these statuses; repeatable.")
    ] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Show at most this many rows.")] = None,
    out: Out = DEFAULT_OUT,
    no_redact: NoRedact = False,
) -> None:
    """Print the review queue, most severe first, then newest.

    Example: remedy-miner review list --severity urgent --severity high --status open
    """
    from pipeline.review.queue import filter_queue

    with _user_errors():
        queue = _load_queue(out, redact=not no_redact)
        shown = filter_queue(
            queue, severities=_values(severity), flags=tuple(flag or ()), statuses=_values(status)
        )
        _print_table(shown.head(limit) if limit else shown, total=len(shown), everything=len(queue))


@review_app.command()
def resolve(
    flag_id: Annotated[str, typer.Argument(help="The flag's id (first column of 'remedy-miner review list').")],
    decision: Annotated[DecisionChoice, typer.Option("--decision", help="What was decided.")],
    note: Annotated[str, typer.Option("--note", help="Why: a sentence for the next reviewer.")],
    by: Annotated[Optional[str], typer.Option("--by", help="Reviewer's name (default: your login name).")] = None,
    out: Out = DEFAULT_OUT,
) -> None:
    """Record a decision on a flag; it is kept across re-runs, and earlier decisions stay in the history.

    Example: remedy-miner review resolve 3f2a9c1d0b7e --decision escalated --note "asks about a child's dose" --by Dr Lee
    """
    from pipeline.io.tables import read_table
    from pipeline.review.store import ReviewError, ReviewStore

    with _user_errors():
        if not note.strip():
            # The note is what the next reviewer reads to understand the decision.
            raise ReviewError("a note is required: say why in --note (it must not be blank)")
        flags = read_table(out, "flags", required=("flag_id", "comment_id", "flag"))
        recorded = ReviewStore(out / REVIEW_DATABASE).record(
            flag_id, decision.value, note, by or _login_name(), flags=flags
        )
        typer.echo(
            f"review: {recorded.flag_id} ({recorded.flag} on comment {recorded.comment_id}) -> {recorded.decision}"
            f" by {recorded.decided_by or 'unknown'} at {recorded.decided_at}"
        )


@review_app.command()
def export(
    out: Out = DEFAULT_OUT,
    fmt: Annotated[
        Optional[list[ExportFormat]], typer.Option("--format", help="csv, md, or both (default); repeatable.")
    ] = None,
    no_redact: NoRedact = False,
) -> None:
    """Write the review queue to summary/review_queue.csv and summary/review_queue.md.

    Example: remedy-miner review export --out data/processed --format csv
    """
    formats = _values(fmt) or EXPORT_FORMATS
    with _user_errors():
        queue = _load_queue(out, redact=not no_redact)
        written = [_export(queue, out / SUMMARY_FOLDER, name) for name in EXPORT_FORMATS if name in formats]
        open_flags = int((queue["status"] == "open").sum())
        typer.echo(f"review: {len(queue)} flags ({open_flags} open) -> {', '.join(str(p) for p in written)}")


def _load_queue(out: Path, *, redact: bool) -> pd.DataFrame:
    from pipeline.io.tables import read_table
    from pipeline.review.queue import COMMENT_INPUT_COLUMNS, FLAG_INPUT_COLUMNS, build_review_queue
    from pipeline.review.store import ReviewStore

    flags = read_table(out, "flags", required=FLAG_INPUT_COLUMNS)
    comments = read_table(out, "comments", required=COMMENT_INPUT_COLUMNS)
    decisions = ReviewStore(out / REVIEW_DATABASE).decisions()
    return build_review_queue(flags, comments, decisions, redact=redact)


def _export(queue: pd.DataFrame, folder: Path, fmt: str) -> Path:
    from pipeline.io.tables import write_table, write_text
    from pipeline.review.queue import queue_markdown

    if fmt == "csv":
        return write_table(queue, folder, QUEUE_NAME, "csv")
    markdown = f"# Review queue\n\n{_counts_line(queue)}\n\n{queue_markdown(queue)}"
    return write_text(markdown, folder / f"{QUEUE_NAME}.md")


def _counts_line(queue: pd.DataFrame) -> str:
    by_status = queue["status"].value_counts()
    parts = [f"{int(by_status.get(status, 0))} {status}" for status in STATUSES]
    return f"{len(queue)} flags: {', '.join(parts)}."


def _print_table(queue: pd.DataFrame, *, total: int, everything: int) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False, markup=False)
    if queue.empty:
        console.print(f"No flags match ({everything} in the queue).")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in _TERMINAL_COLUMNS:
        table.add_column(column, no_wrap=column in _NO_WRAP, overflow="fold", ratio=3 if column == "evidence" else None)
    shown = queue[list(_TERMINAL_COLUMNS)].assign(posted_at=queue["posted_at"].str.slice(0, 10))
    for row in shown.itertuples(index=False):
        # Text, not str: rich would read "[email]" in a comment as a markup tag.
        table.add_row(*(Text(str(value)) for value in row))
    console.print(table)
    console.print(f"{len(queue)} of {total} matching flags shown ({everything} in the queue).")


def _values(choices: Optional[list[Enum]]) -> tuple[str, ...]:
    return tuple(choice.value for choice in choices or ())


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        # No login name in some containers and CI runners; the decision is still recorded.
        return ""
