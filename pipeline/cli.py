"""The ``remedy-miner`` command line: one sub-command per stage, and ``run`` to chain them.

Each command parses its options, reads its input tables, calls the stage function and
writes the result. Library errors become one line on stderr and exit status 1.
"""
from __future__ import annotations

import contextlib
import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer
from typer.core import TyperGroup

from pipeline.cache.settings import CacheSettings
from pipeline.errors import PipelineError
from pipeline.ingest.detect import FORMATS, SUPPORTED_EXTENSIONS
from pipeline.ingest.records import ColumnMapping
from pipeline.ingest.options import DEFAULT_MAX_COMMENT_CHARS, IngestOptions
from pipeline.io.sources import DEFAULT_MAX_BYTES, discover_inputs, load_raw_sources
from pipeline.io.formats import TABLE_FORMATS

DEFAULT_INPUT = Path("data/raw")
PROGRESS_MIN_ROWS = 2000
DEFAULT_OUT = Path("data/processed")
# How much each stage of this process took from the cache, (served, total), for run's summary line.
_CACHE_USE: dict[str, tuple[int, int]] = {}


# Typer may bundle its own copy of click; take its UsageError from the class it derives from.
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class _OneLineUsageError(_UsageError):  # type: ignore[misc, valid-type]
    """A bad option or argument: one line on stderr and exit status 1, as the contract asks."""

    exit_code = 1

    def show(self, file=None) -> None:  # noqa: D401 - click's signature
        command = self.ctx.command_path if self.ctx else "remedy-miner"
        typer.echo(f"error: {self.format_message()} (see '{command} --help')", err=True)


class _Commands(TyperGroup):
    """Keeps commands in the order they are declared, and makes usage errors one line, exit 1."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)

    def make_context(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with _one_line_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: typer.Context):  # type: ignore[no-untyped-def]
        with _one_line_usage_errors():
            return super().invoke(ctx)


@contextlib.contextmanager
def _one_line_usage_errors() -> Iterator[None]:
    try:
        yield
    except _OneLineUsageError:
        raise
    except _UsageError as error:
        raise _OneLineUsageError(error.format_message(), error.ctx) from None


app = typer.Typer(
    cls=_Commands,
    help="Mine reader comments on health articles for claimed remedies, triggers and safety concerns.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

Inputs = Annotated[
    Optional[list[Path]],
    typer.Argument(help="Files or folders to read (default: data/raw/).", show_default=False),
]
Out = Annotated[Path, typer.Option("--out", help="Folder for the output tables.")]
TableFormat = Annotated[
    str, typer.Option("--format", help=f"Format of the stage tables: {' or '.join(TABLE_FORMATS)}.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
InputFormat = Annotated[
    Optional[str],
    typer.Option("--input-format", help=f"Force one parser for every file: {', '.join(FORMATS)}.", show_default=False),
]
TextColumn = Annotated[Optional[str], typer.Option("--text-column", help="Column or JSON key holding the comment text.")]
AuthorColumn = Annotated[Optional[str], typer.Option("--author-column", help="Column holding the author's name.")]
DateColumn = Annotated[Optional[str], typer.Option("--date-column", help="Column holding the posting date.")]
IdColumn = Annotated[Optional[str], typer.Option("--id-column", help="Column holding the source's comment id.")]
ParentColumn = Annotated[Optional[str], typer.Option("--parent-column", help="Column holding the parent comment's id.")]
ThreadColumn = Annotated[Optional[str], typer.Option("--thread-column", help="Column naming the article or thread.")]
MaxCommentChars = Annotated[
    int, typer.Option("--max-comment-chars", min=1, help="Longer comments go to rejects.")
]
MaxBytes = Annotated[
    int, typer.Option("--max-bytes", min=1, help="Refuse input files larger than this once decompressed.")
]
LexiconFiles = Annotated[
    Optional[list[Path]],
    typer.Option("--lexicon", help="Extra or overriding lexicon file (YAML); repeatable.", show_default=False),
]
Model = Annotated[
    Optional[str],
    typer.Option("--model", help="An installed spaCy model to start from (default: a blank English pipeline).", show_default=False),
]
RuleFiles = Annotated[
    Optional[list[Path]],
    typer.Option("--rules", help="Extra or overriding safety rule file (YAML); repeatable.", show_default=False),
]
NoRedact = Annotated[
    bool, typer.Option("--no-redact", help="Keep e-mail addresses and phone numbers instead of [email]/[phone].")
]
Role = Annotated[
    Optional[str], typer.Option("--role", help="Only concepts in this role: remedy or trigger.", show_default=False)
]
Top = Annotated[int, typer.Option("--top", min=1, help="How many rows to show.")]
SHOWN_TABLES = {"concepts": "concepts", "queue": "review_queue", "themes": "themes"}
Workers = Annotated[
    int, typer.Option("--workers", help="Processes for extract and flag (output identical to --workers 1).")
]
Engine = Annotated[
    str, typer.Option("--engine", help="Where extract and flag run: local (this machine) or dask (a Dask cluster).")
]
Scheduler = Annotated[
    Optional[str],
    typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster of --workers processes).", show_default=False),
]
NoCache = Annotated[
    bool, typer.Option("--no-cache", help="Compute every file and comment again; neither read nor write the cache.")
]
CacheDir = Annotated[
    Optional[Path],
    typer.Option("--cache-dir", help="Folder of the incremental-run cache (default: OUT/.cache).", show_default=False),
]
KeepGoing = Annotated[
    bool,
    typer.Option("--keep-going", help="Record a file that cannot be read at all in rejects and go on, instead of stopping."),
]


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn library errors into one line on stderr and exit status 1."""
    try:
        yield
    except PipelineError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        typer.echo(message)


