"""The extract stage against our labels: F1 >= 0.90 for concepts claimed and for each role.

Two label sets: comments we wrote to exercise every construction (with hard negatives), and
our labels for the real seed page (read from ../shared/seeds, referenced by position and author).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluate.corpus import comments_from_labels
from pipeline.evaluate.labels import load_labels
from pipeline.evaluate.scoring import evaluate_claims
from pipeline.extract.nlp import build_nlp
from pipeline.extract.stage import extract_claims
from pipeline.ingest.records import RawSource
from pipeline.ingest.stage import ingest_sources

LABELS = Path(__file__).resolve().parent.parent / "extract" / "labels"
THRESHOLD = 0.90
MEASURES = ("claims", "remedy", "trigger")


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def scores_on(labels_path: Path, comments, nlp):
    claims = extract_claims(comments, nlp=nlp)
    return evaluate_claims(load_labels(labels_path), comments, claims)


def test_own_corpus_scores(nlp):
    path = LABELS / "own_corpus.jsonl"
    evaluation = scores_on(path, comments_from_labels(path), nlp)
    assert not evaluation.unmatched_labels
    for measure in MEASURES:
        assert evaluation.scores[measure].f1 >= THRESHOLD, (measure, evaluation.scores[measure])


def test_seed_page_scores(nlp, seed_page):
    comments = ingest_sources([RawSource(seed_page.name, seed_page.read_bytes())]).comments
    evaluation = scores_on(LABELS / "seed_page.jsonl", comments, nlp)
    assert not evaluation.unmatched_labels
    assert evaluation.labelled_comments == 52
    for measure in MEASURES:
        assert evaluation.scores[measure].f1 >= THRESHOLD, (measure, evaluation.scores[measure])


def test_hard_negatives_give_no_remedy_or_trigger_claims_they_should_not(nlp):
    path = LABELS / "own_corpus.jsonl"
    comments = comments_from_labels(path)
    evaluation = scores_on(path, comments, nlp)
    wrong = [item for role in ("remedy", "trigger") for item in evaluation.scores[role].false_positives]
    assert len(wrong) <= 6, wrong
