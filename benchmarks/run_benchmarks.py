"""Throughput and peak memory of remedy-miner against two baselines, on generated comments.

For each corpus size the comments come from ``generate_comments.py`` (seed 7) and four
stages are measured, each in a fresh Python process so that one measurement's memory and
warm caches do not leak into the next:

* ``tokenizer``: spaCy's bare English tokenizer over the texts (baseline 1, the floor any spaCy
  pipeline pays);
* ``regex keywords``: one compiled alternation of about fifty remedy and trigger keywords,
  counting matches (baseline 2, what a quick script would do);
* ``extract``: ``extract_claims`` on a DataFrame of ``comment_id`` and ``text``; building the
  pipeline (``build_nlp``) is timed apart and not counted in its throughput;
* ``remedy-miner run``: ``python -m pipeline run FILE --out DIR -q``, end to end, process start
  included, with an empty cache;
* ``incremental``: the corpus is run once (not timed, it fills the cache in ``DIR/.cache``), a
  new file of 1,000 other comments is added next to it, and the second ``remedy-miner run`` over
  both files is timed: what adding one file to an already processed corpus costs;
* ``split``: the stage commands one at a time (``remedy-miner ingest``, ``extract``, ``cluster``,
  ``flag``, ``report``, with ``--no-cache``), each in its own process, so that each stage's time and
  peak memory can be read apart: which stage limits the end-to-end run.

Reading the corpus is never timed. Peak memory is the measuring process's peak resident set
size (``resource.getrusage``), so it includes the interpreter, the libraries and the texts; for a
command, its largest process's, and beside it the peak of all its processes together, sampled
from ``/proc`` (workers hold their own copy of the pipeline).
Every row also gives the CPU seconds spent (user + system, worker processes included): on a
machine shared with other work, wall time stretches but CPU time hardly does.

Usage::

    python benchmarks/run_benchmarks.py --sizes 10000,100000
    python benchmarks/run_benchmarks.py --quick        # 2,000 comments, a smoke test
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
GENERATOR = BENCHMARKS / "generate_comments.py"
DEFAULT_REPORT = REPO / "docs" / "benchmarks.md"
DEFAULT_SIZES = "10000,100000"
QUICK_SIZE = 2_000
SEED = 7
RUN_COMMAND = "python benchmarks/run_benchmarks.py --sizes 10000,100000"

# Baseline 2's vocabulary: the words a quick script would grep comments for.
KEYWORDS = (
    "mustard", "pickle juice", "pickles?", "tonic water", "tonic", "quinine", "magnesium", "epsom salts?",
    "bananas?", "potassium", "coconut water", "apple cider vinegar", "vinegar", "soap", "stretch(?:es|ing)?",
    "water", "electrolytes?", "gatorade", "vitamin [bde]", "calcium", "zinc", "hot bath", "heating pad",
    "ice pack", "massage", "foam roller", "compression socks", "yoga", "ginger", "chamomile", "turmeric",
    "salt", "baking soda", "olive oil", "milk", "cherry juice", "honey", "raisins", "gin", "vicks",
    "ice cream", "dairy", "cheese", "wine", "beer", "rum", "coffee", "caffeine", "sugar", "soda",
    "chocolate", "high heels", "statins?", "diuretics?",
)
KEYWORD_PATTERN = r"\b(?:" + "|".join(KEYWORDS) + r")\b"

STAGES = ("tokenizer", "regex", "extract", "cli", "incremental", "split")
# The stage commands the ``split`` rows run one after the other, each timed on its own.
SPLIT_COMMANDS = ("ingest", "extract", "cluster", "flag", "report")
STAGE_LABELS = {
    "tokenizer": "spaCy tokenizer (baseline 1)",
    "regex": "regex keywords (baseline 2)",
    "extract": "extract (`extract_claims`)",
    "cli": "`remedy-miner run` (end to end)",
    "incremental": "`remedy-miner run` again after adding 1,000 comments",
    **{f"split-{command}": f"`remedy-miner {command}` alone" for command in SPLIT_COMMANDS},
}
INCREMENT = 1_000
DEFAULT_WORKERS = 2
# The --workers option of every end-to-end run; set from the command line (the measuring child
# gets it passed on).
WORKER_OPTIONS: list[str] = ["--workers", str(DEFAULT_WORKERS)]
# The comments added for the incremental run come from another seed, so they are new comments.
INCREMENT_SEED = SEED + 1000
BASELINE_STAGE = "tokenizer"
# How often the memory of a measured command's processes is sampled, in seconds.
SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class Measurement:
    """One stage timed on one corpus, as reported by its measuring process."""

    stage: str
    comments: int
    seconds: float
    peak_rss_mb: float
    build_seconds: float | None = None
    cpu_seconds: float | None = None
    tree_peak_rss_mb: float | None = None

    @property
    def comments_per_second(self) -> float:
        return self.comments / self.seconds if self.seconds > 0 else float("inf")


# ---------------------------------------------------------------------------------------------
# Inside the measuring process


def _cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss * scale / 2**20


def read_corpus(path: Path) -> tuple[list[str], list[str]]:
    """The ids and texts of a generated JSON-lines corpus."""
    ids, texts = [], []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            comment = json.loads(line)
            ids.append(comment["id"])
            texts.append(comment["text"])
    return ids, texts


def measure_tokenizer(corpus: Path) -> dict[str, float]:
    import spacy

    _, texts = read_corpus(corpus)
    started = time.perf_counter()
    tokenizer = spacy.blank("en").tokenizer
    built, cpu = time.perf_counter(), time.process_time()
    tokens = sum(len(doc) for doc in tokenizer.pipe(texts, batch_size=1000))
    finished = time.perf_counter()
    return {"seconds": finished - built, "build_seconds": built - started, "tokens": tokens,
            "cpu_seconds": time.process_time() - cpu}


def count_keywords(texts: Sequence[str], pattern: re.Pattern[str]) -> Counter[str]:
    """How often each keyword occurs, case-folded, across ``texts``."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(match.lower() for match in pattern.findall(text))
    return counts


