"""The HTML page parser's knowledge of comment markup: ``pipeline/data/html_markup.yaml``.

The file names the CSS selectors of the comment-list families (WordPress, Disqus, generic
blocks), where a page keeps its title and article, and the property names of schema.org
``Comment`` microdata and JSON-LD. This module reads it once, rejects unknown or missing
keys with a message naming the file and entry, and compiles every selector so that
:mod:`pipeline.ingest.formats.html_page` only ever sees ready-to-use rules.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Mapping

import soupsieve

from pipeline.io.rule_files import packaged_file, parse_yaml
from pipeline.errors import RuleFileError

RULES_FILE = "html_markup.yaml"
_SELECTOR_FAMILY_KEYS = (
    "scope", "items", "require", "author", "date", "body", "noise", "reject_classes"
)
_THREAD_KEYS = ("title", "url", "author", "posted_at", "body", "not_body")
_MICRODATA_KEYS = ("item_type_suffix", "author", "author_name", "date", "text")
_JSON_LD_KEYS = ("comment_type", "id", "parent", "author", "author_name", "date", "text")
_TOP_KEYS = (
    "unsafe_tags", "block_tags", "author_flag_classes", "native_id_prefix", "thread",
    "selector_families", "microdata", "json_ld",
)
_SELECTOR_FAMILIES = ("wordpress", "disqus", "blocks")


@dataclass(frozen=True)
class FieldRule:
    """Read a value from the first element matching ``selector``: an attribute or its text."""

    selector: soupsieve.SoupSieve
    attr: str = ""


@dataclass(frozen=True)
class SelectorFamily:
    """A comment markup recognised by CSS selectors (see ``html_markup.yaml``)."""

    name: str
    scope: soupsieve.SoupSieve | None
    items: soupsieve.SoupSieve
    require: soupsieve.SoupSieve | None
    author: tuple[FieldRule, ...]
    date: tuple[FieldRule, ...]
    body: tuple[soupsieve.SoupSieve, ...]
    noise: soupsieve.SoupSieve | None
    reject_classes: Mapping[str, str]


@dataclass(frozen=True)
class ThreadRules:
    """Where a page keeps its title, address, author, date and article text."""

    title: tuple[FieldRule, ...]
    url: tuple[FieldRule, ...]
    author: tuple[FieldRule, ...]
    posted_at: tuple[FieldRule, ...]
    body: tuple[soupsieve.SoupSieve, ...]
    not_body: soupsieve.SoupSieve | None


@dataclass(frozen=True)
class PropertyNames:
    """Property (microdata) or key (JSON-LD) names of a Comment, each tried in order."""

    comment_type: str
    id: tuple[str, ...]
    parent: tuple[str, ...]
    author: tuple[str, ...]
    author_name: tuple[str, ...]
    date: tuple[str, ...]
    text: tuple[str, ...]


@dataclass(frozen=True)
class HtmlMarkup:
    """Everything ``html_markup.yaml`` says, compiled once."""

    unsafe_tags: frozenset[str]
    block_tags: frozenset[str]
    author_flag_classes: frozenset[str]
    native_id_prefix: re.Pattern[str]
    thread: ThreadRules
    families: Mapping[str, SelectorFamily]
    microdata: PropertyNames
    json_ld: PropertyNames


@functools.cache
def load_html_markup() -> HtmlMarkup:
    """Read ``pipeline/data/html_markup.yaml`` once per process."""
    name, text = packaged_file(RULES_FILE)
    return markup_from_mapping(parse_yaml(name, text), name)


def markup_from_mapping(raw: Any, file_name: str) -> HtmlMarkup:
    """Validate the content of an HTML markup rule file and compile its selectors.

    Raises:
        RuleFileError: a key is unknown or missing, a value has the wrong type, or a
            selector or pattern does not compile.
    """
    reader = _RuleReader(file_name)
    top = reader.mapping(raw, "the file", _TOP_KEYS)
    families = reader.mapping(top["selector_families"], "selector_families", _SELECTOR_FAMILIES)
    try:
        id_prefix = re.compile(reader.string(top["native_id_prefix"], "native_id_prefix"))
    except re.error as error:
        raise RuleFileError(f"{file_name}: native_id_prefix is not a valid pattern: {error}") from error
    return HtmlMarkup(
        unsafe_tags=frozenset(reader.strings(top["unsafe_tags"], "unsafe_tags")),
        block_tags=frozenset(reader.strings(top["block_tags"], "block_tags")),
        author_flag_classes=frozenset(reader.strings(top["author_flag_classes"], "author_flag_classes")),
        native_id_prefix=id_prefix,
        thread=reader.thread_rules(top["thread"]),
        families={name: reader.selector_family(name, families[name]) for name in _SELECTOR_FAMILIES},
        microdata=reader.property_names(top["microdata"], "microdata", _MICRODATA_KEYS),
        json_ld=reader.property_names(top["json_ld"], "json_ld", _JSON_LD_KEYS),
    )


class _RuleReader:
    """Checks one rule file's values, naming the file and entry in every error."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name

    def fail(self, where: str, problem: str) -> RuleFileError:
        return RuleFileError(f"{self.file_name}: {where}: {problem}")

    def mapping(self, value: Any, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping of the keys {', '.join(keys)}")
        unknown = [key for key in value if key not in keys]
        if unknown:
            raise self.fail(where, f"unknown key {unknown[0]!r}; valid keys are {', '.join(keys)}")
        missing = [key for key in keys if key not in value]
        if missing:
            raise self.fail(where, f"missing key {missing[0]!r}")
        return value

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, "expected a string")
        return value

    def strings(self, value: Any, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise self.fail(where, "expected a list of non-empty strings")
        return tuple(value)

    def selector(self, value: Any, where: str) -> soupsieve.SoupSieve | None:
        css = " ".join(self.string(value, where).split())
        if not css:
            return None
        try:
            return soupsieve.compile(css)
        except soupsieve.SelectorSyntaxError as error:
            raise self.fail(where, f"invalid CSS selector {css!r}: {error}") from error

    def required_selector(self, value: Any, where: str) -> soupsieve.SoupSieve:
        compiled = self.selector(value, where)
        if compiled is None:
            raise self.fail(where, "expected a CSS selector")
        return compiled

    def selectors(self, value: Any, where: str) -> tuple[soupsieve.SoupSieve, ...]:
        return tuple(self.required_selector(css, where) for css in self.strings(value, where))

    def field_rules(self, value: Any, where: str) -> tuple[FieldRule, ...]:
        if not isinstance(value, list):
            raise self.fail(where, "expected a list of {css: ..., attr: ...} entries")
        rules = []
        for index, entry in enumerate(value, start=1):
            entry_where = f"{where} entry {index}"
            if not isinstance(entry, dict) or any(key not in ("css", "attr") for key in entry):
                raise self.fail(entry_where, "expected {css: SELECTOR} or {css: SELECTOR, attr: NAME}")
            selector = self.required_selector(entry.get("css", ""), entry_where)
            rules.append(FieldRule(selector, self.string(entry.get("attr", ""), entry_where)))
        return tuple(rules)

    def thread_rules(self, value: Any) -> ThreadRules:
        entry = self.mapping(value, "thread", _THREAD_KEYS)
        return ThreadRules(
            title=self.field_rules(entry["title"], "thread.title"),
            url=self.field_rules(entry["url"], "thread.url"),
            author=self.field_rules(entry["author"], "thread.author"),
            posted_at=self.field_rules(entry["posted_at"], "thread.posted_at"),
            body=self.selectors(entry["body"], "thread.body"),
            not_body=self.selector(entry["not_body"], "thread.not_body"),
        )

    def selector_family(self, name: str, value: Any) -> SelectorFamily:
        where = f"selector_families.{name}"
        entry = self.mapping(value, where, _SELECTOR_FAMILY_KEYS)
        reject_classes = entry["reject_classes"]
        if not isinstance(reject_classes, dict) or not all(
            isinstance(key, str) and isinstance(reason, str) for key, reason in reject_classes.items()
        ):
            raise self.fail(f"{where}.reject_classes", "expected a mapping of class name to reason")
        return SelectorFamily(
            name=name,
            scope=self.selector(entry["scope"], f"{where}.scope"),
            items=self.required_selector(entry["items"], f"{where}.items"),
            require=self.selector(entry["require"], f"{where}.require"),
            author=self.field_rules(entry["author"], f"{where}.author"),
            date=self.field_rules(entry["date"], f"{where}.date"),
            body=self.selectors(entry["body"], f"{where}.body"),
            noise=self.selector(entry["noise"], f"{where}.noise"),
            reject_classes=dict(reject_classes),
        )

    def property_names(self, value: Any, where: str, keys: tuple[str, ...]) -> PropertyNames:
        entry = self.mapping(value, where, keys)
        names = {
            key: self.strings(entry[key], f"{where}.{key}")
            for key in keys
            if key not in ("comment_type", "item_type_suffix")
        }
        type_key = "comment_type" if "comment_type" in entry else "item_type_suffix"
        return PropertyNames(
            comment_type=self.string(entry[type_key], f"{where}.{type_key}"),
            id=names.get("id", ()),
            parent=names.get("parent", ()),
            author=names["author"],
            author_name=names["author_name"],
            date=names["date"],
            text=names["text"],
        )
