"""Running the real command line in a subprocess, on generated corpora, and reading its outputs."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "benchmarks" / "generate_comments.py"


def environment() -> dict[str, str]:
    """The current environment with this tree first on the path, so the subprocess runs this code."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{path}" if path else str(REPO)}


def command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *arguments]


def remedy_miner(*arguments: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``remedy-miner ARGUMENTS`` to the end and return what it printed."""
    return subprocess.run(command(*arguments), env=environment(), capture_output=True, text=True, timeout=timeout)


def start(*arguments: str) -> subprocess.Popen[bytes]:
    """Start ``remedy-miner ARGUMENTS`` without waiting for it."""
    return subprocess.Popen(command(*arguments), env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def generated_corpus(folder: Path, comments: int, seed: int = 7) -> Path:
    """A JSON Lines file of invented comments from the benchmark generator (deterministic)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"generated-{comments}.jsonl"
    subprocess.run([sys.executable, str(GENERATOR), str(comments), str(path), "--seed", str(seed)], check=True,
                   capture_output=True, timeout=300)
    return path


def output_files(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` (relative path -> bytes), the review database and the
    incremental-run cache (``.cache/``, whose shard names differ by run) excepted."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and not path.name.startswith("review.sqlite") and ".cache" not in path.relative_to(out).parts
    }