def _warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


def _cache_settings(no_cache: bool, cache_dir: Optional[Path]) -> CacheSettings:
    return CacheSettings(enabled=not no_cache, folder=cache_dir)


@contextlib.contextmanager
def _progress_bar(quiet: bool, label: str, total: int) -> Iterator[Optional[Callable[[int], None]]]:
    """A progress bar on stderr for long stages, when a person is watching (a terminal, not --quiet)."""
    if quiet or total < PROGRESS_MIN_ROWS or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.update(task, completed=done)


def _check_table_format(fmt: str) -> None:
    if fmt not in TABLE_FORMATS:
        raise PipelineError(f"--format {fmt!r} is not supported (choose from: {', '.join(TABLE_FORMATS)})")


def _run_ingest(
    inputs: Optional[list[Path]],
    out: Path,
    fmt: str,
    quiet: bool,
    options: IngestOptions,
    max_bytes: int,
    cache: CacheSettings = CacheSettings(),
) -> None:
    from pipeline.cache.ingest import ingest_to_folder

    _check_table_format(fmt)
    files = discover_inputs(inputs or [DEFAULT_INPUT], SUPPORTED_EXTENSIONS)
    store = cache.store(out, "ingest", warn=_warn)
    outputs, served = ingest_to_folder(load_raw_sources(files, max_bytes=max_bytes), options, store, out, fmt)
    _CACHE_USE["files"] = (served, len(files))
    counts = outputs.reconciliation
    _say(
        quiet,
        f"ingest: {len(files)} file(s), {counts['read']} records read = {counts['kept']} kept"
        f" + {counts['rejected']} rejected + {counts['duplicates']} duplicates -> {out}",
    )


@dataclass(frozen=True)
class EngineOptions:
    """Where the extract and flag partitions run (``--engine``, ``--workers``, ``--scheduler``)."""

    engine: str = "local"
    workers: int = 1
    scheduler: Optional[str] = None


@contextlib.contextmanager
def _executor(options: EngineOptions, warm_up: Callable, settings: object, shared=None) -> Iterator:
    """The executor for one stage: ``shared`` when ``run`` already opened one (a Dask cluster
    serves both stages), else a new one, closed when the stage ends."""
    from pipeline.engine.executors import open_executor

    if shared is not None:
        yield shared
        return
    executor = open_executor(options.engine, options.workers, options.scheduler, warm_up, settings)
    try:
        yield executor
    finally:
        executor.close()


