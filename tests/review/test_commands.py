"""``remedy-miner review list|resolve|export`` through typer's CliRunner, on hand-made tables."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli import _Commands
from pipeline.io.tables import write_table
from pipeline.review.commands import review_app
from pipeline.review.store import ReviewStore
from tests.review.conftest import comments_table, flags_table

# The lead adds review_app to pipeline.cli's app; this stand-in adds it the same way.
app = typer.Typer(cls=_Commands, add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
app.add_typer(review_app, name="review")
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["review", *args])


@pytest.fixture(params=["parquet", "csv"])
def out(tmp_path, request) -> Path:
    folder = tmp_path / "processed"
    write_table(flags_table(), folder, "flags", request.param)
    write_table(comments_table(), folder, "comments", request.param)
    return folder


@pytest.mark.parametrize("command", ["list", "resolve", "export"])
def test_every_review_command_has_help_ending_with_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert re.search(rf"Example: remedy-miner review {command}\b", result.output)


def test_list_prints_the_queue_most_severe_first(out):
    result = invoke("list", "--out", str(out))
    assert result.exit_code == 0, result.output
    ids = re.findall(r"\bf-[a-z-]+\b", result.output)
    assert ids[:2] == ["f-pills-inter", "f-calf-dvt"] and ids[-1] == "f-contact-promo"
    assert "7 of 7 matching flags shown" in result.output


def test_list_filters_by_severity_flag_and_status(out):
    result = invoke("list", "--out", str(out), "--severity", "urgent", "--severity", "low", "--status", "open")
    assert set(re.findall(r"\bf-[a-z-]+\b", result.output)) == {"f-pills-inter", "f-calf-dvt", "f-contact-promo"}
    result = invoke("list", "--out", str(out), "--flag", "personal_data")
    assert set(re.findall(r"\bf-[a-z-]+\b", result.output)) == {"f-contact-pd"}


def test_list_redacts_unless_told_not_to(out):
    redacted = invoke("list", "--out", str(out), "--flag", "personal_data")
    assert "[phone]" in redacted.output and "014-2233" not in redacted.output
    raw = invoke("list", "--out", str(out), "--flag", "personal_data", "--no-redact")
    assert "014-2233" in raw.output


@pytest.mark.parametrize("args", [("--severity", "critical"), ("--status", "closed")])
def test_list_refuses_an_unknown_choice_in_one_line(out, args):
    result = invoke("list", "--out", str(out), *args)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1


def test_list_refuses_an_unknown_flag_id_naming_the_valid_ones(out):
    """Regression: a mistyped --flag showed an empty queue, as if nothing needed review."""
    result = invoke("list", "--out", str(out), "--flag", "nope")
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "unknown flag id 'nope'" in line
    assert "dvt, red_flag_symptom" in line and "medical_question" in line


def test_list_accepts_a_known_flag_with_no_rows(out):
    result = invoke("list", "--out", str(out), "--flag", "elderly")
    assert result.exit_code == 0, result.output
    assert "No flags match" in result.output


@pytest.mark.parametrize("note", ["", "   "])
def test_resolve_refuses_a_blank_note(out, note):
    """Regression: an empty --note recorded a decision nobody could later explain."""
    result = invoke("resolve", "f-kid", "--decision", "dismissed", "--note", note, "--out", str(out))
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "a note is required" in line
    assert not (out / "review.sqlite").exists()


def test_resolve_records_the_decision_and_list_shows_it(out):
    result = invoke("resolve", "f-calf-dvt", "--decision", "escalated", "--note", "told to see a doctor today",
                    "--by", "Dr Lee", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "f-calf-dvt (dvt on comment c-calf) -> escalated by Dr Lee" in result.output
    listed = invoke("list", "--out", str(out), "--status", "escalated")
    assert re.findall(r"\bf-[a-z-]+\b", listed.output) == ["f-calf-dvt"]
    assert (out / "review.sqlite").exists()


def test_resolve_an_unknown_id_is_one_line_and_exit_1(out):
    result = invoke("resolve", "f-nope", "--decision", "dismissed", "--note", "x", "--out", str(out))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: unknown flag id 'f-nope': it is not in the current flags table (see 'remedy-miner review list')"
    ]


def test_resolve_a_bad_decision_is_one_line_and_exit_1(out):
    result = invoke("resolve", "f-kid", "--decision", "approved", "--note", "x", "--out", str(out))
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1


def test_resolve_needs_the_flags_table(tmp_path):
    result = invoke("resolve", "f-kid", "--decision", "dismissed", "--note", "x", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "no 'flags' table" in result.output


def test_a_store_that_is_not_sqlite_is_one_line_and_exit_1(out):
    (out / "review.sqlite").write_text("this is a note, not a database\n")
    for args in (("list",), ("resolve", "f-kid", "--decision", "dismissed", "--note", "x"), ("export",)):
        result = invoke(*args, "--out", str(out))
        assert result.exit_code == 1
        [line] = result.output.strip().splitlines()
        assert "not a review database" in line


def test_export_writes_the_csv_and_markdown_redacted(out):
    invoke("resolve", "f-kid", "--decision", "actioned", "--note", "replied with advice", "--by", "Ann", "--out", str(out))
    result = invoke("export", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "7 flags (6 open)" in result.output
    csv = pd.read_csv(out / "summary" / "review_queue.csv", dtype=str, keep_default_na=False)
    assert csv["flag_id"].tolist()[:2] == ["f-pills-inter", "f-calf-dvt"]
    assert csv.set_index("flag_id").loc["f-kid", ["status", "decided_by"]].tolist() == ["actioned", "Ann"]
    assert "[email]" in csv.set_index("flag_id").loc["f-contact-pd", "text"]
    markdown = (out / "summary" / "review_queue.md").read_text()
    assert markdown.startswith("# Review queue\n") and "(555)" not in markdown
    assert "7 flags: 6 open, 0 dismissed, 1 actioned, 0 escalated." in markdown


def test_export_is_byte_identical_when_run_twice(out):
    invoke("export", "--out", str(out))
    first = {p.name: p.read_bytes() for p in (out / "summary").iterdir()}
    invoke("export", "--out", str(out))
    assert {p.name: p.read_bytes() for p in (out / "summary").iterdir()} == first


def test_export_one_format_without_redaction(out):
    result = invoke("export", "--out", str(out), "--format", "md", "--no-redact")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "summary").iterdir()] == ["review_queue.md"]
    assert "(555) 014-2233" in (out / "summary" / "review_queue.md").read_text()


def test_export_defuses_formulas_in_the_csv(out):
    comments = comments_table()
    comments.loc[comments["comment_id"] == "c-kid", "text"] = "=HYPERLINK(\"http://x\")"
    write_table(comments, out, "comments", "csv")
    invoke("export", "--out", str(out), "--format", "csv")
    assert "'=HYPERLINK" in (out / "summary" / "review_queue.csv").read_text()


def test_a_decision_survives_re_running_the_pipeline(out):
    """Regression: decisions are keyed by comment_id + flag, not by row or run."""
    invoke("resolve", "f-quinine", "--decision", "dismissed", "--note", "tonic water only", "--by", "Bo", "--out", str(out))
    # A re-run writes new tables: more comments and flags, rows in another order, and
    # (should the hashing change) even another flag_id for the same comment and flag.
    flags = flags_table()
    flags.loc[flags["flag_id"] == "f-quinine", "flag_id"] = "f-quinine-v2"
    new_flag = pd.DataFrame([{**flags.iloc[0].to_dict(), "flag_id": "f-new", "comment_id": "c-new"}])
    write_table(pd.concat([new_flag, flags.iloc[::-1]], ignore_index=True), out, "flags", "parquet")
    comments = comments_table()
    new_comment = pd.DataFrame([{**comments.iloc[0].to_dict(), "comment_id": "c-new", "posted_at": "2022-01-01"}])
    write_table(pd.concat([comments, new_comment], ignore_index=True), out, "comments", "parquet")
    invoke("export", "--out", str(out), "--format", "csv")
    csv = pd.read_csv(out / "summary" / "review_queue.csv", dtype=str, keep_default_na=False).set_index("flag_id")
    assert csv.loc["f-quinine-v2", ["status", "decided_by", "note"]].tolist() == ["dismissed", "Bo", "tonic water only"]
    assert csv.loc["f-new", "status"] == "open"
    assert len(ReviewStore(out / "review.sqlite").history()) == 1
