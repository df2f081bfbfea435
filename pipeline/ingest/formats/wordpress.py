"""WordPress eXtended RSS (WXR), the file behind WordPress's Tools > Export.

A WXR file is RSS with WordPress namespaces: the channel lists the site's authors
(``wp:author``), each ``item`` is a post or page with its ``wp:comment`` elements nested
inside. Namespace URIs change with the WXR version (``http://wordpress.org/export/1.0/``
up to ``1.2/``), so elements are matched by local name; the one clash, ``content:encoded``
versus ``excerpt:encoded``, is told apart by its namespace.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator
from xml.etree.ElementTree import Element

from pipeline.errors import InputFormatError
from pipeline.ingest.formats.xml_stream import (
    XmlDamage,
    XmlRecord,
    child_text,
    damage_as_reject,
    iter_xml_records,
    local_name,
    namespace_of,
)
from pipeline.ingest.normalize import html_fragment_to_text
from pipeline.ingest.records import (
    ColumnMapping,
    ParsedItem,
    RawComment,
    RecordReject,
    SourceText,
    ThreadInfo,
)

NOT_WXR = "not a WordPress export: no <channel><item> found"
# Moderation states that mean "not published, and not going to be"; "0" (pending) is kept.
_REJECTED_STATUSES = {
    "spam": "marked as spam in the WordPress export",
    "trash": "in the trash in the WordPress export",
    "post-trashed": "in the trash in the WordPress export (its post was trashed)",
}
_LINKBACK_TYPES = ("pingback", "trackback")
# WordPress writes this for dates it never set (drafts, imported comments).
_UNSET_DATE = "0000-00-00 00:00:00"
_POST_TYPES_WITH_THREADS = ("post", "page")


@dataclass(frozen=True)
class _Author:
    login: str
    display_name: str
    user_id: str


@dataclass(frozen=True)
class _Post:
    thread: str
    author: _Author


def wxr_tag_name(tag: str) -> str:
    """Name a WXR tag by its local name, except the two ``encoded`` elements."""
    name = local_name(tag)
    if name == "encoded":
        return "excerpt:encoded" if "excerpt" in namespace_of(tag) else "content:encoded"
    return name


def _is_wxr_record(path: tuple[str, ...]) -> bool:
    return len(path) == 3 and path[1] == "channel" and path[2] in ("item", "author")


def parse_wxr(source: SourceText, columns: ColumnMapping) -> Iterator[ParsedItem]:
    """Yield a thread per post or page and a record per comment of a WXR export.

    ``columns`` is ignored: WXR fields have fixed names.

    Raises:
        InputFormatError: the file declares XML entities, is malformed before its first
            item, or has no ``<channel><item>`` at all.
    """
    authors: dict[str, _Author] = {}
    used_thread_keys: set[str] = set()
    items_read = 0
    for record in iter_xml_records(source.name, source.text, is_record=_is_wxr_record, name_tag=wxr_tag_name):
        if isinstance(record, XmlDamage):
            salvaged = list(_salvage_item(record, authors, used_thread_keys))
            yield from salvaged
            anything_read = items_read > 0 or bool(salvaged)
            yield damage_as_reject(source.name, _damage_at_comment(record), anything_read=anything_read)
            return
        if record.path[-1] == "author":
            author = _read_author(record.element)
            authors[author.login] = author
            continue
        items_read += 1
        yield from _read_item(record, authors, used_thread_keys)
    if items_read == 0:
        raise InputFormatError(source.name, NOT_WXR)


def _salvage_item(damage: XmlDamage, authors: dict[str, _Author], used_thread_keys: set[str]) -> Iterator[ParsedItem]:
    """The comments an item completed before the damage: a whole post's comments sit in
    one ``<item>``, and a cut-off export must not cost the ones that were read whole."""
    partial = damage.partial
    if partial is None or partial.path[-1] != "item":
        return
    if any(partial.is_finished(comment) for comment in partial.element.findall("comment")):
        yield from _read_item(partial, authors, used_thread_keys)


def _damage_at_comment(damage: XmlDamage) -> XmlDamage:
    """Show the comment the damage cut short, rather than the start of its post."""
    partial = damage.partial
    if partial is None or partial.path[-1] != "item":
        return damage
    for comment in partial.element.findall("comment"):
        if not partial.is_finished(comment):
            return replace(damage, raw=partial.raw_of(comment))
    return damage


def _read_author(element: Element) -> _Author:
    login = child_text(element, "author_login")
    return _Author(
        login=login,
        display_name=child_text(element, "author_display_name") or login,
        user_id=child_text(element, "author_id"),
    )


def _read_item(record: XmlRecord, authors: dict[str, _Author], used_thread_keys: set[str]) -> Iterator[ParsedItem]:
    item = record.element
    creator = child_text(item, "creator")
    post = _Post(
        thread=_unique_thread_key(item, used_thread_keys),
        author=authors.get(creator, _Author(creator, creator, "")),
    )
    comments = item.findall("comment")
    if comments or child_text(item, "post_type") in ("", *_POST_TYPES_WITH_THREADS):
        yield ThreadInfo(
            thread=post.thread,
            title=child_text(item, "title"),
            url=child_text(item, "link"),
            author=post.author.display_name,
            posted_at=_first_set_date(item, "post_date", "post_date_gmt", "pubDate"),
            body=html_fragment_to_text(child_text(item, "content:encoded")),
            extra=_item_extra(item),
        )
    for comment in comments:
        if record.is_finished(comment):
            yield _read_comment(record, comment, post)


def _unique_thread_key(item: Element, used_thread_keys: set[str]) -> str:
    """Key a post by its title (else its link), made unique when two posts share a title."""
    title, link, post_id = child_text(item, "title"), child_text(item, "link"), child_text(item, "post_id")
    key = title or link or f"wordpress post {post_id}"
    if key in used_thread_keys:
        key = f"{key} ({link or post_id})" if key != link else f"{key} ({post_id})"
    used_thread_keys.add(key)
    return key


def _item_extra(item: Element) -> dict[str, str]:
    fields = {"post_id": child_text(item, "post_id"), "post_type": child_text(item, "post_type")}
    return {name: value for name, value in fields.items() if value}


def _read_comment(record: XmlRecord, comment: Element, post: _Post) -> ParsedItem:
    locator = f"line {record.line_of(comment)}"
    raw = record.raw_of(comment)
    comment_id = child_text(comment, "comment_id")
    rejection = _rejection_reason(comment, comment_id)
    if rejection:
        return RecordReject(locator, rejection, raw)
    author = child_text(comment, "comment_author")
    return RawComment(
        locator=locator,
        text=html_fragment_to_text(_raw_text(comment, "comment_content")),
        original=_raw_text(comment, "comment_content"),
        author=author,
        posted_at=_first_set_date(comment, "comment_date", "comment_date_gmt"),
        thread=post.thread,
        native_id=comment_id,
        native_parent=_parent_id(comment),
        is_author=_written_by_post_author(comment, author, post.author),
        raw=raw,
    )


def _rejection_reason(comment: Element, comment_id: str) -> str:
    status = child_text(comment, "comment_approved").lower()
    if status in _REJECTED_STATUSES:
        return _REJECTED_STATUSES[status]
    kind = child_text(comment, "comment_type").lower()
    if kind in _LINKBACK_TYPES:
        return f"comment {comment_id or '(no id)'} is a {kind}, not a reader comment"
    return ""


def _raw_text(element: Element, name: str) -> str:
    """Text of a child without stripping: the assembler owns whitespace normalisation."""
    child = element.find(name)
    return "" if child is None or child.text is None else child.text


def _first_set_date(element: Element, *names: str) -> str:
    for name in names:
        value = child_text(element, name)
        if value and value != _UNSET_DATE:
            return value
    return ""


def _parent_id(comment: Element) -> str:
    parent = child_text(comment, "comment_parent")
    return "" if parent in ("", "0") else parent


def _written_by_post_author(comment: Element, comment_author: str, post_author: _Author) -> bool:
    user_id = child_text(comment, "comment_user_id")
    if user_id not in ("", "0") and user_id == post_author.user_id:
        return True
    name = comment_author.casefold()
    return bool(name) and name in (post_author.display_name.casefold(), post_author.login.casefold())
