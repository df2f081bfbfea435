"""CSS selection over a chosen list of elements, fast enough for pages of 100,000 comments.

``SoupSieve.select(root)`` walks every element under ``root`` and runs the full selector
machinery on each. The HTML page parser asks many small questions ("the author element of
this comment, not of its replies"), and asking them with ``select`` re-walks nested replies
and the whole page over and over. Here the caller says which elements to look at (the
elements a comment owns, the page outside the comments...) and each one is first checked
against conditions every match needs -- its tag name, ids and classes, read from the
compiled selector -- so the full match runs only on the few elements that can pass.

The result is exactly what ``select`` followed by a filter to the chosen elements gives:
the pre-check only ever skips elements that cannot match, and the full match is
soupsieve's own. Selectors using ``:scope`` (whose meaning depends on where ``select``
starts) are answered with ``select`` itself.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

import soupsieve
from bs4 import Tag

# soupsieve compares HTML tag names lower-cased in ASCII only.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

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


@functools.cache
def _needs(selector: soupsieve.SoupSieve) -> _Needs:
    classes, names, ids = set(), set(), set()
    anything = False
    for alternative in selector.selectors:
        tag = getattr(alternative, "tag", None)
        name = getattr(tag, "name", None)
        if getattr(alternative, "classes", ()):
            classes.add(alternative.classes[0])
        elif getattr(alternative, "ids", ()):
            ids.add(alternative.ids[0])
        elif name not in (None, "*"):
            names.add(name.translate(_ASCII_LOWER))
        else:
            anything = True
    return _Needs(anything, frozenset(classes), frozenset(names), frozenset(ids))


def _classes(element: Tag) -> Sequence[str]:
    value = element.get("class") or []
    return value.split() if isinstance(value, str) else value


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
    needs = _needs(selector)
    for element in elements:
        if _may_match(element, needs) and selector.match(element):
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
