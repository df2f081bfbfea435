"""A Doc's tokens as plain Python lists, read once per Doc and shared by the components.

Indexing a Doc (``doc[i]``, iterating a Span) creates a Token object per word, and
``Span.text`` and ``Doc.text`` rebuild strings token by token. The rules ask the same few
questions of the same few tokens many times per comment ("is the word before this one
'for'?"), so they read these lists instead: one ``Doc.to_array`` call and one pass over the
hashes. The values are exactly what the Token attributes say (``lower[i] == doc[i].lower_``).
"""
from __future__ import annotations

import numpy
from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, IS_TITLE, IS_UPPER, LENGTH, LIKE_EMAIL, LIKE_NUM, LIKE_URL, LOWER, ORTH, SENT_START, SPACY
from spacy.tokens import Doc

WORDS_KEY = "remedy_miner.words"

_ATTRIBUTES = [LOWER, ORTH, SPACY, IS_SPACE, IS_PUNCT, IS_ALPHA, IDX, LENGTH, IS_TITLE, IS_UPPER, LIKE_NUM, LIKE_URL, LIKE_EMAIL]


class Words:
    """Token attributes of one Doc as lists indexed by token position, and its text."""

    __slots__ = (
        "doc", "text", "lower", "orth", "space", "is_space", "is_punct", "is_alpha", "idx", "length", "is_title",
        "is_upper", "like_num", "like_url", "like_email", "_sentence_starts",
    )

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        columns = doc.to_array(_ATTRIBUTES).T.tolist() if len(doc) else [[] for _ in _ATTRIBUTES]
        (lower, orth, self.space, self.is_space, self.is_punct, self.is_alpha, self.idx, self.length, self.is_title,
         self.is_upper, self.like_num, self.like_url, self.like_email) = columns
        strings = doc.vocab.strings
        self.lower: list[str] = [strings[h] for h in lower]
        self.orth: list[str] = [strings[h] for h in orth]
        # What ``doc.text`` says, without a Token object per word.
        self.text = "".join([word + " " if space else word for word, space in zip(self.orth, self.space)])
        self._sentence_starts: list[int] | None = None

    def end_char(self, end: int) -> int:
        """Where the token before ``end`` ends in the text (what ``Span.end_char`` says)."""
        return self.idx[end - 1] + self.length[end - 1]

    def span_text(self, start: int, end: int) -> str:
        """The text of tokens ``start:end`` (what ``doc[start:end].text`` says)."""
        if start >= end:
            return ""
        return self.text[self.idx[start] : self.end_char(end)]

    @property
    def sentence_starts(self) -> list[int]:
        """For every token, the index of the first token of its sentence."""
        if self._sentence_starts is None:
            self._sentence_starts = sentence_starts_of(self.doc)
        return self._sentence_starts


def words_of(doc: Doc) -> Words:
    """The shared :class:`Words` of ``doc``, built on first use.

    The components that run before ``claim_context`` leave it in ``doc.user_data``;
    ``claim_context`` removes it (user data must stay serialisable), see :func:`forget_words`.
    """
    words = doc.user_data.get(WORDS_KEY)
    if words is None or words.doc is not doc:
        words = doc.user_data[WORDS_KEY] = Words(doc)
    return words


def forget_words(doc: Doc) -> None:
    doc.user_data.pop(WORDS_KEY, None)


def sentence_starts_of(doc: Doc) -> list[int]:
    """For every token, the index of the first token of its sentence (one array read)."""
    if not len(doc):
        return []
    flags = doc.to_array(SENT_START)
    positions = numpy.arange(len(flags))
    return numpy.maximum.accumulate(numpy.where(flags == 1, positions, 0)).tolist()
