"""Folding discovered phrases into concepts: invariants, small exact cases, and real claims."""
from __future__ import annotations

import pandas as pd
import pytest
from sklearn.base import clone

from pipeline.cluster.concepts import (
    CONCEPT_COLUMNS,
    PhraseFolder,
    cluster_concepts,
    known_anchors,
    phrase_clustering_pipeline,
    resolve_concepts,
)
from pipeline.errors import StageInputError
from pipeline.extract.lexicon import Concept, Lexicon

SMALL_LEXICON = Lexicon({
    "coconut water": Concept("coconut water", "coconut water", "drink", synonyms=("coco water",)),
    "magnetic bracelet": Concept("magnetic bracelet", "magnetic bracelet", "device"),
    "mustard": Concept("mustard", "mustard", "food", synonyms=("yellow mustard",)),
})


def claim_rows(rows: list[tuple[str, bool]], role: str = "remedy") -> pd.DataFrame:
    """Claims of ``(concept, discovered)``, one comment each; discovered rows have category other."""
    return pd.DataFrame({
        "claim_id": [f"k{i}" for i in range(len(rows))],
        "comment_id": [f"c{i}" for i in range(len(rows))],
        "concept": [concept for concept, _ in rows],
        "category": ["other" if discovered else "food" for _, discovered in rows],
        "role": role,
        "discovered": [discovered for _, discovered in rows],
        "surface": [concept.title() for concept, _ in rows],
    })


def concept_of(concepts: pd.DataFrame, member: str) -> pd.Series:
    rows = concepts[concepts["members"].str.split("; ").map(lambda members: member in members)]
    assert len(rows) == 1, f"{member!r} is in {len(rows)} concepts"
    return rows.iloc[0]


def test_spelling_variants_of_one_discovered_thing_share_a_cluster() -> None:
    folder = PhraseFolder().fit(["coco water", "coconut water", "copper bangle", "copper bangles"])
    assert folder.labels_[0] == folder.labels_[1]
    assert folder.labels_[2] == folder.labels_[3]
    assert folder.labels_[0] != folder.labels_[2]
    assert not folder.folded_.any()


def test_identical_phrases_share_a_cluster() -> None:
    folder = PhraseFolder().fit(["night socks", "pickle brine", "night socks"])
    assert folder.labels_[0] == folder.labels_[2] != folder.labels_[1]


@pytest.mark.parametrize(
    ("phrase", "concept", "category"),
    [
        ("coconut watter", "coconut water", "drink"),  # misspelling folds into the lexicon concept
        ("coco water", "coconut water", "drink"),  # a synonym folds into its canonical concept
        ("yellow mustards", "mustard", "food"),
        ("night socks", "night socks", "other"),  # nothing similar: category other
    ],
)
def test_phrase_folds_into_a_close_lexicon_concept_only(phrase: str, concept: str, category: str) -> None:
    anchors = known_anchors(SMALL_LEXICON, [], [])
    folder = PhraseFolder(anchors=anchors, fold_similarity=0.75, category_similarity=0.55).fit([phrase])
    assert (folder.concepts_[0], folder.categories_[0]) == (concept, category)


@pytest.mark.parametrize(("category_similarity", "category"), [(0.4, "device"), (0.6, "other")])
def test_unfolded_phrase_takes_the_category_of_a_near_enough_neighbour(category_similarity: float, category: str) -> None:
    anchors = known_anchors(SMALL_LEXICON, [], [])  # "copper bracelet" is about 0.47 similar to "magnetic bracelet"
    folder = PhraseFolder(anchors=anchors, fold_similarity=0.75, category_similarity=category_similarity)
    folder.fit(["copper bracelet"])
    assert (folder.concepts_, folder.categories_, folder.folded_.tolist()) == (["copper bracelet"], [category], [False])


def test_cluster_is_named_by_its_most_frequent_form() -> None:
    folder = PhraseFolder().fit(["copper bangles", "copper bangle"], sample_weight=[3, 1])
    assert folder.concepts_ == ["copper bangles", "copper bangles"]


def test_equal_counts_name_the_cluster_by_the_shorter_form() -> None:
    assert PhraseFolder().fit(["copper bangles", "copper bangle"]).concepts_ == ["copper bangle"] * 2


