"""The ``claim_cues`` component: marks cue phrases (effects, negation, hedges, experiencers...).

Writes ``doc.spans["cues"]``, each span labelled with its cue label. Overlaps between labels
are kept; within the effect and context labels a cue inside a longer cue is dropped, so
"didn't help" is one ``no_effect`` cue rather than ``negation`` plus ``helped``.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from pipeline.extract.cues import CueSet, cached_cues

SPAN_KEY = "cues"
# Labels that compete for the same words: the longest cue wins among them.
COMPETING = frozenset({
    "helped", "partial", "no_effect", "no_reaction", "worsened", "caused_by", "cessation", "use", "purpose", "relief_outcome",
    "intent", "tried",
    "cramp_outcome", "conditional", "temporal", "hedge", "negation", "rhetorical",
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
            if phrases:
                self.phrase_matcher.add(label, list(nlp.tokenizer.pipe(phrases)))
        for label, patterns in cues.patterns.items():
            if patterns:
                self.pattern_matcher.add(label, [list(p) for p in patterns])

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[SPAN_KEY] = find_cues(doc, self.phrase_matcher, self.pattern_matcher)
        return doc


def find_cues(doc: Doc, phrase_matcher: PhraseMatcher, pattern_matcher: Matcher) -> list[Span]:
    """Cue spans of ``doc``, sorted, with competing cues inside longer ones removed."""
    strings = doc.vocab.strings
    spans = {
        (start, end, strings[match_id])
        for match_id, start, end in [*phrase_matcher(doc), *pattern_matcher(doc)]
    }
    competing = [s for s in spans if s[2] in COMPETING]
    kept = [s for s in spans if s[2] not in COMPETING or not _inside_longer(s, competing)]
    return [Span(doc, start, end, label=label) for start, end, label in sorted(kept)]


def _inside_longer(span: tuple[int, int, str], others: list[tuple[int, int, str]]) -> bool:
    start, end, _ = span
    return any(o[0] <= start and end <= o[1] and (o[1] - o[0]) > (end - start) for o in others)
