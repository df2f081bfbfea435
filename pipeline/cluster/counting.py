"""Learning a word 1-2-gram vocabulary and counting it in many comments at once.

:class:`CountVectorizer` analyses a comment in Python, token by token; over millions of
comments that is most of the cluster stage's time. :func:`learn_vocabulary` and
:class:`VocabularyCounter` give its vocabulary and its count matrix, bit for bit, for the
analyser the themes use (lower case, :data:`~pipeline.cluster.tokens.LETTER_WORDS`, stop words
removed, unigrams and bigrams), from words found once per comment for a whole batch
(:func:`~pipeline.cluster.tokens.letter_words`): looking the words up, pairing neighbours and
counting happen in Arrow and NumPy.
"""
from __future__ import annotations

from numbers import Integral
from typing import Iterable, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from pipeline.cluster.tokens import LETTER_WORDS, FoundWords, letter_words

_UNKNOWN = 0  # a word in no vocabulary entry: it still separates its neighbours
_STOP = -1  # a stop word: removed before neighbours are paired, as the analyser does


class VocabularyCounter:
    """The ``transform`` of a :class:`CountVectorizer` of word 1- and 2-grams fitted to
    ``vocabulary`` (term -> column), for a batch at a time."""

    def __init__(self, vocabulary: Mapping[str, int], stop_words: Iterable[str], dtype: type = np.float64) -> None:
        self.terms = len(vocabulary)
        self.dtype = dtype
        words: dict[str, int] = {}
        unigram_pairs, bigram_pairs = [], []
        for term, column in vocabulary.items():
            ids = [words.setdefault(part, len(words) + 1) for part in term.split(" ")]
            (unigram_pairs if len(ids) == 1 else bigram_pairs).append((ids, column))
        word_id = {**{word: _STOP for word in stop_words}, **words}  # no term holds a stop word
        self.known_words = pa.array(list(word_id), type=pa.large_string())
        self.id_of_known = np.array([*word_id.values(), _UNKNOWN], dtype=np.int64)  # last: not known
        self.unigram_column = np.full(len(words) + 1, -1, dtype=np.int64)
        for (word,), column in unigram_pairs:
            self.unigram_column[word] = column
        self.width = len(words) + 1
        self.bigram_keys = pa.array([first * self.width + second for (first, second), _ in bigram_pairs], type=pa.int64())
        self.bigram_columns = np.array([column for _, column in bigram_pairs] + [-1], dtype=np.int64)  # last: none

    @classmethod
    def of_vectorizer(cls, fitted: CountVectorizer) -> "VocabularyCounter":
        """The counter of a fitted vectorizer.

        Raises:
            ValueError: the vectorizer is not a lower-casing word analyser of 1- and 2-grams with
                the token pattern :data:`LETTER_WORDS` (the only kind this reproduces).
        """
        if not (fitted.analyzer == "word" and tuple(fitted.ngram_range) == (1, 2) and fitted.lowercase
                and fitted.preprocessor is None and fitted.tokenizer is None and fitted.strip_accents is None
                and fitted.input == "content" and fitted.token_pattern == LETTER_WORDS):
            raise ValueError("VocabularyCounter reproduces lower-cased word 1-2-grams of LETTER_WORDS only")
        return cls(fitted.vocabulary_, fitted.get_stop_words() or (), fitted.dtype)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The count matrix of ``texts``: what the fitted vectorizer's ``transform`` returns."""
        return self.count(letter_words(texts))

    def count(self, found: FoundWords) -> sparse.csr_matrix:
        """The count matrix of the texts ``found`` was found in (sorted indices, summed duplicates)."""
        known = pc.fill_null(pc.index_in(found.words, value_set=self.known_words), len(self.known_words))
        words = self.id_of_known[known.to_numpy()]
        content = words != _STOP
        words, document = words[content], found.text[content]
        rows, columns = [document], [self.unigram_column[words]]
        if len(words) > 1:
            # Neighbours in one comment, both in some vocabulary entry: the candidates for a bigram.
            first = np.flatnonzero((document[1:] == document[:-1]) & (words[:-1] != _UNKNOWN) & (words[1:] != _UNKNOWN))
            pair_keys = words[first] * self.width + words[first + 1]
            bigram = pc.fill_null(pc.index_in(pair_keys, value_set=self.bigram_keys), len(self.bigram_keys)).to_numpy()
            rows.append(document[first])
            columns.append(self.bigram_columns[bigram])
        row, column = np.concatenate(rows), np.concatenate(columns)
        kept = column >= 0
        return self._matrix(row[kept], column[kept], found.texts)

    def _matrix(self, rows: np.ndarray, columns: np.ndarray, texts: int) -> sparse.csr_matrix:
        """The CSR matrix counting each (row, column) pair: columns ascending within a row."""
        cells = np.sort(rows * max(self.terms, 1) + columns)
        starts = np.flatnonzero(_run_starts(cells))
        distinct = cells[starts]
        per_row = np.bincount(distinct // max(self.terms, 1), minlength=texts)
        return sparse.csr_matrix(
            (np.diff(starts, append=len(cells)).astype(self.dtype), distinct % max(self.terms, 1),
             np.concatenate([[0], np.cumsum(per_row)])),
            shape=(texts, self.terms),
        )


def learn_vocabulary(
    found: FoundWords, stop_words: Iterable[str], *, min_df: int | float = 1, max_df: int | float = 1.0
) -> dict[str, int] | None:
    """The ``vocabulary_`` a word 1-2-gram :class:`CountVectorizer` with these stop words and
    document-frequency limits learns from the texts ``found`` was found in (terms in alphabetical
    order); ``None`` where its ``fit`` raises ValueError (no term at all, none within the limits,
    or limits that contradict each other)."""
    high = max_df if isinstance(max_df, Integral) else max_df * found.texts
    low = min_df if isinstance(min_df, Integral) else min_df * found.texts
    encoded = pc.dictionary_encode(found.words)
    distinct = encoded.dictionary
    stop = pc.is_in(distinct, value_set=pa.array(sorted(set(stop_words)), type=pa.large_string()))
    word = encoded.indices.to_numpy().astype(np.int64)
    content = ~stop.to_numpy(zero_copy_only=False)[word]
    word, document = word[content], found.text[content]
    if len(word) == 0 or high < low:
        return None
    size = len(distinct)
    pair = document[1:] == document[:-1]
    # Term keys: a unigram is its word's number, a bigram comes after every unigram.
    keys, in_documents = _document_frequencies(
        np.concatenate([word, size + word[:-1][pair] * size + word[1:][pair]]),
        np.concatenate([document, document[:-1][pair]]),
        found.texts,
    )
    keys = keys[(in_documents <= high) & (in_documents >= low)]
    if len(keys) == 0:
        return None
    spelled = distinct.to_pylist()
    bigram = keys >= size
    firsts, seconds = np.divmod(keys[bigram] - size, size)
    names = [spelled[key] for key in keys[~bigram].tolist()]
    names += [f"{spelled[first]} {spelled[second]}" for first, second in zip(firsts.tolist(), seconds.tolist())]
    return {term: column for column, term in enumerate(sorted(names))}


def _document_frequencies(terms: np.ndarray, documents: np.ndarray, texts: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``terms`` (ascending) and in how many of the ``texts`` documents each occurs.

    One sort of (term, document) keys; NumPy's ``unique`` is many times slower on them.
    """
    if len(terms) and int(terms.max()) >= np.iinfo(np.int64).max // max(texts, 1):  # keys would overflow
        distinct, terms = np.unique(terms, return_inverse=True)
        compact, in_documents = _document_frequencies(terms.astype(np.int64), documents, texts)
        return distinct[compact], in_documents
    pairs = np.sort(terms * texts + documents)
    pairs = pairs[_run_starts(pairs)]
    term_of_pair = pairs // max(texts, 1)
    starts = np.flatnonzero(_run_starts(term_of_pair))
    return term_of_pair[starts], np.diff(starts, append=len(term_of_pair))


def _run_starts(ascending: np.ndarray) -> np.ndarray:
    """True where a value differs from the one before it."""
    return np.concatenate([np.ones(min(len(ascending), 1), dtype=bool), ascending[1:] != ascending[:-1]])
