"""Disqus XML export parser: the sample export, spam/deleted posts, threads, hostile XML."""
from __future__ import annotations

import pytest

from pipeline.errors import InputFormatError
from pipeline.ingest.formats.disqus import DELETED_REASON, NOT_DISQUS, SPAM_REASON, parse_disqus
from pipeline.ingest.formats.xml_stream import ENTITIES_FORBIDDEN
from pipeline.ingest.normalize import normalize_text
from pipeline.ingest.records import ColumnMapping, RawComment, RecordReject, SourceText, ThreadInfo
from tests.conftest import REPO

SAMPLE = REPO / "data" / "raw" / "disqus-export.xml"


def thread(dsq_id: str = "1", title: str = "Cramps after running", *, author: str = "Site Team") -> str:
    return (
        f'<thread dsq:id="{dsq_id}"><link>https://site.example/{dsq_id}/</link><title>{title}</title>'
        f"<createdAt>2024-01-01T00:00:00Z</createdAt>"
        f"<author><name>{author}</name><username>siteteam</username></author></thread>"
    )


def post(
    dsq_id: str = "10",
    message: str = "<p>Salt tablets helped.</p>",
    *,
    thread_id: str | None = "1",
    parent: str | None = None,
    name: str = "Reader",
    username: str = "reader1",
    spam: str = "false",
    deleted: str = "false",
) -> str:
    thread_ref = "" if thread_id is None else f'<thread dsq:id="{thread_id}" />'
    parent_ref = "" if parent is None else f'<parent dsq:id="{parent}" />'
    return (
        f'<post dsq:id="{dsq_id}"><id /><message><![CDATA[{message}]]></message>'
        "<createdAt>2024-01-02T03:04:05Z</createdAt>"
        f"<isDeleted>{deleted}</isDeleted><isSpam>{spam}</isSpam>"
        f"<author><name>{name}</name><isAnonymous>false</isAnonymous><username>{username}</username></author>"
        f"{thread_ref}{parent_ref}</post>"
    )


def disqus(*records: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<category dsq:id="99"><forum>f</forum><title>General</title></category>\n'
        + "\n".join(records)
        + "\n</disqus>\n"
    )


def parse(text: str, name: str = "disqus.xml") -> list:
    return list(parse_disqus(SourceText(name, text), ColumnMapping()))


def of_type(items: list, kind: type) -> list:
    return [parsed for parsed in items if isinstance(parsed, kind)]


def only_comment(text: str) -> RawComment:
    (found,) = of_type(parse(text), RawComment)
    return found


def test_sample_export_counts_threads_comments_and_rejects() -> None:
    items = parse(SAMPLE.read_text(encoding="utf-8"), SAMPLE.name)
    threads, comments, rejects = of_type(items, ThreadInfo), of_type(items, RawComment), of_type(items, RecordReject)
    assert [t.thread for t in threads] == [
        "Night cramps after 50: what our readers told us",
        "Do pickle juice shots really stop a cramp?",
    ]
    assert len(comments) == 6
    assert sorted(r.reason for r in rejects) == sorted([SPAM_REASON, DELETED_REASON])
    assert {c.thread for c in comments} == {t.thread for t in threads}
    by_id = {c.native_id: c for c in comments}
    assert by_id["990002"].native_parent == "990001" and by_id["990008"].native_parent == "990005"
    assert [c.native_id for c in comments if c.is_author] == ["990003"]


def test_sample_export_locators_point_at_post_start_lines() -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for parsed in parse(SAMPLE.read_text(encoding="utf-8")):
        if isinstance(parsed, (RawComment, RecordReject)):
            number = int(parsed.locator.removeprefix("line "))
            assert lines[number - 1].strip().startswith("<post dsq:id=")
            assert parsed.raw.startswith("<post dsq:id=") and len(parsed.raw) <= 500


@pytest.mark.parametrize(
    ("spam", "deleted", "expected_reason"),
    [
        ("true", "false", SPAM_REASON),
        ("True", "false", SPAM_REASON),
        ("false", "true", DELETED_REASON),
        ("true", "true", SPAM_REASON),
        ("false", "false", None),
        ("", "", None),
    ],
)
def test_spam_and_deleted_posts_are_rejected(spam: str, deleted: str, expected_reason: str | None) -> None:
    items = parse(disqus(thread(), post(spam=spam, deleted=deleted)))
    rejects = of_type(items, RecordReject)
    if expected_reason is None:
        assert not rejects and len(of_type(items, RawComment)) == 1
    else:
        assert [r.reason for r in rejects] == [expected_reason] and not of_type(items, RawComment)


