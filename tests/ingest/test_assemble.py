import pytest

from pipeline.ingest.assemble import comment_id, comment_row, rejection_reason, resolve_parents
from pipeline.ingest.records import RawComment


def row(author, text, posted_at="May 1, 2013", position=1, thread="t", **extra):
    raw = RawComment(locator=f"line {position}", text=text, author=author, posted_at=posted_at, thread=thread, **extra)
    return comment_row(position, raw, "page.txt", "page")


def test_text_is_decoded_and_whitespace_normalised_keeping_the_original():
    built = row("Ann", "It&#039;s   the  pickle juice\r\n\r\n\r\nreally")
    assert built["text"] == "It's the pickle juice\nreally"
    assert built["text_original"] == "It&#039;s   the  pickle juice\r\n\r\n\r\nreally"
    assert row("Ann", "plain  text ")["text_original"] == ""


def test_dates_become_iso_and_the_raw_date_is_kept():
    built = row("Ann", "x", posted_at="August 29, 2018")
    assert (built["posted_at"], built["posted_at_raw"]) == ("2018-08-29", "August 29, 2018")
    assert row("Ann", "x", posted_at="someday")["posted_at"] == ""


@pytest.mark.parametrize(
    ("text", "reply_to"),
    [("@Zach Spangler: what kind?", "Zach Spangler"), ("@anonymous: same here", "anonymous"), ("no reply", "")],
)
def test_reply_target_comes_from_a_leading_at_name(text, reply_to):
    assert row("Ann", text)["reply_to"] == reply_to


def test_ids_are_stable_and_ignore_the_source_file():
    first = comment_row(1, RawComment("line 1", "Banana helps", "Ann", "May 1, 2013", "t"), "a.txt", "a")
    second = comment_row(7, RawComment("row 9", "Banana  helps", "ann", "2013-05-01", "t"), "b.csv", "b")
    assert first["comment_id"] == second["comment_id"] == comment_id("t", "Ann", "2013-05-01", "Banana helps")
    assert first["comment_id"] != row("Ann", "Banana helps!", thread="t")["comment_id"]


@pytest.mark.parametrize(
    ("text", "limit", "reason"),
    [("", 100, "empty comment"), ("x" * 101, 100, "over the 100 limit"), ("x" * 100, 100, "")],
)
def test_rejection_reasons(text, limit, reason):
    assert reason in rejection_reason(row("Ann", text), limit) if reason else rejection_reason(row("Ann", text), limit) == ""


def test_an_at_reply_links_to_the_one_earlier_comment_by_that_name():
    parent = row("RinchenChodron", "My cramps...", posted_at="December 08, 2009", position=9)
    reply = row("anonymous", "@RinchenChodron: my mother too", posted_at="May 02, 2013", position=2)
    rows = [reply, parent]
    resolve_parents(rows)
    assert reply["parent_id"] == parent["comment_id"]


def test_an_at_reply_to_one_of_several_anonymous_commenters_is_not_guessed():
    rows = [
        row("anonymous", "@anonymous: same here", posted_at="May 3, 2013", position=1),
        row("anonymous", "first", posted_at="May 1, 2013", position=2),
        row("anonymous", "second", posted_at="May 2, 2013", position=3),
    ]
    resolve_parents(rows)
    assert [r["parent_id"] for r in rows] == ["", "", ""]


def test_a_comment_posted_after_the_reply_is_not_its_parent():
    later = row("Bob", "later words", posted_at="June 1, 2014", position=1)
    reply = row("Ann", "@Bob: thanks", posted_at="May 1, 2013", position=2)
    rows = [later, reply]
    resolve_parents(rows)
    assert reply["parent_id"] == ""


def test_native_parent_ids_are_followed_within_their_source():
    parent = row("Ann", "root", native_id="11")
    child = row("Bob", "child", native_id="12", native_parent="11", position=2)
    orphan = row("Cy", "orphan", native_id="13", native_parent="99", position=3)
    rows = [parent, child, orphan]
    resolve_parents(rows)
    assert (child["parent_id"], orphan["parent_id"]) == (parent["comment_id"], "")