def measure_regex(corpus: Path) -> dict[str, float]:
    _, texts = read_corpus(corpus)
    started = time.perf_counter()
    pattern = re.compile(KEYWORD_PATTERN, re.IGNORECASE)
    built, cpu = time.perf_counter(), time.process_time()
    counts = count_keywords(texts, pattern)
    finished = time.perf_counter()
    return {"seconds": finished - built, "build_seconds": built - started, "matches": sum(counts.values()),
            "cpu_seconds": time.process_time() - cpu}


def measure_extract(corpus: Path) -> dict[str, float]:
    import pandas as pd

    from pipeline.extract.nlp import build_nlp
    from pipeline.extract.stage import extract_claims

    ids, texts = read_corpus(corpus)
    comments = pd.DataFrame({"comment_id": ids, "text": texts})
    started = time.perf_counter()
    nlp = build_nlp()
    built, cpu = time.perf_counter(), time.process_time()
    claims = extract_claims(comments, nlp=nlp)
    finished = time.perf_counter()
    return {"seconds": finished - built, "build_seconds": built - started, "claims": len(claims),
            "cpu_seconds": time.process_time() - cpu}


def measure_cli(corpus: Path) -> dict[str, float]:
    """Time ``python -m pipeline run`` as a child; its peak RSS is this process's only child's.

    ``corpus`` may be an incremental work folder (see :func:`prepare_inputs`): the run then reads
    its ``inputs/`` and keeps its ``out/``, so the incremental measurement can follow it.
    """
    if corpus.is_dir():
        return _timed_run([str(corpus / "inputs"), "--out", str(corpus / "out")])
    with tempfile.TemporaryDirectory(prefix="remedy-miner-bench-") as out:
        return _timed_run([str(corpus), "--out", out])


def _timed_run(arguments: list[str]) -> dict[str, float]:
    return _timed_command([sys.executable, "-m", "pipeline", "run", *arguments, "-q", *WORKER_OPTIONS])


def _timed_command(command: list[str]) -> dict[str, float]:
    """Run ``command`` as this process's child and measure it (see :func:`_child_usage`)."""
    started = time.perf_counter()
    finished_process, tree_peak = _run_sampled(command)
    finished = time.perf_counter()
    if finished_process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {finished_process.returncode}: {finished_process.stderr.strip()}")
    return {**_child_usage(finished - started), "tree_peak_rss_mb": tree_peak}


def _child_usage(seconds: float) -> dict[str, float]:
    """Wall seconds, and the peak RSS (its largest process's) and CPU seconds of the (only) child and its workers."""
    return {"seconds": seconds, "child_peak_rss_mb": _peak_rss_mb(resource.RUSAGE_CHILDREN),
            "cpu_seconds": _cpu_seconds(resource.RUSAGE_CHILDREN)}


