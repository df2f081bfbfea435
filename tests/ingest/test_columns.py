"""Column detection and record reading shared by the CSV, TSV and JSON parsers."""
from __future__ import annotations

import pytest

from pipeline.errors import MissingColumnsError, RuleFileError
from pipeline.ingest.formats.columns import (
    MISSING,
    ResolvedColumns,
    ThreadRegistry,
    author_name,
    cell_text,
    column_names,
    comment_text,
    lookup,
    normalize_column_name,
    record_to_comment,
    resolve_columns,
    validated_column_names,
)
from pipeline.ingest.records import ColumnMapping, RawComment, RecordReject


@pytest.mark.parametrize(
    ("columns", "field", "expected"),
    [
        # text
        (["Text"], "text", "Text"),
        (["Comment Text", "Name"], "text", "Comment Text"),
        (["comment-body"], "text", "comment-body"),
        (["REVIEW_TEXT"], "text", "REVIEW_TEXT"),
        (["message", "body"], "text", "body"),  # earlier name in the list wins, not column order
        (["username", "message"], "text", "message"),
        (["post", "comment"], "text", "comment"),
        (["post"], "text", "post"),
        # author
        (["username", "message"], "author", "username"),
        (["Screen Name", "text"], "author", "Screen Name"),
        (["name", "author", "text"], "author", "author"),
        (["text", "rating"], "author", None),
        # date
        (["body", "created_utc"], "date", "created_utc"),
        (["text", "Posted At"], "date", "Posted At"),
        (["text", "updated"], "date", None),
        # id and parent
        (["text", "comment_id", "parent_id"], "id", "comment_id"),
        (["text", "comment_id", "parent_id"], "parent", "parent_id"),
        (["text", "In Reply To"], "parent", "In Reply To"),
        (["text", "parent_uid"], "parent", None),
        # thread: link_id beats subreddit; a column taken as text is not reused
        (["body", "subreddit", "link_id"], "thread", "link_id"),
        (["body", "subreddit"], "thread", "subreddit"),
        (["post", "comment"], "thread", "post"),
        (["post"], "thread", None),
        (["text", "url", "title"], "thread", "url"),
        (["text", "rating"], "thread", None),
    ],
)
def test_auto_detection(columns: list[str], field: str, expected: str | None) -> None:
    resolved = resolve_columns("x.csv", columns, ColumnMapping())
    assert getattr(resolved, field) == expected


@pytest.mark.parametrize(
    ("columns", "expected_title"),
    [
        (["text", "url", "title"], "title"),
        (["text", "thread_id", "Article Title"], "Article Title"),
        (["text", "title"], None),  # the title is the thread itself, not also its title
        (["text", "rating"], None),  # no thread, no title
    ],
)
def test_thread_title_column(columns: list[str], expected_title: str | None) -> None:
    assert resolve_columns("x.csv", columns, ColumnMapping()).thread_title == expected_title


def test_explicit_mapping_wins_and_is_not_reused() -> None:
    resolved = resolve_columns(
        "x.csv", ["title", "notes", "who", "body"], ColumnMapping(text="notes", author="who", thread="body")
    )
    assert (resolved.text, resolved.author, resolved.thread) == ("notes", "who", "body")


def test_explicit_column_is_not_detected_for_another_field() -> None:
    resolved = resolve_columns("x.csv", ["title", "body"], ColumnMapping(text="title"))
    assert resolved.text == "title"
    assert resolved.thread is None


def test_requested_column_matches_loosely() -> None:
    resolved = resolve_columns("x.csv", ["Comment Text", "x"], ColumnMapping(text="comment_text"))
    assert resolved.text == "Comment Text"


def test_missing_requested_column_names_the_columns() -> None:
    with pytest.raises(MissingColumnsError) as caught:
        resolve_columns("in/forum.csv", ["a", "b", "c"], ColumnMapping(author="X"))
    assert caught.value.source == "in/forum.csv"
    assert caught.value.detail == "no column 'X' (columns: a, b, c)"


@pytest.mark.parametrize("columns", [["username", "rating"], ["textile", "bodyweight"], []])
def test_no_text_column(columns: list[str]) -> None:
    with pytest.raises(MissingColumnsError) as caught:
        resolve_columns("f.csv", columns, ColumnMapping())
    assert caught.value.detail.startswith("no text column found among: ")
    assert caught.value.detail.endswith("; use --text-column")


