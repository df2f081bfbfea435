"""Which cues speak about a mention: clauses, lists, borrowed and following cues, and the
mention's attributes (negation, hedging, question, experiencer).

Cues attach to a mention through its *segment*: the stretch of the sentence between clause
breaks (``but``, ``;``, a comma that opens a new subject...). A segment with no effect cue of
its own borrows from cue-only segments of the same sentence, then from the next sentences
when those name no concept ("I take X daily. It really helps.").
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Callable, Iterable


from pipeline.extract.doc_state import Marked, Sentence, concepts_near, inside
from pipeline.extract.words import Words

EFFECT_LABELS = frozenset({
    "helped", "partial", "no_effect", "no_reaction", "worsened", "caused_by", "cessation", "relief_outcome",
    "cramp_outcome", "conditional", "temporal", "purpose", "advised", "intent", "unrelated",
})

STATE_LABELS = frozenset({"relief_outcome", "cramp_outcome"})

ACTING_LABELS = frozenset({"use", "cessation", "conditional", "temporal", "purpose", "advised", "intent", "tried"})

OUTCOME_LABELS = frozenset({"helped", "partial", "no_effect", "no_reaction", "relief_outcome", "cramp_outcome"})

PERSON_LABELS = ("family", "friend", "other_person")

SUBJECT_PRONOUNS = frozenset({"i", "my", "me", "we", "our", "she", "he", "they", "it", "her", "his", "their", "you"})

REFERENCE_PRONOUNS = frozenset({"it", "this", "that", "they", "them", "these", "those", "which"})

FIRST_PERSON = frozenset({"i", "my", "me", "i'm", "im", "myself", "mine", "we", "our", "us"})

THIRD_PERSON = frozenset({"she", "he", "they", "her", "his", "him", "their"})

ADDRESSEES = SUBJECT_PRONOUNS | {"anyone", "anybody"}

CLAUSE_PUNCT = frozenset({";", ":", "!", "?", "—", "–", "...", "--"})

# The only tokens that can end a clause (the others are skipped over).
BREAKING_TEXTS = CLAUSE_PUNCT | {",", "-"}

SOFT_CLAUSE_OPENERS = frozenset({"and", "so", "then", "which", "because", "as", "now"})

LIST_SEPARATORS = frozenset({
    ",", "and", "or", "&", "/", "plus", "nor", "and/or", "also", "the", "a", "an", "some", "more", "my", "extra",
    "of", "lots", "plenty", "with", "+",
})

# A negation before the first item of a plain list covers the rest ("don't take my magnesium,
# iron or zinc"), but not across quantifiers ("no alcohol, no soda, lots of water").
PLAIN_LIST_SEPARATORS = frozenset({",", "and", "or", "&", "/", "nor", "...", "and/or"})

NEGATION_WINDOW = 3

FOLLOWING_SENTENCES = 2

def attached_cues(
    mention: Marked,
    segment: tuple[int, int],
    segments: list[tuple[int, int]],
    sentence_cues: list[Marked],
    sentence: Sentence,
    following: list[Marked],
    negated: bool = False,
    free_cues: Callable[[], list[tuple[Marked, bool]]] | None = None,
) -> list[Marked]:
    """The cues that speak about ``mention``: its segment's, else borrowed ones.

    A segment without an effect cue borrows the effect cues of segments in the same
    sentence that name no concept, and then outcome cues from the next sentences.
    ``free_cues`` (giving what :func:`cues_in_free_segments` gives, the same for every mention of
    the sentence) saves working that out again.
    """
    start, end = segment
    mentions = [m for m in concepts_near(mention) if start <= m.start < end]
    alone = len(mentions) < 2  # nothing can stand between a cue and the segment's only mention
    own = [
        c for c in sentence_cues
        if start <= c.start and c.end <= end and not inside(c, mention) and (alone or not _separated(mention, c, mentions))
        and not (c.label_ == "relief_outcome" and c.end == mention.start)  # "no more sugar": not an outcome
    ]
    if not any(c.label_ in EFFECT_LABELS for c in own):
        free = _free(mention, segment, segments, sentence_cues, free_cues)
        own += [c for c in free if c.label_ in EFFECT_LABELS and (c.start >= end or c.label_ in STATE_LABELS)]
    elif not any(c.label_ in OUTCOME_LABELS for c in own):
        free = _free(mention, segment, segments, sentence_cues, free_cues)
        causal = any(c.label_ in {"worsened", "caused_by"} for c in own)
        own += [
            c for c in free
            if (c.label_ in OUTCOME_LABELS or c.label_ == "worsened" and not causal)
            and (c.start >= end or c.label_ in STATE_LABELS)
        ]
    if not any(c.label_ in OUTCOME_LABELS for c in own) and not negated and _acts_on(mention, own, mentions):
        own += following
    return own

def _free(
    mention: Marked, segment: tuple[int, int], segments: list[tuple[int, int]], sentence_cues: list[Marked],
    free_cues: Callable[[], list[tuple[Marked, bool]]] | None,
) -> list[Marked]:
    """Cues outside the mention's segment, in segments that name no concept."""
    start, end = segment
    free = cues_in_free_segments(concepts_near(mention), segments, sentence_cues) if free_cues is None else free_cues()
    return [c for c, free_segment in free if free_segment and not (start <= c.start and c.end <= end)]

