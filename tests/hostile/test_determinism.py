"""Same input, same bytes: two runs of ``remedy-miner run`` write identical files, file by file.

Compared: every stage table, everything under ``summary/`` and ``report.html`` (the summary
CSVs cover the CSV writer; ``--format csv`` stage tables go through the same one). The inputs
are the bundled sample plus a generated corpus, so every stage has real work to do.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.hostile.runs import REPO, generated_corpus, output_files, remedy_miner

GENERATED_COMMENTS = 150


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("determinism-inputs")
    shutil.copytree(REPO / "data" / "raw", folder, dirs_exist_ok=True)
    generated_corpus(folder, GENERATED_COMMENTS, seed=3)
    return folder


def run_twice(inputs: Path, work: Path, *options: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Run into the same folder twice (paths are part of the outputs), starting clean each time."""
    out = work / "out"
    results = []
    for _ in range(2):
        shutil.rmtree(out, ignore_errors=True)
        finished = remedy_miner("run", str(inputs), "--out", str(out), "-q", *options)
        assert finished.returncode == 0, finished.stderr
        results.append(output_files(out))
    return results[0], results[1]


@pytest.mark.parametrize(
    "options",
    [
        pytest.param((), id="default"),
        pytest.param(("--workers", "2"), id="workers-2"),
    ],
)
def test_two_runs_write_byte_identical_outputs(inputs: Path, tmp_path: Path, options: tuple[str, ...]):
    first, second = run_twice(inputs, tmp_path, *options)
    assert {"report.html", "summary/summary.md", "summary/concepts.csv"} <= set(first)
    assert any(name.startswith("claims.") for name in first)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == [], f"differ between two runs: {different}"
