"""The HTML page parser's shortcuts: the same answers as the slow way, in linear time.

A page of 100,000 comments is read in about a minute because the parser (1) runs CSS
selectors only on the elements a comment owns, pre-checked by name, id and class,
(2) builds comment text from the parsed elements instead of parsing rendered HTML again,
and (3) keeps BeautifulSoup's list of self-closed elements (``<img>``, ``<br>``) as a
multiset. Each shortcut is checked here against what it replaces, on random markup, and
the work done per comment is checked not to grow with the page.
"""
from __future__ import annotations

from typing import Callable

import pytest
import soupsieve
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest.formats import html_page, html_select
from pipeline.ingest.formats.html_markup import load_html_markup
from pipeline.ingest.normalize import html_fragment_to_text
from pipeline.ingest.records import ColumnMapping, RawComment, SourceText

FEW = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of markup, well-formed or not, with the class names the rule file looks for.
_CLASSES = ["comment", "comment-body", "comment-author", "fn", "reply", "post", "post-message", "avatar",
            "bypostauthor", "children", "comment-content", "user-name", "says", "text"]
_OPEN_TAGS = ["div", "p", "li", "ul", "ol", "span", "b", "article", "pre", "rt", "rp", "ruby", "time", "cite",
              "blockquote", "h2", "a", "footer", "section", "td", "tr", "table"]
_PIECES = st.one_of(
    st.builds(lambda tag, cls: f'<{tag} class="{cls}">', st.sampled_from(_OPEN_TAGS),
              st.lists(st.sampled_from(_CLASSES), max_size=2).map(" ".join)),
    st.builds(lambda tag: f"<{tag}>", st.sampled_from(_OPEN_TAGS)),
    st.builds(lambda tag: f"</{tag}>", st.sampled_from(_OPEN_TAGS)),
    st.sampled_from(["<br>", "<br/>", "</br>", "<img src=x>", "<img></img>", "<hr>", "<spacer>", "</spacer>",
                     "<wbr>", "<input>", '<span id="comment-7">', '<time datetime="2020-01-02">', "<!-- note -->"]),
    st.sampled_from([" ", "\n", "  \n ", "\t", " <p>", "x <div>", "\n<li>", "&amp;", "&lt;b&gt;", "&nbsp;", "x < y", "Tom &amp Jerry"]),
    st.text(alphabet="abc xyz\n\u00e9", min_size=1, max_size=8),
)
MARKUP = st.lists(_PIECES, max_size=40).map("".join)


def _page(markup: str) -> html_page._Page:
    return html_page._read_page("random.html", f"<html><body>{markup}</body></html>")


@FEW
@given(markup=MARKUP)
def test_linear_parser_builds_the_same_tree_as_the_stock_one(markup: str) -> None:
    fast = BeautifulSoup(markup, builder=html_page._HTML_BUILDER)
    stock = BeautifulSoup(markup, "html.parser")
    assert fast.decode() == stock.decode()
    positions = [(tag.name, tag.sourceline, tag.sourcepos) for tag in fast.find_all(True)]
    assert positions == [(tag.name, tag.sourceline, tag.sourcepos) for tag in stock.find_all(True)]


def test_the_linear_parser_is_the_one_in_use() -> None:
    assert html_page._HTML_BUILDER is html_page._LinearTreeBuilder


@FEW
@given(markup=MARKUP, drop_every=st.integers(min_value=2, max_value=5))
def test_comment_text_is_what_parsing_the_rendered_html_gives(markup: str, drop_every: int) -> None:
    page = _page(markup)
    drops = {id(tag) for tag in page.tags[::drop_every]}
    for element in page.tags:
        slow = html_fragment_to_text(html_page._render(element, page.markup, drops)).strip()
        assert html_page._element_text(element, page.markup, drops) == slow


@pytest.mark.parametrize(
    "fragment, text",
    [
        ("<div><p>one</p> <p>two</p></div>", "one\n\ntwo"),  # the space and the newline before <p> are one string, which shrinks
        ("<p>one<br>two</p>", "one\ntwo"),
        ("<p>a &amp; b &lt;c&gt;</p>", "a & b <c>"),
        ("<div><ruby>kanji<rt>reading</rt><rp>(</rp></ruby></div>", "kanji"),  # annotations are not text
        ("<pre>  two  spaces  </pre>", "two  spaces"),
        ("<div> <span>  </span> </div>", ""),  # whitespace-only strings shrink, then strip
        ("<div><img>after an image</div>", "after an image"),
    ],
)
def test_comment_text_shortcut_on_written_fragments(fragment: str, text: str) -> None:
    page = _page(fragment)
    element = page.tags[1]  # the first element inside <body>
    slow = html_fragment_to_text(html_page._render(element, page.markup)).strip()
    assert (html_page._element_text(element, page.markup), slow) == (text, text)


def _rule_selectors() -> list[soupsieve.SoupSieve]:
    markup = load_html_markup()
    selectors = [rule.selector for rules in (markup.thread.title, markup.thread.url, markup.thread.author,
                                             markup.thread.posted_at) for rule in rules]
    selectors += [*markup.thread.body, markup.thread.not_body]
    for family in markup.families.values():
        selectors += [family.scope, family.items, family.require, family.noise, *family.body]
        selectors += [rule.selector for rule in (*family.author, *family.date)]
    return [selector for selector in selectors if selector is not None]


