"""WordPress WXR export parser: the sample export, moderation states, authors, hostile XML."""
from __future__ import annotations

import pytest

from pipeline.errors import InputFormatError
from pipeline.ingest.formats.wordpress import NOT_WXR, parse_wxr
from pipeline.ingest.formats.xml_stream import ENTITIES_FORBIDDEN, MAX_NESTING_DEPTH
from pipeline.ingest.normalize import normalize_text
from pipeline.ingest.records import ColumnMapping, RawComment, RecordReject, SourceText, ThreadInfo
from tests.conftest import REPO

SAMPLE = REPO / "data" / "raw" / "wordpress-export.xml"
NAMESPACES = (
    'xmlns:excerpt="http://wordpress.org/export/{v}/excerpt/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:wp="http://wordpress.org/export/{v}/"'
)
AUTHORS = (
    "<wp:author><wp:author_id>7</wp:author_id><wp:author_login>gwen</wp:author_login>"
    "<wp:author_display_name><![CDATA[Gwen Ashby]]></wp:author_display_name></wp:author>"
)


def comment(
    comment_id: str = "1",
    content: str = "Magnesium helped me.",
    *,
    author: str = "Reader",
    approved: str = "1",
    kind: str = "comment",
    parent: str = "0",
    user_id: str = "0",
) -> str:
    return (
        f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
        f"<wp:comment_author><![CDATA[{author}]]></wp:comment_author>"
        "<wp:comment_date>2024-02-01 10:00:00</wp:comment_date>"
        f"<wp:comment_content><![CDATA[{content}]]></wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved>"
        f"<wp:comment_type>{kind}</wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent>"
        f"<wp:comment_user_id>{user_id}</wp:comment_user_id></wp:comment>"
    )


def item(*comments: str, title: str = "Cramps at night", link: str = "https://blog.example/cramps/") -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><dc:creator>gwen</dc:creator>"
        "<content:encoded><![CDATA[<p>The post body.</p>]]></content:encoded>"
        "<excerpt:encoded><![CDATA[The excerpt.]]></excerpt:encoded>"
        "<wp:post_id>9</wp:post_id><wp:post_date>2024-01-31 08:00:00</wp:post_date>"
        "<wp:post_type>post</wp:post_type>"
        + "".join(comments)
        + "</item>"
    )


def wxr(*items: str, version: str = "1.2", authors: str = AUTHORS) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" {NAMESPACES.format(v=version)}>\n<channel>\n<title>Blog</title>\n'
        + authors
        + "\n"
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )


def parse(text: str, name: str = "export.xml") -> list:
    return list(parse_wxr(SourceText(name, text), ColumnMapping()))


def of_type(items: list, kind: type) -> list:
    return [parsed for parsed in items if isinstance(parsed, kind)]


def only_comment(text: str) -> RawComment:
    (found,) = of_type(parse(text), RawComment)
    return found


def test_sample_export_counts_comments_rejects_and_thread() -> None:
    items = parse(SAMPLE.read_text(encoding="utf-8"), SAMPLE.name)
    threads, comments, rejects = of_type(items, ThreadInfo), of_type(items, RawComment), of_type(items, RecordReject)
    assert len(threads) == 1 and len(comments) == 5 and len(rejects) == 3
    assert threads[0].author == "Priya Natarajan, RM"
    assert {c.thread for c in comments} == {threads[0].thread}
    assert [c.native_id for c in comments] == ["101", "102", "103", "107", "108"]
    assert [c.is_author for c in comments] == [False, False, True, False, False]
    assert [c.native_parent for c in comments] == ["", "101", "101", "", ""]


def test_sample_export_locators_point_at_comment_start_lines() -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for parsed in parse(SAMPLE.read_text(encoding="utf-8")):
        if isinstance(parsed, (RawComment, RecordReject)):
            number = int(parsed.locator.removeprefix("line "))
            assert lines[number - 1].strip() == "<wp:comment>"
            assert parsed.raw.startswith("<wp:comment>") and len(parsed.raw) <= 500


@pytest.mark.parametrize(
    ("approved", "kind", "expected_reason"),
    [
        ("spam", "comment", "marked as spam in the WordPress export"),
        ("trash", "comment", "in the trash"),
        ("post-trashed", "comment", "in the trash"),
        ("1", "pingback", "is a pingback, not a reader comment"),
        ("1", "trackback", "is a trackback, not a reader comment"),
        ("1", "comment", None),
        ("0", "comment", None),  # pending moderation is still a reader's comment
        ("1", "", None),
    ],
)
def test_moderation_state_and_type_decide_reject(approved: str, kind: str, expected_reason: str | None) -> None:
    items = parse(wxr(item(comment(approved=approved, kind=kind))))
    rejects = of_type(items, RecordReject)
    if expected_reason is None:
        assert not rejects and len(of_type(items, RawComment)) == 1
    else:
        assert len(rejects) == 1 and expected_reason in rejects[0].reason
        assert not of_type(items, RawComment)


@pytest.mark.parametrize(("parent", "expected"), [("0", ""), ("", ""), ("12", "12")])
def test_comment_parent_becomes_native_parent(parent: str, expected: str) -> None:
    assert only_comment(wxr(item(comment("13", parent=parent)))).native_parent == expected


