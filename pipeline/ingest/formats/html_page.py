"""Saved HTML article pages with their reader comments rendered into the page.

Comment systems write very different markup, so the parser tries these families in turn
and keeps the first that finds comments (a page marked up twice is read once):

1. WordPress comment lists (``ol.commentlist > li.comment``, replies in ``ul.children``);
2. Disqus threads rendered into the page (``li.post`` with a ``.post-message``);
3. schema.org ``Comment`` microdata (``itemtype=".../Comment"``);
4. JSON-LD blocks holding ``"@type": "Comment"`` objects (read as JSON, never run);
5. generic comment blocks (``div.comment`` with author, date and body elements).

When none of them finds a comment, the page is flattened to text and handed to
:func:`pipeline.ingest.formats.page_text.parse_page_text`, which reads the
``Name on August 29, 2018:`` headers of pages such as HubPages.

The page is parsed with the standard library's ``html.parser`` backend: nothing is
fetched and nothing is run. Scripts, styles, frames and event-handler attributes are
removed before any text is read, so they can never leak into a comment. The selectors
of families 1, 2 and 5 and the property names of 3 and 4 are data, in
``pipeline/data/html_markup.yaml``, loaded and checked by
:mod:`pipeline.ingest.formats.html_markup`.
"""
from __future__ import annotations

import collections
import functools
import html
import inspect
import json
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Container, Iterator, Mapping

import soupsieve
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.builder import HTMLParserTreeBuilder
from bs4.builder._htmlparser import BeautifulSoupHTMLParser
from bs4.element import PreformattedString
from bs4.exceptions import ParserRejectedMarkup

from pipeline.errors import InputFormatError
from pipeline.ingest.formats.html_select import select_among, subtree_tags
from pipeline.ingest.formats.html_markup import (
    FieldRule,
    HtmlMarkup,
    PropertyNames,
    SelectorFamily,
    load_html_markup,
)
from pipeline.ingest.formats.page_text import parse_page_text
from pipeline.ingest.normalize import html_events_to_text, html_fragment_to_text, normalize_text
from pipeline.ingest.records import (
    ColumnMapping,
    ParsedItem,
    RawComment,
    RecordReject,
    SourceText,
    ThreadInfo,
)

NO_COMMENTS = (
    "no comments found in HTML page (looked for WordPress, Disqus, schema.org Comment "
    "microdata, JSON-LD and comment blocks, then for 'Name on August 29, 2018:' headers "
    "in the page text)"
)
_RAW_LIMIT = 500
_LINE_LOCATOR = re.compile(r"^line (\d+)$")
# Elements serialised without an end tag when a comment is re-rendered for text extraction.
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
# Elements html_fragment_to_text drops with their content.
_FRAGMENT_TEXT_DROPS = frozenset({"script", "style", "template", "noscript"})


# --------------------------------------------------------------------------- entry point


@dataclass
class _Page:
    """A parsed page with its unsafe content already removed."""

    soup: BeautifulSoup
    json_ld: list[tuple[int, str]]
    markup: HtmlMarkup

    @functools.cached_property
    def tags(self) -> list[Tag]:
        """Every element of the page in document order."""
        return list(subtree_tags(self.soup))


@dataclass
class _Found:
    """What one markup family found: records in page order and the comment elements."""

    records: list[RawComment | RecordReject]
    elements: list[Tag]

    def has_comments(self) -> bool:
        return any(isinstance(record, RawComment) for record in self.records)


def parse_html_page(source: SourceText, columns: ColumnMapping) -> Iterator[ParsedItem]:
    """Yield the page's article as a ThreadInfo, then its comments in page order.

    Args:
        source: the decoded HTML page.
        columns: unused by the markup families; passed on to the page-text fallback.

    Raises:
        InputFormatError: no markup family and no page-text header finds a comment.
    """
    page = _read_page(source.name, source.text)
    found = _find_comments(page)
    if found is None:
        yield from _parse_as_page_text(source, columns, page)
        return
    thread = _thread_info(page, found.elements)
    if thread.thread:
        yield thread
    for record in found.records:
        yield replace(record, thread=thread.thread) if isinstance(record, RawComment) else record


