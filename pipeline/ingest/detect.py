"""Which parser reads a file: by extension first, then by a look at the content."""
from __future__ import annotations

import re

from pipeline.errors import InputFormatError

FORMATS = ("page", "html", "csv", "tsv", "json", "jsonl", "reddit", "wxr", "disqus")

_BY_EXTENSION = {
    ".txt": "page",
    ".text": "page",
    ".htm": "html",
    ".html": "html",
    ".xhtml": "html",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
SUPPORTED_EXTENSIONS = tuple(sorted(set(_BY_EXTENSION) | {".xml"}))
_XML_ROOT = re.compile(r"<(?!\?|!)([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_HTML_MARKERS = re.compile(r"<!doctype html|<html[\s>]|<body[\s>]|<div[\s>]|<article[\s>]", re.IGNORECASE)


def detect_format(name: str, head: str) -> str:
    """Return the format name for a file, given its name (compression suffix removed)
    and the first few kilobytes of its decoded text.

    Raises:
        InputFormatError: the content matches no supported format.
    """
    lower = name.lower()
    extension = lower[lower.rfind("."):] if "." in lower.rsplit("/", 1)[-1] else ""
    stripped = head.lstrip()
    if extension == ".xml" or (stripped.startswith("<?xml") and not _HTML_MARKERS.search(head)):
        return _xml_flavour(name, stripped)
    if extension in _BY_EXTENSION:
        return _BY_EXTENSION[extension]
    return _sniff(name, stripped)


def _xml_flavour(name: str, head: str) -> str:
    if "wordpress.org/export" in head or "<wp:" in head:
        return "wxr"
    for match in _XML_ROOT.finditer(head):
        root = match.group(2).lower()
        if root == "disqus":
            return "disqus"
        if root == "rss":
            return "wxr"
        if root == "html":
            return "html"
        break
    raise InputFormatError(name, "XML file is neither a WordPress (WXR) nor a Disqus export")


def _sniff(name: str, head: str) -> str:
    if head.startswith("<"):
        return "html" if _HTML_MARKERS.search(head) else _xml_flavour(name, head)
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        first_line = head.split("\n", 1)[0].rstrip()
        return "jsonl" if first_line.endswith("}") and "\n{" in head else "json"
    return "page"