def test_post_fields_are_read() -> None:
    found = only_comment(disqus(thread(), post("11", parent="10", name="Ann", username="ann_b")))
    assert (found.native_id, found.native_parent) == ("11", "10")
    assert (found.author, found.posted_at, found.thread) == ("Ann", "2024-01-02T03:04:05Z", "Cramps after running")
    assert found.text.strip() == "Salt tablets helped."


def test_author_falls_back_to_username() -> None:
    assert only_comment(disqus(thread(), post(name="", username="quiet_one"))).author == "quiet_one"


@pytest.mark.parametrize(
    ("name", "username", "expected"),
    [("Site Team", "someone", True), ("site team", "", True), ("Other", "siteteam", True), ("Other", "other", False)],
)
def test_thread_author_flag(name: str, username: str, expected: bool) -> None:
    assert only_comment(disqus(thread(), post(name=name, username=username))).is_author is expected


def test_post_before_its_thread_gets_a_placeholder_thread() -> None:
    items = parse(disqus(post("10", thread_id="5"), thread("5", "Late thread")))
    (found,) = of_type(items, RawComment)
    assert found.thread == "disqus-thread:5"
    threads = {t.thread: t for t in of_type(items, ThreadInfo)}
    assert set(threads) == {"Late thread", "disqus-thread:5"}
    assert threads["disqus-thread:5"].title == "Late thread"


def test_post_of_unknown_thread_still_has_a_thread_info() -> None:
    items = parse(disqus(thread("1"), post("10", thread_id="404")))
    assert of_type(items, RawComment)[0].thread == "disqus-thread:404"
    assert "disqus-thread:404" in {t.thread for t in of_type(items, ThreadInfo)}


def test_post_without_thread_reference_goes_to_default_thread() -> None:
    assert only_comment(disqus(post(thread_id=None))).thread == ""


def test_repeated_thread_titles_get_unique_keys() -> None:
    items = parse(disqus(thread("1", "Same"), thread("2", "Same"), post("10", thread_id="2")))
    keys = [t.thread for t in of_type(items, ThreadInfo)]
    assert keys == ["Same", "Same (https://site.example/2/)"]
    assert of_type(items, RawComment)[0].thread == keys[1]


def test_html_message_becomes_text_with_entities_decoded_and_scripts_dropped() -> None:
    message = "<p>Pickle juice &amp; mustard</p><script>steal()</script><p>both &quot;work&quot;</p>"
    assert normalize_text(only_comment(disqus(thread(), post(message=message))).text) == (
        'Pickle juice & mustard\nboth "work"'
    )


@pytest.mark.parametrize(
    "hostile",
    [
        '<!DOCTYPE disqus [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        "<disqus><post><message>&b;</message></post></disqus>",
        '<!DOCTYPE disqus [<!ENTITY x SYSTEM "file:///etc/passwd">]><disqus><post><message>&x;</message></post></disqus>',
    ],
    ids=["entity-expansion", "external-entity"],
)
def test_entity_declarations_are_refused(hostile: str) -> None:
    with pytest.raises(InputFormatError) as raised:
        parse(hostile)
    assert raised.value.detail == ENTITIES_FORBIDDEN


def test_malformed_xml_keeps_earlier_posts_and_rejects_the_rest() -> None:
    text = disqus(thread(), post("10"), post("11"), post("12", message="x")).replace(
        '<post dsq:id="12"><id />', '<post dsq:id="12"><id>'
    )
    items = parse(text)
    assert [c.native_id for c in of_type(items, RawComment)] == ["10", "11"]
    (reject,) = of_type(items, RecordReject)
    assert reject.locator == "line 7" and reject.reason.startswith("malformed XML at line 7 column ")
    assert reject.reason.endswith("; the rest of the file could not be read")
    assert reject.raw.startswith('<post dsq:id="12">')


@pytest.mark.parametrize("broken", ["", "<disqus>", "<disqus><post></disqus>", "plain text"])
def test_malformed_before_any_record_is_a_file_error(broken: str) -> None:
    with pytest.raises(InputFormatError, match="malformed XML"):
        parse(broken)


@pytest.mark.parametrize("not_disqus", [disqus(), "<rss><channel><item/></channel></rss>"])
def test_xml_without_threads_or_posts_is_not_a_disqus_export(not_disqus: str) -> None:
    with pytest.raises(InputFormatError) as raised:
        parse(not_disqus)
    assert raised.value.detail == NOT_DISQUS
