"""The flag stage against our labels: precision >= 0.85 overall, and not one clear case missed on the real page.

Also how flag scores are reported: a flags-only label file gets no claim rows, an overall
``flags`` row sums every flag, and a label file matching no comment says so.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.evaluate.corpus import comments_from_labels
from pipeline.evaluate.labels import load_labels
from pipeline.evaluate.scoring import evaluate_claims, format_report, match_labels
from pipeline.extract.nlp import build_nlp
from pipeline.extract.stage import extract_claims
from pipeline.flag.rules import load_safety_rules
from pipeline.flag.stage import flag_comments
from pipeline.ingest.records import RawSource
from pipeline.ingest.stage import ingest_sources

LABELS = Path(__file__).resolve().parent.parent / "flag" / "labels"


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def flags_for(comments, nlp):
    claims = extract_claims(comments, nlp=nlp)
    return claims, flag_comments(comments, claims, rules=load_safety_rules())


def overall(evaluation):
    return evaluation.scores["flags"].precision, evaluation.scores["flags"].recall


def test_flag_precision_on_our_cases(nlp):
    path = LABELS / "flag_cases.jsonl"
    comments = comments_from_labels(path)
    claims, flags = flags_for(comments, nlp)
    evaluation = evaluate_claims(load_labels(path), comments, claims, flags)
    precision, recall = overall(evaluation)
    assert precision >= 0.85, precision
    assert recall >= 0.85, recall


def test_no_clear_case_on_the_seed_page_is_missed(nlp, seed_page):
    comments = ingest_sources([RawSource(seed_page.name, seed_page.read_bytes())]).comments
    claims, flags = flags_for(comments, nlp)
    path = LABELS / "seed_flags.jsonl"
    matched, unmatched = match_labels(load_labels(path), comments)
    assert not unmatched
    raised = {(c, f) for c, f in zip(flags["comment_id"], flags["flag"])}
    records = {r["id"]: r for r in (json.loads(line) for line in path.read_text().splitlines() if line.strip())}
    missed = [
        (label.key, flag)
        for comment_id, label in matched.items()
        if records[label.key].get("clear")
        for flag in records[label.key].get("clear_flags") or [f["flag"] for f in records[label.key]["flags"]]
        if (comment_id, flag) not in raised
    ]
    assert missed == []
    evaluation = evaluate_claims(load_labels(path), comments, claims, flags)
    precision, _ = overall(evaluation)
    assert precision >= 0.85, precision


# --- reporting flag scores, on tiny hand-made tables ----------------------------------------

COMMENTS = pd.DataFrame({
    "comment_id": ["c1", "c2", "c3"],
    "text": ["My calf is hot and swollen today.", "Call me on 555-0123.", "Bananas help me."],
    "source": "own.jsonl", "position": [1, 2, 3], "author": "",
})
NO_CLAIMS = pd.DataFrame({"comment_id": ["c3"], "concept": ["banana"], "role": ["remedy"], "effect": ["helped"],
                          "negated": [False], "hedged": [False], "question": [False], "experiencer": ["self"]})
RAISED = pd.DataFrame({"comment_id": ["c1", "c1", "c2"], "flag": ["dvt", "medical_question", "personal_data"]})
FLAGS_ONLY = (
    '{"id": "a", "text": "My calf is hot and swollen today.", "flags": [{"flag": "dvt", "severity": "urgent"}, '
    '{"flag": "red_flag_symptom", "severity": "urgent"}]}\n'
    '{"id": "b", "text": "Call me on 555-0123.", "flags": ["personal_data"]}\n'
    '{"id": "c", "text": "Bananas help me.", "flags": []}\n'
)


def report_for(tmp_path: Path, label_lines: str, comments: pd.DataFrame = COMMENTS) -> str:
    path = tmp_path / "labels.jsonl"
    path.write_text(label_lines, encoding="utf-8")
    return format_report(evaluate_claims(load_labels(path), comments, NO_CLAIMS, RAISED))


def measure_names(report: str) -> list[str]:
    return re.findall(r"^(\S+)\s+\d\.\d{3}\s", report, flags=re.MULTILINE)


def test_a_flags_only_label_file_prints_no_claim_measures(tmp_path):
    """Regression: flags-only labels printed claim rows scoring every claim found as a false positive."""
    report = report_for(tmp_path, FLAGS_ONLY)
    assert measure_names(report) == ["flags", "flag:dvt", "flag:medical_question", "flag:personal_data",
                                     "flag:red_flag_symptom"]
    assert "attribute accuracy" not in report


def test_the_flags_row_is_micro_averaged_over_every_flag(tmp_path):
    report = report_for(tmp_path, FLAGS_ONLY)
    # 2 found (dvt, personal_data), 1 wrong (medical_question), 1 missed (red_flag_symptom).
    assert re.search(r"^flags\s+0\.667\s+0\.667\s+0\.667\s+2\s+1\s+1$", report, flags=re.MULTILINE), report


def test_labels_with_claims_and_flags_print_both(tmp_path):
    lines = FLAGS_ONLY.replace('"flags": []', '"claims": [{"concept": "banana", "role": "remedy"}], "flags": []')
    names = measure_names(report_for(tmp_path, lines))
    assert names[:5] == ["claims", "remedy", "trigger", "mention", "flags"]


def test_labels_without_flags_print_no_flag_rows(tmp_path):
    names = measure_names(report_for(tmp_path, '{"id": "c", "text": "Bananas help me.", "claims": []}\n'))
    assert names == ["claims", "remedy", "trigger", "mention"]


def test_labels_matching_no_comment_say_so_instead_of_perfect_scores(tmp_path):
    """Regression: with nothing matched, every measure printed 1.000 as if perfect."""
    report = report_for(tmp_path, FLAGS_ONLY, COMMENTS.assign(text=["x", "y", "z"]))
    assert "labelled comments matched: 0" in report
    assert "no labelled comment matched" in report
    assert "1.000" not in report and measure_names(report) == []
