"""Loading the safety rules (packaged and --rules files), their errors, and the text helpers."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import RuleFileError
from pipeline.flag.rules import FACT_SETS, FLAGS, SEVERITIES, TextWords, load_safety_rules, tokenize
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
        ("cue_sets:\n  history:\n    - {name: x, anchors: [x], also_anchors: [a b], patterns: ['x']}\n", "single word"),
        ("cue_sets:\n  history:\n    - {name: x, also_anchors: ['{number}'], patterns: ['x']}\n",
         "'also_anchors' need 'anchors'"),
        ("cue_sets:\n  history:\n    - {name: x, anchors: [x], also_anchors: [y], phrases: [x]}\n",
         "only apply to 'patterns'"),
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


_COUNT_RULE = (
    "cue_sets:\n  red_flag_symptom:\n"
    "    - name: many cramps\n      label: many cramps a night\n      severity: high\n      why: w\n      source: s\n"
    "      anchors: [cramps]\n      also_anchors: {also}\n"
    "      patterns: ['\\b{{number}}\\s+cramps\\b']\n"
)


@pytest.mark.parametrize(
    "also, text, flagged",
    [
        ("['{number}']", "I get 12 cramps a night.", True),
        ("['{number}']", "I get twelve cramps a night.", True),
        ("['{number}']", "I get cramps a night, a dozen.", False),
        ("[night]", "I get 12 cramps a night.", True),
        ("[morning]", "I get 12 cramps a night.", False),  # the pattern matches, but no second anchor is there
    ],
)
def test_a_pattern_runs_only_when_an_anchor_of_each_list_is_there(tmp_path: Path, also: str, text: str,
                                                                  flagged: bool) -> None:
    rules = load_safety_rules([_write(tmp_path, _COUNT_RULE.format(also=also))])
    assert ("red_flag_symptom" in _one_comment(text, rules)) is flagged


@pytest.mark.parametrize(
    "text, has_number",
    [("aged 93", True), ("ninety-three", True), ("Seventeen years", True), ("in my eighties", True),
     ("a 5mg tablet", True), ("x7", True), ("someone was often tired", False), ("no age given", False), ("", False)],
)
def test_the_number_anchor_is_there_when_the_text_holds_a_number(text: str, has_number: bool) -> None:
    words = TextWords(text, tokenize(text))
    assert words.has_number() is has_number
    assert words.has_any(frozenset({"{number}"})) is has_number


_LABELS = Path(__file__).parent / "labels"
_NUMBER_TEXTS = [
    "My mum is ninety-two and still walks every day.", "He was 84 when the cramps started.", "At 70, I take six pills.",
    "Aged 93 and on warfarin.", "Our 12 year old son gets growing pains.", "I take eight tablets a day.",
    "Hubby, 81, swears by tonic water.", "I'm in my late eighties.", "She turned seventy-five last May.",
    "My left calf went red and hot in 2019.", "He's 9yo and cramps at night.", "I use four laxatives a day.",
]


def test_also_anchors_never_hide_a_match(rules) -> None:
    """Whenever a packaged entry's patterns match a labelled comment, one of its also_anchors is there."""
    texts = [json.loads(line)["text"] for path in [_LABELS / "flag_cases.jsonl"]
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] + _NUMBER_TEXTS
    checked = 0
    for cue_set in rules.cue_sets.values():
        for entry in cue_set.patterns:
            if not entry.also_anchors:
                continue
            for text in texts:
                words = TextWords(text, tokenize(text))
                if entry.pattern.search(text) and words.has_any(entry.anchors):
                    checked += 1
                    assert words.has_any(entry.also_anchors), (cue_set.name, entry.cue.name, text)
    assert checked >= len(_NUMBER_TEXTS)


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


def _labelled_texts() -> list[str]:
    lines = (_LABELS / "flag_cases.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()] + _NUMBER_TEXTS


def test_the_one_pass_phrase_search_finds_what_each_cue_set_finds_alone(rules) -> None:
    """All sets' phrases are found in one pass over the words (indexed by first and second word)."""
    for text in _labelled_texts():
        tokens = tokenize(text)
        together = rules.phrase_hits(text, tokens)
        for name, cue_set in rules.cue_sets.items():
            assert together.get(name, []) == cue_set.phrase_hits(text, tokens), (name, text)


@pytest.mark.parametrize("set_name", ["symptom_words", "negation", "age", "use_words", "history"])
def test_hits_in_a_range_are_the_hits_wholly_inside_it(rules, set_name: str) -> None:
    from pipeline.flag.context import CommentView
    for text in _labelled_texts():
        view = CommentView("c1", text, [], rules)
        hits = view.hits(set_name)
        bounds = sorted({0, len(text)} | {h.start for h in hits} | {h.end for h in hits} | {h.start + 1 for h in hits})
        for start in bounds:
            for end in bounds:
                expected = [h for h in hits if h.start >= start and h.end <= end]
                assert view.hits_between(set_name, start, end) == expected, (text, start, end)
