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

# Positions in a lexeme row (``Words.rows``), in the order ``Lexemes._read`` writes them.
(ROW_TEXT, ROW_LOWER, ROW_LOWER_ID, ROW_IS_SPACE, ROW_IS_PUNCT, ROW_IS_ALPHA, ROW_LENGTH, ROW_IS_TITLE, ROW_IS_UPPER,
 ROW_LIKE_NUM, ROW_LIKE_URL, ROW_LIKE_EMAIL) = range(12)


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
        try:
            return [entries[orth] for orth in orths]
        except KeyError:
            return [entries[orth] if orth in entries else self._read(orth) for orth in orths]

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


class _Column:
    """A per-token list of one lexeme attribute, made on first use (most Docs need only some)
    and then kept in the instance (like ``functools.cached_property``, without its lock)."""

    def __init__(self, position: int, doc: str) -> None:
        self.position, self.__doc__ = position, doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, words: "Words | None", owner: type) -> list:
        if words is None:
            return self  # type: ignore[return-value]
        position = self.position
        column = words.__dict__[self.name] = [row[position] for row in words.rows]
        return column


def _column(position: int, doc: str) -> _Column:
    return _Column(position, doc)


class Words:
    """Token attributes of one Doc as lists indexed by token position, and its text.

    ``orth_ids``, ``space`` and ``idx`` are read from the Doc; the lexeme attributes come from
    :class:`Lexemes` (``rows``, one tuple per token) and are turned into lists on first use.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._sentence_starts: list[int] | None = None
        self._positions: dict[frozenset[str], list[int]] = {}
        # Set by the claim rules while they run (see ``context.decide_claims``).
        self.concepts_by_sentence: dict[int, list] = {}
        self.about_cramps = False
        if len(doc):
            self.orth_ids, self.space, self.idx = doc.to_array([ORTH, SPACY, IDX]).T.tolist()
        else:
            self.orth_ids, self.space, self.idx = [], [], []
        self.rows: list[tuple] = lexemes_of(doc.vocab).of(self.orth_ids)

    orth = _column(ROW_TEXT, "token.text")
    lower = _column(ROW_LOWER, "token.lower_")
    lower_ids = _column(ROW_LOWER_ID, "token.lower (hashes, for word sets kept as hashes)")
    is_space = _column(ROW_IS_SPACE, "token.is_space")
    is_punct = _column(ROW_IS_PUNCT, "token.is_punct")
    is_alpha = _column(ROW_IS_ALPHA, "token.is_alpha")
    length = _column(ROW_LENGTH, "len(token)")
    is_title = _column(ROW_IS_TITLE, "token.is_title")
    is_upper = _column(ROW_IS_UPPER, "token.is_upper")
    like_num = _column(ROW_LIKE_NUM, "token.like_num")
    like_url = _column(ROW_LIKE_URL, "token.like_url")
    like_email = _column(ROW_LIKE_EMAIL, "token.like_email")

    @property
    def text(self) -> str:
        """What ``doc.text`` says, without a Token object per word."""
        text = self.__dict__.get("_text")
        if text is None:
            text = self._text = "".join([row[0] + " " if space else row[0] for row, space in zip(self.rows, self.space)])
        return text

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

    def positions_of(self, texts: frozenset[str]) -> list[int]:
        """The positions of the tokens whose text is one of ``texts``, in order (kept per set)."""
        found = self._positions.get(texts)
        if found is None:
            found = self._positions[texts] = [i for i, text in enumerate(self.orth) if text in texts]
        return found

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
