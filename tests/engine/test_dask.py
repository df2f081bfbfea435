"""--engine dask runs the same partitions on a Dask cluster and writes the local engine's bytes.

One two-worker LocalCluster (processes, one thread each) serves the whole module: it takes
seconds to start.
"""
from __future__ import annotations


import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.engine.executors import DaskCluster, InProcess
from pipeline.engine.settings import ExtractSettings, FlagSettings
from pipeline.engine.stages import extract_table, flag_table
from tests.conftest import REPO
from tests.engine.conftest import output_files, table_folder

distributed = pytest.importorskip("distributed")

runner = CliRunner()
SAMPLE = REPO / "data" / "raw"


@pytest.fixture(scope="module")
def scheduler():
    """The address of a two-worker local Dask cluster."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_run_on_a_dask_cluster_writes_the_local_engines_bytes(tmp_path, scheduler, fmt):
    outputs = {}
    for name, options in (("local", []), ("dask", ["--engine", "dask", "--scheduler", scheduler])):
        out = tmp_path / name
        result = runner.invoke(app, ["run", str(SAMPLE), "--out", str(out), "--format", fmt, "-q", *options])
        assert result.exit_code == 0, result.output
        outputs[name] = output_files(out)
    assert {f"claims.{fmt}", f"flags.{fmt}"} <= set(outputs["local"])
    assert outputs["local"] == outputs["dask"]


def test_partitions_on_the_cluster_link_replies_across_partitions(tmp_path, scheduler, thread):
    folders = {name: table_folder(tmp_path / name, comments=thread) for name in ("local", "dask")}
    extract_table(folders["local"], "parquet", ExtractSettings(), InProcess(), partition_size=2)
    flag_table(folders["local"], "parquet", FlagSettings(), InProcess(), partition_size=2)
    cluster = DaskCluster(2, scheduler)
    try:
        extract_table(folders["dask"], "parquet", ExtractSettings(), cluster, partition_size=2)
        flag_table(folders["dask"], "parquet", FlagSettings(), cluster, partition_size=2)
    finally:
        cluster.close()
    assert output_files(folders["local"]) == output_files(folders["dask"])


def test_lexicon_files_travel_to_the_workers_as_content(tmp_path, scheduler, thread):
    lexicon = tmp_path / "my-terms.yaml"
    lexicon.write_text("concepts:\n  - concept: copper bracelet\n    category: device\n", encoding="utf-8")
    comments = thread.assign(text=thread["text"].str.replace("A spoonful of mustard", "My copper bracelet"))
    outputs = {}
    for name, options in (("local", []), ("dask", ["--engine", "dask", "--scheduler", scheduler])):
        out = table_folder(tmp_path / name, comments=comments)
        result = runner.invoke(app, ["extract", "--out", str(out), "--lexicon", str(lexicon), "-q", *options])
        assert result.exit_code == 0, result.output
        outputs[name] = output_files(out)
    assert b"copper bracelet" in outputs["dask"]["claims.parquet"]
    assert outputs["local"] == outputs["dask"]


def test_an_unreachable_scheduler_is_one_line_and_exit_1(tmp_path, thread):
    table_folder(tmp_path, comments=thread)
    result = runner.invoke(app, ["extract", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --scheduler tcp://127.0.0.1:9: cannot reach the Dask scheduler")
    assert not (tmp_path / "claims.parquet").exists()


def test_engine_dask_without_a_scheduler_starts_a_local_cluster(tmp_path, thread):
    folders = {name: table_folder(tmp_path / name, comments=thread) for name in ("local", "dask")}
    for name, options in (("local", []), ("dask", ["--engine", "dask", "--workers", "2"])):
        result = runner.invoke(app, ["extract", "--out", str(folders[name]), *options])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("extract: 12 comments -> ")
    assert output_files(folders["local"]) == output_files(folders["dask"])