def _run_sampled(command: list[str]) -> tuple[subprocess.CompletedProcess, float | None]:
    """Run ``command`` to the end, sampling the resident memory of it and every process it started.

    Returns the finished process and the largest sum seen (MB), or ``None`` where ``/proc`` cannot
    be read. ``getrusage`` only knows each process's own peak; what a machine must hold is the sum
    over the processes alive at the same moment (the parent, a stage's process, its workers).
    """
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(process.pid)
    while True:
        sampler.sample()
        try:
            stdout, stderr = process.communicate(timeout=SAMPLE_SECONDS)
            break
        except subprocess.TimeoutExpired:
            continue
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr), sampler.peak_mb


class TreeSampler:
    """The peak of a process tree's summed resident set size, read from ``/proc`` (Linux)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_kb: int | None = 0 if Path("/proc/self/statm").exists() else None
        self.page_kb = os.sysconf("SC_PAGE_SIZE") // 1024 if self.peak_kb is not None else 0

    @property
    def peak_mb(self) -> float | None:
        return self.peak_kb / 1024 if self.peak_kb is not None else None

    def sample(self) -> None:
        if self.peak_kb is None:
            return
        total = sum(self._resident_kb(pid) for pid in self._tree())
        self.peak_kb = max(self.peak_kb, total)

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for pid, parent in _parents():
            children.setdefault(parent, []).append(pid)
        found, waiting = [], [self.root]
        while waiting:
            pid = waiting.pop()
            found.append(pid)
            waiting.extend(children.get(pid, ()))
        return found

    def _resident_kb(self, pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self.page_kb
        except (OSError, IndexError, ValueError):
            return 0  # the process ended between listing and reading


def _parents() -> Iterator[tuple[int, int]]:
    """(pid, parent pid) of every process ``/proc`` lists."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name, in parentheses, may hold spaces: the fields after its last ")" are safe.
        fields = stat[stat.rfind(")") + 2:].split()
        yield int(entry.name), int(fields[1])


def split_folder(corpus: Path) -> Path:
    """Where the ``split`` rows of ``corpus`` write their tables (each stage reads the last one's)."""
    return corpus.parent / f"split-{corpus.stem}"


def measure_split(command: str, corpus: Path) -> dict[str, float]:
    """Time one stage command alone, on the tables the previous ``split`` command wrote."""
    inputs = [str(corpus)] if command == "ingest" else []
    options = [*WORKER_OPTIONS, "--no-cache"] if command in ("extract", "flag") else ["--no-cache"] if command == "ingest" else []
    return _timed_command([sys.executable, "-m", "pipeline", command, *inputs, "--out", str(split_folder(corpus)), "-q", *options])


def prepare_inputs(corpus: Path, work: Path) -> Path:
    """A work folder with the corpus in ``inputs/`` (the first run writes ``out/``)."""
    (work / "inputs").mkdir(parents=True)
    shutil.copy(corpus, work / "inputs" / corpus.name)
    return work


def run_first_pass(work: Path) -> None:
    """The first run of the incremental benchmark, when the ``cli`` row has not made it.

    Runs in the parent, so that the measuring process (and its peak memory) is the second run only.
    """
    first = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(work / "inputs"), "--out", str(work / "out"), "-q", *WORKER_OPTIONS],
        cwd=REPO, capture_output=True, text=True, env=_environment(),
    )
    if first.returncode != 0:
        raise RuntimeError(f"the first run of the incremental benchmark failed: {first.stderr.strip()}")


def add_increment(work: Path) -> None:
    """Add a 1,000-comment file next to the corpus."""
    subprocess.run([sys.executable, str(GENERATOR), str(INCREMENT), str(work / "inputs" / "added.jsonl"),
                    "--seed", str(INCREMENT_SEED)], check=True, capture_output=True)


def measure_incremental(work: Path) -> dict[str, float]:
    """Time ``remedy-miner run`` over the corpus and the added file, with the first run's cache."""
    command = [sys.executable, "-m", "pipeline", "run", str(work / "inputs"), "--out", str(work / "out"), *WORKER_OPTIONS]
    started = time.perf_counter()
    finished_process, tree_peak = _run_sampled(command)
    finished = time.perf_counter()
    if finished_process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {finished_process.returncode}: {finished_process.stderr.strip()}")
    cache_line = next((line for line in finished_process.stdout.splitlines() if line.startswith("cache:")), "")
    served = [int(n) for n in re.findall(r"(\d+)/\d+", cache_line)]
    return {**_child_usage(finished - started), "tree_peak_rss_mb": tree_peak,
            "served_comments": served[1] if len(served) > 1 else 0}


