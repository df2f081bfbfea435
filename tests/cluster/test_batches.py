"""The cluster stage a record batch at a time: the same tables whatever the batch size, the
same counts as scikit-learn's vectorizer, and the order of the rows never matters."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pipeline.cluster.batches import frame_batches, table_batches
from pipeline.cluster.counting import VocabularyCounter
from pipeline.cluster.settings import cluster_settings
from pipeline.cluster.stage import cluster_batches, cluster_stage
from pipeline.cluster.themes import _comment_order, _SpilledIds, theme_vectorizer, themes_of_batches
from pipeline.extract.lexicon import Lexicon
from pipeline.io.tables import write_table

TEXTS = [
    "A spoon of yellow mustard stops the cramp in my calf within a minute.",
    "Yellow mustard from a packet, straight down, and the cramp lets go.",
    "Tonic water at supper and I sleep without the cramps now.",
    "A glass of tonic water with quinine helps my night cramps.",
    "My copper bangle helps with the cramps.",
    "Thanks to a copper bangle my cramps are gone.",
    "Coconut watter helps me with leg cramps.",
    "Red wine always gives me leg cramps at night.",
    "Magnesium spray on the calves at night, nothing else worked.",
    "",
    "thanks, great post",
]
# A vocabulary sample smaller than the corpus, so that most comments are vectorised batch by batch.
SAMPLED = replace(cluster_settings().themes, vocabulary_sample=5, max_k=3, n_init=2, limits_from_comments=1000)


def comments_of(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"comment_id": [f"c{i:02d}" for i in range(len(texts))], "text": texts})


@pytest.mark.parametrize("rows", [1, 2, 3, 7, 100])
def test_themes_do_not_depend_on_the_batch_size(rows: int) -> None:
    whole = themes_of_batches(frame_batches(comments_of(TEXTS), 100), settings=SAMPLED)
    batched = themes_of_batches(frame_batches(comments_of(TEXTS), rows), settings=SAMPLED)
    themed = set(whole.comment_themes["comment_id"])
    # The blank and the filler-only comment get no theme, nor one with no word of the sample's vocabulary.
    assert len(themed) == 8 and not themed & {"c06", "c09", "c10"}
    pd.testing.assert_frame_equal(batched.themes, whole.themes)
    pd.testing.assert_frame_equal(batched.comment_themes, whole.comment_themes)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_repeated_comment_id_is_ordered_by_text_not_by_row(seed: int) -> None:
    comments = comments_of(TEXTS)
    comments.loc[3, "comment_id"] = comments.loc[2, "comment_id"]  # one id, two texts
    first = themes_of_batches(frame_batches(comments, 4), settings=SAMPLED)
    shuffled = themes_of_batches(frame_batches(comments.sample(frac=1, random_state=seed), 4), settings=SAMPLED)
    pd.testing.assert_frame_equal(first.themes, shuffled.themes)
    pd.testing.assert_frame_equal(first.comment_themes, shuffled.comment_themes)
    assert (first.comment_themes["comment_id"] == "c02").sum() == 2


COUNTED = [
    "Tonic water, tonic water and more TONIC WATER.",
    "the and of it was",  # stop words only
    "",
    "Épices et crème brûlée: straße ΣΊΣΥΦΟΣ naïve",  # letters beyond ASCII, a final sigma
    "abc123 under_score 4mg x y zz",  # digits and underscores break tokens; one-letter words are no tokens
    "mustard mustard mustard yellow mustard",
    "quinine unknownword tonic",  # a word outside the vocabulary separates its neighbours
    "tonic\nwater\ttonic-water",
]


@pytest.mark.parametrize(("min_df", "max_df"), [(1, 1.0), (2, 0.9)])
def test_vocabulary_counter_counts_what_count_vectorizer_counts(min_df: int, max_df: float) -> None:
    settings = cluster_settings().themes
    vectorizer = theme_vectorizer(settings, min_df=min_df, max_df=max_df)["counts"].fit(COUNTED[:3] + COUNTED[3:] * 2)
    expected = vectorizer.transform(COUNTED + ["unknownword only"])
    counted = VocabularyCounter.of_vectorizer(vectorizer).transform(COUNTED + ["unknownword only"])
    assert counted.shape == expected.shape and counted.has_sorted_indices
    assert np.array_equal(counted.indptr, expected.indptr)
    assert np.array_equal(counted.indices, expected.indices)
    assert np.array_equal(counted.data, expected.data) and counted.dtype == expected.dtype


def test_vocabulary_counter_refuses_an_analyser_it_does_not_reproduce() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    with pytest.raises(ValueError, match="word 1-2-grams"):
        VocabularyCounter.of_vectorizer(CountVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit(["copper bangle"]))


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("rows", [2, 5, 1000])
def test_stage_over_table_files_equals_the_in_memory_stage(
    claims_of_texts, lexicon: Lexicon, tmp_path: Path, fmt: str, rows: int
) -> None:
    claims = claims_of_texts(TEXTS)
    comments = comments_of(TEXTS)
    write_table(claims, tmp_path, "claims", fmt)
    write_table(comments, tmp_path, "comments", fmt)
    expected = cluster_stage(comments, claims, lexicon=lexicon)
    written: list[pd.DataFrame] = []
    claims_file, comments_file = tmp_path / f"claims.{fmt}", tmp_path / f"comments.{fmt}"
    tables = cluster_batches(
        table_batches(comments_file, rows), table_batches(claims_file, rows), tuple(claims.columns),
        lexicon=lexicon, resolved_claims=written.append,
    )
    assert all(len(piece) <= rows for piece in written)
    resolved = pd.concat(written, ignore_index=True)
    assert resolved["cluster"].tolist() == expected.claims_resolved["cluster"].tolist()
    assert resolved["claim_id"].tolist() == claims["claim_id"].tolist()
    pd.testing.assert_frame_equal(tables.concepts, expected.concepts)
    pd.testing.assert_frame_equal(tables.themes, expected.themes)
    pd.testing.assert_frame_equal(tables.comment_themes, expected.comment_themes)


@pytest.mark.parametrize(
    "ids, rows, sorted_ids, starts",
    [
        (["c", "a", "b"], 2, ["a", "b", "c"], [True, True, True]),
        (["a", "a", "a"], 1, ["a", "a", "a"], [True, False, False]),  # a run across every batch boundary
        (["b", "a", "b", "a"], 3, ["a", "a", "b", "b"], [True, False, True, False]),
        (["x"], 4, ["x"], [True]),
        ([], 2, [], []),
    ],
)
def test_the_sorted_comment_ids_wait_on_disk_and_runs_of_equal_ids_are_marked(
    tmp_path: Path, ids: list[str], rows: int, sorted_ids: list[str], starts: list[bool]
) -> None:
    order = _comment_order(frame_batches(pd.DataFrame({"comment_id": ids, "text": ["t"] * len(ids)}), 2),
                           _SpilledIds(tmp_path / "ids.arrow", rows))
    # Per comment, memory keeps NumPy numbers only; the ids are read back from the file.
    assert order.rank.dtype == np.int64 and order.new_id.dtype == bool
    assert order.new_id.tolist() == starts
    assert order.ids.take(np.arange(len(ids))).to_pylist() == sorted_ids
    assert sorted(ids[row] for row in np.argsort(order.rank)) == sorted_ids


def test_spilled_ids_are_taken_with_repeats_across_batches(tmp_path: Path) -> None:
    spilled = _SpilledIds(tmp_path / "ids.arrow", rows=2)
    ids = pa.chunked_array([["a", "b", "c"], ["d", "e"]], type=pa.large_string())
    spilled.write(ids, np.arange(5))
    assert spilled.take(np.array([0, 0, 1, 2, 4, 4])).to_pylist() == ["a", "a", "b", "c", "e", "e"]
    assert spilled.take(np.array([], dtype=np.int64)).to_pylist() == []
