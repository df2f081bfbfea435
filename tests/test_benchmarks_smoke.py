"""Smoke tests for the benchmark tools: the comment generator and the report formatting.

Nothing here is timed; the benchmarks themselves run from ``benchmarks/run_benchmarks.py``.
"""
from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
FIELDS = {"id", "author", "created_at", "thread", "text"}
SAMPLE_SIZE = 4000


def _load(name: str) -> ModuleType:
    """Import a script from benchmarks/ (a folder of scripts, not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


generator = _load("generate_comments")
runner = _load("run_benchmarks")


@pytest.fixture(scope="module")
def sample() -> list[dict[str, str]]:
    return list(generator.generate_comments(SAMPLE_SIZE, seed=7))


def _words(text: str) -> int:
    return len(text.split())


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_comments() -> None:
    assert list(generator.generate_comments(300, seed=11)) == list(generator.generate_comments(300, seed=11))


def test_different_seeds_give_different_comments() -> None:
    first = [c["text"] for c in generator.generate_comments(300, seed=11)]
    second = [c["text"] for c in generator.generate_comments(300, seed=12)]
    assert first != second
    assert sum(a == b for a, b in zip(first, second)) < 30


def test_smaller_corpus_is_a_prefix_of_a_larger_one() -> None:
    assert list(generator.generate_comments(200)) == list(generator.generate_comments(1000))[:200]


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_corpora(n: int) -> None:
    assert len(list(generator.generate_comments(n))) == n


def test_negative_size_is_rejected() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        list(generator.generate_comments(-1))


# --- shape and variety ------------------------------------------------------------------------


def test_records_have_the_documented_fields(sample: list[dict[str, str]]) -> None:
    assert all(set(comment) == FIELDS for comment in sample)
    assert len({comment["id"] for comment in sample}) == len(sample)
    dates = [dt.datetime.fromisoformat(comment["created_at"]) for comment in sample]
    assert dates == sorted(dates)
    assert len({comment["thread"] for comment in sample}) > 5
    assert all(isinstance(comment["thread"], str) for comment in sample)


def test_about_half_a_percent_is_blank(sample: list[dict[str, str]]) -> None:
    blank = sum(not comment["text"].strip() for comment in sample) / len(sample)
    assert 0.001 <= blank <= 0.015


def test_a_good_share_asks_questions_but_most_do_not(sample: list[dict[str, str]]) -> None:
    questions = sum("?" in comment["text"] for comment in sample) / len(sample)
    assert 0.15 <= questions <= 0.5


def test_lengths_run_from_three_words_to_about_250(sample: list[dict[str, str]]) -> None:
    lengths = [_words(c["text"]) for c in sample if c["text"].strip()]
    assert min(lengths) >= 3
    assert max(lengths) <= 300
    assert sum(n <= 8 for n in lengths) / len(lengths) >= 0.05
    assert sum(n > 100 for n in lengths) / len(lengths) >= 0.01
    assert 15 <= sorted(lengths)[len(lengths) // 2] <= 60


@pytest.mark.parametrize(
    ("feature", "pattern", "least_share"),
    [
        ("link", r"https?://|www\.", 0.005),
        ("e-mail on a reserved domain", r"\w@(?:mail\.)?example\.(?:com|org|net)", 0.001),
        ("fictional phone number", r"555-01\d\d", 0.001),
        ("blood clot", r"(?i)\bclot\b|\bDVT\b", 0.01),
        ("medicine dose", r"\d+ ?(?:mg|mcg|IU|mEq)\b", 0.01),
        ("child", r"(?i)\b(?:year old|yo|little boy|teenager|youngest)\b", 0.01),
        ("relative", r"(?i)\bmy (?:husband|wife|mom|mother|dad|sister|brother|daughter|son)\b", 0.03),
        ("hedge", r"(?i)\b(?:maybe|not sure|might|placebo|possibly)\b", 0.03),
        ("non-English letters", r"[äöüßéèçãłñ¿]", 0.005),
        ("paragraph break", r"\n\n", 0.005),
    ],
)
def test_realistic_features_occur(sample: list[dict[str, str]], feature: str, pattern: str, least_share: float) -> None:
    share = sum(bool(re.search(pattern, c["text"])) for c in sample) / len(sample)
    assert share >= least_share, f"{feature}: {share:.4f}"


def test_some_comments_are_all_lower_case_and_most_are_not(sample: list[dict[str, str]]) -> None:
    texts = [c["text"] for c in sample if _words(c["text"]) >= 5]
    lower = sum(text == text.lower() for text in texts) / len(texts)
    assert 0.05 <= lower <= 0.3


def test_personal_data_stays_on_reserved_names(sample: list[dict[str, str]]) -> None:
    """Addresses and numbers are fictional: example.* domains and 555-01xx lines only."""
    for comment in sample:
        for domain in re.findall(r"@([\w.]+\w)", comment["text"]):
            assert domain.split(".")[-2] == "example", comment["text"]
        for number in re.findall(r"\b\d{3}-\d{4}\b", comment["text"]):
            assert number.startswith("555-01"), comment["text"]


# --- vocabulary checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "broken", "message"),
    [
        ('"{remedy} works for me every time."', '"{remdy} works for me every time."', "unknown slot"),
        ('"Tonic water and quinine: are they safe for cramps?"', "Tonic water and quinine: are they safe?",
         "not a string"),
    ],
)
def test_a_broken_vocabulary_is_rejected(tmp_path: Path, original: str, broken: str, message: str) -> None:
    text = generator.VOCABULARY_FILE.read_text(encoding="utf-8")
    assert original in text
    bad = tmp_path / "vocabulary.yaml"
    bad.write_text(text.replace(original, broken), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        generator.load_vocabulary(bad)


def test_the_shipped_vocabulary_loads() -> None:
    vocabulary = generator.load_vocabulary()
    assert "helped" in vocabulary.templates and len(vocabulary.slots["remedy"]) >= 30


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["comments.jsonl", "comments.jsonl.gz"])
def test_cli_writes_n_json_lines(tmp_path: Path, name: str) -> None:
    out = tmp_path / "nested" / name
    assert generator.main(["250", str(out), "--seed", "3"]) == 0
    opener = gzip.open if name.endswith(".gz") else open
    with opener(out, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    assert len(records) == 250
    assert records == list(generator.generate_comments(250, seed=3))


def test_cli_rejects_a_negative_count(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        generator.main(["-5", str(tmp_path / "x.jsonl")])
    assert exit_info.value.code == 2


# --- the benchmark report (formatting only, fake figures) -------------------------------------


@pytest.mark.parametrize(
    ("text", "sizes"),
    [("10000,100000", [10000, 100000]), ("1000000", [1000000]), ("2_000, 5000", [2000, 5000])],
)
def test_sizes_are_parsed(text: str, sizes: list[int]) -> None:
    assert runner.parse_sizes(text) == sizes


@pytest.mark.parametrize("text", ["", "ten", "0", "-5", "1000,abc"])
def test_bad_sizes_are_rejected(text: str) -> None:
    with pytest.raises(Exception, match="sizes must"):
        runner.parse_sizes(text)


def test_report_table_is_relative_to_the_tokenizer() -> None:
    measurements = [
        runner.Measurement("tokenizer", 1000, 0.5, 100.0),
        runner.Measurement("regex", 1000, 0.25, 20.0),
        runner.Measurement("extract", 1000, 2.0, 600.0, build_seconds=3.0),
    ]
    report = runner.report(measurements, "2 CPUs, Python 3.11, spaCy 3.8", dt.date(2026, 1, 2))
    rows = [line for line in report.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0].startswith("| stage | comments | seconds | comments/s | peak RSS MB")
    assert "| 1.0× |" in rows[1] and "2,000" in rows[1]
    assert "| 0.5× |" in rows[2]
    assert "| 4.0× |" in rows[3] and "| 500 |" in rows[3]
    assert "build_nlp()` took 3.00 s" in report
    assert "2026-01-02" in report and runner.RUN_COMMAND in report


def test_keyword_baseline_counts_whole_words_case_insensitively() -> None:
    pattern = re.compile(runner.KEYWORD_PATTERN, re.IGNORECASE)
    counts = runner.count_keywords(["Mustard and MAGNESIUM, then more mustard.", "mustardseed ginger ale"], pattern)
    assert counts == {"mustard": 2, "magnesium": 1, "ginger": 1}
    assert len(runner.KEYWORDS) >= 50


def test_the_incremental_row_says_what_was_added_and_is_explained() -> None:
    measurements = [runner.Measurement("tokenizer", 1000, 0.5, 100.0), runner.Measurement("incremental", 1000, 4.0, 300.0)]
    report = runner.report(measurements, "2 CPUs", dt.date(2026, 1, 2))
    assert f"after adding {runner.INCREMENT:,} comments" in report
    assert "The incremental row" in report
    assert "incremental" in runner.STAGES


def test_split_stands_for_one_row_per_stage_command_in_pipeline_order() -> None:
    assert runner._expanded(["tokenizer", "split", "cli"]) == [
        "tokenizer", "split-ingest", "split-extract", "split-cluster", "split-flag", "split-report", "cli",
    ]
    assert all(f"split-{command}" in runner.STAGE_LABELS for command in runner.SPLIT_COMMANDS)


def test_cpu_seconds_are_a_column_and_missing_ones_say_so() -> None:
    measurements = [runner.Measurement("tokenizer", 1000, 0.5, 100.0, cpu_seconds=0.49),
                    runner.Measurement("split-flag", 1000, 4.0, 300.0)]
    rows = [line for line in runner.markdown_table(measurements).splitlines() if line.startswith("| ")]
    assert rows[0].endswith("| CPU s |")
    assert rows[1].endswith("| 0.5 |")
    assert rows[-1].startswith("| `remedy-miner flag` alone |") and rows[-1].endswith("| n/a |")


def test_all_processes_is_a_column_and_in_process_rows_say_n_a() -> None:
    measurements = [runner.Measurement("tokenizer", 1000, 0.5, 100.0),
                    runner.Measurement("cli", 1000, 4.0, 300.0, tree_peak_rss_mb=812.4)]
    rows = [line for line in runner.markdown_table(measurements).splitlines() if line.startswith("| ")]
    assert "| peak RSS MB | all processes MB |" in rows[0]
    assert "| 100 | n/a |" in rows[1]
    assert "| 300 | 812 |" in rows[2]


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the sampler reads Linux's /proc")
def test_the_sampler_adds_up_a_command_and_the_processes_it_starts() -> None:
    # A parent holding ~40 MB starts a child holding ~60 MB; both stay alive a moment together.
    hold = "import time; block = bytearray({mb} * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep(1.5)"
    child = [sys.executable, "-c", hold.format(mb=60)]
    parent = (f"import subprocess; child = subprocess.Popen({child!r}); "
              + hold.format(mb=40) + "; child.wait()")
    finished, peak = runner._run_sampled([sys.executable, "-c", parent])
    assert finished.returncode == 0
    assert peak is not None and peak > 100, peak  # both blocks, plus two interpreters


def test_the_sampler_returns_the_output_of_a_failing_command() -> None:
    finished, _ = runner._run_sampled([sys.executable, "-c", "import sys; print('out'); sys.exit('boom')"])
    assert finished.returncode == 1 and finished.stdout.strip() == "out" and "boom" in finished.stderr


def test_a_timed_command_reports_its_time_cpu_and_both_peaks() -> None:
    usage = runner._timed_command([sys.executable, "-c", "print('done')"])
    assert usage["seconds"] > 0 and usage["cpu_seconds"] >= 0 and usage["child_peak_rss_mb"] > 0
    assert usage["tree_peak_rss_mb"] is None or usage["tree_peak_rss_mb"] >= 0
