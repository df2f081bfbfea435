"""JSON, JSON Lines and Reddit exports."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import InputFormatError, MissingColumnsError
from pipeline.ingest.formats.json_records import parse_json, parse_jsonl, parse_reddit
from pipeline.ingest.formats.tabular import parse_csv
from pipeline.ingest.records import ColumnMapping, ParsedItem, RecordReject, SourceText, ThreadInfo
from tests.ingest.items import comments, rejects, threads

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


def run(parser, text: str, columns: ColumnMapping | None = None, name: str = "in.json") -> list[ParsedItem]:
    return list(parser(SourceText(name, text), columns or ColumnMapping()))


def reddit_line(**fields: object) -> str:
    record = {"id": "c1", "author": "ann", "created_utc": 1690000000, "link_id": "t3_p1", "body": "Salt helped."}
    record.update(fields)
    return json.dumps(record)


# --- JSON documents -------------------------------------------------------------------


def test_array_of_records() -> None:
    text = '[{"id": 7, "author": "Ann", "date": "2023-05-01", "text": "Banana at night."}]'
    [comment] = comments(run(parse_json, text))
    assert (comment.locator, comment.native_id, comment.author, comment.posted_at, comment.text) == (
        "record 1",
        "7",
        "Ann",
        "2023-05-01",
        "Banana at night.",
    )


@pytest.mark.parametrize("key", ["comments", "data", "items", "records", "results", "posts"])
def test_object_holding_an_array(key: str) -> None:
    text = json.dumps({"meta": {"count": 2}, key: [{"body": "one"}, {"body": "two"}]})
    assert [c.text for c in comments(run(parse_json, text))] == ["one", "two"]


def test_object_without_a_record_array_is_unusable() -> None:
    with pytest.raises(InputFormatError, match="found keys: meta, total"):
        run(parse_json, '{"meta": {}, "total": 3}')


@pytest.mark.parametrize("value", ['"just text"', "42", "[1, 2]", "null"])
def test_record_that_is_not_an_object_is_rejected(value: str) -> None:
    items = run(parse_json, f'[{{"text": "good"}}, {value}, {{"text": "also good"}}]')
    assert [c.locator for c in comments(items)] == ["record 1", "record 3"]
    [reject] = rejects(items)
    assert reject.locator == "record 2" and reject.reason.startswith("not a JSON object")


def test_truncated_array_keeps_earlier_records() -> None:
    text = '[\n  {"text": "first"},\n  {"text": "second"},\n  {"text": "thi'
    items = run(parse_json, text)
    assert [c.text for c in comments(items)] == ["first", "second"]
    [reject] = rejects(items)
    assert reject.locator == "record 3"
    assert reject.reason.startswith("malformed JSON at line 4 column 12: Unterminated string")
    assert reject.raw == '{"text": "thi'


def test_damage_between_elements_keeps_earlier_records() -> None:
    items = run(parse_json, '[{"text": "a"} {"text": "b"}]')
    assert [c.text for c in comments(items)] == ["a"]
    assert rejects(items)[0].reason == "malformed JSON at line 1 column 16: expected ',' or ']' but found '{'"


def test_truncated_object_document_salvages_its_array() -> None:
    items = run(parse_json, '{"source": "x", "comments": [{"text": "kept"}, {"text": "lo')
    assert [c.text for c in comments(items)] == ["kept"]
    assert len(rejects(items)) == 1


def test_trailing_comma_loses_nothing() -> None:
    items = run(parse_json, '[{"text": "a"}, {"text": "b"},\n]')
    assert [c.text for c in comments(items)] == ["a", "b"] and rejects(items) == []


@pytest.mark.parametrize(
    ("text", "line"),
    [("[{oops}]", 1), ('\n\n{"comments": [nope', 3), ("hello", 1), ("[\n\n  ,]", 3)],
)
def test_nothing_readable_is_unusable(text: str, line: int) -> None:
    with pytest.raises(InputFormatError) as caught:
        run(parse_json, text, name="bad.json")
    assert caught.value.source == "bad.json" and caught.value.line == line
    assert "not valid JSON" in caught.value.detail


def test_empty_file_is_unusable() -> None:
    with pytest.raises(InputFormatError, match="empty file"):
        run(parse_json, "  \n")


def test_empty_array_yields_nothing() -> None:
    assert run(parse_json, "[]") == []


def test_record_without_the_text_field_is_rejected() -> None:
    items = run(parse_json, '[{"text": "a"}, {"author": "Bo"}]')
    assert rejects(items)[0] == RecordReject("record 2", "no 'text' field in this record", '{"author": "Bo"}')


def test_dotted_columns_and_author_objects() -> None:
    text = json.dumps(
        [
            {"msg": {"body": "Quinine scared me off."}, "user": {"login": "ann", "name": ""}, "meta": {"ts": "2023"}},
            {"msg": {"body": "Same."}, "user": {"login": "bo"}, "meta": {"ts": "2024"}},
        ]
    )
    mapping = ColumnMapping(text="msg.body", date="meta.ts")
    found = comments(run(parse_json, text, mapping))
    assert [(c.text, c.author, c.posted_at) for c in found] == [
        ("Quinine scared me off.", "ann", "2023"),
        ("Same.", "bo", "2024"),
    ]
    explicit = comments(run(parse_json, text, ColumnMapping(text="msg.body", author="user.login")))
    assert [c.author for c in explicit] == ["ann", "bo"]


def test_missing_dotted_column_lists_available_paths() -> None:
    with pytest.raises(MissingColumnsError) as caught:
        run(parse_json, '[{"text": "a", "user": {"login": "x"}}]', ColumnMapping(author="user.name"))
    assert caught.value.detail == "no column 'user.name' (columns: text, user, user.login)"


def test_thread_column_in_json() -> None:
    page = "https://example.com/p"
    text = json.dumps([{"text": "a", "url": page, "title": "Cramps"}, {"text": "b", "url": page}])
    items = run(parse_json, text)
    assert threads(items) == [ThreadInfo(page, "Cramps", page)]
    assert {c.thread for c in comments(items)} == {page}


def test_json_lines_content_in_a_json_file() -> None:
    items = run(parse_json, '{"text": "a"}\n{"text": "b"}\n')
    assert [c.locator for c in comments(items)] == ["line 1", "line 2"]


# --- JSON Lines -----------------------------------------------------------------------


def test_jsonl_bad_line_is_rejected_and_reading_goes_on() -> None:
    text = '{"text": "a"}\n{"text": "b"\n\n["not", "an object"]\n{"text": "c"}\n'
    items = run(parse_jsonl, text, name="in.jsonl")
    assert [(c.locator, c.text) for c in comments(items)] == [("line 1", "a"), ("line 5", "c")]
    assert [(r.locator, r.reason.split(":")[0]) for r in rejects(items)] == [
        ("line 2", "malformed JSON"),
        ("line 4", "not a JSON object (found list)"),
    ]
    assert rejects(items)[0].raw == '{"text": "b"'


def test_jsonl_where_no_line_parses_is_unusable() -> None:
    with pytest.raises(InputFormatError) as caught:
        run(parse_jsonl, "\nnot json\nnor this\n", name="x.jsonl")
    assert caught.value.line == 2


def test_jsonl_that_is_really_a_pretty_printed_document() -> None:
    text = json.dumps([{"text": "a"}, {"text": "b"}], indent=2)
    assert [c.locator for c in comments(run(parse_jsonl, text))] == ["record 1", "record 2"]


def test_jsonl_crlf_and_blank_lines() -> None:
    items = run(parse_jsonl, '\r\n{"text": "a"}\r\n\r\n{"text": "b"}\r\n')
    assert [c.locator for c in comments(items)] == ["line 2", "line 4"]


# --- Reddit -------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[deleted]", "[removed]"])
def test_reddit_deleted_and_removed_bodies_are_rejected(body: str) -> None:
    items = run(parse_reddit, reddit_line(body=body))
    assert comments(items) == []
    assert rejects(items)[0].reason == f"deleted by Reddit: {body}"


def test_reddit_deleted_author_becomes_anonymous() -> None:
    [comment] = comments(run(parse_reddit, reddit_line(author="[deleted]")))
    assert comment.author == "" and comment.text == "Salt helped."


@pytest.mark.parametrize(
    ("parent_id", "native_parent"),
    [("t1_abc", "abc"), ("t3_p1", ""), ("t5_sub", ""), ("abc", "abc"), (None, "")],
)
def test_reddit_parents(parent_id: str | None, native_parent: str) -> None:
    [comment] = comments(run(parse_reddit, reddit_line(id="t1_c9", parent_id=parent_id)))
    assert comment.native_id == "c9"
    assert comment.native_parent == native_parent


@pytest.mark.parametrize(
    ("extra", "title"),
    [
        ({"link_title": "Cramps again", "subreddit": "crampsupport"}, "Cramps again"),
        ({"subreddit": "crampsupport"}, "crampsupport"),
    ],
)
def test_reddit_thread_is_the_link(extra: dict, title: str) -> None:
    items = run(parse_reddit, reddit_line(**extra) + "\n" + reddit_line(id="c2", **extra))
    assert [(t.thread, t.title) for t in threads(items)] == [("t3_p1", title)]
    assert [c.thread for c in comments(items)] == ["t3_p1", "t3_p1"]


def test_reddit_epoch_date_and_submitter() -> None:
    [comment] = comments(run(parse_reddit, reddit_line(created_utc=1690000000.0, is_submitter=True)))
    assert comment.posted_at == "1690000000" and comment.is_author


REMOVED_THEN_REPLY = [reddit_line(body="[removed]"), reddit_line(id="c2", parent_id="t1_c1")]


@pytest.mark.parametrize(
    ("parser", "text"),
    [
        (parse_json, "[" + ",".join(REMOVED_THEN_REPLY) + "]"),
        (parse_jsonl, "\n".join(REMOVED_THEN_REPLY)),
    ],
)
def test_reddit_shape_is_detected_automatically(parser, text: str) -> None:
    items = run(parser, text)
    assert rejects(items)[0].reason == "deleted by Reddit: [removed]"
    assert comments(items)[0].native_parent == "c1"


def test_plain_records_are_not_treated_as_reddit() -> None:
    [comment] = comments(run(parse_json, '[{"body": "[deleted]", "author": "[deleted]"}]'))
    assert (comment.text, comment.author) == ("[deleted]", "[deleted]")


def test_reddit_api_listing_with_submission_replies_and_more() -> None:
    reply = {"kind": "t1", "data": {"id": "c2", "parent_id": "t1_c1", "link_id": "t3_p1", "body": "Me too.",
                                    "author": "bo", "created_utc": 2, "replies": ""}}
    top = {"kind": "t1", "data": {"id": "c1", "parent_id": "t3_p1", "link_id": "t3_p1", "body": "Cramps daily.",
                                  "author": "ann", "created_utc": 1,
                                  "replies": {"kind": "Listing", "data": {"children": [reply]}}}}
    more = {"kind": "more", "data": {"children": ["c3"]}}
    submission = {"kind": "t3", "data": {"id": "p1", "name": "t3_p1", "title": "Leg cramps", "author": "op",
                                         "selftext": "Help?", "created_utc": 0, "subreddit": "crampsupport"}}
    document = [
        {"kind": "Listing", "data": {"children": [submission]}},
        {"kind": "Listing", "data": {"children": [top, more]}},
    ]
    items = run(parse_json, json.dumps(document))
    assert items[0] == ThreadInfo("t3_p1", "Leg cramps", "", "op", "0", "Help?")
    assert len(threads(items)) == 1
    assert [(c.locator, c.native_id, c.native_parent, c.text) for c in comments(items)] == [
        ("record 1", "c1", "", "Cramps daily."),
        ("record 2", "c2", "c1", "Me too."),
    ]
    assert rejects(items) == []


def test_reddit_listing_object() -> None:
    listing = {"kind": "Listing", "data": {"children": [json.loads('{"kind": "t1", "data": ' + reddit_line() + "}")]}}
    [comment] = comments(run(parse_reddit, json.dumps(listing, indent=1)))
    assert comment.text == "Salt helped."


# --- sample files -------------------------------------------------------------------


def sample(name: str) -> SourceText:
    return SourceText(f"data/raw/{name}", (RAW / name).read_text(encoding="utf-8"))


def test_sample_app_reviews() -> None:
    items = list(parse_json(sample("app-reviews.json"), ColumnMapping()))
    found = comments(items)
    assert [c.native_id for c in found] == ["rv-1", "rv-2", "rv-3", "rv-4", "rv-5"]
    assert found[0].author == "Marjorie K." and found[3].author == ""
    assert "<p>" not in found[1].text and "once a week" in found[1].text
    assert len(threads(items)) == 2 and rejects(items) == []


def test_sample_reddit_dump() -> None:
    items = list(parse_jsonl(sample("reddit-crampsupport.jsonl"), ColumnMapping()))
    assert [r.reason for r in rejects(items)] == ["deleted by Reddit: [deleted]", "deleted by Reddit: [removed]"]
    found = {c.native_id: c for c in comments(items)}
    assert len(found) == 6
    assert (found["k1b"].native_parent, found["k1c"].native_parent, found["k1a"].native_parent) == ("k1a", "k1b", "")
    assert found["k1f"].author == ""
    assert [(t.thread, t.title) for t in threads(items)] == [
        ("t3_x9f2", "Woke up with a calf cramp again"),
        ("t3_y7k1", "crampsupport"),
    ]


def test_samples_share_exactly_one_duplicate_comment() -> None:
    """The forum export and the app reviews hold one identical comment on purpose."""

    def keys(items: list[ParsedItem]) -> set[tuple[str, str, str, str]]:
        return {(c.thread, c.author, c.posted_at, c.text) for c in comments(items)}

    forum = keys(list(parse_csv(sample("forum-export.csv"), ColumnMapping())))
    reviews = keys(list(parse_json(sample("app-reviews.json"), ColumnMapping())))
    [shared] = forum & reviews
    assert shared[1] == "Marjorie K."
