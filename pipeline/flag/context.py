"""One comment as the flag rules see it: its text, sentences, claims and cue hits.

Cue sets are searched lazily and at most once per comment, so a rule that needs the negation
cues only pays for them when it has found something to negate. A finding's *status* says
whether it is current, past, negated, asked about or said in general; rules turn the status
into a severity (a past clot is still a flag, at a lower severity than a swollen calf today).
"""
from __future__ import annotations

import bisect
import re
from typing import Iterable, NamedTuple

from pipeline.flag.rules import Hit, SafetyRules, TextWords, Token, tokenize
from pipeline.flag.text import sentence_index, sentence_spans

NEGATION_WINDOW_WORDS = 5
_CLAUSE_BREAK = re.compile(r"[,;:()]|\b(?:but|however|although|though|and then|until|because)\b", re.IGNORECASE)
# Where a clause ends, for telling "I had a clot years ago and a cramp last night" apart.
_TENSE_BREAK = re.compile(r"[,;:()]|\b(?:and|but|however|although|though|while|whereas|so)\b", re.IGNORECASE)
_WORD = re.compile(r"[\w'’]+")
# Up to three words and nothing else between a finding and the past-time cue that dates it.
_ATTACHED = re.compile(r"\s*(?:[\w'’]+\s+){0,3}$")
MEDICINE_CATEGORIES = frozenset({"medication", "supplement"})


class ClaimView(NamedTuple):
    """The columns of one claim that the rules use, plus the lexicon classes of its concept."""

    concept: str
    category: str
    role: str
    effect: str
    negated: bool
    question: bool
    experiencer: str
    surface: str
    start: int
    end: int
    classes: frozenset[str]


