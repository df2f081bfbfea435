"""Sentence boundaries as plain integers.

``Span.sent`` and ``Doc.sents`` walk the Doc token by token on every call when sentences come
from the sentencizer; the components ask "which sentence is this span in?" many times per
comment, so they use these lists, computed from one array read per Doc.
"""
from __future__ import annotations

from typing import Sequence

import numpy
from spacy.attrs import ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.words import sentence_starts_of, words_of

SENTENCE_PUNCT = (".", "!", "?", "\n", "...", "!!", "??", "?!", "!?", "!!!", "???", "..", "....", "\n\n")


@Language.factory("remedy_sentences", assigns=["token.is_sent_start"], default_config={"punct_chars": list(SENTENCE_PUNCT)})
def make_sentence_splitter(nlp: Language, name: str, punct_chars: list[str]) -> "SentenceSplitter":
    return SentenceSplitter(nlp, punct_chars)


class SentenceSplitter:
    """Splits after runs of sentence punctuation and at line breaks, like spaCy's sentencizer,
    but reads the Doc as one array instead of creating a Token object per word."""

    def __init__(self, nlp: Language, punct_chars: list[str]) -> None:
        self.punct = frozenset(nlp.vocab.strings.add(p) for p in punct_chars)

    def __call__(self, doc: Doc) -> Doc:
        if len(doc):
            words = words_of(doc)
            bounds = sentence_bounds_after_punct(words.orth_ids, self.punct)
            doc.from_array([SENT_START], bound_flags(bounds, len(doc)))
            words.sentence_starts = starts_of_bounds(bounds, len(doc))  # what the flags just written say
        return doc


MAX_SENTENCE_TOKENS = 120


def sentence_start_flags(orths: list[int], punct: frozenset[int], longest: int = MAX_SENTENCE_TOKENS) -> numpy.ndarray:
    """1 where a sentence starts, -1 elsewhere (see :func:`sentence_starts_after_punct`)."""
    return bound_flags(sentence_bounds_after_punct(orths, punct, longest), len(orths))


def sentence_starts_after_punct(orths: Sequence[int], punct: frozenset[int], longest: int = MAX_SENTENCE_TOKENS) -> list[int]:
    """For every token, the first token of its sentence (see :func:`sentence_bounds_after_punct`)."""
    return starts_of_bounds(sentence_bounds_after_punct(orths, punct, longest), len(orths))


def sentence_bounds_after_punct(orths: Sequence[int], punct: frozenset[int], longest: int = MAX_SENTENCE_TOKENS) -> list[int]:
    """The first token of every sentence: a new sentence begins at the first token that is not
    sentence punctuation after one that is. A run-on with no punctuation is cut every ``longest``
    tokens: no reader claim spans more, and the rules' cost grows with length.

    Only the punctuation tokens are visited one by one (the words between are skipped over).
    """
    size = len(orths)
    if not size:
        return []
    marks = [i for i, orth in enumerate(orths) if orth in punct]
    is_mark = set(marks)
    marks.append(size)  # a sentinel: "no more punctuation"
    bounds = [0]
    current, next_mark = 0, 0
    while True:
        while marks[next_mark] < current:
            next_mark += 1
        # The sentence ends after its first punctuation mark, or after ``longest`` tokens; the next
        # one starts at the first token after that which is not punctuation itself.
        start = max(min(marks[next_mark], current + longest - 1), current) + 1
        while start in is_mark:
            start += 1
        if start >= size:
            return bounds
        bounds.append(start)
        current = start


def starts_of_bounds(bounds: list[int], size: int) -> list[int]:
    """For every one of ``size`` tokens, the first token of its sentence, given where sentences start."""
    starts: list[int] = []
    for start, end in zip(bounds, [*bounds[1:], size]):
        starts += [start] * (end - start)
    return starts


def bound_flags(bounds: list[int], size: int) -> numpy.ndarray:
    """The ``SENT_START`` column for ``Doc.from_array``: 1 where a sentence starts, -1 elsewhere."""
    flags = numpy.full(size, -1, dtype="int64")
    flags[bounds] = 1
    # spaCy reads the flags as unsigned 64-bit values (-1 wraps around, as it expects).
    return flags.view("uint64").reshape(-1, 1)


def start_flags(starts: list[int]) -> numpy.ndarray:
    """The ``SENT_START`` column for ``Doc.from_array`` given every token's sentence start."""
    return bound_flags(sorted(set(starts)), len(starts))

def sentence_starts(doc: Doc) -> list[int]:
    """For every token, the index of the first token of its sentence."""
    return sentence_starts_of(doc)


def sentence_spans(doc: Doc, starts: list[int] | None = None) -> list[Span]:
    """The sentences of ``doc`` as Spans, in order."""
    starts = sentence_starts(doc) if starts is None else starts
    boundaries = sorted(set(starts)) + [len(doc)]
    return [doc[boundaries[i] : boundaries[i + 1]] for i in range(len(boundaries) - 1)]
