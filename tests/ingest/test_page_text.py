"""Tests for the saved-page-text parser (article + reader comments as plain text)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputFormatError, RuleFileError
from pipeline.ingest.formats.page_text import (
    line_key,
    load_page_text_rules,
    match_comment_header,
    parse_page_text,
    rules_from_mapping,
)
from pipeline.ingest.records import ColumnMapping, RawComment, SourceText, ThreadInfo

SMALL_PAGE = """\
Skip to main content

Night Cramps in the Calves: What Helps

  • Author: Dana Whitfield
  • Updated date:

Most people get a calf cramp now and then.

Scroll to Continue

Drinking enough water during the day is the simplest first step.

Reader Feedback

Sign in or sign up and post using a HubPages Network account.

Pete K on March 3, 2019:

Magnesium before bed worked for me within a week.

Reply

Report

Lena on March 1, 2019:

First paragraph about my mother, who is eighty.

Second paragraph: her cramps stopped once she ate a banana daily.

Share

Like

Dana Whitfield (author) on February 27, 2019:

@Lena: thank you for sharing that.

anonymous on February 20, 2019:


Gus on January 5, 2019:

Stretching the calf against a wall helps me.

Related Articles

Ten Foods Rich in Potassium

Walt on January 2, 2019:

This line belongs to a teaser of another page.
"""


def parse(text: str, name: str = "page.txt") -> list:
    return list(parse_page_text(SourceText(name, text), ColumnMapping()))


def comments_of(items: list) -> list[RawComment]:
    return [item for item in items if isinstance(item, RawComment)]


def threads_of(items: list) -> list[ThreadInfo]:
    return [item for item in items if isinstance(item, ThreadInfo)]


@pytest.mark.parametrize(
    ("line", "author", "posted_at", "is_author"),
    [
        ("Marg b on August 29, 2018:", "Marg b", "August 29, 2018", False),
        ("Tom on August 9, 2018:", "Tom", "August 9, 2018", False),
        ("Tom on Aug 29, 2018:", "Tom", "Aug 29, 2018", False),
        ("Tom on Sept. 3, 2018:", "Tom", "Sept. 3, 2018", False),
        ("Tom on 29 August 2018:", "Tom", "29 August 2018", False),
        ("Tom on August 29, 2018 at 3:05 pm:", "Tom", "August 29, 2018 at 3:05 pm", False),
        ("Tom on August 29, 2018 at 15:05", "Tom", "August 29, 2018 at 15:05", False),
        ("Tom said on August 29, 2018:", "Tom", "August 29, 2018", False),
        ("Tom on August 29, 2018", "Tom", "August 29, 2018", False),
        ("Tom on 2018-08-29:", "Tom", "2018-08-29", False),
        ("2hazelgreen on June 14, 2014:", "2hazelgreen", "June 14, 2014", False),
        ("Jack on the Hill on May 2, 2013:", "Jack on the Hill", "May 2, 2013", False),
        ("Nurse Jo (author) on May 02, 2013:", "Nurse Jo", "May 02, 2013", True),
        ("Nurse Jo (Author) said on May 02, 2013:", "Nurse Jo", "May 02, 2013", True),
    ],
)
def test_header_is_recognised(line: str, author: str, posted_at: str, is_author: bool) -> None:
    header = match_comment_header(line)
    assert header is not None
    assert (header.author, header.posted_at, header.is_author) == (author, posted_at, is_author)


@pytest.mark.parametrize(
    "line",
    [
        "I pulled a calf muscle on August 3, 2012.",
        "My cramps have been bad every night since I started jogging again around the lake on August 3, 2012",
        "Tom on August 29, 2018: and the cramps went away",
        "Tom on Monday:",
        "Tom on August 2018:",
        "Tom on 29/08/2018:",
        "on August 29, 2018:",
        "Tom August 29, 2018:",
        "Does it happen to anyone else on August nights?",
    ],
)
def test_header_near_misses_are_rejected(line: str) -> None:
    assert match_comment_header(line) is None


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("  Scroll to Continue  ", "scroll to continue"),
        ("  • Author:", "author"),
        ("Comments (12)", "comments"),
        ("LOAD   MORE comments", "load more comments"),
        ("Magnesium helped me.", "magnesium helped me."),
    ],
)
def test_line_key_ignores_case_bullets_colons_and_counts(line: str, key: str) -> None:
    assert line_key(line) == key


def test_small_page_thread_info() -> None:
    (thread,) = threads_of(parse(SMALL_PAGE))
    assert thread.thread == thread.title == "Night Cramps in the Calves: What Helps"
    assert thread.author == "Dana Whitfield"
    assert thread.body == (
        "Most people get a calf cramp now and then.\n"
        "Drinking enough water during the day is the simplest first step."
    )


def test_small_page_comments_in_page_order_with_header_lines() -> None:
    comments = comments_of(parse(SMALL_PAGE))
    assert [(c.author, c.posted_at, c.locator) for c in comments] == [
        ("Pete K", "March 3, 2019", "line 18"),
        ("Lena", "March 1, 2019", "line 26"),
        ("Dana Whitfield", "February 27, 2019", "line 36"),
        ("anonymous", "February 20, 2019", "line 40"),
        ("Gus", "January 5, 2019", "line 43"),
    ]
    assert {c.thread for c in comments} == {"Night Cramps in the Calves: What Helps"}


def test_thread_info_comes_before_the_comments() -> None:
    items = parse(SMALL_PAGE)
    assert isinstance(items[0], ThreadInfo)


def test_furniture_never_reaches_comments_or_body() -> None:
    items = parse(SMALL_PAGE)
    texts = [c.text for c in comments_of(items)] + [threads_of(items)[0].body]
    for furniture in ("Scroll to Continue", "Reply", "Report", "Share", "Like", "Sign in", "Author", "Updated"):
        assert not any(furniture in text for text in texts), furniture


def test_multi_paragraph_comment_is_joined_with_newlines() -> None:
    lena = comments_of(parse(SMALL_PAGE))[1]
    assert lena.text == (
        "First paragraph about my mother, who is eighty.\n"
        "Second paragraph: her cramps stopped once she ate a banana daily."
    )


def test_blank_comment_is_yielded_with_empty_text() -> None:
    blank = [c for c in comments_of(parse(SMALL_PAGE)) if c.author == "anonymous"]
    assert len(blank) == 1
    assert blank[0].text == ""


def test_author_reply_is_flagged_and_reply_prefix_kept() -> None:
    comments = comments_of(parse(SMALL_PAGE))
    assert [c.is_author for c in comments] == [False, False, True, False, False]
    reply = comments[2]
    assert reply.text.startswith("@Lena:")
    assert reply.reply_to == ""  # the assembler derives it from the "@name:" prefix


def test_related_articles_end_the_comments() -> None:
    comments = comments_of(parse(SMALL_PAGE))
    assert comments[-1].author == "Gus"
    assert comments[-1].text == "Stretching the calf against a wall helps me."


@pytest.mark.parametrize("end_line", ["Related Articles", "Popular", "More from HubPages", "You might also like"])
def test_end_markers_stop_the_comment_list(end_line: str) -> None:
    page = f"Title\n\nBody.\n\nComments\n\nAl on May 1, 2020:\n\nSalt helps.\n\n{end_line}\n\nBe on May 2, 2020:\n\nTeaser.\n"
    comments = comments_of(parse(page))
    assert [(c.author, c.text) for c in comments] == [("Al", "Salt helps.")]


def test_end_prefix_needs_to_be_the_start_of_the_line() -> None:
    page = "Title\n\nAl on May 1, 2020:\n\nI got more from stretching than from pills.\n"
    assert comments_of(parse(page))[0].text == "I got more from stretching than from pills."


def test_crlf_page_gives_the_same_records() -> None:
    assert parse(SMALL_PAGE.replace("\n", "\r\n")) == parse(SMALL_PAGE)


def test_leading_and_trailing_spaces_are_tolerated() -> None:
    page = "  A Title  \n\n   Ann on May 1, 2020:   \n\n   Pickle juice works.   \n"
    (thread,) = threads_of(parse(page))
    (comment,) = comments_of(parse(page))
    assert thread.title == "A Title"
    assert (comment.author, comment.text, comment.locator) == ("Ann", "Pickle juice works.", "line 3")


def test_page_without_comments_heading_starts_comments_at_first_header() -> None:
    page = (
        "Why Feet Cramp\n\nUpdated on April 2, 2021\n\nShort article text.\n\n"
        "Bo said on April 9, 2021\n\nTonic water for me.\n\nCy said on 10 April 2021\n\nNothing works.\n"
    )
    items = parse(page)
    (thread,) = threads_of(items)
    assert thread.body == "Updated on April 2, 2021\nShort article text."
    assert thread.author == ""
    assert [(c.author, c.posted_at, c.text) for c in comments_of(items)] == [
        ("Bo", "April 9, 2021", "Tonic water for me."),
        ("Cy", "10 April 2021", "Nothing works."),
    ]


def test_counted_heading_starts_the_comments() -> None:
    page = "Title\n\nArticle line.\n\n12 Comments\n\nSort by newest\n\nAl on May 1, 2020:\n\nHot bath.\n"
    items = parse(page)
    assert threads_of(items)[0].body == "Article line."
    assert [c.text for c in comments_of(items)] == ["Hot bath."]


def test_prose_ending_in_a_date_stays_inside_a_comment() -> None:
    # Regression: a colon-less sentence ending in a date looked like a header of its own.
    page = "Title\n\nAl on May 1, 2020:\n\nIt all began on August 3, 2012\n\nNow I stretch daily.\n"
    (comment,) = comments_of(parse(page))
    assert comment.text == "It all began on August 3, 2012\nNow I stretch daily."


def test_page_without_title_yields_default_thread() -> None:
    items = parse("Al on May 1, 2020:\n\nQuinine helped.\n")
    assert threads_of(items) == []
    assert comments_of(items)[0].thread == ""


@pytest.mark.parametrize("text", ["", "Just an article.\n\nNo comments here, posted on May 1, 2020.\n"])
def test_page_without_headers_is_an_input_format_error(text: str) -> None:
    with pytest.raises(InputFormatError) as caught:
        parse(text, name="data/raw/article.txt")
    assert caught.value.source == "data/raw/article.txt"
    assert caught.value.line is None
    assert "no comments found" in str(caught.value)


def test_shipped_rules_load_once() -> None:
    rules = load_page_text_rules()
    assert rules is load_page_text_rules()
    assert "scroll to continue" in rules.furniture
    assert rules.is_heading("reader feedback") and rules.is_heading("3 responses")
    assert rules.is_end("related articles") and not rules.is_end("related articles are fine")


def test_unknown_rule_key_is_reported_with_file_and_key() -> None:
    with pytest.raises(RuleFileError, match=r"rules\.yaml.*'furnitur'"):
        rules_from_mapping({"furnitur": ["Reply"]}, "rules.yaml")


@pytest.mark.parametrize("bad", [["Reply"], {"furniture": "Reply"}, {"furniture": [1]}, {"furniture": [""]}])
def test_malformed_rule_file_is_reported(bad: object) -> None:
    with pytest.raises(RuleFileError, match="rules.yaml"):
        rules_from_mapping(bad, "rules.yaml")


# --- the real saved page -------------------------------------------------------------

@pytest.fixture
def seed_items(seed_page: Path) -> list:
    return parse(seed_page.read_text(encoding="utf-8"), name=seed_page.name)


def test_seed_page_has_53_comments_one_blank(seed_items: list) -> None:
    comments = comments_of(seed_items)
    assert len(comments) == 53
    blank = [c for c in comments if c.text == ""]
    assert [(c.author, c.posted_at) for c in blank] == [("anonymous", "August 10, 2012")]


def test_seed_page_first_last_and_author_comments(seed_items: list) -> None:
    comments = comments_of(seed_items)
    assert (comments[0].author, comments[0].posted_at) == ("Marg b", "August 29, 2018")
    assert comments[-1].author == "RinchenChodron"
    (own,) = [c for c in comments if c.is_author]
    assert own.author == "Sharlee"


def test_seed_page_thread(seed_items: list) -> None:
    (thread,) = threads_of(seed_items)
    assert thread.title == "What Causes Leg Cramps and How to Get Rid of Them"
    assert thread.author == "Sharlee"
    assert "Scroll to Continue" not in thread.body
    assert "Reader Feedback" not in thread.body
    assert {c.thread for c in comments_of(seed_items)} == {thread.thread}


def test_seed_page_comments_hold_no_furniture(seed_items: list) -> None:
    for comment in comments_of(seed_items):
        assert "Scroll to Continue" not in comment.text
        assert "Related Articles" not in comment.text
        assert comment.locator.startswith("line ")


@pytest.mark.parametrize(
    ("page", "author"),
    [
        ("T\n\nAuthor: Kim Roe\n\nText.\n\nAl on May 1, 2020:\n\nHi.\n", "Kim Roe"),
        ("T\n\nAuthor: Kim Roe\n\nAl on May 1, 2020:\n\nHi.\n\nKim (author) on May 2, 2020:\n\nThanks.\n", "Kim"),
        ("T\n\nAuthor:\n\nAl on May 1, 2020:\n\nHi.\n", ""),
    ],
)
def test_thread_author_prefers_the_author_marked_commenter(page: str, author: str) -> None:
    (thread,) = threads_of(parse(page))
    assert thread.author == author
    assert "Author" not in thread.body
