"""The flag stage against our labels: precision >= 0.85 overall, and not one clear case missed on the real page."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluate.corpus import comments_from_labels
from pipeline.evaluate.labels import load_labels
from pipeline.evaluate.scoring import evaluate_claims, match_labels
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
    scores = [s for name, s in evaluation.scores.items() if name.startswith("flag:")]
    found = sum(s.true_positives for s in scores)
    wrong = sum(len(s.false_positives) for s in scores)
    missed = sum(len(s.misses) for s in scores)
    return found / (found + wrong), found / (found + missed)


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
