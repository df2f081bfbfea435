"""Property-based tests: ingest and extract must hold their invariants for any input text.

Hypothesis feeds each parser arbitrary text (control characters, quotes, angle brackets,
very long lines), both raw and poured into a skeleton of the parser's own format so that
the generated files get past the "is this the right kind of file" check. Extraction gets
arbitrary text and text built from lexicon words, cues and markup. Each test is capped at
a few dozen examples so that the whole module stays fast.
"""
from __future__ import annotations

import csv
import io
import json
import random
from html import escape

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from pipeline.errors import PipelineError
from pipeline.extract.nlp import build_nlp
from pipeline.extract.stage import extract_claims
from pipeline.ingest.records import RawSource
from pipeline.ingest.stage import IngestOptions, IngestResult, ingest_sources

FEW = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

EXTENSIONS = {
    "page": "txt", "html": "html", "csv": "csv", "tsv": "tsv", "json": "json",
    "jsonl": "jsonl", "reddit": "json", "wxr": "xml", "disqus": "xml",
}
ROLES = {"remedy", "trigger", "mention"}
EFFECTS = {"helped", "partial", "no_effect", "worsened", "unclear"}
EXPERIENCERS = {"self", "family", "friend", "other", "general"}
CLAIM_KEY = ["concept", "role", "effect", "negated", "hedged", "question", "experiencer", "start", "end", "surface"]

# --- strategies -------------------------------------------------------------------

HOSTILE_CHARS = st.sampled_from(
    ["\x00", "\x01", "\x1b", "\x7f", "\r", "\n", "\t", '"', "'", "<", ">", "&", ",", "\\", "{", "}", "[", "]",
     "\u200b", "\ufeff", "\u2028", "é", "🙂"]
)
HOSTILE_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(HOSTILE_CHARS, st.text(max_size=8)), max_size=60).map("".join),
    st.tuples(st.sampled_from(["a", "x<", '"', "\t"]), st.integers(1000, 20_000)).map(lambda p: p[0] * p[1]),
)
FIELD = st.one_of(HOSTILE_TEXT, st.text(alphabet="abc def", max_size=20))


def _page(fields: list[str]) -> str:
    pairs = enumerate(zip(fields[::2], fields[1::2]))
    blocks = [f"{name} on August {day % 28 + 1:02d}, 2018:\n\n{body}" for day, (name, body) in pairs]
    return "Leg cramps at night\n\nReader Feedback\n\n" + "\n\n".join(blocks)


def _html(fields: list[str]) -> str:
    items = "".join(f'<li class="comment"><cite>{a}</cite><p>{b}</p></li>' for a, b in zip(fields[::2], fields[1::2]))
    return f"<html><body><h1>Cramps</h1><ol class='comment-list'>{items}</ol></body></html>"


def _delimited(fields: list[str], sep: str) -> str:
    """Well-quoted rows; the raw and truncated variants of ``input_text`` cover broken quoting."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep)
    writer.writerow(["author", "text", "date"])
    writer.writerows([a, b, "2021-01-02"] for a, b in zip(fields[::2], fields[1::2]))
    return out.getvalue()


def _json_array(fields: list[str]) -> str:
    pairs = enumerate(zip(fields[::2], fields[1::2]))
    return json.dumps([{"id": str(i), "author": a, "text": b} for i, (a, b) in pairs])


def _jsonl(fields: list[str]) -> str:
    return "\n".join(json.dumps({"author": a, "text": b}) for a, b in zip(fields[::2], fields[1::2]))


def _reddit(fields: list[str]) -> str:
    return "\n".join(
        json.dumps({"id": f"c{i}", "author": a, "body": b, "link_id": "t3_x", "parent_id": "t3_x", "created_utc": 16e8})
        for i, (a, b) in enumerate(zip(fields[::2], fields[1::2]))
    )


def _wxr(fields: list[str]) -> str:
    comments = "".join(
        f"<wp:comment><wp:comment_id>{i}</wp:comment_id><wp:comment_author>{escape(a)}</wp:comment_author>"
        f"<wp:comment_content><![CDATA[{b}]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
        "</wp:comment>"
        for i, (a, b) in enumerate(zip(fields[::2], fields[1::2]), start=1)
    )
    return (
        '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<item><title>Cramps</title><wp:post_id>7</wp:post_id>{comments}</item></channel></rss>"
    )


def _disqus(fields: list[str]) -> str:
    posts = "".join(
        f'<post dsq:id="p{i}"><message><![CDATA[{b}]]></message><author><name>{escape(a)}</name></author>'
        '<thread dsq:id="t1"/></post>'
        for i, (a, b) in enumerate(zip(fields[::2], fields[1::2]))
    )
    return (
        '<?xml version="1.0"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        f'<thread dsq:id="t1"><title>Cramps</title></thread>{posts}</disqus>'
    )


SKELETONS = {
    "page": _page, "html": _html, "csv": lambda f: _delimited(f, ","), "tsv": lambda f: _delimited(f, "\t"),
    "json": _json_array, "jsonl": _jsonl, "reddit": _reddit, "wxr": _wxr, "disqus": _disqus,
}


def input_text(format_name: str) -> st.SearchStrategy[str]:
    """Arbitrary text, or arbitrary fields poured into the format's skeleton (sometimes cut short)."""
    skeleton = SKELETONS[format_name]
    shaped = st.lists(FIELD, min_size=2, max_size=8).map(skeleton)
    truncated = st.tuples(shaped, st.floats(0.0, 1.0)).map(lambda p: p[0][: int(len(p[0]) * p[1])])
    return st.one_of(HOSTILE_TEXT, shaped, truncated)