def html_page_to_text(markup_text: str, source_name: str = "<html>") -> str:
    """Flatten an HTML page to text: one line per block element, blank lines between.

    This is the shape of a page saved "as text", which the page-text parser reads.
    Scripts, styles and frames are removed first.

    Raises:
        InputFormatError: the HTML parser rejects the text (named ``source_name``).
    """
    return _page_text(_page_lines(_read_page(source_name, markup_text)))


def _read_page(source_name: str, markup_text: str) -> _Page:
    markup = load_html_markup()
    soup = _parse_html(source_name, markup_text)
    # JSON-LD lives in <script> elements, so it is collected before scripts are removed.
    json_ld = [(tag.sourceline or 0, _script_source(tag)) for tag in subtree_tags(soup) if _is_json_ld(tag)]
    _remove_unsafe_content(soup, markup)
    return _Page(soup, json_ld, markup)


class _NameCounts:
    """A multiset of tag names with the three list operations BeautifulSoup uses on it."""

    def __init__(self) -> None:
        self._counts: collections.Counter[str] = collections.Counter()

    def append(self, name: str) -> None:
        self._counts[name] += 1

    def remove(self, name: str) -> None:
        if self._counts[name] <= 0:
            raise ValueError(f"{name!r} is not in the list")
        self._counts[name] -= 1

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._counts[name] > 0


class _LinearHTMLParser(BeautifulSoupHTMLParser):
    """BeautifulSoup's html.parser bridge, linear in the number of empty elements.

    It remembers every ``<img>``, ``<br>``... it closed itself, in a list searched at
    every end tag, which makes a page with one image per comment quadratic (a minute
    for 10,000 comments). A multiset answers the same questions in constant time, so
    the tree built is the same.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.already_closed_empty_element = _NameCounts()  # type: ignore[assignment]


class _LinearTreeBuilder(HTMLParserTreeBuilder):
    def feed(self, markup: Any, *args: Any, **kwargs: Any) -> None:
        super().feed(markup, _parser_class=_LinearHTMLParser)


# Older BeautifulSoup releases cannot be given the parser class; they get the stock one.
_HTML_BUILDER: Any = (
    _LinearTreeBuilder
    if "_parser_class" in inspect.signature(HTMLParserTreeBuilder.feed).parameters
    else HTMLParserTreeBuilder
)


def _parse_html(source_name: str, markup_text: str) -> BeautifulSoup:
    try:
        return BeautifulSoup(markup_text, builder=_HTML_BUILDER)
    except ParserRejectedMarkup:
        pass
    # html.parser gives up on a stray marked section such as "<![ x"; those are never
    # reader text, so rather than lose the whole page they are read as literal text.
    try:
        return BeautifulSoup(markup_text.replace("<![", "&lt;!["), builder=_HTML_BUILDER)
    except ParserRejectedMarkup as error:
        raise InputFormatError(source_name, f"the HTML parser rejected this page: {error}") from error


def _is_json_ld(tag: Tag) -> bool:
    return tag.name == "script" and str(tag.get("type", "")).strip().lower() == "application/ld+json"


def _script_source(script: Tag) -> str:
    return "".join(str(child) for child in script.contents)


def _remove_unsafe_content(soup: BeautifulSoup, markup: HtmlMarkup) -> None:
    # One walk; nothing inside an unsafe element is visited, it goes with the element.
    for tag in list(subtree_tags(soup, lambda tag: tag.name in markup.unsafe_tags)):
        if tag.name in markup.unsafe_tags:
            tag.decompose()
            continue
        for attribute in [name for name in tag.attrs if name.lower().startswith("on")]:
            del tag.attrs[attribute]


def _find_comments(page: _Page) -> _Found | None:
    finders: tuple[Callable[[_Page], _Found], ...] = (
        functools.partial(_find_by_selectors, family="wordpress"),
        functools.partial(_find_by_selectors, family="disqus"),
        _find_microdata,
        _find_json_ld,
        functools.partial(_find_by_selectors, family="blocks"),
    )
    for finder in finders:
        found = finder(page)
        if found.has_comments():
            return found
    return None


def _parse_as_page_text(source: SourceText, columns: ColumnMapping, page: _Page) -> Iterator[ParsedItem]:
    lines = _page_lines(page)
    page_source = SourceText(source.name, _page_text(lines), source.encoding)
    try:
        items = list(parse_page_text(page_source, columns))
    except InputFormatError as error:
        raise InputFormatError(source.name, NO_COMMENTS) from error
    if not any(isinstance(item, RawComment) for item in items):
        raise InputFormatError(source.name, NO_COMMENTS)
    for item in _with_page_thread(items, _thread_info(page, [])):
        if isinstance(item, (RawComment, RecordReject)):
            item = replace(item, locator=_html_locator(item.locator, lines))
        yield item


def _with_page_thread(items: list[ParsedItem], thread: ThreadInfo) -> Iterator[ParsedItem]:
    """Hang comments the page-text reader left without a thread under the HTML page's own."""
    if any(isinstance(item, ThreadInfo) for item in items) or not thread.thread:
        yield from items
        return
    yield thread
    for item in items:
        if isinstance(item, RawComment) and not item.thread:
            item = replace(item, thread=thread.thread)
        yield item