def _run_extract(
    out: Path, fmt: str, quiet: bool, lexicon: Optional[list[Path]], model: Optional[str],
    options: EngineOptions = EngineOptions(), shared=None, cache: CacheSettings = CacheSettings(),
):
    from pipeline.cache.tables import extract_table_cached
    from pipeline.engine.executors import check_engine_options
    from pipeline.engine.settings import extract_settings
    from pipeline.engine.stages import count_rows
    from pipeline.engine.tasks import warm_up
    from pipeline.io.streams import table_path

    _check_table_format(fmt)
    check_engine_options(options.engine, options.workers, options.scheduler)
    source = table_path(out, "comments", required=("comment_id", "text"))
    settings = extract_settings(lexicon, model)
    store = cache.store(out, "extract", rule_files=lexicon or [], model=model, warn=_warn)
    with _executor(options, warm_up, settings, shared) as executor, _progress_bar(quiet, "extract", count_rows(source)) as advance:
        summary, served = extract_table_cached(out, fmt, settings, executor, store, progress=advance)
    _CACHE_USE["extract"] = (served, summary.comments)
    _say(
        quiet,
        f"extract: {summary.comments} comments -> {summary.claims} concept mentions, {summary.claiming} remedy/trigger claims"
        f" about {len(summary.concepts)} concepts -> {out}",
    )
    return summary


def _run_cluster(out: Path, fmt: str, quiet: bool, lexicon: Optional[list[Path]]):
    from pipeline.cluster.batches import table_batches
    from pipeline.cluster.stage import cluster_batches, resolved_claims_frame
    from pipeline.extract.lexicon import cached_lexicon
    from pipeline.io.streams import TableWriter, empty_frame, table_columns, table_path, write_in_pieces

    _check_table_format(fmt)
    comments = table_path(out, "comments", required=("comment_id", "text"))
    claims = table_path(out, "claims", required=("comment_id", "concept", "category", "role", "discovered", "surface"))
    # The claims are read and rewritten a batch at a time; the new file replaces the old at the end.
    with TableWriter(out, "claims", fmt, resolved_claims_frame(empty_frame(claims))) as writer:
        result = cluster_batches(
            table_batches(comments), table_batches(claims), tuple(table_columns(claims)),
            lexicon=cached_lexicon(tuple(str(p) for p in lexicon or [])), resolved_claims=writer.write,
        )
    for name in ("concepts", "themes", "comment_themes"):
        write_in_pieces(getattr(result, name), out, name, fmt)
    _say(
        quiet,
        f"cluster: {len(result.concepts)} concepts ({int(result.concepts['discovered'].sum())} discovered),"
        f" {len(result.themes)} themes -> {out}",
    )
    return result


def _run_flag(
    out: Path, fmt: str, quiet: bool, lexicon: Optional[list[Path]], rules: Optional[list[Path]],
    options: EngineOptions = EngineOptions(), shared=None, cache: CacheSettings = CacheSettings(),
):
    from pipeline.cache.tables import flag_table_cached
    from pipeline.engine.executors import check_engine_options
    from pipeline.engine.settings import flag_settings
    from pipeline.engine.stages import count_rows
    from pipeline.engine.tasks import warm_up
    from pipeline.flag.stage import CLAIM_COLUMNS as FLAG_CLAIM_COLUMNS
    from pipeline.io.streams import table_path

    _check_table_format(fmt)
    check_engine_options(options.engine, options.workers, options.scheduler)
    source = table_path(out, "comments", required=("comment_id", "text"))
    table_path(out, "claims", required=FLAG_CLAIM_COLUMNS)
    settings = flag_settings(lexicon, rules)
    store = cache.store(out, "flag", rule_files=[*(lexicon or []), *(rules or [])], warn=_warn)
    with _executor(options, warm_up, settings, shared) as executor, _progress_bar(quiet, "flag", count_rows(source)) as advance:
        summary, served = flag_table_cached(out, fmt, settings, executor, store, progress=advance)
    _CACHE_USE["flag"] = (served, summary.comments)
    by_severity = ", ".join(f"{summary.severities.get(s, 0)} {s}" for s in ("urgent", "high", "medium", "low"))
    _say(quiet, f"flag: {summary.comments} comments -> {summary.flags} flags ({by_severity}) -> {out}")
    return summary


