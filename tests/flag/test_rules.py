"""Loading the safety rules (packaged and --rules files), their errors, and the text helpers."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import RuleFileError
from pipeline.flag.rules import FACT_SETS, FLAGS, SEVERITIES, load_safety_rules, tokenize
from pipeline.flag.stage import flag_comments
from pipeline.flag.text import dose_mg_near, minutes_in, parse_number, sentence_spans


def _write(tmp_path: Path, text: str, name: str = "extra.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_fact_has_a_severity_a_why_and_a_source(rules) -> None:
    for set_name in FACT_SETS:
        for cue in rules.cues(set_name).cues:
            assert cue.severity in SEVERITIES and cue.why and cue.source, (set_name, cue.name)
    for item in (*rules.interactions, *rules.hazardous_remedies, *rules.cramp_drugs, *rules.pediatric.warnings):
        assert item.why and item.source.startswith("http"), item.name
    assert rules.polypharmacy.source_medium.startswith("http") and rules.polypharmacy.source_high.startswith("http")


def test_sources_come_from_the_safety_reference_or_say_there_is_none(rules) -> None:
    sources = {cue.source for name in FACT_SETS for cue in rules.cues(name).cues}
    sources |= {item.source for item in (*rules.interactions, *rules.hazardous_remedies, *rules.cramp_drugs)}
    assert all(s.startswith("http") or s.startswith("none:") for s in sources)


def test_loading_twice_gives_equal_rules() -> None:
    first, second = load_safety_rules(), load_safety_rules()
    assert first.interactions == second.interactions and first.settings == second.settings
    assert [c.name for c in first.cues("red_flag_symptom").cues] == [c.name for c in second.cues("red_flag_symptom").cues]


def test_the_packaged_files_are_all_read(rules) -> None:
    assert {Path(name).name for name in rules.files} >= {
        "clots.yaml", "symptoms.yaml", "medicines.yaml", "people.yaml", "conduct.yaml", "context.yaml",
    }


@pytest.mark.parametrize(
    "content, message",
    [
        ("nonsense: [1]\n", "unknown key 'nonsense'"),
        ("cue_sets:\n  red_flags: []\n", "unknown cue set 'red_flags'"),
        ("cue_sets:\n  distress:\n    - {name: x, phrases: [oh no], severity: severe, why: w, source: s}\n",
         "unknown severity 'severe'"),
        ("cue_sets:\n  distress:\n    - {name: x, phrases: [oh no], severity: low, why: w}\n", "missing key 'source'"),
        ("cue_sets:\n  distress:\n    - {name: x, patterns: ['(oh'], severity: low, why: w, source: s}\n",
         "does not compile"),
        ("cue_sets:\n  distress:\n    - {name: x, phrases: [yes], severity: low, why: w, source: s}\n", "read as True"),
        ("cue_sets:\n  history:\n    - {name: x, anchors: [two words], patterns: ['x']}\n", "single word"),
        ("cue_sets:\n  history:\n    - {name: x, colour: red, phrases: [x]}\n", "unknown key 'colour'"),
        ("cue_sets:\n  history:\n    - {name: x}\n", "needs 'phrases' or 'patterns'"),
        ("interactions:\n  - {name: x, first: {concepts: [a]}, second: {}, severity: high, why: w, source: s}\n",
         "needs 'classes' or 'concepts'"),
        ("hazardous_remedies:\n  - {name: x, match: {concepts: [a]}, dose_over_mg: lots, severity: high, why: w, source: s}\n",
         "dose_over_mg"),
        ("polypharmacy:\n  medium_at: 12\n", "is below medium_at (12)"),
        ("status_severity:\n  dvt_term: {later: low}\n", "unknown key 'later'"),
        ("cue_sets: [1, 2\n", "not valid YAML"),
    ],
)
def test_a_bad_rule_file_is_an_error_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(RuleFileError) as error:
        load_safety_rules([path])
    assert message in str(error.value) and str(path) in str(error.value)


def test_an_unreadable_rule_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot read"):
        load_safety_rules([tmp_path / "missing.yaml"])


def test_an_empty_rule_file_changes_nothing(tmp_path: Path, rules) -> None:
    assert load_safety_rules([_write(tmp_path, "")]).interactions == rules.interactions


def _one_comment(text: str, rules) -> dict[str, str]:
    comments = pd.DataFrame({"comment_id": ["c1"], "text": [text]})
    claims = pd.DataFrame(columns=["comment_id", "concept", "category", "role", "effect", "negated", "question",
                                   "experiencer", "surface", "start", "end"])
    flags = flag_comments(comments, claims, rules=rules)
    return dict(zip(flags["flag"], flags["severity"]))


def test_a_user_file_adds_a_phrase(tmp_path: Path) -> None:
    extra = _write(tmp_path, (
        "cue_sets:\n  red_flag_symptom:\n"
        "    - {name: fainting, label: fainting, phrases: [passed out], severity: urgent, why: call 999, source: s}\n"
    ))
    text = "I passed out after the cramp."
    assert "red_flag_symptom" not in _one_comment(text, load_safety_rules())
    assert _one_comment(text, load_safety_rules([extra]))["red_flag_symptom"] == "urgent"


def test_a_user_entry_with_the_same_name_replaces_the_packaged_one(tmp_path: Path) -> None:
    extra = _write(tmp_path, (
        "cue_sets:\n  distress:\n"
        "    - {name: plea for help, label: a plea, phrases: [please help], severity: high, why: w, source: s}\n"
    ))
    assert _one_comment("Please help, nothing works.", load_safety_rules())["distress"] == "low"
    assert _one_comment("Please help, nothing works.", load_safety_rules([extra]))["distress"] == "high"


def test_a_user_file_overrides_a_setting(tmp_path: Path, rules) -> None:
    extra = _write(tmp_path, "settings:\n  url_allowlist: [example.org]\n")
    text = "More on https://example.org/cramps and nothing else."
    assert "self_promotion" in _one_comment(text, rules)
    assert "self_promotion" not in _one_comment(text, load_safety_rules([extra]))


def test_flags_listed_in_code_match_the_contract() -> None:
    assert len(FLAGS) == 13 and len(set(FLAGS)) == 13


@pytest.mark.parametrize(
    "text, number",
    [("93 year old", 93), ("ninety-three", 93), ("eighty four", 84), ("seven year old", 7), ("in my eighties", 80),
     ("I am an 88 year old grandmother", 88), ("no number here", None)],
)
def test_parse_number(text: str, number: int | None) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "text, minutes",
    [("cramp lasted 20 minutes", 20), ("cramp for an hour", 60), ("for half an hour", 30), ("lasted 2 mins", 2),
     ("cramps for hours", 120), ("a cramp at night", None), ("cramping all night long", None)],
)
def test_minutes_in(text: str, minutes: float | None) -> None:
    assert minutes_in(text) == minutes


@pytest.mark.parametrize(
    "text, name, dose",
    [("Magnesium 250 MG, Zinc 50 MG", "Magnesium", 250.0), ("Potassium 99 MCG. Melatonin", "Potassium", 0.099),
     ("I take 400mg of magnesium", "magnesium", 400.0), ("potassium 1.5 g daily", "potassium", 1500.0),
     ("magnesium before bed", "magnesium", None), ("Zinc 50 MG, Magnesium", "Magnesium", None)],
)
def test_dose_near_a_name(text: str, name: str, dose: float | None) -> None:
    start = text.index(name)
    assert dose_mg_near(text, start, start + len(name)) == dose


def test_sentences_split_at_stops_and_line_breaks_but_not_decimals() -> None:
    text = "Take 2.5 mg. Then wait!\nNext line? Yes; then no"
    assert [text[s:e].strip() for s, e in sentence_spans(text)] == [
        "Take 2.5 mg.", "Then wait!", "Next line?", "Yes;", "then no",
    ]


def test_tokens_keep_contractions_and_split_possessives() -> None:
    assert [t for t, _, _ in tokenize("I can't rub my toddler's legs, e-mail me")] == [
        "i", "can't", "rub", "my", "toddler", "'s", "legs", ",", "e", "-", "mail", "me",
    ]