@pytest.mark.parametrize(
    ("user_id", "author", "expected"),
    [
        ("7", "G.", True),  # the post author's wp:author_id
        ("0", "Gwen Ashby", True),  # display name
        ("0", "gwen ashby", True),
        ("0", "gwen", True),  # login
        ("0", "Gwendolyn", False),
        ("8", "Someone else", False),  # another registered user
        ("0", "", False),
    ],
)
def test_post_author_flag(user_id: str, author: str, expected: bool) -> None:
    assert only_comment(wxr(item(comment(user_id=user_id, author=author)))).is_author is expected


def test_author_falls_back_to_login_without_author_list() -> None:
    items = parse(wxr(item(comment(author="gwen")), authors=""))
    (thread,) = of_type(items, ThreadInfo)
    assert thread.author == "gwen"
    assert of_type(items, RawComment)[0].is_author


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_namespace_versions_read_alike(version: str) -> None:
    items = parse(wxr(item(comment("5", parent="4", user_id="7")), version=version))
    (thread,) = of_type(items, ThreadInfo)
    (found,) = of_type(items, RawComment)
    assert thread.body.strip() == "The post body."  # content:encoded, not excerpt:encoded
    assert thread.posted_at == "2024-01-31 08:00:00"
    assert (found.native_id, found.native_parent, found.is_author) == ("5", "4", True)
    assert found.posted_at == "2024-02-01 10:00:00"


def test_thread_key_is_title_then_link_and_stays_unique() -> None:
    items = parse(
        wxr(
            item(comment("1"), title="Cramps"),
            item(comment("2"), title="Cramps", link="https://blog.example/cramps-2/"),
            item(comment("3"), title=""),
        )
    )
    keys = [t.thread for t in of_type(items, ThreadInfo)]
    assert keys == ["Cramps", "Cramps (https://blog.example/cramps-2/)", "https://blog.example/cramps/"]
    assert [c.thread for c in of_type(items, RawComment)] == keys


def test_html_body_becomes_text_with_entities_decoded_and_scripts_dropped() -> None:
    html = "<p>Tonic water &amp; lemon</p><script>alert('x')</script><p>worked &mdash; mostly</p>"
    text = normalize_text(only_comment(wxr(item(comment(content=html)))).text)
    assert text == "Tonic water & lemon\nworked \u2014 mostly"


def test_declared_encoding_does_not_garble_decoded_text() -> None:
    text = wxr(item(comment(content="Caf\u00e9 au lait at night"))).replace("UTF-8", "ISO-8859-1")
    assert only_comment(text).text == "Caf\u00e9 au lait at night"


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
    "<rss><channel><item><title>&lol3;</title></item></channel></rss>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    "<rss><channel><item><title>&secret;</title></item></channel></rss>"
)


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entity_declarations_are_refused(hostile: str) -> None:
    with pytest.raises(InputFormatError) as raised:
        parse(hostile)
    assert raised.value.detail == ENTITIES_FORBIDDEN
    assert raised.value.source == "export.xml"


def test_malformed_xml_keeps_earlier_records_and_rejects_the_rest() -> None:
    broken = wxr(item(comment("1"), comment("2")), item(comment("3"), title="Second")).replace(
        "<title>Second</title>", "<title>Second</titel>"
    )
    items = parse(broken)
    assert [c.native_id for c in of_type(items, RawComment)] == ["1", "2"]
    (reject,) = of_type(items, RecordReject)
    assert reject.locator == "line 7"  # the second item's line
    assert reject.reason.startswith("malformed XML at line 7 column ")
    assert "mismatched tag" in reject.reason and reject.reason.endswith("the rest of the file could not be read")
    assert reject.raw.startswith("<item><title>Second")
    assert items[-1] is reject


def test_truncated_file_keeps_complete_items() -> None:
    full = wxr(item(comment("1")), item(comment("2"), title="Second"))
    items = parse(full[: full.index("<wp:comment_id>2")])
    assert [c.native_id for c in of_type(items, RawComment)] == ["1"]
    assert "no element found" in of_type(items, RecordReject)[0].reason


@pytest.mark.parametrize(
    "broken",
    ["", "   ", "<rss><channel><item>", "not xml at all", wxr(item(comment("1"))).replace("</dc:creator>", "")],
)
def test_malformed_before_any_item_is_a_file_error(broken: str) -> None:
    with pytest.raises(InputFormatError, match="malformed XML"):
        parse(broken)


@pytest.mark.parametrize(
    "not_wxr",
    [
        wxr(),
        '<disqus xmlns="http://disqus.com"><post><message>hi</message></post></disqus>',
        "<html><body><p>a page</p></body></html>",
    ],
)
def test_xml_without_channel_items_is_not_a_wordpress_export(not_wxr: str) -> None:
    with pytest.raises(InputFormatError) as raised:
        parse(not_wxr)
    assert raised.value.detail == NOT_WXR


def test_absurd_nesting_stops_reading_without_losing_earlier_items() -> None:
    depth = MAX_NESTING_DEPTH + 10
    nested = "<item><title>Deep</title>" + "<div>" * depth + "</div>" * depth + "</item>"
    items = parse(wxr(item(comment("1")), nested))
    assert [c.native_id for c in of_type(items, RawComment)] == ["1"]
    assert "nested deeper than" in of_type(items, RecordReject)[-1].reason


def test_items_are_yielded_before_the_rest_of_a_large_file_is_read() -> None:
    many = wxr(*(item(comment(str(n)), title=f"Post {n}") for n in range(3000)))
    stream = parse_wxr(SourceText("big.xml", many + "<broken"), ColumnMapping())
    first = next(stream)
    assert isinstance(first, ThreadInfo) and first.thread == "Post 0"