def _provenance(sources) -> str:
    """What the report says it was made from: the input file names (never the output folder,
    so that the same input gives the same report wherever it is written)."""
    names = sorted({str(name).rsplit("/", 1)[-1] for name in sources["source"]}) if len(sources) else []
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{len(names)} input file(s): {shown}" if names else "no input files"


def _run_report(out: Path, quiet: bool, redact: bool) -> list[str]:
    from pipeline.io.tables import read_table, write_text, write_text_chunks
    from pipeline.io.memory import system_allocator
    from pipeline.report.streamed import write_report
    from pipeline.review.commands import REVIEW_DATABASE
    from pipeline.review.store import ReviewStore

    # The large tables (comments, claims, flags) are read in slices, only the columns each part
    # needs: memory stays flat as the corpus grows (see pipeline/report/streamed.py). Arrow
    # allocates from the C heap from the first table read on (see system_allocator).
    with system_allocator():
        files = write_report(
            out,
            decisions=ReviewStore(out / REVIEW_DATABASE).decisions(),
            redact=redact,
            generated_from=_provenance(read_table(out, "sources")),
            write_text=write_text,
            write_chunks=write_text_chunks,
            tables=lambda name: read_table(out, name),
        )
    _say(quiet, f"report: {len(files)} files -> {out / 'report.html'} and {out / 'summary'}/")
    return files


