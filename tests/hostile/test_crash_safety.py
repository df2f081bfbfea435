"""A run killed with SIGKILL loses nothing that was there before, and the next run recovers.

Every output is written to a temporary file beside it and renamed over it
(pipeline/io/tables.py), so at any instant each output is either the previous version or the
complete new one. These tests kill real ``remedy-miner`` processes and look.
"""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.io.tables import read_table
from tests.hostile.runs import environment, generated_corpus, output_files, remedy_miner, start

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

SMALL, LARGE = 120, 6000
STAGE_TABLES = ("comments", "rejects", "threads", "sources", "claims", "concepts", "themes", "comment_themes", "flags")
EXTRACT_STARTED_SECONDS = 4.0


def wait_for_change(path: Path, before: bytes, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it could be killed; use a larger corpus"
        if path.exists() and path.read_bytes() != before:
            return
        time.sleep(0.05)
    raise TimeoutError(path)


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_a_run_killed_mid_extract_leaves_every_earlier_output_intact(tmp_path: Path):
    out = tmp_path / "out"
    small = generated_corpus(tmp_path / "small", SMALL)
    large = generated_corpus(tmp_path / "large", LARGE, seed=11)
    first = remedy_miner("run", str(small), "--out", str(out), "-q")
    assert first.returncode == 0, first.stderr
    before = output_files(out)
    assert {f"{name}.parquet" for name in STAGE_TABLES} <= set(before) and "report.html" in before

    # Ingest of the large corpus finishes (comments.parquet is replaced), then extraction runs
    # for a while: kill it there.
    process = start("run", str(large), "--out", str(out), "-q")
    try:
        wait_for_change(out / "comments.parquet", before["comments.parquet"], process)
        time.sleep(EXTRACT_STARTED_SECONDS)
        assert process.poll() is None, "the run ended before it could be killed; use a larger corpus"
    finally:
        kill(process)

    after = output_files(out)
    ingested = {"comments.parquet", "rejects.parquet", "threads.parquet", "sources.parquet"}
    assert set(before) <= set(after), "a killed run must not lose a file"
    stray = set(after) - set(before)
    # Killed in the middle of a write, the run leaves that write's hidden temporary file, nothing else.
    assert all(Path(name).name.startswith(".") and name.endswith(".tmp") for name in stray), stray
    for name, content in before.items():
        if name not in ingested:
            assert after[name] == content, f"{name} changed although the killed run never finished it"
    for name in STAGE_TABLES:
        read_table(out, name)  # every table is whole and readable
    assert len(read_table(out, "comments")) > SMALL

    # A killed writer leaves a temporary file behind; plant one as it would be named.
    leftover = out / ".claims.parquet.k1ll3d.tmp"
    leftover.write_bytes(b"PAR1 half a table")
    second = remedy_miner("extract", "--out", str(out), "-q")
    assert second.returncode == 0, second.stderr
    assert not leftover.exists(), "the next write of claims removes the killed run's temporary file"
    claims, comments = read_table(out, "claims"), read_table(out, "comments")
    assert set(claims["comment_id"]) <= set(comments["comment_id"])
    assert len(claims) > len(read_table_from_bytes(before["claims.parquet"], tmp_path))


def read_table_from_bytes(content: bytes, tmp_path: Path):
    folder = tmp_path / "earlier"
    folder.mkdir(exist_ok=True)
    (folder / "claims.parquet").write_bytes(content)
    return read_table(folder, "claims")


RESOLVER = """
import sys
from pipeline.review.store import ReviewStore
store = ReviewStore(sys.argv[1])
for number in range(int(sys.argv[2])):
    store.record((f"c{number:016x}", "dvt"), "dismissed", f"note {number}", "tester", "2024-01-01T00:00:00Z")
    print(number, flush=True)
"""


def test_review_database_survives_a_kill_during_many_resolves(tmp_path: Path):
    database = tmp_path / "review.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-c", RESOLVER, str(database), "100000"],
        env=environment(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        confirmed = -1
        assert process.stdout is not None
        for line in process.stdout:
            confirmed = int(line)
            if confirmed >= 300:
                break
    finally:
        kill(process)
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        recorded = [row[0] for row in connection.execute("SELECT comment_id FROM decisions ORDER BY comment_id")]
        history = connection.execute("SELECT COUNT(*) FROM decision_history").fetchone()[0]
    # Every decision reported as done is there, and what is there is a prefix of the sequence.
    assert len(recorded) > confirmed
    assert recorded == [f"c{number:016x}" for number in range(len(recorded))]
    assert history == len(recorded)
