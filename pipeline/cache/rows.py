"""Serve a stage's per-comment rows from the cache and compute only the comments it misses.

:func:`cached_rows` works for any stage function that turns a table of comments into rows
owned by one comment each, in comment order (``extract_claims``, ``flag_comments``, or
whatever a partitioned engine calls): the caller says how to key a comment, how to compute
rows for some comments, which other comments a computation needs as context, and how to
recompute the columns that depend on the owner's id.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import pandas as pd

from pipeline.cache.store import KEY, ShardStore, member_of
from pipeline.cache.store import strings

ROWS_PART = "rows"
_STORED_OWNER = "stored_owner"
_POSITION = "position_in_frame"
_SEQUENCE = "sequence_in_key"
_UNCACHED = "\x00uncached\x00"

Compute = Callable[[pd.DataFrame], pd.DataFrame]
Context = Callable[[pd.DataFrame, np.ndarray], np.ndarray]
Finish = Callable[[pd.DataFrame], pd.DataFrame]


@dataclass(frozen=True)
class CachedRows:
    """A stage's output, and how much of it the cache served.

    Attributes:
        table: exactly what ``compute(frame)`` returns, row for row and byte for byte.
        served: comments whose rows came from the cache.
        computed: comments whose rows were computed (context comments not counted).
    """

    table: pd.DataFrame
    served: int
    computed: int


def cached_rows(
    frame: pd.DataFrame,
    keys: Sequence[Optional[str]],
    compute: Compute,
    store: ShardStore | None,
    *,
    owner: str = "comment_id",
    context: Context | None = None,
    finish: Finish | None = None,
) -> CachedRows:
    """Rows of ``compute(frame)``, computing only the comments the cache does not hold.

    Args:
        frame: one row per comment, with a unique ``owner`` column.
        keys: one per row of ``frame``: a hash of everything the comment's rows depend on
            (its text, its parent's, the stage version), or ``None`` for a comment that must
            always be computed.
        compute: the stage function on a subset of ``frame`` (rows of one comment depend only on
            that comment and its context); its output has an ``owner`` column and lists each
            comment's rows together, in the order of ``frame``.
        store: where entries live; ``None`` computes everything (``--no-cache``).
        context: given ``frame`` and a boolean mask of the comments to compute, a mask of the
            other comments their computation needs (a reply's parents); those are computed
            along but their rows are taken from the cache.
        finish: recomputes the columns that depend on the owner's id (``claim_id``), for rows
            served to a comment other than the one that stored them (the same text twice).
    """
    if store is None:
        table = compute(frame)
        return CachedRows(table, served=0, computed=len(frame))
    owners = np.array(strings(frame[owner]), dtype=object)
    key_array = np.array([k if k is not None else f"{_UNCACHED}{o}" for k, o in zip(keys, owners)], dtype=object)
    cacheable = np.array([k is not None for k in keys], dtype=bool)
    held = store.load(key_array[cacheable], [ROWS_PART])
    held_keys = set(strings(held["keys"][KEY])) if held["keys"] is not None else set()
    missing = ~member_of(key_array, held_keys)
    needed = missing | (context(frame, missing) if context is not None and missing.any() else False)
    if not needed.any() and held.get(ROWS_PART) is not None:
        # Nothing to compute: skip the stage (and its start-up cost, e.g. building a spaCy pipeline).
        computed = _empty_like(held[ROWS_PART].drop(columns=[KEY]))
    else:
        computed = compute(frame[needed])
    new_rows, new_keys = _new_entries(computed, owner, owners[missing], key_array[missing])
    storable = np.array([not k.startswith(_UNCACHED) for k in strings(new_rows[KEY])], dtype=bool)
    store.append({ROWS_PART: new_rows[storable]}, [k for k in new_keys if not k.startswith(_UNCACHED)])
    pool = _pool(held.get(ROWS_PART), new_rows, computed, owner)
    table = _in_frame_order(pool, owners, key_array, computed, owner, finish)
    return CachedRows(table, served=int((~missing).sum()), computed=int(missing.sum()))


def _new_entries(
    computed: pd.DataFrame, owner: str, missing_owners: np.ndarray, missing_keys: np.ndarray,
) -> tuple[pd.DataFrame, list[str]]:
    """The rows of each missing key, taken from the first comment that has it (a key is stored once)."""
    first = pd.DataFrame({owner: missing_owners, KEY: missing_keys}).drop_duplicates(KEY)
    key_of = dict(zip(strings(first[owner]), strings(first[KEY])))
    rows = computed[member_of(computed[owner], set(key_of))].copy()
    rows[KEY] = [key_of[o] for o in strings(rows[owner])]
    return rows.reset_index(drop=True), first[KEY].tolist()


def _pool(held: pd.DataFrame | None, new_rows: pd.DataFrame, computed: pd.DataFrame, owner: str) -> pd.DataFrame:
    """Every key's rows once, in their stored order, with the owner that stored them."""
    tables = [t for t in (held, new_rows) if t is not None and len(t)]
    pool = pd.concat(tables, ignore_index=True) if tables else new_rows.iloc[0:0].copy()
    pool = pool[[KEY, *computed.columns]].rename(columns={owner: _STORED_OWNER})
    pool[_SEQUENCE] = np.arange(len(pool))
    return pool


def _in_frame_order(
    pool: pd.DataFrame, owners: np.ndarray, keys: np.ndarray, computed: pd.DataFrame, owner: str, finish: Finish | None,
) -> pd.DataFrame:
    order = pd.DataFrame({owner: owners, KEY: keys, _POSITION: np.arange(len(owners))})
    table = order.merge(pool, on=KEY, how="inner").sort_values([_POSITION, _SEQUENCE], kind="stable")
    moved = np.array(strings(table[_STORED_OWNER]), dtype=object) != np.array(strings(table[owner]), dtype=object)
    table = table[list(computed.columns)].astype(computed.dtypes.to_dict()).reset_index(drop=True)
    if finish is not None and moved.any():
        finished = finish(table.loc[moved].copy())
        for column in table.columns:
            table.loc[moved, column] = finished[column].to_numpy()
    return table


def _empty_like(stored: pd.DataFrame) -> pd.DataFrame:
    """An empty table with the columns and types of stored rows (the store keeps pandas' types)."""
    return stored.iloc[0:0].reset_index(drop=True)
