"""The plain copies the components read instead of spaCy objects say exactly what spaCy says.

The extract components read token attributes from ``Words`` lists, concept and cue spans
from ``Marked`` copies, and resolve overlapping concepts on tuples (all for speed). A copy
that drifts from the spaCy object it stands for would change claims silently; these tests
compare them on hand-made texts, awkward ones included.
"""
from __future__ import annotations

import pytest
from spacy.tokens import Span
from spacy.util import filter_spans

from pipeline.extract.concept_matcher import SPAN_KEY as CONCEPT_KEY
from pipeline.extract.concept_matcher import _longest_first
from pipeline.extract.cue_matcher import SPAN_KEY as CUE_KEY
from pipeline.extract.cue_matcher import window_matches, windows_by_first
from pipeline.extract.doc_state import marked_spans, sentences_of
from pipeline.extract.words import Words, words_of

TEXTS = [
    "I take Magnesium 400mg at night and it really helps my leg cramps.",
    "Tonic water?? Didn't help.  My husband swears by mustard - go figure!",
    "Dr. Smith said the Lasix (a water pill) causes them... I don't drink coffee, wine or beer.",
    "  leading spaces,\nline breaks\n\nand   runs of  spaces ",
    "Émile's café: crème brûlée; naïve coöperation — 100% 3.5 mg/day e-mail me@example.com http://x.org",
    "",
    "🙂🙂",
    "“Stop Leg Cramps” tablets, U.S.A. made, don't, can't, I'm, y'all",
]


@pytest.mark.parametrize("text", TEXTS)
def test_words_say_what_the_tokens_say(nlp, text):
    doc = nlp.make_doc(text)
    words = Words(doc)
    assert words.text == doc.text
    assert words.orth == [t.text for t in doc]
    assert words.lower == [t.lower_ for t in doc]
    assert words.lower_ids == [t.lower for t in doc]
    assert words.space == [bool(t.whitespace_) for t in doc]
    assert words.idx == [t.idx for t in doc]
    assert words.length == [len(t) for t in doc]
    for name in ("is_space", "is_punct", "is_alpha", "is_title", "is_upper", "like_num", "like_url", "like_email"):
        assert [bool(v) for v in getattr(words, name)] == [getattr(t, name) for t in doc], name


@pytest.mark.parametrize("text", TEXTS)
def test_span_text_and_phrase_match_spacy(nlp, text):
    doc = nlp.make_doc(text)
    words = Words(doc)
    for start in range(len(doc)):
        for end in range(start + 1, min(start + 5, len(doc)) + 1):
            span = doc[start:end]
            assert words.span_text(start, end) == span.text
            assert words.end_char(end) == span.end_char


@pytest.mark.parametrize("text", TEXTS)
def test_sentences_and_marked_spans_match_the_doc(nlp, text):
    doc = nlp(text)
    words = Words(doc)  # a fresh copy: the one the pipeline used has been let go
    assert [(s.start, s.end, s.text, s.start_char, s.end_char) for s in sentences_of(words)] == [
        (s.start, s.end, s.text, s.start_char, s.end_char) for s in doc.sents
    ]
    concepts = marked_spans(doc, CONCEPT_KEY, words, True)
    assert [(m.start, m.end, m.label_, m.concept, m.entry, m.match_rule, m.text, m.start_char, m.end_char, m.sentence)
            for m in concepts] == [
        (s.start, s.end, s.label_, s._.concept, s._.entry, s._.match_rule, s.text, s.start_char, s.end_char, s.sent.start)
        for s in doc.spans[CONCEPT_KEY]
    ]
    cues = marked_spans(doc, CUE_KEY, words, False)
    assert [(c.start, c.end, c.label_, c.text) for c in cues] == [(s.start, s.end, s.label_, s.text) for s in doc.spans[CUE_KEY]]


def test_the_pipeline_leaves_no_copies_in_the_doc(nlp):
    doc = nlp("Magnesium helps my cramps. Coffee makes them worse.")
    assert not [key for key in doc.user_data if isinstance(key, str) and key.startswith("remedy_miner.")]


def test_copies_are_not_used_once_the_span_group_is_replaced(nlp):
    doc = nlp.make_doc("Magnesium helps my cramps.")
    for _, component in nlp.pipeline[:-1]:
        doc = component(doc)
    words = words_of(doc)
    doc.spans[CONCEPT_KEY] = [Span(doc, 2, 3, label="other")]
    assert [(m.start, m.end, m.label_) for m in marked_spans(doc, CONCEPT_KEY, words, True)] == [(2, 3, "other")]


@pytest.mark.parametrize(
    "spans",
    [
        [],
        [(0, 2), (1, 3)],  # same length: the first wins
        [(1, 3), (0, 2)],
        [(0, 1), (0, 3), (2, 4), (3, 5)],
        [(2, 3), (2, 3), (0, 5), (5, 6)],  # duplicates, and one span covering the others
        [(4, 6), (0, 2), (1, 2), (5, 6), (3, 4)],
    ],
)
def test_longest_first_is_spacys_filter_spans(nlp, spans):
    doc = nlp.make_doc("one two three four five six seven")
    expected = [(s.start, s.end, s.label_) for s in filter_spans([Span(doc, a, b, label=str(i)) for i, (a, b) in enumerate(spans)])]
    assert [(a, b, label) for a, b, label in _longest_first([(a, b, str(i)) for i, (a, b) in enumerate(spans)])] == expected


def _window_matches_one_by_one(lowers, windows):
    """The plain reading of a window cue: every start, every window, in turn."""
    found = []
    for label, first, then, last, gap, blockers in windows:
        for start, word in enumerate(lowers):
            if word not in first:
                continue
            position = start + 1
            if then:
                if position >= len(lowers) or lowers[position] not in then:
                    continue
                position += 1
            for index in range(position, min(position + gap + 1, len(lowers))):
                if lowers[index] in last:
                    found.append((start, index + 1, label))
                    break
                if lowers[index] in blockers:
                    break
    return sorted(found)


@pytest.mark.parametrize("text", [*TEXTS, "it made my cramps stop, not worse. to stop the cramps for good", "for for for cramps cramps"])
def test_window_cues_found_by_first_word_are_the_same(nlp, text):
    cue_matcher = nlp.get_pipe("claim_cues")
    lowers = [t.lower for t in nlp.make_doc(text)]
    indexed = sorted(window_matches(lowers, windows_by_first(cue_matcher.windows)))
    assert indexed == _window_matches_one_by_one(lowers, cue_matcher.windows)
