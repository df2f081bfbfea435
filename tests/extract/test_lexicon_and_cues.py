"""Loading the lexicon and cue files: helpful errors, user files, and the packaged knowledge."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import RuleFileError
from pipeline.extract.cues import load_cues
from pipeline.extract.lexicon import concept_names, load_lexicon
from pipeline.extract.nlp import build_nlp
from pipeline.extract.stage import extract_claims

DESIGN_CARD_CONCEPTS = ("tonic water", "mustard", "banana", "dairy", "alcohol", "sugar", "medication")
# The class that marks conditions unrelated to cramps; it routes claims, it states no fact.
ROUTING_CLASSES = {"other complaint"}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- loading errors name the file and the entry ------------------------------------------------
LEXICON_ERRORS = [
    pytest.param(
        "concepts:\n  - concept: copper bracelet\n    category: device\n    synonym: [copper band]\n",
        ["entry 1", "unknown key 'synonym'"],
        id="unknown key",
    ),
    pytest.param(
        "concepts:\n  - concept: copper bracelet\n    category: jewellery\n",
        ["copper bracelet", "unknown category 'jewellery'", "device"],
        id="unknown category",
    ),
    pytest.param(
        "concepts:\n  - concept: copper band\n    category: device\n    folds_into: copper bracelet\n",
        ["copper band", "folds_into 'copper bracelet'"],
        id="folds_into a missing concept",
    ),
    pytest.param(
        "concepts:\n  - concept: noni juice\n    category: drink\n    synonyms: [noni, no]\n",
        ["noni juice", "item 2", "read as False"],
        id="no read as a boolean",
    ),
    pytest.param(
        "concepts:\n  - concept: magnet\n    category: device\n    synonyms: [magnets, on]\n",
        ["magnet", "item 2", "read as True"],
        id="on read as a boolean",
    ),
    pytest.param(
        "concepts:\n  - concept: on\n    category: device\n",
        ["entry 1", "quote"],
        id="concept name on read as a boolean",
    ),
    pytest.param(
        "concepts:\n  - concept: copper bracelet\n    category: device\n    patterns: [\"copper bracelet\"]\n",
        ["copper bracelet", "patterns"],
        id="malformed pattern",
    ),
    pytest.param(
        "concepts:\n  - concept: copper bracelet\n    category: [device\n",
        ["line", "not valid YAML"],
        id="not YAML",
    ),
    pytest.param("remedies:\n  - concept: copper bracelet\n", ["top level", "remedies"], id="unknown top-level key"),
    pytest.param("concepts:\n  - concept: copper bracelet\n", ["entry 1", "missing key 'category'"], id="missing category"),
]


@pytest.mark.parametrize(("text", "fragments"), LEXICON_ERRORS)
def test_lexicon_error_names_file_and_entry(tmp_path, text, fragments):
    path = write(tmp_path, "mine.yaml", text)
    with pytest.raises(RuleFileError) as error:
        load_lexicon([path])
    message = str(error.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


CUE_ERRORS = [
    pytest.param("cues:\n  sarcasm:\n    phrases: [yeah right]\n", ["sarcasm", "unknown", "helped"], id="unknown label"),
    pytest.param("cues:\n  helped:\n    phrase: [sorted me out]\n", ["helped", "unknown key 'phrase'"], id="unknown key"),
    pytest.param("cues:\n  negation:\n    phrases: [nope, no]\n", ["negation", "item 2", "read as False"], id="no read as a boolean"),
    pytest.param("cues:\n  helped:\n    patterns:\n      - \"sorted me out\"\n", ["helped", "pattern"], id="malformed pattern"),
    pytest.param("cue:\n  helped:\n    phrases: [sorted me out]\n", ["top level", "'cue'"], id="unknown top-level key"),
]


@pytest.mark.parametrize(("text", "fragments"), CUE_ERRORS)
def test_cue_error_names_file_and_label(tmp_path, text, fragments):
    path = write(tmp_path, "my_cues.yaml", text)
    with pytest.raises(RuleFileError) as error:
        load_cues([path])
    message = str(error.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("loader", [load_lexicon, load_cues], ids=["lexicon", "cues"])
def test_unreadable_rule_file_is_named(tmp_path, loader):
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00not text")
    missing = tmp_path / "missing.yaml"
    for path in (binary, missing):
        with pytest.raises(RuleFileError, match="cannot read rule file") as error:
            loader([path])
        assert str(path) in str(error.value)


# --- --lexicon files add and override concepts -----------------------------------------------
USER_LEXICON = """\
concepts:
  - concept: copper bracelet
    category: device
    synonyms: [copper band, copper bracelets]
  - concept: mustard
    category: food
    synonyms: [yellow stuff]
