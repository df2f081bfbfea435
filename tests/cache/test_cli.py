"""Incremental runs from the command line: what `run` says it served, --no-cache, --cache-dir, warnings."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()
FIRST = (
    "author,date,text\n"
    "Ann,2024-01-02,Pickle juice stops my calf cramps within a minute.\n"
    "Bo,2024-01-03,I take warfarin and started garlic pills for my cramps.\n"
)
SECOND = "author,date,text\nCy,2024-02-01,Red wine at dinner always gives me cramps at night.\n"
TERMS = "concepts:\n  - concept: copper bracelet\n    category: device\n"


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "first.csv").write_text(FIRST, encoding="utf-8")
    return folder


def served(output: str) -> tuple[int, ...]:
    [line] = [line for line in output.splitlines() if line.startswith("cache: ")]
    return tuple(int(n) for n in re.findall(r"(\d+)/\d+", line))


def outputs(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".cache" not in p.parts and p.name != "review.sqlite"
    }


def test_a_second_run_is_served_from_the_cache_and_says_so(inputs, tmp_path):
    out = tmp_path / "out"
    first = invoke("run", inputs, "--out", out)
    assert first.exit_code == 0, first.output
    assert served(first.output) == (0, 0, 0)
    second = invoke("run", inputs, "--out", out)
    assert served(second.output) == (1, 2, 2)
    (inputs / "second.csv").write_text(SECOND, encoding="utf-8")
    third = invoke("run", inputs, "--out", out)
    assert served(third.output) == (1, 2, 2)
    assert "3 kept" in third.output


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_outputs_with_the_cache_are_byte_identical_to_a_run_without(inputs, tmp_path, fmt):
    assert invoke("run", inputs, "--out", tmp_path / "cached", "-q", "--format", fmt).exit_code == 0
    (inputs / "second.csv").write_text(SECOND, encoding="utf-8")
    assert invoke("run", inputs, "--out", tmp_path / "cached", "-q", "--format", fmt).exit_code == 0
    assert invoke("run", inputs, "--out", tmp_path / "full", "-q", "--no-cache", "--format", fmt).exit_code == 0
    assert outputs(tmp_path / "cached") == outputs(tmp_path / "full")
    assert len(outputs(tmp_path / "full")) > 5


def test_no_cache_neither_reads_nor_writes_it(inputs, tmp_path):
    out = tmp_path / "out"
    result = invoke("run", inputs, "--out", out, "--no-cache")
    assert result.exit_code == 0, result.output
    assert not (out / ".cache").exists()
    assert "cache:" not in result.output


def test_cache_dir_moves_the_cache(inputs, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "elsewhere"
    assert invoke("run", inputs, "--out", out, "--cache-dir", cache, "-q").exit_code == 0
    assert not (out / ".cache").exists()
    assert {p.name for p in cache.iterdir()} == {"ingest", "extract", "flag"}
    assert served(invoke("run", inputs, "--out", tmp_path / "other", "--cache-dir", cache).output) == (1, 2, 2)


def test_a_changed_lexicon_file_recomputes_extract_and_flag_but_not_ingest(inputs, tmp_path):
    out, terms = tmp_path / "out", tmp_path / "terms.yaml"
    terms.write_text(TERMS, encoding="utf-8")
    assert invoke("run", inputs, "--out", out, "--lexicon", terms, "-q").exit_code == 0
    assert served(invoke("run", inputs, "--out", out, "--lexicon", terms).output) == (1, 2, 2)
    terms.write_text(TERMS.replace("copper bracelet", "copper band"), encoding="utf-8")
    assert served(invoke("run", inputs, "--out", out, "--lexicon", terms).output) == (1, 0, 0)


def test_a_corrupt_shard_is_one_warning_and_the_run_goes_on(inputs, tmp_path):
    out = tmp_path / "out"
    assert invoke("run", inputs, "--out", out, "-q").exit_code == 0
    expected = outputs(out)
    [rows] = (out / ".cache" / "extract").glob("*/*/rows.parquet")
    rows.write_bytes(b"garbage")
    result = invoke("run", inputs, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("warning: cache shard") and line.endswith("ignoring it and recomputing")
    assert outputs(out) == expected


@pytest.mark.parametrize("command", ["ingest", "extract", "flag", "run"])
def test_the_cache_options_are_on_every_caching_command(command):
    result = invoke(command, "--help")
    assert "--no-cache" in result.output and "--cache-dir" in result.output


@pytest.mark.parametrize(("command", "expected"), [("ingest", ["ingest"]), ("extract", ["extract"]), ("flag", ["flag"])])
def test_each_stage_command_fills_its_own_cache(inputs, tmp_path, command, expected):
    out = tmp_path / "out"
    assert invoke("run", inputs, "--out", out, "-q", "--no-cache").exit_code == 0
    args = [inputs] if command == "ingest" else []
    assert invoke(command, *args, "--out", out, "-q").exit_code == 0
    assert sorted(p.name for p in (out / ".cache").iterdir()) == expected