# --------------------------------------------------------------------------- element helpers


def _owner(tag: Tag, items: Mapping[int, Tag]) -> Tag | None:
    """The nearest enclosing comment element of ``tag`` (keyed by ``id()``), if any."""
    for parent in tag.parents:
        if id(parent) in items:
            return parent
    return None


def _own_tags(item: Tag, items: Mapping[int, Tag]) -> list[Tag]:
    """The elements under ``item`` that belong to it: nested replies (keyed by ``id()``) are
    included themselves, but not what is inside them."""
    return list(subtree_tags(item, lambda tag: id(tag) in items))


def _own_matches(item: Tag, selector: soupsieve.SoupSieve, own: list[Tag]) -> Iterator[Tag]:
    """Elements under ``item`` matching ``selector`` that do not belong to a nested reply."""
    return select_among(selector, own, item)


def _first_own(item: Tag, selector: soupsieve.SoupSieve, own: list[Tag]) -> Tag | None:
    return next(_own_matches(item, selector, own), None)


@dataclass(frozen=True)
class _EndTag:
    name: str


def _visible_nodes(
    root: Tag, markup: HtmlMarkup, *drops: Container[int]
) -> Iterator[Tag | NavigableString | _EndTag]:
    """The elements, end tags and strings under ``root`` that can hold reader text.

    Unsafe elements (scripts, frames...) and elements whose ``id()`` is in one of
    ``drops`` are left out with everything inside them; ``root`` itself never is.
    Comments, CDATA, doctypes and processing instructions are not text. Iterative,
    because unclosed ``<div>`` elements can nest deeper than Python's recursion limit.
    """
    pending: list[Tag | NavigableString | _EndTag] = list(reversed(root.contents))
    if not isinstance(root, BeautifulSoup):
        pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, Tag):
            if node is not root and (
                node.name in markup.unsafe_tags or any(id(node) in drop for drop in drops)
            ):
                continue
            yield node
            if node.name not in _VOID_TAGS:
                pending.append(_EndTag(node.name))
                pending.extend(reversed(node.contents))
        elif isinstance(node, _EndTag) or not isinstance(node, PreformattedString):
            yield node


def _render(root: Tag, markup: HtmlMarkup, *drops: Container[int]) -> str:
    """Serialise ``root`` as attribute-free HTML for :func:`html_fragment_to_text`.

    Attributes carry nothing a reader wrote, and leaving them all out means no event
    handler can ever reach the text. A line break goes before every block element:
    malformed pages nest blocks (``<p>one<p>two`` puts the second paragraph inside the
    first), and a break only after each block would glue their texts together.
    """
    parts: list[str] = []
    for node in _visible_nodes(root, markup, *drops):
        if isinstance(node, _EndTag):
            parts.append(f"</{node.name}>")
        elif isinstance(node, Tag):
            parts.append(f"\n<{node.name}>" if node.name in markup.block_tags else f"<{node.name}>")
        else:
            parts.append(html.escape(str(node), quote=False))
    return "".join(parts)


