"""Per-Doc state the claim rules read: concept and cue spans as plain objects, sentence starts.

``decide_claims`` builds these once per Doc (spaCy Span attributes and ``Span.sent`` are
costly to read over and over) and removes them when it is done.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

from pipeline.extract.words import ROW_IS_PUNCT, ROW_IS_SPACE, Words


class _TokenRange:
    """A token range of a Doc read through its :class:`~pipeline.extract.words.Words` (the names
    a spaCy Span answers to); subclasses hold ``words``, ``start`` and ``end``."""

    __slots__ = ()
    words: Words
    start: int
    end: int

    @property
    def doc(self) -> Doc:
        return self.words.doc

    @property
    def start_char(self) -> int:
        return self.words.idx[self.start]

    @property
    def end_char(self) -> int:
        return self.words.end_char(self.end)


class Marked(_TokenRange):
    """A concept or cue span with its label and extension values read once.

    The rules read ``start``, ``end``, ``label_`` and ``_.concept`` of the same few spans many
    times; on a spaCy Span each read goes through the vocabulary or builds an Underscore
    object. This holds the values, and answers to the same names; its text and sentence come
    from the Doc's :class:`~pipeline.extract.words.Words`.
    """

    __slots__ = ("words", "start", "end", "label_", "concept", "entry", "discovered", "match_rule", "ambiguous", "sentence")

    def __init__(
        self, words: Words, start: int, end: int, label: str,
        concept: str = "", entry: str = "", discovered: bool = False, match_rule: str = "",
    ) -> None:
        self.words, self.start, self.end, self.label_ = words, start, end, label
        self.concept, self.entry, self.discovered, self.match_rule = concept, entry, discovered, match_rule
        self.sentence = words.sentence_starts[start]
        self.ambiguous = False

    @classmethod
    def of(cls, span: Span, words: Words, with_extensions: bool) -> "Marked":
        if not with_extensions:
            return cls(words, span.start, span.end, span.label_)
        values = span._
        return cls(words, span.start, span.end, span.label_, values.concept, values.entry, values.discovered, values.match_rule)

    @property
    def _(self) -> "Marked":
        return self

    @property
    def text(self) -> str:
        return self.words.span_text(self.start, self.end)

    def __len__(self) -> int:
        return self.end - self.start


class Sentence(_TokenRange):
    """A sentence's token and character bounds and its text (what a sentence Span says, read once)."""

    __slots__ = ("words", "start", "end", "_text", "_first_word")

    def __init__(self, words: Words, start: int, end: int) -> None:
        self.words, self.start, self.end = words, start, end
        self._text: str | None = None
        self._first_word: int | None = -1

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.words.span_text(self.start, self.end)
        return self._text

    @property
    def first_word(self) -> int | None:
        """The first token that is neither space nor punctuation, or None."""
        if self._first_word == -1:
            rows = self.words.rows
            self._first_word = next((i for i in range(self.start, self.end) if not rows[i][ROW_IS_SPACE] and not rows[i][ROW_IS_PUNCT]), None)
        return self._first_word


def sentences_of(words: Words) -> list[Sentence]:
    """The sentences of a Doc, in order."""
    boundaries = sorted(set(words.sentence_starts)) + [len(words.rows)]
    return [Sentence(words, boundaries[i], boundaries[i + 1]) for i in range(len(boundaries) - 1)]


def group_by_sentence_start(spans: list[Span], starts: list[int]) -> dict[int, list[Span]]:
    grouped: dict[int, list[Span]] = {}
    for span in spans:
        grouped.setdefault(starts[span.start], []).append(span)
    return grouped

def concepts_near(span: Marked) -> list[Marked]:
    """The concept mentions of the sentence ``span`` is in (the rules look no further)."""
    return span.words.concepts_by_sentence.get(span.sentence, [])

def sentence_of(span: Marked) -> int:
    """The start token of the sentence ``span`` begins in (what ``span.sent.start`` says, fast)."""
    return span.sentence

def by_sentence(spans: list[Span], sentences: list[Span], doc: Doc) -> list[list[Span]]:
    """Spans grouped by the sentence they start in, in sentence order."""
    index = {sentence.start: position for position, sentence in enumerate(sentences)}
    grouped: list[list[Span]] = [[] for _ in sentences]
    for span in spans:
        grouped[index[span.sentence]].append(span)
    return grouped

def inside(cue: Span, mention: Span) -> bool:
    """A cue wholly inside the mention ("use" in "use heat") says nothing about it."""
    return mention.start <= cue.start and cue.end <= mention.end


MARKED_KEY = "remedy_miner.marked"


def keep_marked(doc: Doc, key: str, marked: list[Marked]) -> None:
    """Remember the plain copies of the span group ``doc.spans[key]`` the component just wrote,
    so that the next components need not rebuild them from Span objects."""
    doc.user_data.setdefault(MARKED_KEY, {})[key] = (doc.spans[key], marked)


def marked_spans(doc: Doc, key: str, words: Words, with_extensions: bool) -> list[Marked]:
    """The spans of ``doc.spans[key]`` as :class:`Marked`, from the copies kept by
    :func:`keep_marked` while the group is the one they were made from, else read afresh."""
    group = doc.spans[key] if key in doc.spans else []
    kept = doc.user_data.get(MARKED_KEY, {}).get(key)
    if kept is not None and kept[0] is group and len(kept[1]) == len(group) and (not kept[1] or kept[1][0].words is words):
        return kept[1]
    return [Marked.of(span, words, with_extensions) for span in group]


def forget_marked(doc: Doc) -> None:
    doc.user_data.pop(MARKED_KEY, None)