@app.command()
def ingest(
    inputs: Inputs = None,
    out: Out = DEFAULT_OUT,
    fmt: TableFormat = "parquet",
    quiet: Quiet = False,
    input_format: InputFormat = None,
    text_column: TextColumn = None,
    author_column: AuthorColumn = None,
    date_column: DateColumn = None,
    id_column: IdColumn = None,
    parent_column: ParentColumn = None,
    thread_column: ThreadColumn = None,
    max_comment_chars: MaxCommentChars = DEFAULT_MAX_COMMENT_CHARS,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    keep_going: KeepGoing = False,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Read comment files (saved pages, HTML, CSV/TSV, JSON/JSONL, WordPress and Disqus
    exports, optionally .gz/.bz2/.zst) into the comments, rejects, threads and sources tables.

    Example: remedy-miner ingest data/raw/ --out data/processed --format csv
    """
    columns = ColumnMapping(text_column, author_column, date_column, id_column, parent_column, thread_column)
    options = IngestOptions(columns, input_format, max_comment_chars, keep_going)
    with _user_errors():
        _run_ingest(inputs, out, fmt, quiet, options, max_bytes, _cache_settings(no_cache, cache_dir))


@app.command()
def extract(
    out: Out = DEFAULT_OUT,
    fmt: TableFormat = "parquet",
    quiet: Quiet = False,
    lexicon: LexiconFiles = None,
    model: Model = None,
    workers: Workers = 1,
    engine: Engine = "local",
    scheduler: Scheduler = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Find claimed remedies and triggers in the comments table and write the claims table.

    Example: remedy-miner extract --out data/processed --lexicon my-terms.yaml --workers 2
    """
    with _user_errors():
        _run_extract(
            out, fmt, quiet, lexicon, model, EngineOptions(engine, workers, scheduler),
            cache=_cache_settings(no_cache, cache_dir),
        )


@app.command()
def cluster(out: Out = DEFAULT_OUT, fmt: TableFormat = "parquet", quiet: Quiet = False, lexicon: LexiconFiles = None) -> None:
    """Fold discovered remedy names into concepts and group the comments into themes (writes concepts,
    themes and comment_themes, and adds cluster columns to claims).

    Example: remedy-miner cluster --out data/processed
    """
    with _user_errors():
        _run_cluster(out, fmt, quiet, lexicon)


@app.command()
def flag(
    out: Out = DEFAULT_OUT,
    fmt: TableFormat = "parquet",
    quiet: Quiet = False,
    lexicon: LexiconFiles = None,
    rules: RuleFiles = None,
    workers: Workers = 1,
    engine: Engine = "local",
    scheduler: Scheduler = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Flag the comments a safety reviewer must see (blood clots, red-flag symptoms, risky
    medicine combinations, quinine, children, personal data, spam...) and write the flags table.

    Example: remedy-miner flag --out data/processed --rules my-rules.yaml --workers 2
    """
    with _user_errors():
        _run_flag(
            out, fmt, quiet, lexicon, rules, EngineOptions(engine, workers, scheduler),
            cache=_cache_settings(no_cache, cache_dir),
        )


@app.command()
def report(out: Out = DEFAULT_OUT, quiet: Quiet = False, no_redact: NoRedact = False) -> None:
    """Write the summary tables (summary/*.csv), summary/summary.md and a self-contained report.html
    from the comments, claims, concepts, themes, flags (when present), sources and threads tables.

    Example: remedy-miner report --out data/processed
    """
    with _user_errors():
        _run_report(out, quiet, redact=not no_redact)


@app.command()
def show(
    table: Annotated[str, typer.Argument(help="Which summary table: concepts, queue or themes.")],
    out: Out = DEFAULT_OUT,
    role: Role = None,
    top: Top = 20,
) -> None:
    """Print a summary table written by 'remedy-miner report' as a table in the terminal.

    Example: remedy-miner show concepts --role remedy --top 20
    """
    from pipeline.io.tables import read_table
    from pipeline.report.show import show_concepts, show_queue, show_themes

    with _user_errors():
        if table not in SHOWN_TABLES:
            raise PipelineError(f"show: {table!r} is not a summary table (choose from: {', '.join(SHOWN_TABLES)})")
        if role is not None and table != "concepts":
            raise PipelineError("--role applies to 'remedy-miner show concepts' only")
        rows = read_table(out / "summary", SHOWN_TABLES[table])
        if table == "concepts":
            show_concepts(rows, role=role, top=top)
        elif table == "queue":
            show_queue(rows, top=top)
        else:
            show_themes(rows, top=top)


@app.command()
def evaluate(
    labels: Annotated[Path, typer.Argument(help="Label file (JSON lines; see README).")],
    out: Out = DEFAULT_OUT,
    show: Annotated[int, typer.Option("--show", min=0, help="How many misses and false positives to list per measure.")] = 10,
) -> None:
    """Score the current claims (and flags) against a labelled file: precision, recall and F1
    per role and per flag, with the misses and false positives.

    Example: remedy-miner evaluate tests/extract/labels/own_corpus.jsonl --out data/processed
    """
    from pipeline.evaluate.labels import load_labels
    from pipeline.evaluate.scoring import evaluate_claims, format_report
    from pipeline.io.tables import read_table

    with _user_errors():
        label_records = load_labels(labels)
        comments = read_table(out, "comments", required=("comment_id", "text", "source", "position", "author"))
        claims = read_table(out, "claims", required=("comment_id", "concept", "role"))
        flags = _optional_table(out, "flags")
        typer.echo(format_report(evaluate_claims(label_records, comments, claims, flags), show=show))


def _optional_table(out: Path, name: str):
    from pipeline.io.tables import read_table

    if (out / f"{name}.parquet").exists() or (out / f"{name}.csv").exists():
        return read_table(out, name)
    return None


@app.command()
def run(
    inputs: Inputs = None,
    out: Out = DEFAULT_OUT,
    fmt: TableFormat = "parquet",
    quiet: Quiet = False,
    input_format: InputFormat = None,
    text_column: TextColumn = None,
    author_column: AuthorColumn = None,
    date_column: DateColumn = None,
    id_column: IdColumn = None,
    parent_column: ParentColumn = None,
    thread_column: ThreadColumn = None,
    max_comment_chars: MaxCommentChars = DEFAULT_MAX_COMMENT_CHARS,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    keep_going: KeepGoing = False,
    lexicon: LexiconFiles = None,
    model: Model = None,
    rules: RuleFiles = None,
    no_redact: NoRedact = False,
    workers: Workers = 1,
    engine: Engine = "local",
    scheduler: Scheduler = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Run every stage in order on the inputs (default: the bundled sample in data/raw/).

    Example: remedy-miner run data/raw/ --out data/processed
    """
    columns = ColumnMapping(text_column, author_column, date_column, id_column, parent_column, thread_column)
    options = IngestOptions(columns, input_format, max_comment_chars, keep_going)
    engine_options = EngineOptions(engine, workers, scheduler)
    cache = _cache_settings(no_cache, cache_dir)
    with _user_errors(), _shared_cluster(engine_options) as shared:
        _CACHE_USE.clear()
        stages: tuple[Callable[[], object], ...] = (
            functools.partial(_run_ingest, inputs, out, fmt, quiet, options, max_bytes, cache),
            functools.partial(_run_extract, out, fmt, quiet, lexicon, model, engine_options, shared, cache),
            functools.partial(_run_cluster, out, fmt, quiet, lexicon),
            functools.partial(_run_flag, out, fmt, quiet, lexicon, rules, engine_options, shared, cache),
            functools.partial(_run_report, out, quiet, redact=not no_redact),
        )
        run_stage = _stage_runner(inputs, engine_options)
        for stage in stages:
            run_stage(stage)
        if cache.enabled:
            _say(quiet, _cache_summary())


def _stage_runner(inputs: Optional[list[Path]], options: EngineOptions) -> Callable[[Callable[[], object]], None]:
    """How ``run`` calls each stage: in a process of its own for large inputs (see
    :mod:`pipeline.engine.own_process`), else here, handing back what the stage freed."""
    from pipeline.engine.own_process import call_in_own_process, worth_own_processes

    files = discover_inputs(inputs or [DEFAULT_INPUT], SUPPORTED_EXTENSIONS)
    if worth_own_processes((file.path.stat().st_size for file in files), options.engine):
        return lambda stage: _CACHE_USE.update(call_in_own_process(functools.partial(_stage_in_own_process, stage)))

    def in_this_process(stage: Callable[[], object]) -> None:
        stage()
        _release_stage_memory()

    return in_this_process


def _stage_in_own_process(stage: Callable[[], object]) -> dict[str, tuple[int, int]]:
    """In a stage's own process: run it, and return what it took from the cache."""
    from pipeline.io.memory import large_blocks_from_the_system

    large_blocks_from_the_system()
    stage()
    return dict(_CACHE_USE)


def _release_stage_memory() -> None:
    """Between the stages of ``run``: what a stage freed goes back to the system, so that the
    next stage's peak does not sit on top of the last one's leftovers."""
    import gc

    from pipeline.io.memory import release_freed_memory

    gc.collect()
    release_freed_memory()


def _cache_summary() -> str:
    """What ``run`` took from the cache, e.g. ``cache: served 9/10 file(s) (ingest), 1000/1100 comments (extract), ...``."""
    files, extracted, flagged = (_CACHE_USE.get(name, (0, 0)) for name in ("files", "extract", "flag"))
    return (
        f"cache: served {files[0]}/{files[1]} file(s) (ingest), {extracted[0]}/{extracted[1]} comments (extract),"
        f" {flagged[0]}/{flagged[1]} comments (flag)"
    )


@contextlib.contextmanager
def _shared_cluster(options: EngineOptions) -> Iterator:
    """One Dask client for every stage of ``run`` (starting a cluster takes seconds); ``None``
    for the local engine, whose process pools are built per stage around that stage's rules.
    Bad options fail here, before ingest writes anything."""
    from pipeline.engine.executors import DaskCluster, check_engine_options

    check_engine_options(options.engine, options.workers, options.scheduler)
    if options.engine != "dask":
        yield None
        return
    cluster = DaskCluster(options.workers, options.scheduler)
    try:
        yield cluster
    finally:
        cluster.close()


def _register_review_commands() -> None:
    from pipeline.review.commands import review_app

    app.add_typer(review_app, name="review")


_register_review_commands()


def main() -> None:
    """Console-script entry point."""
    from pipeline.io.memory import large_blocks_from_the_system

    large_blocks_from_the_system()
    app()
