"""Checks that the hand-labelled claim corpus stays well-formed and aligned with the lexicon.

The corpus is the gold standard the extract stage is scored against, so a typo in a label
(an unknown role, a concept name the lexicon no longer uses) would silently lower every score.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

LABELS = Path(__file__).parent / "labels" / "own_corpus.jsonl"
LEXICON_DIR = Path(__file__).resolve().parents[2] / "pipeline" / "data" / "lexicon"

CLAIM_FIELDS = {
    "concept": None,
    "role": {"remedy", "trigger", "mention"},
    "effect": {"helped", "partial", "no_effect", "worsened", "unclear"},
    "negated": {True, False},
    "hedged": {True, False},
    "question": {True, False},
    "experiencer": {"self", "family", "friend", "other", "general"},
    "discovered": {True, False},
}
CONSTRUCTIONS = {
    "helped", "partial", "no_effect", "worsened", "conditional", "causative", "temporal", "cessation",
    "comparative", "rhetorical", "hearsay", "negation_scope", "question", "hedging", "experiencer",
    "concept_negation", "medicine_list", "discovery", "reply", "hard_negative",
}
REQUIRED_TOP = {"id", "construction", "hard_negative", "author", "text", "claims"}


def _records() -> list[dict]:
    with LABELS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _lexicon_concepts() -> set[str]:
    """Canonical names: an entry's concept, or what it folds into."""
    names: set[str] = set()
    for path in sorted(LEXICON_DIR.glob("*.yaml")):
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in loaded.get("concepts", []):
            names.add(str(entry.get("folds_into") or entry["concept"]).lower())
    return names


def test_every_line_is_a_json_object() -> None:
    for number, line in enumerate(LABELS.read_text(encoding="utf-8").splitlines(), start=1):
        assert isinstance(json.loads(line), dict), f"line {number}"


def test_ids_and_texts_are_unique() -> None:
    records = _records()
    assert len({r["id"] for r in records}) == len(records)
    assert len({r["text"] for r in records}) == len(records)


@pytest.mark.parametrize("record", _records(), ids=lambda r: r["id"])
def test_record_shape(record: dict) -> None:
    assert REQUIRED_TOP <= set(record)
    assert record["construction"] in CONSTRUCTIONS
    assert ("parent_text" in record) == ("reply_to_concept" in record) == (record["construction"] == "reply")
    pairs = [(claim["concept"], claim["role"]) for claim in record["claims"]]
    assert len(pairs) == len(set(pairs)), "a (concept, role) pair is listed once per comment"
    for claim in record["claims"]:
        assert set(claim) == set(CLAIM_FIELDS)
        for field, allowed in CLAIM_FIELDS.items():
            if allowed is not None:
                assert claim[field] in allowed, f"{field}={claim[field]!r}"
        assert claim["concept"] == claim["concept"].strip().lower()


@pytest.mark.parametrize(
    ("role", "forbidden_effects"),
    [("mention", {"helped", "partial", "no_effect", "worsened"}), ("trigger", {"helped", "partial"})],
)
def test_role_and_effect_agree(role: str, forbidden_effects: set[str]) -> None:
    bad = [(r["id"], c["concept"]) for r in _records() for c in r["claims"]
           if c["role"] == role and c["effect"] in forbidden_effects]
    assert bad == []


def test_every_construction_is_covered_at_least_six_times() -> None:
    counts = Counter(r["construction"] for r in _records())
    assert {name for name in CONSTRUCTIONS if counts[name] < 6} == set()


def test_enough_hard_negatives() -> None:
    assert sum(r["hard_negative"] for r in _records()) >= 40


def test_non_discovered_concepts_are_canonical_lexicon_names() -> None:
    known = _lexicon_concepts()
    if not known:
        pytest.skip("lexicon not written yet")
    unknown = sorted({c["concept"] for r in _records() for c in r["claims"]
                      if not c["discovered"]} - known)
    assert unknown == []


def test_discovered_concepts_are_not_in_the_lexicon() -> None:
    known = _lexicon_concepts()
    if not known:
        pytest.skip("lexicon not written yet")
    clashing = sorted({c["concept"] for r in _records() for c in r["claims"] if c["discovered"]} & known)
    assert clashing == []