MEASURES: dict[str, Callable[[Path], dict[str, float]]] = {
    "tokenizer": measure_tokenizer,
    "regex": measure_regex,
    "extract": measure_extract,
    "cli": measure_cli,
    "incremental": measure_incremental,
}


def measure_in_this_process(stage: str, corpus: Path) -> None:
    """Run one measurement and print its result as one JSON line for the parent to read."""
    if stage.startswith("split-"):
        result = measure_split(stage.removeprefix("split-"), corpus)
    else:
        result = MEASURES[stage](corpus)
    peak = result.pop("child_peak_rss_mb", None) or _peak_rss_mb()
    result["peak_rss_mb"] = peak
    print(json.dumps(result))


# ---------------------------------------------------------------------------------------------
# In the parent process


def generate_corpus(size: int, folder: Path, seed: int = SEED) -> Path:
    path = folder / f"comments-{size}.jsonl"
    subprocess.run([sys.executable, str(GENERATOR), str(size), str(path), "--seed", str(seed)],
                   check=True, capture_output=True)
    return path


def measure(stage: str, corpus: Path, size: int) -> Measurement:
    """Measure ``stage`` in a fresh process so its peak memory is its own."""
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", stage, "--corpus", str(corpus), *WORKER_OPTIONS]
    finished = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=_environment())
    if finished.returncode != 0:
        raise RuntimeError(f"measuring {stage} on {size} comments failed:\n{finished.stderr.strip()}")
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    build = result.get("build_seconds") if stage == "extract" else None
    return Measurement(stage, size, result["seconds"], result["peak_rss_mb"], build, result.get("cpu_seconds"),
                       result.get("tree_peak_rss_mb"))


def _environment() -> dict[str, str]:
    """This checkout first on the path, so that the measured pipeline is the one beside this script."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def machine_description() -> str:
    import spacy

    return (f"{os.cpu_count()} CPUs (nproc), {platform.machine()} {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, spaCy {spacy.__version__}")


def markdown_table(measurements: Sequence[Measurement]) -> str:
    """The results as a Markdown table; the last column is each stage's time over the tokenizer's."""
    baseline = {m.comments: m.seconds for m in measurements if m.stage == BASELINE_STAGE}
    lines = [
        "| stage | comments | seconds | comments/s | peak RSS MB | all processes MB | time vs tokenizer | CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measurements:
        reference = baseline.get(m.comments)
        relative = f"{m.seconds / reference:.1f}×" if reference else "n/a"
        cpu = f"{m.cpu_seconds:.1f}" if m.cpu_seconds is not None else "n/a"
        tree = f"{m.tree_peak_rss_mb:.0f}" if m.tree_peak_rss_mb is not None else "n/a"
        lines.append(f"| {STAGE_LABELS[m.stage]} | {m.comments:,} | {m.seconds:.2f} | {m.comments_per_second:,.0f} "
                     f"| {m.peak_rss_mb:.0f} | {tree} | {relative} | {cpu} |")
    return "\n".join(lines)


def build_notes(measurements: Sequence[Measurement]) -> str:
    notes = [f"`build_nlp()` took {m.build_seconds:.2f} s before the {m.comments:,}-comment extract run "
             "(not counted above)." for m in measurements if m.build_seconds is not None]
    return "\n".join(f"- {note}" for note in notes)


def report(measurements: Sequence[Measurement], machine: str, today: dt.date) -> str:
    """The whole ``docs/benchmarks.md``."""
    notes = build_notes(measurements)
    return f"""# Benchmarks

Measured {today.isoformat()} on {machine}.

How to run: `{RUN_COMMAND}`
(add `1000000` to the sizes for the large run; `--quick` is a 2,000-comment smoke test that does not
rewrite this file).

{markdown_table(measurements)}

{notes + chr(10) if notes else ""}- Corpora: `benchmarks/generate_comments.py` with seed {SEED} (invented comments about leg cramps;
  a smaller corpus is a prefix of a larger one).
- Every row is measured in its own fresh Python process; reading the corpus is not timed. Peak RSS is
  that process's peak resident set size, so it includes Python, the libraries and the texts.
