"""Comment themes: tiny corpora, empty text, invariants, labels."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from pipeline.cluster.settings import cluster_settings
from pipeline.cluster.themes import COMMENT_THEME_COLUMNS, THEME_COLUMNS, discover_themes, find_themes, theme_label

MUSTARD = [
    "A spoon of yellow mustard stops the cramp in my calf within a minute.",
    "Yellow mustard from a packet, straight down, and the cramp lets go.",
    "I keep mustard packets by the bed for when the cramp hits.",
    "Plain yellow mustard works faster than anything else I have tried.",
]
TONIC = [
    "Tonic water at supper and I sleep without the cramps now.",
    "A glass of tonic water with quinine helps my night cramps.",
    "My doctor warned me off tonic water because of the quinine in it.",
    "Diet tonic water before bed, no cramps for two weeks.",
]
# Fewer k-means runs for the invariant tests; the packaged settings are used by the others.
QUICK = replace(cluster_settings().themes, max_k=4, n_init=3)


def comments_of(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"comment_id": [f"c{i:02d}" for i in range(len(texts))], "text": texts})


def theme_of(result, comment_id: str) -> int:
    return int(result.comment_themes.set_index("comment_id").loc[comment_id, "theme"])


@pytest.mark.parametrize("texts", [[], [""], ["", "   "], ["the and of it was", "thanks, great post"]])
def test_nothing_to_theme_gives_empty_tables(texts: list[str]) -> None:
    result = discover_themes(comments_of(texts))
    assert result.themes.empty and list(result.themes.columns) == THEME_COLUMNS
    assert result.comment_themes.empty and list(result.comment_themes.columns) == COMMENT_THEME_COLUMNS


@pytest.mark.parametrize("count", [1, 2, 3])
def test_tiny_corpora_form_one_theme(count: int) -> None:
    result = discover_themes(comments_of((MUSTARD + TONIC)[:count] + [""]))
    assert len(result.themes) == 1
    theme = result.themes.iloc[0]
    assert (theme["size"], theme["k"]) == (count, 1)
    assert "one theme" in theme["criterion"]
    assert len(result.comment_themes) == count  # the empty comment gets no theme


def test_two_clear_topics_become_two_themes() -> None:
    result = discover_themes(comments_of(MUSTARD + TONIC))
    mustard_themes = {theme_of(result, f"c{i:02d}") for i in range(4)}
    tonic_themes = {theme_of(result, f"c{i:02d}") for i in range(4, 8)}
    assert len(mustard_themes) == 1 and len(tonic_themes) == 1 and mustard_themes != tonic_themes
    assert result.themes["criterion"].str.startswith("best mean silhouette").all()
    labels = set(result.themes["label"])
    assert any("mustard" in label for label in labels) and any("tonic" in label for label in labels)


def test_a_vocabulary_learnt_from_a_sample_still_themes_every_comment() -> None:
    # Six of the eight comments teach the vocabulary; all are vectorised with it, six at a time.
    result = discover_themes(comments_of(MUSTARD + TONIC), settings=replace(QUICK, vocabulary_sample=6))
    mustard_themes = {theme_of(result, f"c{i:02d}") for i in range(4)}
    tonic_themes = {theme_of(result, f"c{i:02d}") for i in range(4, 8)}
    assert len(result.comment_themes) == 8
    assert len(mustard_themes) == 1 and len(tonic_themes) == 1 and mustard_themes != tonic_themes


def test_identical_texts_share_a_theme() -> None:
    texts = MUSTARD + TONIC + [MUSTARD[0], TONIC[1]]
    result = discover_themes(comments_of(texts), settings=QUICK)
    assert theme_of(result, "c00") == theme_of(result, "c08")
    assert theme_of(result, "c05") == theme_of(result, "c09")


def test_row_order_does_not_change_themes() -> None:
    comments = comments_of(MUSTARD + TONIC + ["Magnesium spray on the calves at night, nothing else worked."])
    first = discover_themes(comments, settings=QUICK)
    shuffled = discover_themes(comments.sample(frac=1, random_state=3), settings=QUICK)
    pd.testing.assert_frame_equal(first.themes, shuffled.themes)
    pd.testing.assert_frame_equal(first.comment_themes, shuffled.comment_themes)
    assert first.themes.to_csv(index=False) == find_themes(comments, settings=QUICK).to_csv(index=False)


def test_representatives_belong_to_their_theme() -> None:
    result = discover_themes(comments_of(MUSTARD + TONIC), settings=QUICK)
    for theme in result.themes.itertuples():
        for comment_id in theme.representative_ids.split("; "):
            assert theme_of(result, comment_id) == theme.theme


@pytest.mark.parametrize(
    ("top_terms", "label"),
    [
        (["tonic", "water", "tonic water", "quinine"], "tonic water, quinine"),
        (["magnesium spray", "magnesium", "night", "bed"], "magnesium spray, night, bed"),
        (["mustard", "yellow", "packets"], "mustard, yellow, packets"),
        ([], ""),
    ],
)
def test_theme_label_says_each_word_once(top_terms: list[str], label: str) -> None:
    assert theme_label(top_terms, 3) == label
