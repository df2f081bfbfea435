"""Large inputs run each stage of ``run`` in a process of its own: the same bytes, the same errors."""
from __future__ import annotations

import functools
import os
import signal

import pytest
from typer.testing import CliRunner

import pipeline.engine.own_process as own_process
from pipeline.cli import app
from pipeline.engine.own_process import OWN_PROCESS_FROM_BYTES, call_in_own_process, worth_own_processes
from pipeline.errors import InputFormatError, PipelineError
from tests.conftest import REPO
from tests.engine.conftest import output_files

runner = CliRunner()
SAMPLE = REPO / "data" / "raw"


@pytest.mark.parametrize(
    ("sizes", "engine", "expected"),
    [
        ([OWN_PROCESS_FROM_BYTES], "local", True),
        ([OWN_PROCESS_FROM_BYTES // 2, OWN_PROCESS_FROM_BYTES // 2], "local", True),  # the sizes add up
        ([OWN_PROCESS_FROM_BYTES - 1], "local", False),
        ([], "local", False),
        ([10 * OWN_PROCESS_FROM_BYTES], "dask", False),  # a Dask run's stages share one client
    ],
)
def test_only_large_inputs_on_the_local_engine_get_processes_of_their_own(sizes, engine, expected):
    assert worth_own_processes(sizes, engine) is expected


def _answer(a: int, b: int) -> int:
    return a * b


def _bad_file() -> None:
    raise InputFormatError("comments.csv", "a quote is never closed", line=7)


def _bug() -> None:
    raise ValueError("a bug, not a user's error")


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_the_result_comes_back_from_the_other_process():
    assert call_in_own_process(functools.partial(_answer, 6, 7)) == 42


def test_a_users_error_keeps_its_message_across_the_process():
    with pytest.raises(PipelineError, match=r"^comments\.csv, line 7: a quote is never closed$"):
        call_in_own_process(_bad_file)


def test_a_bug_is_not_turned_into_a_users_error():
    with pytest.raises(ValueError, match="a bug") as raised:
        call_in_own_process(_bug)
    assert not isinstance(raised.value, PipelineError)


def test_a_process_killed_mid_stage_is_one_users_error_not_a_traceback():
    with pytest.raises(PipelineError, match="ended before it finished"):
        call_in_own_process(_killed)


@pytest.fixture
def every_input_is_large(monkeypatch):
    monkeypatch.setattr(own_process, "OWN_PROCESS_FROM_BYTES", 1)


def test_run_with_a_process_per_stage_writes_the_same_bytes(tmp_path, monkeypatch):
    outputs = {}
    for name, threshold in (("own processes", 1), ("this process", 2**62)):
        monkeypatch.setattr(own_process, "OWN_PROCESS_FROM_BYTES", threshold)
        out = tmp_path / name
        result = runner.invoke(app, ["run", str(SAMPLE), "--out", str(out), "-q", "--no-cache", "--workers", "2"])
        assert result.exit_code == 0, result.output
        outputs[name] = output_files(out)
    assert {"comments.parquet", "claims.parquet", "flags.parquet", "report.html"} <= set(outputs["own processes"])
    assert outputs["own processes"] == outputs["this process"]


def test_a_bad_rule_file_in_a_stages_own_process_is_one_line_and_exit_1(tmp_path, every_input_is_large):
    lexicon = tmp_path / "mine.yaml"
    lexicon.write_text("concepts: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(SAMPLE), "--out", str(tmp_path / "out"), "-q", "--lexicon", str(lexicon)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "mine.yaml" in lines[0], result.output
    assert "Traceback" not in result.output