@pytest.mark.parametrize(
    ("parameters", "phrases"),
    [
        ({"distance_threshold": 0}, ["a phrase"]),
        ({"fold_similarity": 1.5}, ["a phrase"]),
        ({"anchors": (("only a phrase",),)}, ["a phrase"]),
        ({}, ["a phrase", "  "]),
    ],
)
def test_folder_validates_in_fit(parameters: dict, phrases: list[str]) -> None:
    folder = PhraseFolder(**parameters)  # construction never validates (scikit-learn convention)
    with pytest.raises(ValueError):
        folder.fit(phrases)


def test_folder_keeps_hyperparameters_only() -> None:
    folder = PhraseFolder(distance_threshold=0.3)
    assert clone(folder).get_params()["distance_threshold"] == 0.3
    assert not [name for name in vars(folder) if name.endswith("_")]


def test_clustering_pipeline_is_vectorizer_then_agglomerative() -> None:
    pipeline = phrase_clustering_pipeline(0.45)
    assert [name for name, _ in pipeline.steps] == ["tfidf", "dense", "cluster"]
    assert pipeline.named_steps["cluster"].get_params()["metric"] == "cosine"


def test_concepts_table_columns_and_discovered_flag() -> None:
    claims = claim_rows([("mustard", False), ("mustard", False), ("coconut watter", True), ("night socks", True)])
    concepts = cluster_concepts(claims, lexicon=SMALL_LEXICON)
    assert list(concepts.columns) == CONCEPT_COLUMNS
    water = concepts.set_index("concept").loc["coconut water"]
    assert (water["claims"], bool(water["discovered"]), water["category"]) == (1, False, "drink")
    assert water["discovered_members"] == "coconut watter"
    socks = concepts.set_index("concept").loc["night socks"]
    assert (bool(socks["discovered"]), socks["category"]) == (True, "other")
    assert concepts["concept"].tolist()[0] == "mustard"  # most claims first


def test_row_order_does_not_change_concepts() -> None:
    claims = claim_rows([("copper bangle", True), ("mustard", False), ("copper bangles", True), ("coco nut water", True),
                         ("night socks", True), ("coconut watter", True)])
    first = cluster_concepts(claims, lexicon=SMALL_LEXICON)
    shuffled = cluster_concepts(claims.sample(frac=1, random_state=7), lexicon=SMALL_LEXICON)
    pd.testing.assert_frame_equal(first, shuffled)
    assert first.to_csv(index=False) == cluster_concepts(claims, lexicon=SMALL_LEXICON).to_csv(index=False)


def test_resolve_adds_cluster_columns_without_touching_the_input() -> None:
    claims = claim_rows([("mustard", False), ("coconut watter", True)])
    before = claims.copy()
    resolved = resolve_concepts(claims, lexicon=SMALL_LEXICON)
    pd.testing.assert_frame_equal(claims, before)
    assert resolved["cluster"].tolist() == ["mustard", "coconut water"]
    assert resolved["cluster_category"].tolist() == ["food", "drink"]


def test_booleans_read_back_from_csv_are_understood() -> None:
    claims = claim_rows([("coconut watter", True), ("mustard", False)])
    claims["discovered"] = claims["discovered"].map(str)  # "True"/"False", as read from CSV
    assert resolve_concepts(claims, lexicon=SMALL_LEXICON)["cluster"].tolist() == ["coconut water", "mustard"]


def test_no_claims_give_an_empty_concepts_table() -> None:
    concepts = cluster_concepts(claim_rows([]), lexicon=SMALL_LEXICON)
    assert concepts.empty and list(concepts.columns) == CONCEPT_COLUMNS


def test_missing_columns_are_a_stage_input_error() -> None:
    with pytest.raises(StageInputError, match="discovered"):
        cluster_concepts(pd.DataFrame({"concept": ["x"], "category": ["food"]}), lexicon=SMALL_LEXICON)


def test_discovered_variants_from_real_claims_fold(claims_of_texts, lexicon: Lexicon) -> None:
    claims = claims_of_texts([
        "Thanks to a copper bangle my cramps are gone.",
        "I got relief by wearing copper bangles every night.",
        "My copper bangle helps with the cramps.",
        "Coconut watter helps me with leg cramps.",
        "Mustard did nothing for my cramps.",
    ])
    concepts = cluster_concepts(claims, lexicon=lexicon)
    bangle = concept_of(concepts, "copper bangles")
    assert (bangle["concept"], bangle["claims"], bool(bangle["discovered"])) == ("copper bangle", 3, True)
    water = concept_of(concepts, "coconut watter")
    assert (water["concept"], water["category"], bool(water["discovered"])) == ("coconut water", "drink", False)