- The tokenizer, regex and extract rows see the same texts, in one process on one core; `remedy-miner run`
  reads the JSON-lines file and runs every stage with `{" ".join(WORKER_OPTIONS)}`, so its time includes
  start-up, ingest, the other stages and writing tables. Its peak RSS is that of its largest process (the
  command, a stage's process or a worker: `getrusage` of the children). "All processes" is what the machine
  must hold: the largest sum of the resident memory of the command and every process it started, alive at
  the same moment, sampled every {SAMPLE_SECONDS} s from `/proc` (n/a for the rows measured in one process).
- The incremental row: the corpus was run once (filling the cache), then a file of {INCREMENT:,} new comments
  was added and `remedy-miner run` timed over both files; its comments/s is the corpus size over that
  time. Ingest parses only the new file, extract and flag compute only its comments; cluster and report
  run over everything.
- The "alone" rows run the stage commands one after the other on the corpus (`ingest` to `report`, with
  `--no-cache`, and `{" ".join(WORKER_OPTIONS)}` for extract and flag), each in its own process: each row's
  peak RSS is that stage's own, so they tell which stage sets the end-to-end peak and time.
- "CPU s" is user + system CPU time, worker processes included (for the in-process rows, the measured
  part only). Other work on the machine stretches the seconds column, hardly this one.
- "time vs tokenizer" is the row's seconds divided by the tokenizer's on the same corpus. The regex
  baseline can be slower than the tokenizer: Python's `re` tries every alternative of a case-insensitive
  alternation at each position, while spaCy's tokenizer is compiled code with a cache.
- The pipeline is still being tuned; these figures are a snapshot of the code on the date above.
"""


def parse_sizes(text: str) -> list[int]:
    """``"10000,100000"`` -> ``[10000, 100000]``; rejects empty, zero and negative sizes."""
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be comma-separated whole numbers, not {text!r}") from None
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(f"sizes must be positive, not {text!r}")
    return sizes


def run(sizes: Sequence[int], stages: Sequence[str], report_path: Path | None) -> list[Measurement]:
    measurements = []
    with tempfile.TemporaryDirectory(prefix="remedy-miner-corpus-") as folder:
        for size in sizes:
            corpus = generate_corpus(size, Path(folder))
            # The end-to-end run fills the cache that the incremental run then uses: one full run, not two.
            work = prepare_inputs(corpus, Path(folder) / f"incremental-{size}") if "incremental" in stages else None
            for stage in _expanded(stages):
                if stage == "incremental":
                    if "cli" not in stages:
                        run_first_pass(work)
                    add_increment(work)
                    measurements.append(measure(stage, work, size))
                else:
                    measurements.append(measure(stage, work if stage == "cli" and work else corpus, size))
                print(f"  {STAGE_LABELS[stage]} on {size:,} comments: {measurements[-1].seconds:.2f} s",
                      file=sys.stderr)
            if work is not None:
                shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(split_folder(corpus), ignore_errors=True)
    print(markdown_table(measurements))
    notes = build_notes(measurements)
    if notes:
        print("\n" + notes)
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(report(measurements, machine_description(), dt.date.today()), encoding="utf-8")
        print(f"\nwrote {report_path}", file=sys.stderr)
    return measurements


def _expanded(stages: Sequence[str]) -> list[str]:
    """``split`` stands for one row per stage command, in pipeline order."""
    return [row for stage in stages for row in ([f"split-{c}" for c in SPLIT_COMMANDS] if stage == "split" else [stage])]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=f"Example: {RUN_COMMAND}")
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes(DEFAULT_SIZES),
                        help=f"comma-separated corpus sizes (default: {DEFAULT_SIZES}; 1000000 works too)")
    parser.add_argument("--quick", action="store_true",
                        help=f"only {QUICK_SIZE:,} comments, and do not rewrite the report unless --report is given")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"which stages (default: {','.join(STAGES)})")
    parser.add_argument("--report", type=Path, default=None, help=f"Markdown file to write (default: {DEFAULT_REPORT})")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help=f"--workers for the end-to-end runs (default: {DEFAULT_WORKERS}, as the issue's target says)")
    parser.add_argument("--measure", choices=_expanded(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    WORKER_OPTIONS[:] = ["--workers", str(args.workers)]
    if args.measure:
        measure_in_this_process(args.measure, args.corpus)
        return 0
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; choose from {', '.join(STAGES)}")
    if BASELINE_STAGE not in stages:
        stages.insert(0, BASELINE_STAGE)  # every other row is expressed relative to it
    sizes = [QUICK_SIZE] if args.quick else args.sizes
    report_path = args.report if args.report is not None else (None if args.quick else DEFAULT_REPORT)
    run(sizes, stages, report_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
