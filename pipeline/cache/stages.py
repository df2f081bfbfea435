"""How extract and flag key their comments, which context they need, and which ids to recompute.

A comment's claims depend on its text and, for a reply, on its parent's claims, which depend
on the parent's text and its own parent, and on whether the parent came first (replies are
linked in comment order). So a reply's key chains its parent's key. Its flags depend on its
text and on the claims rows flag reads for it (``cluster`` may rename a discovered concept when
other comments change), so the flag key hashes those rows.
"""
from __future__ import annotations

import hashlib
from typing import Callable, Optional

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.cache.rows import CachedRows, cached_rows
from pipeline.cache.store import ShardStore, strings, member_of

#: The claims columns flag reads (see ``pipeline.flag.stage``); ``rule`` too when present.
FLAG_CLAIM_COLUMNS = ("concept", "category", "role", "effect", "negated", "question", "experiencer",
                      "surface", "start", "end", "rule")


def extract_finish(claims: pd.DataFrame) -> pd.DataFrame:
    """Recompute ``claim_id`` for claims served to a comment other than the one that stored them."""
    from pipeline.extract.stage import claim_id

    claims["claim_id"] = [
        claim_id(c, int(s), int(e), k)
        for c, s, e, k in zip(claims["comment_id"], claims["start"], claims["end"], claims["concept"])
    ]
    return claims


def flag_finish(flags: pd.DataFrame) -> pd.DataFrame:
    """Recompute ``flag_id`` for flags served to a comment other than the one that stored them."""
    from pipeline.flag.findings import flag_id

    flags["flag_id"] = [flag_id(c, f) for c, f in zip(flags["comment_id"], flags["flag"])]
    return flags


def cached_extract(
    comments: pd.DataFrame, extract: Callable[[pd.DataFrame], pd.DataFrame], store: ShardStore | None,
) -> CachedRows:
    """``extract(comments)`` (e.g. ``extract_claims`` with its pipeline bound), served from the cache where it can be."""
    keys = extract_keys(comments, store.version) if store is not None else []
    return cached_rows(comments, keys, extract, store, context=_ancestors, finish=extract_finish)


def cached_flags(
    comments: pd.DataFrame,
    claims: pd.DataFrame,
    flag: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame],
    store: ShardStore | None,
) -> CachedRows:
    """``flag(comments, claims)`` (e.g. ``flag_comments`` with its rules bound), served from the cache where it can be.

    Only the claims of the comments computed are handed to ``flag``.
    """

    def compute(some: pd.DataFrame) -> pd.DataFrame:
        if len(some) == len(comments):
            return flag(some, claims)
        return flag(some, claims[member_of(claims["comment_id"], set(strings(some["comment_id"])))])

    keys = flag_keys(comments, claims, store.version) if store is not None else []
    return cached_rows(comments, keys, compute, store, finish=flag_finish)


def extract_keys(comments: pd.DataFrame, version: str) -> list[Optional[str]]:
    """One key per comment: its text, and for a reply its parent's key and whether the parent came first.

    A reply caught in a cycle of parents gets ``None`` (always computed).
    """
    ids = strings(comments["comment_id"])
    keys: list[Optional[str]] = [text_key(version, text) for text in strings(comments["text"])]
    pairs = _parent_pairs(comments)
    if not pairs:
        return keys
    position = {comment_id: index for index, comment_id in enumerate(ids)}
    return chained_keys(keys, {position[c]: position[p] for c, p in pairs if p in position and p != c})


def text_key(version: str, text: str) -> str:
    """A comment's own part of its extract key."""
    return _hash(version, text)


def chained_keys(keys: list[Optional[str]], parent_of: dict[int, int]) -> list[Optional[str]]:
    """Chain each reply's own key (``keys``, by row) with its parent's final key, parents first;
    ``parent_of`` maps a reply's row to its parent's. Replies in a cycle get ``None``."""
    own = {index: keys[index] for index in parent_of}
    done: set[int] = set()  # replies whose key is final (every other comment's is from the start)
    waiting = sorted(parent_of)
    while waiting:
        ready = [child for child in waiting if parent_of[child] not in parent_of or parent_of[child] in done]
        for child in ready:
            parent = parent_of[child]
            order = "parent-first" if parent < child else "parent-later"
            keys[child] = None if keys[parent] is None else _hash(own[child], keys[parent], order)
            done.add(child)
        if not ready:
            for child in waiting:
                keys[child] = None  # a cycle of parents: no stable key to give
            break
        waiting = [child for child in waiting if child not in done]
    return keys


def flag_keys(comments: pd.DataFrame, claims: pd.DataFrame, version: str) -> list[str]:
    """One key per comment: its text and the claims rows flag reads for it (each row's values
    joined by one separator, a comment's rows in table order by another)."""
    signatures = _claim_signatures(claims)
    ids = strings(comments["comment_id"])
    texts = strings(comments["text"])
    return [_hash(version, text, signatures.get(c, "")) for c, text in zip(ids, texts)]


def _claim_signatures(claims: pd.DataFrame) -> dict[str, str]:
    """Each comment's claims rows as one string, built in Arrow column by column (a claims table
    has more rows than comments, and a Python loop over them cost most of a warm flag run)."""
    columns = [c for c in FLAG_CLAIM_COLUMNS if c in claims.columns]
    if not len(claims) or not columns:
        return {}
    rows = pc.binary_join_element_wise(*(_as_text(claims[c]) for c in columns), "\x1f")
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    owners = np.array(strings(claims["comment_id"]), dtype=object)
    starts = np.concatenate([[0], np.flatnonzero(owners[1:] != owners[:-1]) + 1, [len(owners)]])
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(starts, type=pa.int32()), rows), "\x1e").to_pylist()
    signatures: dict[str, str] = {}
    for start, signature in zip(starts[:-1].tolist(), joined):  # a comment's claims split in several runs: joined in order
        owner = owners[start]
        signatures[owner] = f"{signatures[owner]}\x1e{signature}" if owner in signatures else signature
    return signatures


def _as_text(values: pd.Series) -> pa.Array:
    """A column's values as :func:`pipeline.cache.store.strings` spells them (``str`` of each
    value, ``""`` for a missing one), computed in Arrow for the column types of a claims table."""
    if values.dtype == bool:
        return pc.if_else(pa.array(values.to_numpy()), "True", "False")
    if values.dtype.kind == "i":
        return pc.cast(pa.array(values.to_numpy()), pa.string())
    if isinstance(values.dtype, pd.StringDtype):
        return pc.fill_null(pa.array(values, type=pa.string()), "")
    return pa.array(strings(values), type=pa.string())


def _ancestors(comments: pd.DataFrame, chosen: np.ndarray) -> np.ndarray:
    """The parents, grandparents... of the chosen comments, which reply linking reads."""
    ids = strings(comments["comment_id"])
    parent_of = dict(_parent_pairs(comments))
    present = set(ids)
    needed: set[str] = set()
    frontier = {parent_of.get(c, "") for c, wanted in zip(ids, chosen) if wanted}
    while frontier:
        frontier = {p for p in frontier if p in present and p not in needed}
        needed |= frontier
        frontier = {parent_of.get(p, "") for p in frontier}
    return member_of(ids, needed)


def _parent_pairs(comments: pd.DataFrame) -> list[tuple[str, str]]:
    if "parent_id" not in comments.columns:
        return []
    pairs = zip(strings(comments["comment_id"]), strings(comments["parent_id"].fillna("")))
    return [(child, parent) for child, parent in pairs if parent]


def _hash(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