class CommentView:
    """A comment's text with its claims; sentences and cue hits are computed on first use."""

    def __init__(self, comment_id: str, text: str, claims: list[ClaimView], rules: SafetyRules) -> None:
        self.comment_id = comment_id
        self.text = text
        self.claims = claims
        self.rules = rules
        self._sentences: list[tuple[int, int]] | None = None
        self._starts: list[int] = []
        self._hits: dict[str, list[Hit]] = {}
        self._tokens: list[Token] | None = None
        self._words: TextWords | None = None
        self._phrase_hits: dict[str, list[Hit]] | None = None
        self._bounds: dict[str, tuple[list[int], list[int]]] = {}
        self._statuses: dict[tuple[int, int, bool], str] = {}
        self._negated: dict[tuple[int, int], bool] = {}
        #: What a rule works out from the comment alone and another rule needs again, by name.
        self.memo: dict[str, object] = {}

    # Sentences -----------------------------------------------------------------------------

    @property
    def sentences(self) -> list[tuple[int, int]]:
        if self._sentences is None:
            self._sentences = sentence_spans(self.text)
            self._starts = [start for start, _ in self._sentences]
        return self._sentences

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence holding character ``offset``."""
        _ = self.sentences
        return sentence_index(self._starts, offset)

    def sentence_range(self, offset: int, around: int = 0) -> tuple[int, int]:
        """Character range of the sentence at ``offset`` and ``around`` sentences either side."""
        index = self.sentence_of(offset)
        first, last = max(index - around, 0), min(index + around, len(self.sentences) - 1)
        return self.sentences[first][0], self.sentences[last][1]

    # Cues ----------------------------------------------------------------------------------

    @property
    def tokens(self) -> list[Token]:
        """The comment's words and punctuation (computed once, shared by every cue set)."""
        if self._tokens is None:
            self._tokens = tokenize(self.text)
        return self._tokens

    @property
    def all_phrase_hits(self) -> dict[str, list[Hit]]:
        """Phrase hits of every cue set, found in one pass over the words."""
        if self._phrase_hits is None:
            self._phrase_hits = self.rules.phrase_hits(self.text, self.tokens)
        return self._phrase_hits

    @property
    def words(self) -> TextWords:
        """The distinct lower-cased words, for the anchor check of patterns."""
        if self._words is None:
            self._words = TextWords(self.text, self.tokens)
        return self._words

    def hits(self, set_name: str) -> list[Hit]:
        """Hits of one cue set in the whole text (searched once)."""
        found = self._hits.get(set_name)
        if found is None:
            cues = self.rules.cue_sets.get(set_name)
            phrase_hits = self.all_phrase_hits.get(set_name, []) if self.text else []
            if cues is None or not self.text or (not cues.patterns and not phrase_hits):
                found = []
            else:
                found = cues.find(self.text, self.tokens, self.words, phrase_hits)
            self._hits[set_name] = found
        return found

    def hits_between(self, set_name: str, start: int, end: int) -> list[Hit]:
        """Hits of a cue set lying wholly inside ``[start, end)``.

        A set's hits never overlap and come in text order, so both their starts and their ends
        are sorted: the hits inside a range are one slice, found by bisection.
        """
        hits = self.hits(set_name)
        if not hits:
            return []
        bounds = self._bounds.get(set_name)
        if bounds is None:
            bounds = self._bounds[set_name] = ([hit.start for hit in hits], [hit.end for hit in hits])
        starts, ends = bounds
        first = bisect.bisect_left(starts, start)
        return hits[first:bisect.bisect_right(ends, end, first)]

    def near(self, set_name: str, offset: int, around: int = 1) -> list[Hit]:
        """Hits in the sentence at ``offset`` and ``around`` sentences either side."""
        return self.hits_between(set_name, *self.sentence_range(offset, around))

    # Status --------------------------------------------------------------------------------

    def status(self, start: int, end: int, *, check_negation: bool = True) -> str:
        """``negated``, ``historical``, ``question``, ``general`` or ``current`` for a span.

        A span inside an "if" clause ("if one leg is swollen, get it checked") is ``general``:
        advice about a sign is not the sign itself. Worked out once per span (several rules ask).
        """
        key = (start, end, check_negation)
        status = self._statuses.get(key)
        if status is None:
            status = self._statuses[key] = self._status(start, end, check_negation)
        return status

    def _status(self, start: int, end: int, check_negation: bool) -> str:
        sentence_start, sentence_end = self.sentence_range(start)
        if check_negation and self.is_negated(start, end):
            return "negated"
        if self.opens_clause("hypothetical", start):
            return "general"
        if self._historical(sentence_start, sentence_end, start, end):
            return "historical"
        if self.is_question(start):
            return "question"
        if self.hits_between("general", sentence_start, sentence_end):
            return "general"
        return "current"

    def claim_status(self, claim: ClaimView) -> str:
        """The status of a claim: the extract stage's negation and question, then the sentence's tense."""
        if claim.negated:
            return "negated"
        if claim.question:
            return "question"
        status = self.status(claim.start, claim.end, check_negation=False)
        if status == "current" and claim.experiencer == "general":
            return "general"
        return status

    def is_negated(self, start: int, end: int) -> bool:
        """A negation cue in the few words before the span (same clause), or "ruled out" after it."""
        key = (start, end)
        negated = self._negated.get(key)
        if negated is None:
            negated = self._negated[key] = self._is_negated(start, end)
        return negated

    def _is_negated(self, start: int, end: int) -> bool:
        sentence_start, _ = self.sentence_range(start)
        prefix = self.text[sentence_start:start]
        breaks = list(_CLAUSE_BREAK.finditer(prefix))
        clause_start = breaks[-1].end() if breaks else 0
        words = list(_WORD.finditer(prefix, clause_start))
        window_start = sentence_start + (words[-NEGATION_WINDOW_WORDS].start() if len(words) >= NEGATION_WINDOW_WORDS
                                         else clause_start)
        pseudo = self.hits_between("pseudo_negation", sentence_start, end + 40)
        for hit in self.hits_between("negation", window_start, start):
            if not any(p.start <= hit.start and hit.end <= p.end for p in pseudo):
                return True
        return any(hit.start == 0 for hit in self.rules.cues("negation_after").find(self.text[end:end + 40]))

    def opens_clause(self, set_name: str, start: int) -> bool:
        """A cue of ``set_name`` between the start of the span's clause and the span."""
        sentence_start, _ = self.sentence_range(start)
        breaks = list(_CLAUSE_BREAK.finditer(self.text, sentence_start, start))
        clause_start = breaks[-1].end() if breaks else sentence_start
        return bool(self.hits_between(set_name, clause_start, start))

    def in_clause(self, set_name: str, start: int, end: int) -> bool:
        """A cue of ``set_name`` in the span's clause (split at "and", "but", commas...), outside the span."""
        sentence_start, sentence_end = self.sentence_range(start)
        clause_start, clause_end = self._clause(sentence_start, sentence_end, start, end)
        return any(hit.end <= start or hit.start >= end for hit in self.hits_between(set_name, clause_start, clause_end))

    def is_question(self, offset: int) -> bool:
        """The sentence at ``offset`` asks something (a "?" or a question opener)."""
        sentence_start, sentence_end = self.sentence_range(offset)
        if "?" in self.text[sentence_start:sentence_end]:
            return True
        return any(not _WORD.search(self.text, sentence_start, hit.start)
                   for hit in self.hits_between("question", sentence_start, sentence_end))

    def _historical(self, sentence_start: int, sentence_end: int, start: int, end: int) -> bool:
        """Past if a past-time cue follows the span within a few words ("my clot in 2019"); else,
        unless a present-time cue is in the span's clause, if someone else's story opens the
        sentence before the span ("my dad thought... but it was a clot") or a past-time cue is
        in the span's clause; else if the sentence has a past-time cue and no present-time cue."""
        clause_start, clause_end = self._clause(sentence_start, sentence_end, start, end)
        past = [h for h in self.hits_between("history", sentence_start, sentence_end) if h.end <= start or h.start >= end]
        # A date attached to the thing itself outweighs "I'm on" or "now" said of something else.
        if any(h.start >= end and _ATTACHED.match(self.text, end, h.start) for h in past):
            return True
        now = self.hits_between("current", sentence_start, sentence_end)
        if any(clause_start <= h.start < clause_end for h in now):
            return False
        if any(h.end <= start for h in self.hits_between("past_story", sentence_start, sentence_end)):
            return True
        if any(clause_start <= h.start < clause_end for h in past):
            return True
        return bool(past) and not now

    def _clause(self, sentence_start: int, sentence_end: int, start: int, end: int) -> tuple[int, int]:
        before = [m.end() for m in _TENSE_BREAK.finditer(self.text, sentence_start, start)]
        after = _TENSE_BREAK.search(self.text, end, sentence_end)
        return (before[-1] if before else sentence_start), (after.start() if after else sentence_end)

    # Claims --------------------------------------------------------------------------------

    def medicine_claims(self, categories: Iterable[str] = MEDICINE_CATEGORIES) -> list[ClaimView]:
        """Claims of medicines or supplements (any role) that are not negated."""
        wanted = frozenset(categories)
        return [claim for claim in self.claims if claim.category in wanted and not claim.negated]

    def remedy_or_medicine_claims(self) -> list[ClaimView]:
        """Medicines, supplements and topicals named, and anything put forward as a remedy, not negated."""
        return [
            claim for claim in self.claims
            if not claim.negated and (claim.category in MEDICINE_CATEGORIES | {"topical"} or claim.role == "remedy")
        ]
