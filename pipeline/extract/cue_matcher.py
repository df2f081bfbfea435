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

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[SPAN_KEY] = find_cues(doc, self.phrase_matcher, self.pattern_matcher, self.windows)
        return doc


def _hashed(strings, words: frozenset[str]) -> frozenset[int]:
    return frozenset(strings.add(word) for word in words)


def window_matches(lowers: list[int], windows: list[tuple]) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` for every window cue in a Doc given as lower-case word hashes."""
    found = []
    size = len(lowers)
    for label, first, then, last, gap, blockers in windows:
        for start, word in enumerate(lowers):
            if word not in first:
                continue
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


def find_cues(doc: Doc, phrase_matcher: PhraseMatcher, pattern_matcher: Matcher, windows: list[tuple] = ()) -> list[Span]:
    """Cue spans of ``doc``, sorted, with competing cues inside longer ones removed."""
    strings = doc.vocab.strings
    matches = phrase_matcher(doc)
    if len(pattern_matcher):
        matches = [*matches, *pattern_matcher(doc)]
    found = {(start, end, strings[match_id]) for match_id, start, end in matches}
    if windows and len(doc):
        found.update(window_matches(doc.to_array(LOWER).tolist(), windows))
    spans = sorted(found)
    covered = _longest_competing_cover(spans)
    kept = [s for s in spans if s[2] not in COMPETING or not _inside_longer(s, covered)]
    return [Span(doc, start, end, label=label) for start, end, label in kept]


def _longest_competing_cover(spans: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """For every start token, the longest competing cue starting there."""
    longest: dict[int, int] = {}
    for start, end, label in spans:
        if label in COMPETING and end > longest.get(start, start):
            longest[start] = end
    return sorted(longest.items())


def _inside_longer(span: tuple[int, int, str], covers: list[tuple[int, int]]) -> bool:
    start, end, _ = span
    for cover_start, cover_end in covers:
        if cover_start > start:
            break
        if end <= cover_end and cover_end - cover_start > end - start:
            return True
    return False
