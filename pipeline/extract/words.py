"""A Doc's tokens as plain Python lists, read once per Doc and shared by the components.

Indexing a Doc (``doc[i]``, iterating a Span) creates a Token object per word, and
``Span.text`` and ``Doc.text`` rebuild strings token by token. The rules ask the same few
questions of the same few tokens many times per comment ("is the word before this one
'for'?"), so they read these lists instead: one ``Doc.to_array`` call and one pass over the
hashes. The values are exactly what the Token attributes say (``lower[i] == doc[i].lower_``).
"""
from __future__ import annotations

from spacy.attrs import IDX, ORTH, SENT_START, SPACY
from spacy.tokens import Doc

WORDS_KEY = "remedy_miner.words"


class Lexemes:
    """What the rules read of each vocabulary entry, by orth hash, cached across Docs.

    These attributes belong to the lexeme, not the token: looked up once per distinct word
    rather than once per token (``Doc.to_array`` of a lexeme flag asks the vocabulary for
    every token). The cache is cleared when it grows past ``limit`` entries.
    """

    def __init__(self, vocab, limit: int = 500_000) -> None:
        self.vocab, self.limit = vocab, limit
        self.entries: dict[int, tuple] = {}

    def of(self, orths: list[int]) -> list[tuple]:
        entries = self.entries
        if len(entries) > self.limit:
            entries.clear()
        found = [entries.get(orth) for orth in orths]
        if None in found:
            found = [entry if entry is not None else self._read(orth) for entry, orth in zip(found, orths)]
        return found

    def _read(self, orth: int) -> tuple:
        lex = self.vocab[orth]
        entry = (lex.orth_, lex.lower_, lex.lower, lex.is_space, lex.is_punct, lex.is_alpha, len(lex.orth_),
                 lex.is_title, lex.is_upper, lex.like_num, lex.like_url, lex.like_email)
        self.entries[orth] = entry
        return entry


_LEXEMES: dict[int, Lexemes] = {}


def lexemes_of(vocab) -> Lexemes:
    """The shared :class:`Lexemes` of ``vocab`` (the few most recent vocabularies are kept)."""
    lexemes = _LEXEMES.get(id(vocab))
    if lexemes is None or lexemes.vocab is not vocab:
        if len(_LEXEMES) >= 4:
            del _LEXEMES[next(iter(_LEXEMES))]
        lexemes = _LEXEMES[id(vocab)] = Lexemes(vocab)
    return lexemes


class Words:
    """Token attributes of one Doc as sequences indexed by token position, and its text."""

    __slots__ = (
        "doc", "text", "lower", "lower_ids", "orth_ids", "orth", "space", "is_space", "is_punct", "is_alpha", "idx", "length", "is_title",
        "is_upper", "like_num", "like_url", "like_email", "_sentence_starts",
    )

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._sentence_starts: list[int] | None = None
        if not len(doc):
            self.orth = self.orth_ids = self.lower = self.lower_ids = self.space = self.idx = ()
            self.is_space = self.is_punct = self.is_alpha = self.length = self.is_title = self.is_upper = ()
            self.like_num = self.like_url = self.like_email = ()
            self.text = ""
            return
        self.orth_ids, self.space, self.idx = doc.to_array([ORTH, SPACY, IDX]).T.tolist()
        (self.orth, self.lower, self.lower_ids, self.is_space, self.is_punct, self.is_alpha, self.length,
         self.is_title, self.is_upper, self.like_num, self.like_url, self.like_email) = zip(*lexemes_of(doc.vocab).of(self.orth_ids))
        # What ``doc.text`` says, without a Token object per word.
        self.text = "".join([word + " " if space else word for word, space in zip(self.orth, self.space)])

    def end_char(self, end: int) -> int:
        """Where the token before ``end`` ends in the text (what ``Span.end_char`` says)."""
        return self.idx[end - 1] + self.length[end - 1]

    def span_text(self, start: int, end: int) -> str:
        """The text of tokens ``start:end`` (what ``doc[start:end].text`` says)."""
        if start >= end:
            return ""
        return self.text[self.idx[start] : self.end_char(end)]

    def phrase(self, start: int, end: int) -> str:
        """The lower-cased text of tokens ``start:end``, single spaces where the text had space."""
        orth, space = self.orth, self.space
        return "".join([orth[i] + (" " if space[i] and i < end - 1 else "") for i in range(start, end)]).lower()

    @property
    def sentence_starts(self) -> list[int]:
        """For every token, the index of the first token of its sentence."""
        if self._sentence_starts is None:
            self._sentence_starts = sentence_starts_of(self.doc)
        return self._sentence_starts

    @sentence_starts.setter
    def sentence_starts(self, starts: list[int]) -> None:
        self._sentence_starts = starts


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
    starts: list[int] = []
    current = 0
    for index, flag in enumerate(doc.to_array(SENT_START).tolist() if len(doc) else []):
        if flag == 1:
            current = index
        starts.append(current)
    return starts
