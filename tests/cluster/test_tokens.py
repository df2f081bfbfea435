"""The themes' words, found for a whole batch at once: the same words as the regular expression
finds comment by comment, on every kind of text a reader may write; and the vocabulary learnt
from them is the one scikit-learn's vectorizer learns."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from pipeline.cluster.counting import VocabularyCounter, learn_vocabulary
from pipeline.cluster.settings import cluster_settings
from pipeline.cluster.themes import theme_stop_words, theme_vectorizer
from pipeline.cluster.tokens import LETTER_WORDS, letter_words

find_words = re.compile(LETTER_WORDS).findall


def words_by_text(texts: list[str], rows: int = 16_384) -> list[list[str]]:
    found = letter_words(texts, rows)
    words: list[list[str]] = [[] for _ in texts]
    for text, word in zip(found.text.tolist(), found.words.to_pylist()):
        words[text].append(word)
    return words


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Tonic water helps", ["tonic", "water", "helps"]),
        ("don't won’t", ["don", "won"]),  # apostrophes split; a one-letter rest is no word
        ("well-known anti-inflammatory", ["well", "known", "anti", "inflammatory"]),
        ("400mg b12 vitamin_d x2 2x", []),  # a digit or "_" anywhere spoils the whole run
        ("ab cd e", ["ab", "cd"]),  # a single letter is no word
        ("Crème BRÛLÉE naïve Straße", ["crème", "brûlée", "naïve", "straße"]),
        ("cafe\u0301 au lait", ["cafe", "au", "lait"]),  # a combining accent is no word character
        ("ΣΊΣΥΦΟΣ", ["σίσυφος"]),  # the final sigma of str.lower
        ("İstanbul", ["stanbul"]),  # "İ" lowers to "i" and a combining dot
        ("mustard💪helps 🙏🙏 ❤️ok", ["mustard", "helps", "ok"]),  # emoji separate words
        ("x² ½cup", ["x²", "½cup"]),  # superscripts and fractions are letters to re: no decimal digits
        ("٣days 日本語 हिन्दी", ["日本語"]),  # an Arabic-Indic digit spoils a run; vowel signs split into single letters
        ("𝐁𝐎𝐋𝐃 letters", ["𝐁𝐎𝐋𝐃", "letters"]),  # beyond the Basic Multilingual Plane, no lower case
        ("line\nbreak\ttab\r\nend", ["line", "break", "tab", "end"]),
        ("bad \ud800 surrogate", ["bad", "surrogate"]),
        ("", []),
        ("  ,;!? ", []),
    ],
)
def test_letter_words_are_the_words_the_regular_expression_finds(text: str, expected: list[str]) -> None:
    assert find_words(text.lower()) == expected  # what the table states is what re finds...
    assert words_by_text([text]) == [expected]  # ...and the batch search finds the same


@pytest.mark.parametrize("rows", [1, 2, 3, 100])
def test_letter_words_do_not_depend_on_how_the_texts_are_cut(rows: int) -> None:
    texts = ["Tonic water", "", "crème 💪 brûlée", "no words: 42", "zz top", "last one"]
    assert words_by_text(texts, rows) == [find_words(text.lower()) for text in texts]


def test_no_texts_have_no_words() -> None:
    found = letter_words([])
    assert found.texts == 0 and len(found.words) == 0 and found.text.dtype == np.int64


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=6))
def test_letter_words_agree_with_the_regular_expression_on_any_text(texts: list[str]) -> None:
    assert words_by_text(texts, rows=4) == [find_words(text.lower()) for text in texts]


SAMPLE = [
    "Tonic water, tonic water and more TONIC WATER.",
    "the and of it was",  # stop words only
    "",
    "Épices et crème brûlée: straße naïve",
    "mustard mustard yellow mustard",
    "yellow mustard and tonic water",
    "quinine tonic",
    "crème brûlée 🍌 tonic",
]


@pytest.mark.parametrize(("min_df", "max_df"), [(1, 1.0), (2, 0.6), (2, 1.0), (1, 0.3), (1, 3)])
def test_the_vocabulary_and_its_counts_are_what_count_vectorizer_learns(min_df: int, max_df: float) -> None:
    settings = cluster_settings().themes
    reference = theme_vectorizer(settings, min_df=min_df, max_df=max_df)["counts"]
    expected = reference.fit_transform(SAMPLE)
    found = letter_words(SAMPLE)
    vocabulary = learn_vocabulary(found, theme_stop_words(settings), min_df=min_df, max_df=max_df)
    assert vocabulary == reference.vocabulary_
    counts = VocabularyCounter(vocabulary, theme_stop_words(settings)).count(found)
    assert np.array_equal(counts.toarray(), expected.toarray())


@pytest.mark.parametrize(
    "texts, min_df, max_df",
    [
        (["the and of", "it was"], 1, 1.0),  # stop words only: an empty vocabulary
        (["", "  "], 1, 1.0),  # no words at all
        (["tonic water", "quinine"], 2, 1.0),  # no term in two comments
        (["tonic water", "tonic water"], 1, 0.4),  # every term in too many comments
        (["tonic water", "quinine"], 3, 0.5),  # limits that contradict each other
    ],
)
def test_no_vocabulary_where_count_vectorizer_refuses_to_fit(texts: list[str], min_df: int, max_df: float) -> None:
    settings = cluster_settings().themes
    with pytest.raises(ValueError):
        theme_vectorizer(settings, min_df=min_df, max_df=max_df)["counts"].fit(texts)
    assert learn_vocabulary(letter_words(texts), theme_stop_words(settings), min_df=min_df, max_df=max_df) is None


@pytest.mark.parametrize(
    "terms, documents, texts, keys, frequencies",
    [
        ([5, 3, 5, 5], [0, 0, 1, 1], 2, [3, 5], [1, 2]),  # a term twice in one comment counts once
        ([7], [0], 1, [7], [1]),
        ([], [], 3, [], []),
        ([2**62, 1, 2**62], [0, 1, 2], 3, [1, 2**62], [1, 2]),  # keys too large to pair with a comment number
    ],
)
def test_document_frequencies_count_each_comment_once(
    terms: list[int], documents: list[int], texts: int, keys: list[int], frequencies: list[int]
) -> None:
    from pipeline.cluster.counting import _document_frequencies

    found_keys, found_frequencies = _document_frequencies(
        np.array(terms, dtype=np.int64), np.array(documents, dtype=np.int64), texts
    )
    assert found_keys.tolist() == keys and found_frequencies.tolist() == frequencies


@pytest.mark.parametrize("limits_from_comments", [1, 1000])  # with and without document-frequency limits
def test_the_themes_tf_idf_rows_are_those_of_the_scikit_learn_pipeline(limits_from_comments: int) -> None:
    from dataclasses import replace

    from pipeline.cluster.themes import _vectorise

    settings = replace(cluster_settings().themes, limits_from_comments=limits_from_comments)
    terms, _, _, vectors = _vectorise(SAMPLE, len(SAMPLE), settings)
    min_df, max_df = ((settings.min_document_frequency, settings.max_document_share) if limits_from_comments == 1
                      else (1, 1.0))
    reference = theme_vectorizer(settings, min_df=min_df, max_df=max_df)
    expected = reference.fit_transform(SAMPLE)
    assert terms.tolist() == reference["counts"].get_feature_names_out().tolist()
    assert np.array_equal(vectors.indptr, expected.indptr) and np.array_equal(vectors.indices, expected.indices)
    assert np.array_equal(vectors.data, expected.data)  # bit for bit, not approximately
