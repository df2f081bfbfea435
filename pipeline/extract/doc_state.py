"""Per-Doc state the claim rules read: concept and cue spans as plain objects, sentence starts.

``decide_claims`` builds these once per Doc (spaCy Span attributes and ``Span.sent`` are
costly to read over and over) and removes them when it is done.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

CONCEPTS_KEY = "remedy_miner.concepts"

SENTENCE_STARTS_KEY = "remedy_miner.sentence_starts"

ABOUT_CRAMPS_KEY = "remedy_miner.about_cramps"

class Marked:
    """A concept or cue span with its label and extension values read once.

    The rules read ``start``, ``end``, ``label_`` and ``_.concept`` of the same few spans many
    times; on a spaCy Span each read goes through the vocabulary or builds an Underscore
    object. This holds the values, and answers to the same names.
    """

    __slots__ = ("span", "doc", "start", "end", "start_char", "end_char", "label_", "concept", "entry", "discovered",
                 "match_rule", "ambiguous", "_text")

    def __init__(self, span: Span, with_extensions: bool) -> None:
        self.span, self.doc = span, span.doc
        self.start, self.end = span.start, span.end
        self.start_char, self.end_char = span.start_char, span.end_char
        self.label_ = span.label_
        self._text: str | None = None
        self.ambiguous = False
        if with_extensions:
            values = span._
            self.concept, self.entry = values.concept, values.entry
            self.discovered, self.match_rule = values.discovered, values.match_rule

    @property
    def _(self) -> "Marked":
        return self

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.span.text
        return self._text

    def __len__(self) -> int:
        return self.end - self.start

def group_by_sentence_start(spans: list[Span], starts: list[int]) -> dict[int, list[Span]]:
    grouped: dict[int, list[Span]] = {}
    for span in spans:
        grouped.setdefault(starts[span.start], []).append(span)
    return grouped

def concepts_near(span: Span) -> list[Span]:
    """The concept mentions of the sentence ``span`` is in (the rules look no further)."""
    return span.doc.user_data[CONCEPTS_KEY].get(sentence_of(span), [])

def sentence_of(span: Span) -> int:
    """The start token of the sentence ``span`` begins in (what ``span.sent.start`` says, fast)."""
    return span.doc.user_data[SENTENCE_STARTS_KEY][span.start]

def by_sentence(spans: list[Span], sentences: list[Span], doc: Doc) -> list[list[Span]]:
    """Spans grouped by the sentence they start in, in sentence order."""
    index = {sentence.start: position for position, sentence in enumerate(sentences)}
    starts = doc.user_data[SENTENCE_STARTS_KEY]
    grouped: list[list[Span]] = [[] for _ in sentences]
    for span in spans:
        grouped[index[starts[span.start]]].append(span)
    return grouped

def inside(cue: Span, mention: Span) -> bool:
    """A cue wholly inside the mention ("use" in "use heat") says nothing about it."""
    return mention.start <= cue.start and cue.end <= mention.end