@FEW
@given(markup=MARKUP)
def test_selection_among_chosen_elements_is_what_select_gives(markup: str) -> None:
    page = _page(markup)
    roots = [page.soup, *page.tags[:5]]
    for selector in _rule_selectors():
        for root in roots:
            chosen = list(html_select.subtree_tags(root))
            assert list(html_select.select_among(selector, chosen, root)) == selector.select(root)


@pytest.mark.parametrize(
    "css, matches",
    [
        ("li.comment", ["li-comment"]),
        (".comment", ["li-comment", "div-comment"]),
        ("#one", ["li-comment"]),
        ("[class*=ment]", ["li-comment", "div-comment", "p-mention"]),
        ("div.comment p", ["p-mention"]),
        ("li > p", []),  # the <p> is inside the <div>, not a child of the <li>
        ("LI.comment", ["li-comment"]),  # tag names match in any case, as in select
        ("span.comment", []),
        ("li.comment.reply", []),
        ("p:scope", []),  # answered by select itself
    ],
)
def test_selection_among_written_page(css: str, matches: list[str]) -> None:
    soup = BeautifulSoup('<ul><li class="comment" id="one"><div class="comment"><p class="mention">x</p>'
                         "</div></li></ul>", "html.parser")
    selector = soupsieve.compile(css)
    found = list(html_select.select_among(selector, html_select.subtree_tags(soup), soup))
    assert [f"{tag.name}-{tag['class'][0]}" for tag in found] == matches
    assert found == selector.select(soup)


# --------------------------------------------------------------------------- linear time


def _wordpress(count: int) -> str:
    items = "".join(
        f'<li class="comment" id="comment-{n}"><div class="comment-body"><div class="comment-author vcard">'
        f'<img class="avatar" src="a.png"><cite class="fn">Reader {n}</cite></div>'
        f'<div class="comment-meta"><time datetime="2020-02-03">Feb 3</time></div>'
        f"<p>Stretching at night {n} helped.<br>Really.</p>"
        + (f'<ul class="children"><li class="comment" id="comment-r{n}"><div class="comment-body">'
           f'<cite class="fn">Replier</cite><p>Same here.</p></div></li></ul>' if n % 3 == 0 else "")
        + "</div></li>"
        for n in range(count)
    )
    return f'<html><head><title>Calves</title></head><body><ol class="commentlist">{items}</ol></body></html>'


def _disqus(count: int) -> str:
    items = "".join(
        f'<li class="post" id="post-{n}"><div class="avatar"><img src="a.png"></div>'
        f'<div class="post-byline"><span class="author">Reader {n}</span></div>'
        f'<div class="post-message"><p>Banana at bedtime {n}.</p></div></li>'
        for n in range(count)
    )
    return f'<html><body><div id="disqus_thread"><ul class="post-list">{items}</ul></div></body></html>'


def _microdata(count: int) -> str:
    items = "".join(
        f'<div itemscope itemtype="https://schema.org/Comment" id="c{n}"><span itemprop="author">R{n}</span>'
        f'<div itemprop="text"><p>Warm socks {n}.</p><img src="x.png"></div></div>'
        for n in range(count)
    )
    return f"<html><body>{items}</body></html>"


def _blocks(count: int) -> str:
    items = "".join(
        f'<div class="comment"><span class="comment-author">R{n}</span>'
        f'<div class="comment-text">Tonic water {n}.<br>Maybe.</div><button>Like</button></div>'
        for n in range(count)
    )
    return f"<html><body><div class='thread'>{items}</div></body></html>"


def _work(page: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Elements visited plus full selector matches run while reading ``page``."""
    counts = {"work": 0}
    walk, match = html_select.subtree_tags, soupsieve.SoupSieve.match

    def counted_walk(*args, **kwargs):  # type: ignore[no-untyped-def]
        for tag in walk(*args, **kwargs):
            counts["work"] += 1
            yield tag

    def counted_match(self, tag):  # type: ignore[no-untyped-def]
        counts["work"] += 1
        return match(self, tag)

    def no_select(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("select walks a whole subtree; none of the rule file's selectors needs it")

    with monkeypatch.context() as patch:
        patch.setattr(html_page, "subtree_tags", counted_walk)
        patch.setattr(html_select, "subtree_tags", counted_walk)
        patch.setattr(soupsieve.SoupSieve, "match", counted_match)
        patch.setattr(soupsieve.SoupSieve, "select", no_select)
        items = list(html_page.parse_html_page(SourceText("big.html", page), ColumnMapping()))
    assert sum(isinstance(item, RawComment) for item in items) >= 100
    return counts["work"]


@pytest.mark.parametrize("family", [_wordpress, _disqus, _microdata, _blocks], ids=lambda f: f.__name__[1:])
def test_work_per_comment_does_not_grow_with_the_page(
    family: Callable[[int], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = _work(family(100), monkeypatch), _work(family(800), monkeypatch)
    assert large <= 8 * small * 1.05, (small, large)


def test_page_of_many_self_closed_elements_is_read_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stock parser searched a list of every ``<img>`` so far at each end tag."""
    seen: list[object] = []
    original = html_page._LinearHTMLParser.__init__

    def remember(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        seen.append(self.already_closed_empty_element)

    monkeypatch.setattr(html_page._LinearHTMLParser, "__init__", remember)
    list(html_page.parse_html_page(SourceText("imgs.html", _disqus(50)), ColumnMapping()))
    assert seen and all(isinstance(names, html_page._NameCounts) for names in seen)