def _element_text(element: Tag, markup: HtmlMarkup, *drops: Container[int]) -> str:
    """A comment body's text, one line per block.

    This is ``html_fragment_to_text(_render(...))``, computed from the parsed elements
    rather than by parsing the rendered HTML again (which cost more than everything
    else per comment). Only when the rule file lets through elements that
    :func:`html_fragment_to_text` drops is the rendered HTML parsed.
    """
    if not _FRAGMENT_TEXT_DROPS <= markup.unsafe_tags:
        return html_fragment_to_text(_render(element, markup, *drops)).strip()
    return html_events_to_text(_text_events(element, markup, *drops)).strip()


def _text_events(root: Tag, markup: HtmlMarkup, *drops: Container[int]) -> Iterator[tuple[str, str]]:
    """The markup :func:`_render` writes, as events for :func:`html_events_to_text`."""
    for node in _visible_nodes(root, markup, *drops):
        if isinstance(node, _EndTag):
            yield "end", node.name
        elif isinstance(node, Tag):
            if node.name in markup.block_tags:
                yield "text", "\n"
            yield "start", node.name
        else:
            yield "text", str(node)


def _one_line_text(element: Tag, markup: HtmlMarkup, *drops: Container[int]) -> str:
    """A short value (name, date, excerpt) on one line; cheaper than a full text conversion."""
    parts: list[str] = []
    for node in _visible_nodes(element, markup, *drops):
        if isinstance(node, Tag):
            parts.append(" " if node.name in markup.block_tags or node.name == "br" else "")
        elif isinstance(node, NavigableString):
            parts.append(str(node))
    return _one_line("".join(parts))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _excerpt(element: Tag, markup: HtmlMarkup, *drops: Container[int]) -> str:
    return _one_line_text(element, markup, *drops)[:_RAW_LIMIT]


def _locator(element: Tag) -> str:
    return f"line {element.sourceline}" if element.sourceline else ""


def _native_id(element: Tag, markup: HtmlMarkup) -> str:
    """The comment system's id, else one made from the element's position.

    A made-up id keeps replies attached to their parent on pages without ids; it is
    stable because it depends only on the file's content.
    """
    written = str(element.get("id") or element.get("itemid") or "").strip()
    if written:
        return markup.native_id_prefix.sub("", written) or written
    return f"html-line-{element.sourceline}-col-{element.sourcepos}"


def _classes(element: Tag) -> set[str]:
    value = element.get("class") or []
    return set(value.split() if isinstance(value, str) else value)


def _is_flagged_author(item: Tag, own: list[Tag], items: Mapping[int, Tag], markup: HtmlMarkup) -> bool:
    if _classes(item) & markup.author_flag_classes:
        return True
    # Some themes put the class on the comment's inner wrapper rather than its <li>.
    return any(
        id(element) not in items and _has_class_among(element, markup.author_flag_classes)
        for element in own
    )


def _has_class_among(element: Tag, wanted: Container[str]) -> bool:
    """As BeautifulSoup's ``find_all(class_=[...])``: one class, or the whole attribute, is wanted."""
    value = element.get("class")
    if not value:
        return False
    classes = value.split() if isinstance(value, str) else list(value)
    return any(name in wanted for name in classes) or " ".join(classes) in wanted


def _rule_value(
    element: Tag, rule: FieldRule, noise: soupsieve.SoupSieve | None, markup: HtmlMarkup
) -> str:
    if rule.attr:
        return _one_line(str(element.get(rule.attr) or ""))
    noise_ids = {id(tag) for tag in _select_under(noise, element)} if noise is not None else set()
    return _one_line_text(element, markup, noise_ids)


def _select_under(selector: soupsieve.SoupSieve, root: Tag, skip: Mapping[int, Tag] | None = None) -> Iterator[Tag]:
    """``selector.select(root)``, not looking inside the elements of ``skip`` (keyed by ``id()``)
    under ``root``: the caller leaves those out of the text whole, so what they hold cannot matter."""
    inside = subtree_tags(root, (lambda tag: id(tag) in skip) if skip else (lambda tag: False))
    return select_among(selector, inside, root)