LEXICON_PIECES = [
    "magnesium", "tonic water", "cramps", "helps", "didn't", "my mom", "?", "<b>", "</b>", "\u200b", "!!!!",
    "pickle juice", "quinine", "leg cramps", "worse", "not", "maybe", "I", "take", "at night", ".", ",", "\n",
    "banana", "stopped", "never", "my husband", "you should", "@Anna:", "red wine", "triggers", "mustard",
]
LEXICON_TEXT = st.lists(st.sampled_from(LEXICON_PIECES), max_size=30).map(" ".join)
# Sentence-shaped text, so that many examples make remedy and trigger claims, not only mentions.
CLAIM_SENTENCE = st.tuples(
    st.sampled_from(["", "my mom says", "I think", "didn't", "you should try", "@Anna:", "<b>", "\u200b"]),
    st.sampled_from(["magnesium", "tonic water", "pickle juice", "red wine", "banana", "quinine", "mustard"]),
    st.sampled_from(["helps", "didn't help", "triggers", "made worse", "stopped", "never helped", "maybe helps"]),
    st.sampled_from(["my cramps", "my leg cramps", "the cramps at night", "cramps"]),
    st.sampled_from([".", "?", "!!!!", "", " </b>", "\u200b."]),
).map(lambda parts: " ".join(part for part in parts[:4] if part) + parts[4])
CLAIM_TEXT = st.lists(CLAIM_SENTENCE, min_size=1, max_size=4).map(" ".join)
COMMENT_TEXT = st.one_of(
    CLAIM_TEXT,
    LEXICON_TEXT,
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(LEXICON_PIECES), HOSTILE_CHARS), max_size=40).map("".join),
)

# --- ingest -----------------------------------------------------------------------


def ingest(format_name: str, text: str) -> IngestResult:
    source = RawSource(f"x.{EXTENSIONS[format_name]}", text.encode("utf-8"))
    return ingest_sources([source], IngestOptions(input_format=format_name, keep_going=True))


def assert_ingest_invariants(result: IngestResult) -> None:
    sources = result.sources
    assert (sources["records"] == sources["kept"] + sources["rejected"] + sources["duplicates"]).all()
    kept = result.comments.groupby("source").size()
    for row in sources.itertuples():
        assert int(kept.get(row.source, 0)) == row.kept
    assert result.comments["comment_id"].is_unique
    for _, positions in result.comments.groupby("source")["position"]:
        assert positions.is_monotonic_increasing and positions.is_unique


@pytest.mark.parametrize("format_name", sorted(EXTENSIONS))
@FEW
@given(data=st.data())
def test_any_text_ingests_without_error_and_reconciles(format_name, data):
    text = data.draw(input_text(format_name), label="text")
    assert_ingest_invariants(ingest(format_name, text))


@pytest.mark.parametrize("format_name", sorted(EXTENSIONS))
@FEWER
@given(data=st.data())
def test_same_bytes_give_same_comments(format_name, data):
    text = data.draw(input_text(format_name), label="text")
    first, second = ingest(format_name, text), ingest(format_name, text)
    assert first.comments.equals(second.comments)
    assert first.sources.equals(second.sources)


def test_unknown_format_is_a_pipeline_error():
    with pytest.raises(PipelineError):
        ingest_sources([RawSource("x.txt", b"hi")], IngestOptions(input_format="nope", keep_going=True))


# --- extract ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_nlp()


def assert_claim_invariants(comments: pd.DataFrame, claims: pd.DataFrame) -> None:
    text_of = dict(zip(comments["comment_id"], comments["text"]))
    for row in claims.itertuples():
        text = text_of[row.comment_id]
        assert 0 <= row.start <= row.end <= len(text), row
        assert text[row.start : row.end] == row.surface, row
        assert row.role in ROLES and row.effect in EFFECTS and row.experiencer in EXPERIENCERS, row
    assert claims["claim_id"].is_unique


def claim_sets(claims: pd.DataFrame) -> dict[str, set[tuple]]:
    sets: dict[str, set[tuple]] = {}
    for row in claims[["comment_id", *CLAIM_KEY]].itertuples(index=False):
        sets.setdefault(row[0], set()).add(tuple(row[1:]))
    return sets


def comments_frame(texts: list[str], parent_picks: list[int]) -> pd.DataFrame:
    """Comments c0..cN; a pick k > 0 makes comment i a reply to comment i - k (when that exists)."""
    ids = [f"c{i}" for i in range(len(texts))]
    parents = [ids[i - k] if 0 < k <= i else "" for i, k in enumerate(parent_picks)]
    return pd.DataFrame({"comment_id": ids, "text": texts, "parent_id": parents})


@FEW
@given(text=COMMENT_TEXT)
@example(text="magnesium helps my cramps\u200b!!!! <b>tonic water</b> didn't help my mom?")
def test_any_comment_extracts_with_valid_rows(nlp, text):
    comments = comments_frame([text], [0])
    assert_claim_invariants(comments, extract_claims(comments, nlp=nlp))


@FEWER
@given(
    texts=st.lists(COMMENT_TEXT, min_size=1, max_size=6),
    picks=st.lists(st.integers(0, 3), min_size=6, max_size=6),
    seed=st.integers(0, 2**16),
)
def test_claims_do_not_depend_on_comment_order(nlp, texts, picks, seed):
    comments = comments_frame(texts, picks[: len(texts)])
    shuffled = comments.sample(frac=1.0, random_state=random.Random(seed).randrange(2**16)).reset_index(drop=True)
    in_order, out_of_order = extract_claims(comments, nlp=nlp), extract_claims(shuffled, nlp=nlp)
    assert_claim_invariants(comments, in_order)
    assert_claim_invariants(shuffled, out_of_order)
    assert claim_sets(in_order) == claim_sets(out_of_order)
