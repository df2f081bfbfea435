"""The real saved page from ../shared/seeds/, ingested end to end (never copied into the repo)."""
from __future__ import annotations

import pytest

from pipeline.ingest.records import RawSource
from pipeline.ingest.stage import ingest_sources


@pytest.fixture
def seed_tables(seed_page):
    return ingest_sources([RawSource(seed_page.name, seed_page.read_bytes())])


def test_the_page_gives_52_comments_and_one_blank_reject(seed_tables):
    assert len(seed_tables.comments) == 52
    assert seed_tables.rejects[["locator", "reason"]].to_dict("records") == [
        {"locator": seed_tables.rejects.loc[0, "locator"], "reason": "empty comment: the header has no text under it"}
    ]
    assert seed_tables.reconciliation == {"read": 53, "kept": 52, "rejected": 1, "duplicates": 0}


def test_authors_dates_and_order_are_kept(seed_tables):
    comments = seed_tables.comments
    assert comments["position"].tolist()[:3] == [1, 2, 3]
    first, last = comments.iloc[0], comments.iloc[-1]
    assert (first["author"], first["posted_at"]) == ("Marg b", "2018-08-29")
    assert (last["author"], last["posted_at"]) == ("RinchenChodron", "2009-12-08")
    assert (comments["author"] == "anonymous").sum() == 38
    assert comments["posted_at"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert comments["comment_id"].is_unique


def test_the_article_author_reply_is_flagged(seed_tables):
    authored = seed_tables.comments[seed_tables.comments["is_author"]]
    assert authored[["author", "posted_at"]].to_dict("records") == [{"author": "Sharlee", "posted_at": "2018-02-08"}]


def test_reply_targets_are_kept_and_only_unambiguous_parents_resolved(seed_tables):
    comments = seed_tables.comments
    replies = comments[comments["reply_to"] != ""]
    assert sorted(set(replies["reply_to"])) == [
        "James1978", "Nanciajohnson", "PaulPd0", "RinchenChodron", "Zach Spangler", "anonymous",
    ]
    assert (replies["reply_to"] == "anonymous").sum() == 7
    linked = comments[comments["parent_id"] != ""]
    assert linked["reply_to"].tolist() == ["RinchenChodron"]
    parent = comments.set_index("comment_id").loc[linked["parent_id"].iloc[0]]
    assert (parent["author"], parent["posted_at"]) == ("RinchenChodron", "2009-12-08")


def test_furniture_stays_out_and_the_article_becomes_the_thread(seed_tables):
    assert not seed_tables.comments["text"].str.contains("Related Articles|Scroll to Continue").any()
    [thread] = seed_tables.threads.to_dict("records")
    assert thread["title"] == "What Causes Leg Cramps and How to Get Rid of Them"
    assert thread["comments"] == 52
    assert (seed_tables.comments["thread"] == thread["thread"]).all()
    assert "Reader Feedback" not in thread["body"]


def test_multi_paragraph_comments_keep_their_paragraphs(seed_tables):
    comments = seed_tables.comments
    grandson = comments[(comments["reply_to"] == "PaulPd0")].iloc[0]
    assert grandson["text"].count("\n") == 2
