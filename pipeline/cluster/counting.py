"""Counting a fitted vocabulary's words and word pairs in many comments at once.

:class:`CountVectorizer` analyses a comment in Python, token by token; over millions of
comments that is most of the cluster stage's time. :class:`VocabularyCounter` gives the same
count matrix, bit for bit, for the analyser the themes use (lower case, a token pattern, stop
words removed, unigrams and bigrams): each comment is still lower-cased and split by the same
regular expression, but looking the tokens up, pairing neighbours and counting happen for a
whole batch at once in NumPy.
"""
from __future__ import annotations

import itertools
import re
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

_UNKNOWN = 0  # a word in no vocabulary entry: it still separates its neighbours
_STOP = -1  # a stop word: removed before neighbours are paired, as the analyser does


class VocabularyCounter:
    """The ``transform`` of a fitted word 1-2-gram :class:`CountVectorizer`, for a batch at a time.

    Raises:
        ValueError: the vectorizer is not a lower-casing word analyser of 1- and 2-grams with a
            token pattern (the only kind this reproduces).
    """

    def __init__(self, fitted: CountVectorizer) -> None:
        if not (fitted.analyzer == "word" and tuple(fitted.ngram_range) == (1, 2) and fitted.lowercase
                and fitted.preprocessor is None and fitted.tokenizer is None and fitted.strip_accents is None
                and fitted.input == "content"):
            raise ValueError("VocabularyCounter reproduces lower-cased word 1-2-grams only")
        self.find_tokens = re.compile(fitted.token_pattern).findall
        self.stop_words = frozenset(fitted.get_stop_words() or ())
        self.terms = len(fitted.vocabulary_)
        self.dtype = fitted.dtype
        words: dict[str, int] = {}
        unigram_pairs, bigram_pairs = [], []
        for term, column in fitted.vocabulary_.items():
            parts = term.split(" ")
            ids = [words.setdefault(part, len(words) + 1) for part in parts]
            (unigram_pairs if len(ids) == 1 else bigram_pairs).append((ids, column))
        self.word_id = {**{word: _STOP for word in self.stop_words}, **words}  # no term holds a stop word
        self.unigram_column = np.full(len(words) + 1, -1, dtype=np.int64)
        for (word,), column in unigram_pairs:
            self.unigram_column[word] = column
        self.width = len(words) + 1
        keys = np.array([first * self.width + second for (first, second), _ in bigram_pairs], dtype=np.int64)
        order = np.argsort(keys)
        self.bigram_keys = keys[order]
        self.bigram_columns = np.array([column for _, column in bigram_pairs], dtype=np.int64)[order]

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The count matrix of ``texts``: what the fitted vectorizer's ``transform`` returns."""
        tokens = [self.find_tokens(text.lower()) for text in texts]
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        words = np.fromiter(map(self.word_id.get, itertools.chain.from_iterable(tokens), itertools.repeat(_UNKNOWN)),
                            dtype=np.int64, count=int(lengths.sum()))
        document = np.repeat(np.arange(len(tokens)), lengths)
        content = words != _STOP
        words, document = words[content], document[content]
        rows, columns = [document], [self.unigram_column[words]]
        if len(words) > 1:
            same_document = document[1:] == document[:-1]
            pair_keys = words[:-1] * self.width + words[1:]
            known = same_document & (words[:-1] != _UNKNOWN) & (words[1:] != _UNKNOWN)
            slots = np.minimum(np.searchsorted(self.bigram_keys, pair_keys), max(len(self.bigram_keys) - 1, 0))
            found = known & (self.bigram_keys[slots] == pair_keys) if len(self.bigram_keys) else np.zeros_like(known)
            rows.append(document[:-1][found])
            columns.append(self.bigram_columns[slots[found]])
        row, column = np.concatenate(rows), np.concatenate(columns)
        kept = column >= 0
        counts = sparse.csr_matrix(
            (np.ones(int(kept.sum()), dtype=self.dtype), (row[kept], column[kept])), shape=(len(tokens), self.terms)
        )
        counts.sum_duplicates()
        return counts
