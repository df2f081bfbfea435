"""Disqus XML export (Admin > Moderation > Export).

The root ``<disqus>`` holds ``<category>``, ``<thread dsq:id=...>`` and ``<post dsq:id=...>``
elements side by side; a post names its thread and its parent post by ``dsq:id``
reference. Real exports list every thread before the first post, but that is not
guaranteed, so a post whose thread is not yet known is keyed ``disqus-thread:<id>`` and
that key gets its own :class:`ThreadInfo` at the end of the file.
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

NOT_DISQUS = "not a Disqus export: no <disqus><thread> or <post> found"
SPAM_REASON = "marked as spam in the Disqus export"
DELETED_REASON = "deleted in Disqus"
_RECORD_NAMES = ("thread", "post", "category")


@dataclass(frozen=True)
class _KnownThread:
    key: str
    author_name: str
    author_username: str


def _is_disqus_record(path: tuple[str, ...]) -> bool:
    return len(path) == 2 and path[0] == "disqus" and path[1] in _RECORD_NAMES


def _is_true(value: str) -> bool:
    return value.strip().lower() == "true"


class _DisqusReader:
    """What one export's records have taught so far: the threads, by ``dsq:id``."""

    def __init__(self) -> None:
        self.threads: dict[str, _KnownThread] = {}
        self.used_keys: set[str] = set()
        # Threads that posts referred to before the thread itself was read.
        self.placeholders: dict[str, ThreadInfo] = {}

    def read_thread(self, record: XmlRecord) -> ThreadInfo:
        thread = record.element
        dsq_id = thread.get("id", "")
        info = ThreadInfo(
            thread=self._unique_key(thread, dsq_id),
            title=child_text(thread, "title"),
            url=child_text(thread, "link"),
            author=child_text(thread, "author/name") or child_text(thread, "author/username"),
            posted_at=child_text(thread, "createdAt"),
            body=html_fragment_to_text(child_text(thread, "message")),
            extra={"disqus_id": dsq_id} if dsq_id else {},
        )
        self.threads[dsq_id] = _KnownThread(
            info.thread, child_text(thread, "author/name"), child_text(thread, "author/username")
        )
        if dsq_id in self.placeholders:
            self.placeholders[dsq_id] = replace(info, thread=self.placeholders[dsq_id].thread)
        return info

    def read_post(self, record: XmlRecord) -> ParsedItem:
        post = record.element
        locator, raw = f"line {record.line_of()}", record.raw_of()
        if _is_true(child_text(post, "isSpam")):
            return RecordReject(locator, SPAM_REASON, raw)
        if _is_true(child_text(post, "isDeleted")):
            return RecordReject(locator, DELETED_REASON, raw)
        thread = self._thread_of(post)
        name, username = child_text(post, "author/name"), child_text(post, "author/username")
        return RawComment(
            locator=locator,
            text=html_fragment_to_text(_message(post)),
            original=_message(post),
            author=name or username,
            posted_at=child_text(post, "createdAt"),
            thread=thread.key,
            native_id=post.get("id", ""),
            native_parent=_reference(post, "parent"),
            is_author=_same_person(name, username, thread),
            raw=raw,
        )

    def _thread_of(self, post: Element) -> _KnownThread:
        dsq_id = _reference(post, "thread")
        if not dsq_id:
            return _KnownThread("", "", "")
        if dsq_id not in self.threads:
            key = f"disqus-thread:{dsq_id}"
            self.placeholders.setdefault(dsq_id, ThreadInfo(thread=key, extra={"disqus_id": dsq_id}))
            return _KnownThread(key, "", "")
        return self.threads[dsq_id]

    def _unique_key(self, thread: Element, dsq_id: str) -> str:
        """Key a thread by its title, else its link, made unique when titles repeat."""
        title, link = child_text(thread, "title"), child_text(thread, "link")
        key = title or link or f"disqus-thread:{dsq_id}"
        if key in self.used_keys:
            key = f"{key} ({link})" if link and key != link else f"{key} (disqus-thread:{dsq_id})"
        self.used_keys.add(key)
        return key


def parse_disqus(source: SourceText, columns: ColumnMapping) -> Iterator[ParsedItem]:
    """Yield a thread per ``<thread>`` and a record per ``<post>`` of a Disqus export.

    ``columns`` is ignored: Disqus fields have fixed names.

    Raises:
        InputFormatError: the file declares XML entities, is malformed before its first
            thread or post, or holds no thread or post at all.
    """
    reader = _DisqusReader()
    records_read = 0
    for record in iter_xml_records(source.name, source.text, is_record=_is_disqus_record):
        if isinstance(record, XmlDamage):
            yield damage_as_reject(source.name, record, anything_read=records_read > 0)
            break
        kind = record.path[-1]
        if kind == "category":
            continue
        records_read += 1
        yield reader.read_thread(record) if kind == "thread" else reader.read_post(record)
    if records_read == 0:
        raise InputFormatError(source.name, NOT_DISQUS)
    yield from reader.placeholders.values()


def _message(post: Element) -> str:
    """The message as written: the assembler owns whitespace normalisation."""
    message = post.find("message")
    return "" if message is None or message.text is None else message.text


def _reference(post: Element, name: str) -> str:
    """The ``dsq:id`` of a ``<thread>`` or ``<parent>`` reference inside a post."""
    referenced = post.find(name)
    return "" if referenced is None else referenced.get("id", "").strip()


def _same_person(name: str, username: str, thread: _KnownThread) -> bool:
    if username and username == thread.author_username:
        return True
    return bool(name) and name.casefold() == thread.author_name.casefold()
