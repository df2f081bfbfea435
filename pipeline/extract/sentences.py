"""Sentence boundaries as plain integers.

``Span.sent`` and ``Doc.sents`` walk the Doc token by token on every call when sentences come
from the sentencizer; the components ask "which sentence is this span in?" many times per
comment, so they use these lists, computed from one array read per Doc.
"""
from __future__ import annotations

from spacy.attrs import SENT_START
from spacy.tokens import Doc, Span


def sentence_starts(doc: Doc) -> list[int]:
    """For every token, the index of the first token of its sentence."""
    starts: list[int] = []
    current = 0
    for index, flag in enumerate(doc.to_array(SENT_START).tolist() if len(doc) else []):
        if flag == 1:
            current = index
        starts.append(current)
    return starts


def sentence_spans(doc: Doc, starts: list[int] | None = None) -> list[Span]:
    """The sentences of ``doc`` as Spans, in order."""
    starts = sentence_starts(doc) if starts is None else starts
    boundaries = sorted(set(starts)) + [len(doc)]
    return [doc[boundaries[i] : boundaries[i + 1]] for i in range(len(boundaries) - 1)]