def _acts_on(mention: Marked, cues: list[Marked], mentions: list[Marked]) -> bool:
    """Later sentences' outcomes belong to a mention that something is done with (taken,
    stopped, tried...), or to the only thing its clause names."""
    if any(c.label_ in ACTING_LABELS for c in cues) or len({m.concept for m in mentions}) == 1:
        return True
    first_in_sentence = min(mentions, key=lambda m: m.start, default=mention)
    return first_in_sentence.start == mention.start

def _separated(mention: Marked, cue: Marked, mentions: list[Marked]) -> bool:
    """Another mention stands between the cue and this one, and is not in a list with it."""
    low, high = (mention.end, cue.start) if cue.start >= mention.end else (cue.end, mention.start)
    between = [
        m for m in mentions
        if low <= m.start and m.end <= high and m.concept != mention.concept and m.label_ != "condition"
        and not m.ambiguous
    ]
    if not between:
        return False
    words = mention.words
    chain = sorted([mention, *between], key=lambda m: m.start)
    return not all(_only_separators(words, a.end, b.start) for a, b in zip(chain, chain[1:]))

def _only_separators(words: Words, start: int, end: int) -> bool:
    lower, is_space = words.lower, words.is_space
    for i in range(start, end):
        if lower[i] not in LIST_SEPARATORS and not is_space[i]:
            return False
    return True

def cues_in_free_segments(
    mentions: list[Marked], segments: list[tuple[int, int]], sentence_cues: list[Marked]
) -> list[tuple[Marked, bool]]:
    """Each cue of the sentence, and whether its segment names no concept (it may lend its cues)."""
    # A mention's tokens fall in a segment when the two token ranges overlap.
    free = {
        segment: not any(m.start < segment[1] and segment[0] < m.end for m in mentions)
        for segment in segments
    }
    return [(c, free[segment_of(c, segments)]) for c in sentence_cues]

def following_context(index: int, sentences: list[Sentence], mentions: list[list[Marked]], cues: list[list[Marked]]) -> list[Marked]:
    """Cues of the next sentences that still speak about this sentence's concepts.

    A sentence that points back ("It really helps", "I wonder if that is related") lends
    its effect and hedge cues; a sentence that names no new concept lends its outcome cues
    ("No leg cramps for months."). The search ends at the first outcome, or at a sentence
    that names a concept of its own (conditions aside).
    """
    concepts_here = {m.concept for m in mentions[index]}
    lent: list[Marked] = []
    for later in range(index + 1, min(index + 1 + FOLLOWING_SENTENCES, len(cues))):
        if any(m.label_ != "condition" and m.concept not in concepts_here for m in mentions[later]):
            break
        if _points_back(sentences[later], cues[later]):
            lent.extend(c for c in cues[later] if c.label_ in EFFECT_LABELS or c.label_ == "hedge")
        else:
            lent.extend(c for c in cues[later] if c.label_ in OUTCOME_LABELS)
        if any(c.label_ in OUTCOME_LABELS for c in lent):
            break
    return lent

def _points_back(sentence: Sentence, cues: Iterable[Marked]) -> bool:
    """A pronoun before the sentence's first outcome ("It really helps", "and it eased off")."""
    first_outcome = min((c.end for c in cues if c.label_ in OUTCOME_LABELS), default=sentence.end)
    return not REFERENCE_PRONOUNS.isdisjoint(sentence.words.lower[sentence.start:first_outcome])


def segment_bounds(sentence: Sentence, cues: Iterable[Marked], *, dashes: bool = False) -> list[tuple[int, int]]:
    """Token ranges of the sentence's clauses (see module docstring).

    With ``dashes``, a spaced hyphen also breaks a clause: used to find where a question
    begins ("no cramps on holiday - could it be the salt?"), but not for attaching cues,
    since dashes as often enclose an aside ("relief - at least by day - from stockings").
    """
    words = sentence.words
    texts, lower, space = words.orth, words.lower, words.space
    breaks = {c.start for c in cues if c.label_ == "contrast" and c.start > sentence.start}
    marks = words.positions_of(BREAKING_TEXTS)
    for i in marks[bisect_left(marks, sentence.start) : bisect_left(marks, sentence.end)]:
        text = texts[i]
        spaced_dash = dashes and text == "-" and space[i] and i > 0 and space[i - 1]
        if (text in CLAUSE_PUNCT or spaced_dash) and i + 1 < sentence.end:
            breaks.add(i + 1)
        elif text == "," and i + 1 < sentence.end:
            following = lower[i + 1]
            if following in SUBJECT_PRONOUNS or following in SOFT_CLAUSE_OPENERS:
                breaks.add(i + 1)
    bounds = [sentence.start, *sorted(b for b in breaks if sentence.start < b < sentence.end), sentence.end]
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]

def segment_of(span: Marked, segments: list[tuple[int, int]]) -> tuple[int, int]:
    for segment in segments:
        if segment[0] <= span.start < segment[1]:
            return segment
    return segments[-1]

def is_question(sentence: Sentence, cues: Iterable[Marked], text: str | None = None) -> bool:
    """A sentence asks when it ends with ``?`` or opens with a question phrase
    ("has anyone tried ..."), and is not a rhetorical claim ("am I the only one ...")."""
    cues = list(cues)
    if any(c.label_ == "rhetorical" for c in cues):
        return False
    if (sentence.text if text is None else text).rstrip().endswith("?"):
        return True
    first = _first_word(sentence)
    first = sentence.start if first is None else first
    return any(c.label_ == "question_start" and c.start == first and len(c) > 1 for c in cues)

def _first_word(sentence: Sentence) -> int | None:
    """The first token of the sentence that is neither space nor punctuation."""
    return sentence.first_word

def question_start(sentence: Sentence, cues: Iterable[Marked], segments: list[tuple[int, int]], question_words: frozenset[str] = frozenset()) -> int:
    """Where the asking begins: the last clause that opens with a question word, else the
    sentence start ("I had no cramps on holiday - could it be the salt?" asks only about salt)."""
    openers = {c.start for c in cues if c.label_ in {"question_start", "hedge"}}
    lower, is_punct, is_space = sentence.words.lower, sentence.words.is_punct, sentence.words.is_space
    openers |= {i for i in range(sentence.start, sentence.end) if lower[i] in question_words}
    start = sentence.start
    contrast_words = {c.start for c in cues if c.label_ == "contrast"}
    for segment_start, segment_end in segments:
        words = [i for i in range(segment_start, segment_end) if not is_punct[i] and not is_space[i]]
        if words and words[0] in contrast_words:
            words = words[1:]
        if words and words[0] in openers:
            start = segment_start
    return start

def negation_cue(mention: Marked, segment: tuple[int, int], cues: Iterable[Marked]) -> Marked | None:
    """A negation right before the mention, or before the head of the list it is in
    ("I don't drink coffee", "they don't take my magnesium, iron or zinc")."""
    head = list_head(mention, segment)
    for cue in cues:
        if cue.label_ == "negation" and segment[0] <= cue.start and cue.end <= head.start:
            if head.start - cue.end <= NEGATION_WINDOW:
                return cue
    return None

def list_head(mention: Marked, segment: tuple[int, int]) -> Marked:
    """The first mention of the list (joined by commas, "and", "or") that ``mention`` ends."""
    lower, is_space = mention.words.lower, mention.words.is_space
    earlier = [m for m in concepts_near(mention) if segment[0] <= m.start and m.end <= mention.start]
    head = mention
    for candidate in reversed(earlier):
        if not all(lower[i] in PLAIN_LIST_SEPARATORS or is_space[i] for i in range(candidate.end, head.start)):
            break
        head = candidate
    return head

def hedge_cue(mention: Marked, segment: tuple[int, int], cues: Iterable[Marked]) -> Marked | None:
    """A hedge before the mention in its sentence, or anywhere in its segment."""
    for cue in cues:
        if cue.label_ == "hedge" and (cue.start < mention.start or segment[0] <= cue.start < segment[1]):
            return cue
    return None

def experiencer_of_sentence(sentence: Sentence, cues: Iterable[Marked], previous: str, imperatives: frozenset[str]) -> str:
    """Who the sentence is about, before looking at any one mention."""
    first = _first_word(sentence)
    if first is None:
        return "self"
    person = next((c for c in cues if c.label_ in PERSON_LABELS and c.start - first <= 2), None)
    if person is not None:
        return _experiencer_label(person.label_)
    lower = sentence.words.lower
    carried = previous in {"family", "friend", "other"}
    if carried and (lower[first] in THIRD_PERSON or FIRST_PERSON.isdisjoint(lower[sentence.start:sentence.end])):
        return previous
    if any(c.label_ == "general" for c in cues):
        return "general"
    second = lower[first + 1] if first + 1 < sentence.end else None
    if lower[first] in imperatives and (second is None or second not in ADDRESSEES):
        return "general"
    return "self"

def experiencer_of_mention(
    mention: Marked, segment: tuple[int, int], cues: Iterable[Marked], sentence_experiencer: str
) -> tuple[str, Marked | None]:
    """A person named in the mention's segment overrides the sentence's experiencer."""
    for cue in cues:
        if cue.label_ not in PERSON_LABELS or not segment[0] <= cue.start < segment[1]:
            continue
        before = cue.end <= mention.start
        beneficiary = cue.start >= mention.end and cue.start > 0 and cue.words.lower[cue.start - 1] == "for"
        if before or beneficiary:
            return _experiencer_label(cue.label_), cue
    return sentence_experiencer, None

def _experiencer_label(cue_label: str) -> str:
    return "other" if cue_label == "other_person" else cue_label
