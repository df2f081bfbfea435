"""CSS selection over a chosen list of elements, fast enough for pages of 100,000 comments.

``SoupSieve.select(root)`` walks every element under ``root`` and runs the full selector
machinery on each. The HTML page parser asks many small questions ("the author element of
this comment, not of its replies"), and asking them with ``select`` re-walks nested replies
and the whole page over and over. Here the caller says which elements to look at (the
elements a comment owns, the page outside the comments...). Alternatives made only of a
tag name, ids and classes (``li.comment``, ``.fn``) are decided here directly, the way
soupsieve decides them; for the others each element is first checked against conditions
every match needs (its name, an id or a class, read from the compiled selector), so
soupsieve's full match runs only on the few elements that can pass.

The result is exactly what ``select`` followed by a filter to the chosen elements gives
(``tests/ingest/test_html_speed.py`` compares them on random markup). Selectors using ``:scope`` (whose meaning depends on where ``select``
starts) are answered with ``select`` itself.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

import soupsieve
from soupsieve import css_types as ct
from bs4 import Tag

# soupsieve compares HTML tag names lower-cased in ASCII only.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# How soupsieve splits a class attribute held as one string.
_NOT_SPACE = re.compile("[^ \t\r\n\f]+")

@dataclass(frozen=True)
class _Needs:
    """One condition per alternative of a selector list that every match of it meets.

    An element that meets none of them cannot match. ``anything`` is set when some
    alternative puts no condition on the element's own name, id or class.
    """

    anything: bool
    classes: frozenset[str]
    names: frozenset[str]
    ids: frozenset[str]


@dataclass(frozen=True)
class _Simple:
    """An alternative made only of a tag name, ids and classes (``li.comment``, ``.fn``)."""

    name: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]

    def matches(self, element: Tag) -> bool:
        """As soupsieve decides it: ASCII case-insensitive name, exact ids and classes."""
        if self.name is not None and (element.name or "").translate(_ASCII_LOWER) != self.name:
            return False
        if self.ids and any(wanted != element.get("id", "") for wanted in self.ids):
            return False
        return not self.classes or all(wanted in _classes(element) for wanted in self.classes)


@dataclass(frozen=True)
class _Plan:
    """How to answer a selector: its simple alternatives directly, the rest by soupsieve."""

    simple: tuple[_Simple, ...]
    others: _Needs | None  # None when every alternative is simple


def _tag_name(alternative: Any) -> str | None:
    name = getattr(getattr(alternative, "tag", None), "name", None)
    return None if name in (None, "*") else name.translate(_ASCII_LOWER)


def _is_simple(alternative: Any, selector: soupsieve.SoupSieve) -> bool:
    tag = getattr(alternative, "tag", None)
    return (
        isinstance(alternative, ct.Selector)
        and (tag is None or tag.prefix is None)
        and not selector.namespaces
        and not (alternative.attributes or alternative.nth or alternative.selectors or alternative.relation)
        and not (alternative.contains or alternative.lang or alternative.flags)
    )


def _needs(alternatives: list[Any]) -> _Needs:
    classes, names, ids = set(), set(), set()
    anything = False
    for alternative in alternatives:
        name = _tag_name(alternative)
        if getattr(alternative, "classes", ()):
            classes.add(alternative.classes[0])
        elif getattr(alternative, "ids", ()):
            ids.add(alternative.ids[0])
        elif name is not None:
            names.add(name)
        else:
            anything = True
    return _Needs(anything, frozenset(classes), frozenset(names), frozenset(ids))


@functools.cache
def _plan(selector: soupsieve.SoupSieve) -> _Plan:
    alternatives = list(selector.selectors)
    if selector.selectors.is_not or selector.selectors.is_html:
        return _Plan((), _needs(alternatives))
    simple = [alternative for alternative in alternatives if _is_simple(alternative, selector)]
    others = [alternative for alternative in alternatives if not any(alternative is s for s in simple)]
    return _Plan(
        tuple(_Simple(_tag_name(a), tuple(a.ids), tuple(a.classes)) for a in simple),
        _needs(others) if others else None,
    )


def _classes(element: Tag) -> Sequence[str]:
    value = element.get("class") or []
    return _NOT_SPACE.findall(value) if isinstance(value, str) else value


def _may_match(element: Tag, needs: _Needs) -> bool:
    """False only when no alternative of the selector can match ``element``."""
    if needs.anything:
        return True
    if needs.names and (element.name or "").translate(_ASCII_LOWER) in needs.names:
        return True
    if needs.ids and element.get("id", "") in needs.ids:
        return True
    return bool(needs.classes) and not needs.classes.isdisjoint(_classes(element))


def uses_scope(selector: soupsieve.SoupSieve) -> bool:
    return ":scope" in selector.pattern


def select_among(selector: soupsieve.SoupSieve, elements: Iterable[Tag], root: Tag) -> Iterator[Tag]:
    """The elements of ``elements`` (in their order) that ``selector.select(root)`` returns.

    ``elements`` must all lie under ``root``. Lazy, so a caller wanting the first match
    stops the work there.
    """
    if uses_scope(selector):
        chosen = {id(element) for element in elements}
        yield from (element for element in selector.select(root) if id(element) in chosen)
        return
    plan = _plan(selector)
    for element in elements:
        if any(simple.matches(element) for simple in plan.simple) or (
            plan.others is not None and _may_match(element, plan.others) and selector.match(element)
        ):
            yield element


def subtree_tags(root: Tag, stop: Callable[[Tag], bool] = lambda tag: False) -> Iterator[Tag]:
    """Every element under ``root`` in document order, not entering elements ``stop`` accepts.

    Those elements are yielded themselves, only what is inside them is left out.
    Iterative, because unclosed ``<div>`` elements can nest deeper than Python's
    recursion limit.
    """
    pending: list[Tag] = [child for child in reversed(root.contents) if isinstance(child, Tag)]
    while pending:
        tag = pending.pop()
        yield tag
        if not stop(tag):
            pending.extend(child for child in reversed(tag.contents) if isinstance(child, Tag))
