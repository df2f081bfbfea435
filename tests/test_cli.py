"""The command line as a user meets it: help, the README's promises, errors in one line."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

REPO = Path(__file__).resolve().parent.parent
COMMANDS = ["ingest", "extract", "cluster", "flag", "report", "show", "review", "evaluate", "run"]
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_ending_with_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert re.search(rf"Example: remedy-miner {command}\b", result.output)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_in_the_readme(command):
    assert f"remedy-miner {command}" in (REPO / "README.md").read_text()


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    [test_command] = re.findall(r"^(python3 -m venv \.venv .*pytest.*)$", readme, flags=re.MULTILINE)
    assert test_command in (REPO / ".ci" / "run").read_text()


def write_csv(folder: Path, name: str = "export.csv") -> Path:
    path = folder / name
    path.write_text("id,author,date,text\n1,Ann,2020-01-02,Pickle juice stops my cramps\n2,Bob,2020-01-03,\n")
    return path


def test_ingest_writes_the_tables_and_prints_the_reconciliation(tmp_path):
    write_csv(tmp_path)
    out = tmp_path / "out"
    result = invoke("ingest", str(tmp_path), "--out", str(out), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "2 records read = 1 kept + 1 rejected + 0 duplicates" in result.output
    comments = pd.read_csv(out / "comments.csv", dtype=str, keep_default_na=False)
    assert comments.loc[0, ["author", "posted_at", "text"]].tolist() == ["Ann", "2020-01-02", "Pickle juice stops my cramps"]
    rejects = pd.read_csv(out / "rejects.csv", dtype=str)
    assert rejects.loc[0, "locator"] == "row 3"
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {"comments.csv", "rejects.csv", "threads.csv", "sources.csv"}


def test_run_chains_the_stages_on_the_inputs(tmp_path):
    write_csv(tmp_path)
    result = invoke("run", str(tmp_path / "export.csv"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (tmp_path / "out" / "comments.parquet").exists()


def test_the_same_input_gives_byte_identical_tables(tmp_path):
    write_csv(tmp_path)
    for name in ("a", "b"):
        assert invoke("ingest", str(tmp_path / "export.csv"), "--out", str(tmp_path / name), "-q").exit_code == 0
    for table in ("comments", "rejects", "threads", "sources"):
        assert (tmp_path / "a" / f"{table}.parquet").read_bytes() == (tmp_path / "b" / f"{table}.parquet").read_bytes()


def make(folder: Path, name: str, content: bytes) -> Path:
    (folder / name).write_bytes(content)
    return folder / name


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "missing.csv", "no such file or folder"),
        (lambda d: make(d, "empty.csv", b""), "empty.csv: file is empty"),
        (lambda d: make(d, "img.txt", b"\x89PNG\x00\x00\x01"), "img.txt: looks like a binary"),
        (lambda d: make(d, "n.docx", b"x").parent, "folder holds no supported file"),
        (lambda d: make(d, "x.csv", b"id,user\n1,ann\n"), "x.csv: no text column"),
        (lambda d: make(d, "x.json", b'{"text": '), "x.json, line 1: not valid JSON"),
    ],
)
def test_bad_input_is_one_line_naming_the_file_and_exit_1(tmp_path, setup, message):
    path = setup(tmp_path)
    result = invoke("ingest", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args",
    [["--bogus"], ["--format", "xls"], ["--input-format", "docx"], ["--max-comment-chars", "0"]],
)
def test_bad_options_are_one_line_and_exit_1(tmp_path, args):
    write_csv(tmp_path)
    result = invoke("ingest", str(tmp_path), "--out", str(tmp_path / "out"), *args)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1


def test_keep_going_records_an_unreadable_file_and_keeps_the_others(tmp_path):
    write_csv(tmp_path)
    (tmp_path / "broken.csv").write_bytes(b"")
    out = tmp_path / "out"
    result = invoke("ingest", str(tmp_path), "--out", str(out), "--keep-going")
    assert result.exit_code == 0, result.output
    rejects = pd.read_parquet(out / "rejects.parquet")
    assert ["file", "file is empty"] in rejects[["locator", "reason"]].values.tolist()
    assert len(pd.read_parquet(out / "comments.parquet")) == 1


def test_a_failed_run_leaves_the_last_good_outputs(tmp_path):
    write_csv(tmp_path)
    out = tmp_path / "out"
    assert invoke("ingest", str(tmp_path), "--out", str(out)).exit_code == 0
    before = (out / "comments.parquet").read_bytes()
    (tmp_path / "broken.csv").write_bytes(b"")
    assert invoke("ingest", str(tmp_path), "--out", str(out)).exit_code == 1
    assert (out / "comments.parquet").read_bytes() == before


def test_extract_writes_claims_with_the_contract_columns(tmp_path):
    (tmp_path / "c.csv").write_text("author,text\nAnn,A spoonful of mustard stops my cramps within a minute.\n")
    out = tmp_path / "out"
    assert invoke("ingest", str(tmp_path / "c.csv"), "--out", str(out), "-q").exit_code == 0
    result = invoke("extract", "--out", str(out))
    assert result.exit_code == 0, result.output
    claims = pd.read_parquet(out / "claims.parquet")
    contract = ["claim_id", "comment_id", "concept", "category", "role", "effect", "negated", "hedged", "question",
                "experiencer", "surface", "sentence", "start", "end", "rule", "discovered"]
    assert set(contract) <= set(claims.columns)
    assert claims[["concept", "role", "effect"]].values.tolist() == [["mustard", "remedy", "helped"]]


def test_extract_without_comments_says_which_stage_to_run(tmp_path):
    result = invoke("extract", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "no 'comments' table" in result.output and "run the earlier stage first" in result.output


def test_a_lexicon_file_with_an_unknown_key_is_refused_naming_file_and_entry(tmp_path):
    write_csv(tmp_path)
    bad = tmp_path / "terms.yaml"
    bad.write_text("concepts:\n  - concept: copper bracelet\n    category: device\n    colour: red\n")
    result = invoke("run", str(tmp_path / "export.csv"), "--out", str(tmp_path / "out"), "--lexicon", str(bad))
    assert result.exit_code == 1
    assert "terms.yaml: entry 1: unknown key 'colour'" in result.output


def test_a_user_lexicon_adds_concepts(tmp_path):
    (tmp_path / "c.csv").write_text("author,text\nBo,My copper bracelet helps my cramps a lot.\n")
    terms = tmp_path / "terms.yaml"
    terms.write_text("concepts:\n  - concept: copper bracelet\n    category: device\n")
    out = tmp_path / "out"
    result = invoke("run", str(tmp_path / "c.csv"), "--out", str(out), "--lexicon", str(terms), "-q")
    assert result.exit_code == 0, result.output
    claims = pd.read_parquet(out / "claims.parquet")
    assert claims[["concept", "category", "role", "discovered"]].values.tolist() == [["copper bracelet", "device", "remedy", False]]


def test_evaluate_prints_scores_per_role(tmp_path):
    labels = tmp_path / "labels.jsonl"
    labels.write_text(
        '{"id": "a", "text": "Tonic water did the trick for me.", "claims": [{"concept": "tonic water", "role": "remedy", "effect": "helped"}]}\n'
        '{"id": "b", "text": "Ice cream gives me cramps.", "claims": [{"concept": "dairy", "role": "trigger", "effect": "worsened"}]}\n'
    )
    out = tmp_path / "out"
    assert invoke("run", str(labels), "--out", str(out), "-q").exit_code == 0
    result = invoke("evaluate", str(labels), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "labelled comments matched: 2" in result.output
    assert re.search(r"^remedy\s+1\.000\s+1\.000\s+1\.000", result.output, flags=re.MULTILINE)
    assert re.search(r"^trigger\s+1\.000\s+1\.000\s+1\.000", result.output, flags=re.MULTILINE)


def test_evaluate_refuses_a_malformed_label_file_naming_the_line(tmp_path):
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "a", "text": "x", "claims": []}\n{"id": "b", "text": \n')
    result = invoke("evaluate", str(labels), "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "labels.jsonl, line 2: not valid JSON" in result.output


def test_the_command_line_loads_without_pandas_or_arrow():
    """``--help`` answers quickly, and ``run``'s own process stays small while a large input's
    stages run in processes of their own (see pipeline/engine/own_process.py)."""
    import subprocess

    probe = "import sys, pipeline.cli; print(sorted({'pandas', 'pyarrow', 'numpy', 'spacy', 'sklearn'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr
