"""The ``claim_cues`` component: marks cue phrases (effects, negation, hedges, experiencers...).

Writes ``doc.spans["cues"]``, each span labelled with its cue label. Overlaps between labels
are kept; within the effect and context labels a cue inside a longer cue is dropped, so
"didn't help" is one ``no_effect`` cue rather than ``negation`` plus ``helped``.
"""
from __future__ import annotations

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from pipeline.extract.cues import CueSet, cached_cues
from pipeline.extract.doc_state import Marked, keep_marked
from pipeline.extract.words import words_of

SPAN_KEY = "cues"
# Labels used as plain word sets by the components (never as spans), and labels whose single
# words ("is", "it") are checked as words where needed: matching them everywhere costs time.
WORD_LABELS = frozenset({"discovery_stop", "claim_verb", "imperative"})
MULTIWORD_ONLY = frozenset({"question_start", "reply_reference"})
# Labels that compete for the same words: the longest cue wins among them.
COMPETING = frozenset({
    "helped", "partial", "no_effect", "no_reaction", "worsened", "caused_by", "cessation", "use", "purpose", "relief_outcome",
    "intent", "tried", "advised", "unrelated",
    "cramp_outcome", "conditional", "temporal", "negation", "rhetorical",
})


@Language.factory("claim_cues", assigns=["doc.spans"], default_config={"cue_paths": []})
def make_cue_matcher(nlp: Language, name: str, cue_paths: list[str]) -> "CueMatcher":
    return CueMatcher(nlp, cached_cues(tuple(cue_paths)))


class CueMatcher:
    """Holds one PhraseMatcher and one Matcher over all cue labels, built once."""

    def __init__(self, nlp: Language, cues: CueSet) -> None:
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.pattern_matcher = Matcher(nlp.vocab)
        for label, phrases in cues.phrases.items():
            if label in WORD_LABELS:
                continue
            if label in MULTIWORD_ONLY:
                phrases = tuple(p for p in phrases if " " in p)
            if phrases:
                self.phrase_matcher.add(label, list(nlp.tokenizer.pipe(phrases)))
        for label, patterns in cues.patterns.items():
            if patterns:
                self.pattern_matcher.add(label, [list(p) for p in patterns])
        strings = nlp.vocab.strings
        self.windows = [
            (label, _hashed(strings, w.first), _hashed(strings, w.then), _hashed(strings, w.last), w.gap, _hashed(strings, w.blockers))
            for label, windows in (cues.windows or {}).items() for w in windows
        ]
        self.windows_by_first = windows_by_first(self.windows)

    def __call__(self, doc: Doc) -> Doc:
        words = words_of(doc)
        found = find_cue_triples(doc, self.phrase_matcher, self.pattern_matcher, self.windows_by_first, words.lower_ids)
        doc.spans[SPAN_KEY] = [Span(doc, start, end, label=label) for start, end, label in found]
        keep_marked(doc, SPAN_KEY, [Marked(words, start, end, label) for start, end, label in found])
        return doc


def windows_by_first(windows: list[tuple]) -> dict[int, list[tuple]]:
    """The window cues indexed by the hashes of their first words (in their order)."""
    index: dict[int, list[tuple]] = {}
    for window in windows:
        for word in window[1]:
            index.setdefault(word, []).append(window)
    return index


def _hashed(strings, words: frozenset[str]) -> frozenset[int]:
    return frozenset(strings.add(word) for word in words)


def find_cues(doc: Doc, phrase_matcher: PhraseMatcher, pattern_matcher: Matcher, windows: list[tuple] = ()) -> list[Span]:
    """Cue spans of ``doc``, sorted, with competing cues inside longer ones removed."""
    lowers = doc.to_array(LOWER).tolist() if len(doc) else []
    found = find_cue_triples(doc, phrase_matcher, pattern_matcher, windows_by_first(windows), lowers)
    return [Span(doc, start, end, label=label) for start, end, label in found]


def find_cue_triples(
    doc: Doc, phrase_matcher: PhraseMatcher, pattern_matcher: Matcher, windows: dict[int, list[tuple]], lowers: list[int]
) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` of the cues of ``doc``, sorted, with competing cues inside longer
    ones removed; ``windows`` as :func:`windows_by_first` gives them, ``lowers`` the word hashes."""
    strings = doc.vocab.strings
    matches = phrase_matcher(doc)
    if len(pattern_matcher):
        matches = [*matches, *pattern_matcher(doc)]
    found = {(start, end, strings[match_id]) for match_id, start, end in matches}
    if windows and lowers:
        found.update(window_matches(lowers, windows))
    return without_covered_competitors(sorted(found))


def without_covered_competitors(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``spans`` (sorted) less the competing cues that lie inside a longer competing cue.

    A cue lies inside a longer one when that one starts before it and reaches its end, or starts
    with it and ends later; one pass, keeping how far the competing cues started so far reach.
    """
    longest: dict[int, int] = {}  # start -> end of the longest competing cue starting there
    for start, end, label in spans:
        if label in COMPETING and end > longest.get(start, start):
            longest[start] = end
    kept = []
    reach = -1  # the furthest end of the competing cues that start before the current start
    current = None
    for span in spans:
        start, end, label = span
        if start != current:
            if current in longest and longest[current] > reach:
                reach = longest[current]
            current = start
        if label in COMPETING and (reach >= end or longest[start] > end):
            continue
        kept.append(span)
    return kept


def window_matches(lowers: list[int], windows: dict[int, list[tuple]]) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` for every window cue in a Doc given as lower-case word hashes;
    ``windows`` indexed by first word (:func:`windows_by_first`)."""
    found = []
    size = len(lowers)
    for start in [i for i, word in enumerate(lowers) if word in windows]:
        for label, _, then, last, gap, blockers in windows[lowers[start]]:
            position = start + 1
            if then:
                if position >= size or lowers[position] not in then:
                    continue
                position += 1
            for index in range(position, min(position + gap + 1, size)):
                if lowers[index] in last:
                    found.append((start, index + 1, label))
                    break
                if lowers[index] in blockers:
                    break
    return found
