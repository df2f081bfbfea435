"""Sorting what a parser yields into comments, rejects and threads, for the parser tests."""
from __future__ import annotations

from pipeline.ingest.records import ParsedItem, RawComment, RecordReject, ThreadInfo


def comments(items: list[ParsedItem]) -> list[RawComment]:
    return [item for item in items if isinstance(item, RawComment)]


def rejects(items: list[ParsedItem]) -> list[RecordReject]:
    return [item for item in items if isinstance(item, RecordReject)]


def threads(items: list[ParsedItem]) -> list[ThreadInfo]:
    return [item for item in items if isinstance(item, ThreadInfo)]
