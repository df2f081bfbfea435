"""Checks that the hand-labelled safety-flag data stays well-formed.

The label files are the gold standard the flag stage is scored against (recall on the
seed page's clear cases, precision overall), so a typo in a flag id, a duplicated id or a
seed label pointing at the wrong comment would silently distort every score.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from pipeline.ingest.formats.page_text import parse_page_text
from pipeline.ingest.records import ColumnMapping, RawComment, SourceText

LABEL_DIR = Path(__file__).parent / "labels"
CASES = LABEL_DIR / "flag_cases.jsonl"
SEED_FLAGS = LABEL_DIR / "seed_flags.jsonl"

FLAGS = {
    "dvt", "red_flag_symptom", "polypharmacy", "drug_interaction", "cramp_inducing_drug",
    "hazardous_remedy", "pediatric_medication", "pregnancy", "elderly", "distress",
    "personal_data", "self_promotion", "medical_question",
}
SEVERITIES = {"urgent", "high", "medium", "low"}
MIN_PER_SIDE = 10
MAX_NOTE_WORDS = 15
CASE_KEYS = {"id", "text", "author", "flags", "note"}
SEED_KEYS = {"id", "source", "position", "author", "flags", "clear", "note"}
SEED_SOURCE = "leg-cramps-reader-feedback.txt"
# Eight running words shared with the page would mean page text leaked into the labels.
COPY_WINDOW = 8
EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
# Digit runs of seven or more, allowing the separators people type inside phone numbers.
PHONE_LIKE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
# 555-0100..0199 are fictional phone numbers; NHS numbers starting 999 are a test range.
RESERVED_NUMBER = re.compile(r"55501\d\d$|^999\d{7}$")


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _flag_names(record: dict) -> set[str]:
    return {item["flag"] for item in record["flags"]}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _windows(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i:i + COPY_WINDOW]) for i in range(len(words) - COPY_WINDOW + 1)}


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return _read_jsonl(CASES)


@pytest.fixture(scope="module")
def seed_labels() -> list[dict]:
    return _read_jsonl(SEED_FLAGS)


@pytest.fixture
def page_comments(seed_page: Path) -> list[RawComment]:
    source = SourceText(seed_page.name, seed_page.read_text(encoding="utf-8"))
    return [item for item in parse_page_text(source, ColumnMapping()) if isinstance(item, RawComment)]


# --- shared shape -------------------------------------------------------------------

@pytest.mark.parametrize("path", [CASES, SEED_FLAGS], ids=["cases", "seed"])
def test_every_line_is_a_json_object(path: Path) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert isinstance(json.loads(line), dict), f"{path.name} line {number}"


@pytest.mark.parametrize("path", [CASES, SEED_FLAGS], ids=["cases", "seed"])
def test_flags_and_severities_come_from_the_allowed_sets(path: Path) -> None:
    for record in _read_jsonl(path):
        names = [item["flag"] for item in record["flags"]]
        assert len(names) == len(set(names)), f"{record['id']}: a flag is listed twice"
        for item in record["flags"]:
            assert set(item) == {"flag", "severity"}, record["id"]
            assert item["flag"] in FLAGS, f"{record['id']}: unknown flag {item['flag']!r}"
            assert item["severity"] in SEVERITIES, f"{record['id']}: bad severity {item['severity']!r}"


def test_ids_are_unique_across_both_files(cases: list[dict], seed_labels: list[dict]) -> None:
    ids = [record["id"] for record in cases + seed_labels]
    assert [key for key, count in Counter(ids).items() if count > 1] == []


# --- own cases ---------------------------------------------------------------------------

def test_cases_have_the_agreed_keys_and_id_form(cases: list[dict]) -> None:
    for record in cases:
        assert CASE_KEYS <= set(record) <= CASE_KEYS | {"near_miss_for"}, record["id"]
        assert re.fullmatch(r"flag-\d{3}", record["id"]), record["id"]
        assert record["text"].strip() and record["author"].strip(), record["id"]


def test_case_texts_are_unique(cases: list[dict]) -> None:
    texts = [record["text"] for record in cases]
    assert len(set(texts)) == len(texts)


def test_case_notes_are_short(cases: list[dict]) -> None:
    for record in cases:
        assert 0 < len(record["note"].split()) <= MAX_NOTE_WORDS, record["id"]


def test_a_near_miss_never_carries_the_flag_it_is_a_near_miss_for(cases: list[dict]) -> None:
    for record in cases:
        if "near_miss_for" in record:
            assert record["near_miss_for"] in FLAGS, record["id"]
            assert record["near_miss_for"] not in _flag_names(record), record["id"]


@pytest.mark.parametrize("flag", sorted(FLAGS))
def test_each_flag_has_enough_positives_and_near_misses(cases: list[dict], flag: str) -> None:
    positives = sum(flag in _flag_names(record) for record in cases)
    near_misses = sum(record.get("near_miss_for") == flag for record in cases)
    assert positives >= MIN_PER_SIDE, f"{flag}: {positives} positives"
    assert near_misses >= MIN_PER_SIDE, f"{flag}: {near_misses} near misses"


@pytest.mark.parametrize(
    ("flag", "severities"),
    [
        ("dvt", {"urgent", "medium", "low"}),  # current, history, reassuring mention
        ("polypharmacy", {"medium", "high"}),
        ("drug_interaction", {"urgent", "high", "medium"}),
        ("hazardous_remedy", {"high", "medium"}),
        ("pediatric_medication", {"high", "medium"}),
        ("pregnancy", {"urgent", "medium"}),
        ("self_promotion", {"medium", "low"}),
        ("distress", {"urgent", "medium"}),  # self-harm thoughts; fear and desperation
    ],
)
def test_graded_flags_cover_each_severity_level(cases: list[dict], flag: str, severities: set[str]) -> None:
    seen = {item["severity"] for record in cases for item in record["flags"] if item["flag"] == flag}
    assert severities <= seen


@pytest.mark.parametrize(
    ("flag", "severity"),
    [
        ("red_flag_symptom", "urgent"),
        ("cramp_inducing_drug", "low"),
        ("elderly", "low"),
        ("personal_data", "high"),
        ("medical_question", "medium"),
    ],
)
def test_single_level_flags_use_their_fixed_severity(
    cases: list[dict], seed_labels: list[dict], flag: str, severity: str
) -> None:
    for record in cases + seed_labels:
        for item in record["flags"]:
            if item["flag"] == flag:
                assert item["severity"] == severity, record["id"]


def test_contact_details_are_reserved_examples(cases: list[dict]) -> None:
    """E-mails use example.com and long numbers reserved ranges, so no real person is exposed."""
    for record in cases:
        for domain in EMAIL.findall(record["text"]):
            assert domain == "example.com", record["id"]
        for number in PHONE_LIKE.findall(record["text"]):
            digits = re.sub(r"\D", "", number)
            if len(digits) >= 7:
                assert RESERVED_NUMBER.search(digits), f"{record['id']}: {number!r}"


# --- seed page labels -------------------------------------------------------------------

def test_seed_labels_have_the_agreed_keys(seed_labels: list[dict]) -> None:
    for record in seed_labels:
        assert SEED_KEYS <= set(record) <= SEED_KEYS | {"clear_flags"}, record["id"]
        assert record["source"] == SEED_SOURCE
        assert record["id"] == f"seedflag-{record['position']:02d}"
        assert isinstance(record["clear"], bool)


def test_clear_seed_cases_name_the_flags_that_must_not_be_missed(seed_labels: list[dict]) -> None:
    for record in seed_labels:
        if record["clear"]:
            assert record["flags"], record["id"]
            assert record.get("clear_flags"), record["id"]
            assert set(record["clear_flags"]) <= _flag_names(record), record["id"]
        else:
            assert "clear_flags" not in record, record["id"]


def test_the_clear_cases_cover_the_issue_examples(seed_labels: list[dict]) -> None:
    """Blood clots, the long medicine list, the child question, quinine products, self-promotion."""
    clear_flags = {flag for record in seed_labels if record["clear"] for flag in record["clear_flags"]}
    assert {"dvt", "polypharmacy", "drug_interaction", "pediatric_medication",
            "hazardous_remedy", "self_promotion"} <= clear_flags


def test_seed_labels_match_every_non_blank_comment_of_the_page(
    seed_labels: list[dict], page_comments: list[RawComment]
) -> None:
    expected = {
        position: comment.author
        for position, comment in enumerate(page_comments, start=1)
        if comment.text.strip()
    }
    assert {record["position"]: record["author"] for record in seed_labels} == expected


def test_seed_notes_do_not_copy_the_page(seed_labels: list[dict], seed_page: Path) -> None:
    page_windows = _windows(seed_page.read_text(encoding="utf-8"))
    for record in seed_labels:
        assert not _windows(record["note"]) & page_windows, record["id"]


def test_own_cases_do_not_copy_the_page(cases: list[dict], seed_page: Path) -> None:
    page_windows = _windows(seed_page.read_text(encoding="utf-8"))
    for record in cases:
        assert not _windows(record["text"]) & page_windows, record["id"]
