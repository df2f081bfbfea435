"""The real saved page (../shared/seeds/): the flag stage must find every clear case.

Comments are located by author and position (never by copied text); the expected flags are
this test's own reading of the page.
"""
from __future__ import annotations

import pytest

from pipeline.extract.stage import extract_claims
from pipeline.flag.stage import flag_comments
from pipeline.ingest.records import RawSource
from pipeline.ingest.stage import ingest_sources

# (position, author) -> flags that must be raised, with the severity where it matters.
CLEAR_CASES = {
    (3, "Alberto Romero"): {"drug_interaction": "high", "polypharmacy": "high", "elderly": None,
                            "cramp_inducing_drug": None, "red_flag_symptom": "urgent", "distress": None,
                            "medical_question": None},
    (9, "anonymous"): {"dvt": "urgent"},          # a current DVT
    (26, "anonymous"): {"dvt": "low"},            # blood clots mentioned in general
    (14, "anonymous"): {"pediatric_medication": "high"},   # a product asked about for a grandson
    (16, "anonymous"): {"hazardous_remedy": "medium"},     # tonic water
    (17, "anonymous"): {"hazardous_remedy": None},         # quinine, now a substitute
    (20, "anonymous"): {"hazardous_remedy": "high"},       # a product that contains quinine
    (51, "miaponzo"): {"self_promotion": None},            # the commenter's own page
}
# Comments that must raise nothing: thanks, praise, a remedy, a trigger.
QUIET = [(11, "anonymous"), (21, "ConvenientCalendar"), (24, "anonymous"), (37, "Lil55"), (47, "anonymous")]


_RUNS: dict[str, object] = {}


@pytest.fixture
def seed_flags(nlp, rules, seed_page):
    """The page ingested, extracted and flagged (once per test session)."""
    if "flags" not in _RUNS:
        comments = ingest_sources([RawSource(seed_page.name, seed_page.read_bytes())]).comments
        flags = flag_comments(comments, extract_claims(comments, nlp=nlp), rules=rules)
        _RUNS["flags"] = flags.join(comments.set_index("comment_id")[["position", "author"]], on="comment_id")
    return _RUNS["flags"]


def _flags_at(flags, position: int, author: str) -> dict[str, str]:
    rows = flags[(flags["position"] == position) & (flags["author"] == author)]
    return dict(zip(rows["flag"], rows["severity"]))


@pytest.mark.parametrize("where", list(CLEAR_CASES), ids=[f"{p}-{a}" for p, a in CLEAR_CASES])
def test_every_clear_case_is_flagged(seed_flags, where: tuple[int, str]) -> None:
    found = _flags_at(seed_flags, *where)
    for flag, severity in CLEAR_CASES[where].items():
        assert flag in found, f"{flag} missing at {where}; found {found}"
        if severity is not None:
            assert found[flag] == severity, f"{flag} at {where}"


def test_the_long_medicine_list_names_warfarin_with_clopidogrel(seed_flags) -> None:
    rows = seed_flags[(seed_flags["position"] == 3) & (seed_flags["flag"] == "drug_interaction")]
    assert "warfarin" in rows["reason"].iloc[0] and "clopidogrel" in rows["reason"].iloc[0]


def test_recall_on_the_clear_cases_is_one(seed_flags) -> None:
    expected = [(where, flag) for where, flags in CLEAR_CASES.items() for flag in flags]
    found = [(where, flag) for where, flag in expected if flag in _flags_at(seed_flags, *where)]
    assert len(found) / len(expected) == 1.0


@pytest.mark.parametrize("where", QUIET, ids=[f"{p}-{a}" for p, a in QUIET])
def test_plain_comments_raise_nothing(seed_flags, where: tuple[int, str]) -> None:
    assert _flags_at(seed_flags, *where) == {}