"""


def test_user_lexicon_adds_a_concept(tmp_path):
    lexicon = load_lexicon([write(tmp_path, "extra.yaml", USER_LEXICON)])
    assert lexicon.concepts["copper bracelet"].category == "device"
    assert lexicon.phrases()["copper band"] == "copper bracelet"


def test_user_lexicon_overrides_a_packaged_concept(tmp_path):
    packaged = load_lexicon()
    lexicon = load_lexicon([write(tmp_path, "extra.yaml", USER_LEXICON)])
    assert lexicon.concepts["mustard"].synonyms == ("yellow stuff",)
    assert lexicon.concepts["mustard"].origin.endswith("extra.yaml")
    assert set(packaged.concepts["mustard"].synonyms) - set(lexicon.concepts["mustard"].synonyms)


def test_later_user_file_wins(tmp_path):
    first = write(tmp_path, "first.yaml", "concepts:\n  - concept: copper bracelet\n    category: device\n")
    second = write(tmp_path, "second.yaml", "concepts:\n  - concept: copper bracelet\n    category: other\n")
    assert load_lexicon([first, second]).concepts["copper bracelet"].category == "other"


def test_user_lexicon_reaches_the_claims(tmp_path):
    nlp = build_nlp([write(tmp_path, "extra.yaml", USER_LEXICON)])
    text = "My copper band helps my cramps. The yellow stuff works too."
    claims = extract_claims(pd.DataFrame({"comment_id": ["c"], "text": [text]}), nlp=nlp)
    by_concept = claims.set_index("concept")
    assert by_concept.loc["copper bracelet", "role"] == "remedy"
    assert not by_concept.loc["copper bracelet", "discovered"]
    assert by_concept.loc["copper bracelet", "match_rule"] == "lexicon"
    assert by_concept.loc["mustard", "surface"] == "yellow stuff"


def test_user_cue_file_adds_phrases(tmp_path):
    cues = write(tmp_path, "cues.yaml", "cues:\n  helped:\n    phrases: [Sorted Me Right Out]\n")
    assert "sorted me right out" in load_cues([cues]).phrases["helped"]
    nlp = build_nlp(cues=[cues])
    text = "Pickle juice sorted me right out."
    claims = extract_claims(pd.DataFrame({"comment_id": ["c"], "text": [text]}), nlp=nlp)
    assert claims.loc[0, ["concept", "role", "effect"]].tolist() == ["pickle juice", "remedy", "helped"]


# --- the packaged lexicon ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def packaged():
    return load_lexicon()


def test_packaged_lexicon_is_large_enough(packaged):
    assert len(list(concept_names(packaged))) >= 200


@pytest.mark.parametrize("concept", DESIGN_CARD_CONCEPTS)
def test_design_card_concepts_are_canonical(packaged, concept):
    assert packaged.concepts[concept].canonical == concept


def test_every_medication_has_a_source(packaged):
    missing = [c.name for c in packaged.concepts.values() if c.category == "medication" and not c.source]
    assert missing == []


def test_every_pharmacological_class_has_a_source(packaged):
    missing = [c.name for c in packaged.concepts.values() if set(c.classes) - ROUTING_CLASSES and not c.source]
    assert missing == []


def test_every_classed_entry_has_a_source(packaged):
    """A class states a fact (warfarin is an anticoagulant) except a routing class, which only
    tells the rules where to look ("other complaint": heel pain is not a cramp)."""
    missing = [c.name for c in packaged.concepts.values() if set(c.classes) - ROUTING_CLASSES and not c.source]
    assert missing == []


def test_every_source_is_a_web_address(packaged):
    sources = {c.source for c in packaged.concepts.values() if c.source}
    assert all(source.startswith("https://") for source in sources), sorted(s for s in sources if not s.startswith("https://"))
