"""The drug dictionary's index: cached on disk per installed version, the same dictionary as reading the package."""
from __future__ import annotations

import bz2
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.extract import drug_index
from pipeline.extract.drug_index import (
    CACHE_ENVIRONMENT,
    build_name_index,
    cache_folder,
    dictionary_file,
    index_key,
    load_name_index,
)
from pipeline.extract.concept_matcher import _ordinary_words
from pipeline.extract.lexicon import cached_lexicon
from pipeline.extract.medicines import DrugDictionary, dictionary_without

REPO = Path(__file__).resolve().parents[2]


def _reference_dictionary(excluded: frozenset[str]) -> DrugDictionary:
    """How the dictionary was read before it was cached: straight from the package's pickle."""
    with dictionary_file().open("rb") as handle:
        data = pickle.load(bz2.open(handle))
    canonical_data = data["drug_canonical_to_data"]
    names: dict[str, str] = {}
    for variant, canonicals in data["drug_variant_to_canonical"].items():
        if len(variant) < 5 or variant in excluded or not canonicals:
            continue
        names[variant] = str(canonical_data.get(canonicals[0], {}).get("name", canonicals[0])).lower()
    lengths: dict[str, set[int]] = {}
    for name in names:
        first, words = name.split(" ", 1)[0], name.count(" ") + 1
        if words <= 4 and len(first) >= 3 and first not in STOP_WORDS and any(c.isalpha() for c in first):
            lengths.setdefault(first, set()).update({words, words + 1})
    longest = max((max(v) for v in lengths.values()), default=1)
    return DrugDictionary(
        names, frozenset(lengths), min(longest, 4),
        {first: tuple(sorted((n for n in found if n <= 4), reverse=True)) for first, found in lengths.items()},
    )


@pytest.fixture(scope="module")
def built_index() -> drug_index.NameIndex:
    return build_name_index(dictionary_file())


def _lexicon_exclusions() -> frozenset[str]:
    """What the ``remedy_concepts`` component excludes: the lexicon's phrases and the ordinary words."""
    return frozenset(cached_lexicon(()).phrases()) | _ordinary_words()


@pytest.mark.parametrize(
    "excluded",
    [
        pytest.param(frozenset(), id="nothing excluded"),
        pytest.param(frozenset({"ibuprofen", "advil", "acetaminophen"}), id="one-word names"),
        pytest.param(frozenset({"st. john's wort", "vitamin b12", "fish oil"}), id="names of several words"),
        pytest.param(frozenset({"x", "", "not a drug at all", "warfarin sodium tablets"}), id="phrases that are no names"),
        pytest.param(None, id="the lexicon's phrases"),
    ],
)
def test_the_index_gives_the_dictionary_read_from_the_package(built_index, excluded) -> None:
    excluded = _lexicon_exclusions() if excluded is None else excluded
    assert dictionary_without(built_index, excluded) == _reference_dictionary(excluded)


def test_the_index_is_stored_once_and_read_back(tmp_path, monkeypatch, built_index) -> None:
    monkeypatch.setenv(CACHE_ENVIRONMENT, str(tmp_path))
    first = load_name_index()
    stored = list(tmp_path.glob("drug-index-*.json"))
    assert len(stored) == 1
    monkeypatch.setattr(drug_index, "build_name_index", _must_not_build)
    assert load_name_index() == first == built_index


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: text[: len(text) // 2], id="truncated"),
        pytest.param(lambda text: "", id="empty"),
        pytest.param(lambda text: text.replace('"key":"', '"key":"0', 1), id="another key"),
        pytest.param(lambda text: text.replace('"format":1', '"format":99', 1), id="another format"),
        pytest.param(lambda text: json.dumps({"format": 1}), id="fields missing"),
    ],
)
def test_a_damaged_or_stale_index_is_built_again(tmp_path, monkeypatch, built_index, damage) -> None:
    monkeypatch.setenv(CACHE_ENVIRONMENT, str(tmp_path))
    key = index_key(dictionary_file())
    stored = tmp_path / f"drug-index-{key}.json"
    drug_index.write_index(stored, key, built_index)
    stored.write_text(damage(stored.read_text(encoding="utf-8")), encoding="utf-8")
    assert load_name_index() == built_index
    monkeypatch.setattr(drug_index, "build_name_index", _must_not_build)
    assert load_name_index() == built_index  # and the rebuilt one was stored


def test_the_key_follows_the_data_file(tmp_path) -> None:
    copy = tmp_path / "copy.pkl.bz2"
    copy.write_bytes(dictionary_file().read_bytes())
    assert index_key(copy) == index_key(dictionary_file())
    copy.write_bytes(dictionary_file().read_bytes() + b"\0")
    assert index_key(copy) != index_key(dictionary_file())


def test_a_folder_that_cannot_be_written_costs_only_the_speed_up(tmp_path, monkeypatch, built_index) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENVIRONMENT, str(blocker / "cache"))
    assert load_name_index() == built_index
    assert blocker.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize(
    "environment, expected",
    [
        ({CACHE_ENVIRONMENT: "/somewhere/index"}, Path("/somewhere/index")),
        ({CACHE_ENVIRONMENT: "off"}, None),
        ({CACHE_ENVIRONMENT: "OFF"}, None),
        ({CACHE_ENVIRONMENT: "", "XDG_CACHE_HOME": "/xdg"}, Path("/xdg/remedy-miner")),
        ({CACHE_ENVIRONMENT: "", "XDG_CACHE_HOME": "", "HOME": "/home/reader"}, Path("/home/reader/.cache/remedy-miner")),
    ],
)
def test_where_the_index_is_kept(monkeypatch, environment, expected) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cache_folder() == expected


def test_off_writes_nothing(tmp_path, monkeypatch, built_index) -> None:
    monkeypatch.setenv(CACHE_ENVIRONMENT, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert load_name_index() == built_index
    assert list(tmp_path.iterdir()) == []


def test_building_the_pipeline_does_not_import_the_drug_package(tmp_path) -> None:
    """Importing ``drug_named_entity_recognition`` builds an n-gram index we never use (seconds of CPU)."""
    script = "import sys; from pipeline.extract.nlp import build_nlp; build_nlp(); print('drug_named_entity_recognition' in sys.modules)"
    environment = {**os.environ, "PYTHONPATH": str(REPO), CACHE_ENVIRONMENT: str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True)
    assert result.stdout.strip() == "False"


def _must_not_build(source: Path) -> drug_index.NameIndex:
    raise AssertionError(f"the index of {source} was built again instead of read from the cache")
