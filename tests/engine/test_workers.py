"""--workers N gives the bytes --workers 1 gives; bad engine options are one line and exit 1."""
from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.engine.executors import InProcess, ProcessPool
from pipeline.engine.settings import ExtractSettings, FlagSettings
from pipeline.engine.stages import extract_table, flag_table
from pipeline.engine.tasks import warm_up
from tests.conftest import REPO
from tests.engine.conftest import output_files, table_folder

runner = CliRunner()
SAMPLE = REPO / "data" / "raw"


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_run_with_two_workers_writes_the_same_bytes_as_one(tmp_path, fmt):
    outputs = {}
    for workers in (1, 2):
        out = tmp_path / f"workers-{workers}"
        result = runner.invoke(app, ["run", str(SAMPLE), "--out", str(out), "--format", fmt, "--workers", str(workers), "-q"])
        assert result.exit_code == 0, result.output
        outputs[workers] = output_files(out)
    assert {f"claims.{fmt}", f"flags.{fmt}", "report.html"} <= set(outputs[1])
    assert outputs[1] == outputs[2]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_extract_and_flag_in_a_process_pool_match_one_process(tmp_path, thread, fmt):
    """Several partitions per worker, replies crossing them: the pool changes nothing."""
    folders = {name: table_folder(tmp_path / name, fmt, comments=thread) for name in ("one", "pool")}
    extract_table(folders["one"], fmt, ExtractSettings(), InProcess(), partition_size=2)
    flag_table(folders["one"], fmt, FlagSettings(), InProcess(), partition_size=2)
    pools = [ProcessPool(2, warm_up, settings) for settings in (ExtractSettings(), FlagSettings())]
    try:
        extract_table(folders["pool"], fmt, ExtractSettings(), pools[0], partition_size=2)
        flag_table(folders["pool"], fmt, FlagSettings(), pools[1], partition_size=2)
    finally:
        for pool in pools:
            pool.close()
    assert output_files(folders["one"]) == output_files(folders["pool"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["extract", "--workers", "0"], "error: --workers 0: need at least 1 worker"),
        (["flag", "--workers", "-2"], "error: --workers -2: need at least 1 worker"),
        (["run", "--workers", "0"], "error: --workers 0: need at least 1 worker"),
        (["extract", "--engine", "spark"], "error: --engine 'spark' is not supported (choose from: local, dask)"),
        (["flag", "--engine", "nonsense"], "error: --engine 'nonsense' is not supported (choose from: local, dask)"),
        (["run", "--engine", "ray"], "error: --engine 'ray' is not supported (choose from: local, dask)"),
        (["extract", "--scheduler", "tcp://host:8786"], "error: --scheduler needs --engine dask"),
    ],
)
def test_bad_engine_options_are_one_line_and_exit_1(tmp_path, args, message):
    result = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == message


@pytest.mark.parametrize("command", ["extract", "flag", "run"])
def test_engine_dask_without_dask_installed_says_how_to_install_it(tmp_path, monkeypatch, command):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    result = runner.invoke(app, [command, "--engine", "dask", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == "error: --engine dask needs Dask: pip install 'remedy-miner[dask]'"
    assert not (tmp_path / "comments.parquet").exists()  # run stops before ingest writes anything


def test_the_local_engine_runs_without_dask_installed(tmp_path, monkeypatch, thread):
    monkeypatch.setitem(sys.modules, "distributed", None)
    table_folder(tmp_path, comments=thread)
    result = runner.invoke(app, ["extract", "--out", str(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "claims.parquet").exists()


@pytest.mark.parametrize("command", ["extract", "flag"])
@pytest.mark.parametrize("args", [["--workers", "1"], ["--workers", "2"]])
def test_a_missing_table_is_one_line_whatever_the_workers(tmp_path, command, args):
    result = runner.invoke(app, [command, "--out", str(tmp_path), *args])
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "no 'comments' table" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_model_that_is_not_installed_is_one_line_from_a_worker(tmp_path, thread):
    table_folder(tmp_path, comments=thread)
    result = runner.invoke(app, ["extract", "--out", str(tmp_path), "--workers", "2", "--model", "no_such_model_xx"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: --model 'no_such_model_xx' is not installed; the default pipeline needs no model (omit --model)"


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize(
    "command, option, content",
    [
        ("extract", "--lexicon", "concepts:\n  - concept: copper bracelet\n    colour: red\n"),
        ("flag", "--lexicon", "concepts:\n  - concept: copper bracelet\n    colour: red\n"),
        ("flag", "--rules", "no_such_section: 1\n"),
    ],
)
def test_a_bad_rule_file_is_named_as_the_user_gave_it_whatever_the_workers(tmp_path, thread, workers, command, option, content):
    from pipeline.engine.tasks import pipeline_for
    from pipeline.extract.stage import extract_claims

    claims = extract_claims(thread, nlp=pipeline_for(ExtractSettings()))
    table_folder(tmp_path, comments=thread, claims=claims)
    bad = tmp_path / "my-file.yaml"
    bad.write_text(content, encoding="utf-8")
    result = runner.invoke(app, [command, "--out", str(tmp_path), option, str(bad), "--workers", workers])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {bad}") and len(result.output.strip().splitlines()) == 1