# --------------------------------------------------------------------------- thread


def _thread_info(page: _Page, comment_elements: list[Tag]) -> ThreadInfo:
    rules = page.markup.thread
    comments = {id(element): element for element in comment_elements}
    # The page outside its comments: only there are the article's title, author and text.
    outside = [tag for tag in subtree_tags(page.soup, lambda tag: id(tag) in comments) if id(tag) not in comments]

    def page_value(field_rules: tuple[FieldRule, ...]) -> str:
        for rule in field_rules:
            for element in select_among(rule.selector, outside, page.soup):
                value = _rule_value(element, rule, None, page.markup)
                if value:
                    return value
        return ""

    title, url = page_value(rules.title), page_value(rules.url)
    return ThreadInfo(
        thread=title or url,
        title=title,
        url=url,
        author=page_value(rules.author),
        posted_at=page_value(rules.posted_at),
        body=_article_body(page, comments, outside),
    )


def _article_body(page: _Page, comments: Mapping[int, Tag], outside: list[Tag]) -> str:
    rules = page.markup.thread
    for selector in rules.body:
        for element in select_among(selector, outside, page.soup):
            # Comments are left out of the text whole, so what is inside them cannot matter.
            not_body = (
                {id(tag) for tag in _select_under(rules.not_body, element, comments)} if rules.not_body else set()
            )
            body = normalize_text(_element_text(element, page.markup, comments, not_body))
            if body:
                return body
    return ""


# --------------------------------------------------------------------------- families 1, 2, 5


def _find_by_selectors(page: _Page, family: str) -> _Found:
    rules = page.markup.families[family]
    candidates = _family_candidates(page, rules)
    candidate_index = {id(tag): tag for tag in candidates}
    # An item without its own body is a wrapper around the real comment element.
    items = [
        tag
        for tag in candidates
        if rules.require is None
        or _first_own(tag, rules.require, _own_tags(tag, candidate_index)) is not None
    ]
    item_index = {id(tag): tag for tag in items}
    records = [_selector_record(item, rules, item_index, page.markup) for item in items]
    return _Found(records, items)


def _family_candidates(page: _Page, rules: SelectorFamily) -> list[Tag]:
    """Elements matching ``rules.items`` inside one of ``rules.scope``, in page order."""
    matches = list(select_among(rules.items, page.tags, page.soup))
    if rules.scope is None or not matches:
        return matches
    scopes = {id(tag) for tag in select_among(rules.scope, page.tags, page.soup)}
    inside: set[int] = set()
    for tag in page.tags:  # page order: a parent is seen before its children
        if tag.parent is not None and (id(tag.parent) in scopes or id(tag.parent) in inside):
            inside.add(id(tag))
    return [tag for tag in matches if id(tag) in inside]


def _selector_record(
    item: Tag, rules: SelectorFamily, items: Mapping[int, Tag], markup: HtmlMarkup
) -> RawComment | RecordReject:
    # Every other comment element is dropped from this one's text: nested replies are
    # read on their own.
    locator, raw = _locator(item), _excerpt(item, markup, items)
    rejected = sorted(_classes(item) & set(rules.reject_classes))
    if rejected:
        return RecordReject(locator, rules.reject_classes[rejected[0]], raw)
    own = _own_tags(item, items)
    author, author_element = _own_field(item, rules.author, rules, own, markup)
    posted_at, date_element = _own_field(item, rules.date, rules, own, markup)
    body = next((found for selector in rules.body if (found := _first_own(item, selector, own))), item)
    not_text = {id(element) for element in (author_element, date_element) if element is not None}
    if rules.noise is not None:
        # Nested replies are left out of the text whole, so what is inside them cannot matter.
        not_text.update(id(tag) for tag in _select_under(rules.noise, body, items))
    parent = _owner(item, items)
    return RawComment(
        locator=locator,
        text=_element_text(body, markup, items, not_text),
        author=author,
        posted_at=posted_at,
        native_id=_native_id(item, markup),
        native_parent=_native_id(parent, markup) if parent is not None else "",
        is_author=_is_flagged_author(item, own, items, markup),
        raw=raw,
    )


