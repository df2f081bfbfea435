"""Every comment's cache key for extract and flag, over a whole table in one pass, kept compact:
16-byte digests (as 32 hex characters) in a NumPy array, one per row of the comments table."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from pipeline.cache.stages import FLAG_CLAIM_COLUMNS as KEYED_CLAIM_COLUMNS
from pipeline.cache.stages import chained_keys, flag_keys, text_key
from pipeline.cache.store import strings
from pipeline.engine.stages import with_claim_partitions
from pipeline.io.memory import release_freed_memory
from pipeline.io.streams import iter_frames

NO_KEY = b""
_SCAN_ROWS = 16_384  # with the freed slices given back after each, the pass holds one slice of texts


@dataclass
class Keys:
    """Every comment's cache key, by row (``b""``: none, always computed), and for extract each
    reply's parent row."""

    digests: np.ndarray
    parent_of: dict[int, int]



def extract_table_keys(source: Path, columns: list[str], version: str) -> Keys:
    """Each comment's extract key (see :func:`pipeline.cache.stages.extract_keys`), one pass."""
    own: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    replies: list[tuple[int, int]] = []  # (row, hash of the parent id)
    row = 0
    for frame in iter_frames(source, columns, _SCAN_ROWS):
        own.append(np.array([text_key(version, text).encode("ascii") for text in strings(frame["text"])], dtype="S32"))
        hashed = _id_hashes(frame["comment_id"])
        ids.append(hashed)
        if "parent_id" in frame.columns:
            parents = frame["parent_id"].fillna("").astype(str)
            has_parent = (parents != "").to_numpy()
            rows = np.flatnonzero(has_parent) + row
            replies.extend(zip(rows.tolist(), _id_hashes(parents[has_parent]).tolist()))
        row += len(frame)
        del frame
        release_freed_memory()
    digests = np.concatenate(own) if own else np.array([], dtype="S32")
    parent_of = _parent_rows(np.concatenate(ids) if ids else np.array([], dtype=np.uint64), replies)
    if parent_of:
        involved = sorted(set(parent_of) | set(parent_of.values()))
        local = {row: place for place, row in enumerate(involved)}
        chained = chained_keys(
            [digests[row].decode("ascii") for row in involved],
            {local[child]: local[parent] for child, parent in parent_of.items()},
        )
        for row, key in zip(involved, chained):
            digests[row] = key.encode("ascii") if key is not None else NO_KEY
    return Keys(digests, parent_of)


def _id_hashes(ids: pd.Series) -> np.ndarray:
    return pd.util.hash_array(ids.astype(str).to_numpy(dtype=object), hash_key="remedy-miner-ids")


def _parent_rows(id_hashes: np.ndarray, replies: list[tuple[int, int]]) -> dict[int, int]:
    """Each reply's parent row, for parents in the table (a comment is not its own parent)."""
    if not replies:
        return {}
    wanted = np.array([parent for _, parent in replies], dtype=np.uint64)
    index = pd.Index(id_hashes)
    if index.is_unique:
        rows = index.get_indexer(wanted)
    else:  # ids repeated (a table edited by hand): the last row with the id, as a dict would keep
        last = pd.Series(np.arange(len(id_hashes)), index=id_hashes)
        rows = last[~last.index.duplicated(keep="last")].reindex(wanted).fillna(-1).astype(np.int64).to_numpy()
    return {child: int(parent) for (child, _), parent in zip(replies, rows) if parent >= 0 and parent != child}


def flag_table_keys(source: Path, claims_path: Path, claim_columns: list[str], version: str, partition_size: int) -> Keys:
    """Each comment's flag key (see :func:`pipeline.cache.stages.flag_keys`), a partition at a time,
    in one pass over the claims (:func:`pipeline.engine.stages.with_claim_partitions`)."""
    keyed = ["comment_id", *(c for c in KEYED_CLAIM_COLUMNS if c in claim_columns and c != "comment_id")]

    def keys_of(pairs: Iterator[tuple[pd.DataFrame, pd.DataFrame]]) -> Keys:
        digests = [np.array(flag_keys(partition, claims, version), dtype="S32") for partition, claims in pairs]
        return Keys(np.concatenate(digests) if digests else np.array([], dtype="S32"), {})

    return with_claim_partitions(source, claims_path, ("comment_id", "text"), keyed, partition_size, keys_of)


def ancestors(parent_of: dict[int, int], chosen: np.ndarray) -> np.ndarray:
    """The parents, grandparents... of the chosen comments (rows), which reply linking reads."""
    needed = np.zeros(len(chosen), dtype=bool)
    if not parent_of:
        return needed
    for child in np.flatnonzero(chosen).tolist():
        parent = parent_of.get(child)
        while parent is not None and not needed[parent]:
            needed[parent] = True
            parent = parent_of.get(parent)
    return needed


def repeated(digests: np.ndarray) -> set[bytes]:
    """Keys that more than one comment has (a later comment takes the rows the first one stored)."""
    values, counts = np.unique(digests[digests != NO_KEY], return_counts=True)
    return set(values[counts > 1].tolist())