def test_preferred_names_come_first() -> None:
    resolved = resolve_columns("f.json", ["text", "selftext"], ColumnMapping(), preferred={"text": "selftext"})
    assert resolved.text == "selftext"


@pytest.mark.parametrize(
    ("name", "key"),
    [("Comment Text", "commenttext"), ("comment_text", "commenttext"), ("comment-text", "commenttext"), ("ID", "id")],
)
def test_normalize_column_name(name: str, key: str) -> None:
    assert normalize_column_name(name) == key


def test_shipped_column_names_load() -> None:
    names = column_names()
    assert "body" in names["text"]
    assert names["thread"].index("link_id") < names["thread"].index("subreddit")


@pytest.mark.parametrize(
    ("loaded", "message_part"),
    [
        ({**{key: ["x"] for key in column_names()}, "colour": ["red"]}, "unknown key 'colour'"),
        ({key: ["x"] for key in column_names() if key != "author"}, "missing key 'author'"),
        ({**{key: ["x"] for key in column_names()}, "text": "body"}, "text: expected a list"),
        (["text", "body"], "expected a mapping"),
    ],
)
def test_bad_column_names_file(loaded: object, message_part: str) -> None:
    with pytest.raises(RuleFileError) as caught:
        validated_column_names("pipeline/data/column_names.yaml", loaded)
    assert "pipeline/data/column_names.yaml" in str(caught.value)
    assert message_part in str(caught.value)


@pytest.mark.parametrize(
    ("record", "column", "expected"),
    [
        ({"user": {"login": "ann"}}, "user.login", "ann"),
        ({"a": {"b": {"c": 3}}}, "a.b.c", 3),
        ({"user.login": "flat", "user": {"login": "nested"}}, "user.login", "flat"),
        ({"user": {"login": "ann"}}, "user.name", MISSING),
        ({"user": "ann"}, "user.login", MISSING),
        ({"text": None}, "text", None),
        ({"text": "x"}, None, MISSING),
    ],
)
def test_lookup(record: dict, column: str | None, expected: object) -> None:
    found = lookup(record, column)
    if expected is MISSING:
        assert found is MISSING
    else:
        assert found == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (MISSING, ""),
        ("NaN", "NaN"),
        (1690000000.0, "1690000000"),
        (1.5, "1.5"),
        (42, "42"),
        (True, "true"),
        ({"a": 1}, '{"a": 1}'),
    ],
)
def test_cell_text(value: object, expected: str) -> None:
    assert cell_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"name": "Ann", "id": 3}, "Ann"),
        ({"login": "ann_b"}, "ann_b"),
        ({"name": "", "username": "fallback"}, "fallback"),
        ({"id": 3}, ""),
        ("Plain Name", "Plain Name"),
        (None, ""),
    ],
)
def test_author_name(value: object, expected: str) -> None:
    assert author_name(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<p>One.</p><p>Two.</p>", "One.\nTwo.\n"),
        ("line<br>break", "line\nbreak"),
        ("I <3 mustard", "I <3 mustard"),
        ("dose < 5 mg and > 2 mg", "dose < 5 mg and > 2 mg"),
        ("fish &amp; chips", "fish &amp; chips"),  # entities are the assembler's job
    ],
)
def test_comment_text(value: str, expected: str) -> None:
    assert comment_text(value) == expected


def test_record_without_text_field_is_rejected() -> None:
    columns = ResolvedColumns(text="body", author="author")
    assert isinstance(record_to_comment("record 1", {"body": ""}, columns, "{}"), RawComment)
    rejected = record_to_comment("record 2", {"author": "x"}, columns, "{}")
    assert rejected == RecordReject("record 2", "no 'body' field in this record", "{}")


def test_thread_registry_announces_once() -> None:
    threads = ThreadRegistry()
    first = threads.announce("t1", "Title")
    assert first is not None and (first.thread, first.title) == ("t1", "Title")
    assert threads.announce("t1", "Other") is None
    assert threads.announce("") is None
    page = threads.announce("https://example.com/a")
    assert page is not None and page.url == "https://example.com/a" and page.title == "https://example.com/a"