def _own_field(
    item: Tag,
    field_rules: tuple[FieldRule, ...],
    rules: SelectorFamily,
    own: list[Tag],
    markup: HtmlMarkup,
) -> tuple[str, Tag | None]:
    for rule in field_rules:
        for element in _own_matches(item, rule.selector, own):
            value = _rule_value(element, rule, rules.noise, markup)
            if value:
                return value, element
    return "", None


# --------------------------------------------------------------------------- family 3: microdata


def _find_microdata(page: _Page) -> _Found:
    names = page.markup.microdata
    items = page.soup.find_all(lambda tag: _is_comment_item(tag, names.comment_type))
    item_index = {id(tag): tag for tag in items}
    records: list[RawComment | RecordReject] = []
    for item in items:
        properties = _item_properties(item)
        text_element = _first_property(properties, names.text)
        parent = _owner(item, item_index)
        records.append(
            RawComment(
                locator=_locator(item),
                text=_microdata_text(text_element, item_index, page.markup),
                author=_microdata_author(_first_property(properties, names.author), names),
                posted_at=_microdata_value(_first_property(properties, names.date)),
                native_id=_native_id(item, page.markup),
                native_parent=_native_id(parent, page.markup) if parent is not None else "",
                is_author=_is_flagged_author(item, _own_tags(item, item_index), item_index, page.markup),
                raw=_excerpt(item, page.markup, item_index),
            )
        )
    return _Found(records, items)


def _is_comment_item(tag: Tag, type_suffix: str) -> bool:
    return any(item_type.endswith(type_suffix) for item_type in str(tag.get("itemtype", "")).split())


def _is_item_scope(tag: Tag) -> bool:
    return tag.has_attr("itemscope") or tag.has_attr("itemtype")


def _item_properties(item: Tag) -> dict[str, list[Tag]]:
    """The item's own properties: those whose nearest enclosing item is ``item``."""
    properties: dict[str, list[Tag]] = {}
    # An element with its own item scope is a property of ``item``; what is inside it is not.
    for element in subtree_tags(item, _is_item_scope):
        if not element.has_attr("itemprop"):
            continue
        for name in str(element["itemprop"]).split():
            properties.setdefault(name, []).append(element)
    return properties


def _first_property(properties: Mapping[str, list[Tag]], names: tuple[str, ...]) -> Tag | None:
    for name in names:
        for element in properties.get(name, []):
            if _microdata_value(element) or element.find(True) is not None:
                return element
    return None


def _microdata_value(element: Tag | None) -> str:
    """A short property value: ``content`` or ``datetime`` attribute first, else the text."""
    if element is None:
        return ""
    for attribute in ("content", "datetime"):
        if element.get(attribute):
            return _one_line(str(element[attribute]))
    return _one_line(element.get_text(" "))


def _microdata_author(element: Tag | None, names: PropertyNames) -> str:
    if element is None:
        return ""
    if _is_item_scope(element):
        name = _microdata_value(_first_property(_item_properties(element), names.author_name))
        if name:
            return name
    return _microdata_value(element)


def _microdata_text(element: Tag | None, items: Mapping[int, Tag], markup: HtmlMarkup) -> str:
    if element is None:
        return ""
    if element.get("content"):
        return html_fragment_to_text(str(element["content"])).strip()
    return _element_text(element, markup, items)


# --------------------------------------------------------------------------- family 4: JSON-LD


def _find_json_ld(page: _Page) -> _Found:
    names = page.markup.json_ld
    records: list[RawComment | RecordReject] = []
    for line, source in page.json_ld:
        try:
            data = json.loads(source)
        except (ValueError, RecursionError) as error:
            # Pages often carry hand-written metadata blocks with syntax errors; only
            # one that seems to hold comments is worth a line in the rejects table.
            if f'"{names.comment_type}"' in source:
                records.append(RecordReject(f"line {line}", f"JSON-LD block is not valid JSON: {error}"))
            continue
        records.extend(_json_ld_comments(data, line, names))
    return _Found(records, [])


def _json_ld_comments(data: Any, line: int, names: PropertyNames) -> Iterator[RawComment]:
    """Every Comment object in a JSON-LD document, in document order.

    A Comment found inside another Comment (its ``comment`` list) is a reply to it.
    """
    pending: list[tuple[Any, str]] = [(data, "")]
    count = 0
    while pending:
        node, parent = pending.pop()
        if isinstance(node, list):
            pending.extend((child, parent) for child in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        not_children: tuple[str, ...] = ()
        if _json_ld_is_comment(node, names.comment_type):
            count += 1
            comment = _json_ld_comment(node, parent, line, count, names)
            yield comment
            parent = comment.native_id
            # A parent written out in full under parentItem is not a reply to this comment.
            not_children = names.parent
        children = [
            value
            for key, value in node.items()
            if isinstance(value, (dict, list)) and key not in not_children
        ]
        pending.extend((child, parent) for child in reversed(children))


def _json_ld_is_comment(node: Mapping[str, Any], comment_type: str) -> bool:
    types = node.get("@type", [])
    return comment_type in (types if isinstance(types, list) else [types])


def _json_ld_comment(
    node: Mapping[str, Any], parent: str, line: int, count: int, names: PropertyNames
) -> RawComment:
    text = html_fragment_to_text(_json_ld_string(_first_key(node, names.text)))
    written_parent = _json_ld_reference(_first_key(node, names.parent))
    # Every comment of a block starts on the <script> line; the count keeps made-up ids apart.
    fallback_id = f"json-ld-line-{line}-{count}"
    return RawComment(
        locator=f"line {line}",
        text=text.strip(),
        author=_json_ld_name(_first_key(node, names.author), names),
        posted_at=_json_ld_string(_first_key(node, names.date)),
        native_id=_json_ld_reference(_first_key(node, names.id)) or fallback_id,
        native_parent=written_parent or parent,
        raw=_one_line(text)[:_RAW_LIMIT],
    )


def _first_key(node: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if node.get(key) not in (None, "", [], {}):
            return node[key]
    return None


def _json_ld_string(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() if isinstance(value, (str, int, float)) else ""


def _json_ld_reference(value: Any) -> str:
    if isinstance(value, dict):
        return _json_ld_string(value.get("@id") or value.get("identifier") or value.get("url"))
    return _json_ld_string(value)


def _json_ld_name(value: Any, names: PropertyNames) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _json_ld_string(_first_key(value, names.author_name))
    return _json_ld_string(value)


# --------------------------------------------------------------------------- fallback: page text


@dataclass(frozen=True)
class _PageLine:
    """One line of the flattened page and the HTML line its text starts on."""

    text: str
    source_line: int


def _page_lines(page: _Page) -> list[_PageLine]:
    """The page's visible text, one line per block element (or ``<br>``)."""
    root = page.soup.body or page.soup
    lines: list[_PageLine] = []
    parts: list[str] = []
    element_line = start_line = root.sourceline or 1

    def end_line() -> None:
        text = _one_line("".join(parts))
        if text:
            lines.append(_PageLine(text, start_line))
        parts.clear()

    for node in _visible_nodes(root, page.markup):
        if isinstance(node, Tag):
            element_line = node.sourceline or element_line
        if isinstance(node, (Tag, _EndTag)):
            if node.name in page.markup.block_tags or node.name == "br":
                end_line()
        else:
            if not "".join(parts).strip():
                start_line = element_line
            parts.append(str(node))
    end_line()
    return lines


def _page_text(lines: list[_PageLine]) -> str:
    # Blank lines between blocks, as in a page saved "as text" by a browser.
    return "\n\n".join(line.text for line in lines) + "\n"


def _html_locator(locator: str, lines: list[_PageLine]) -> str:
    """Turn ``line N`` of the flattened text back into the line of the HTML file."""
    match = _LINE_LOCATOR.match(locator)
    if match is None:
        return locator
    index = (int(match[1]) - 1) // 2  # text line N holds page line (N - 1) / 2, see _page_text
    return f"line {lines[index].source_line}" if 0 <= index < len(lines) else locator
