"""Record batches for the cluster stage: a table read again and again, a bounded piece at a time.

The cluster stage makes several passes over the claims and comments (first what is global, such
as phrase counts or the id order, then the per-row work), so it takes a :data:`FrameSource`: a
function that starts a new pass over chosen columns. The CLI's sources read Parquet/CSV files
with column projection (:func:`table_batches`); tests and library callers pass a DataFrame
(:func:`frame_batches`). Batches always hold exactly ``rows`` rows (the last may be shorter),
whatever row groups the file was written in, so that no result depends on the file's layout.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator, Sequence

import pandas as pd

from pipeline.io.streams import iter_frames, rechunk

BATCH_ROWS = 16_384  # rows per record batch: a few MB of claims or comments, and their tokens

FrameSource = Callable[[Sequence[str]], Iterator[pd.DataFrame]]


def table_batches(path: Path, rows: int = BATCH_ROWS) -> FrameSource:
    """Passes over the table file at ``path``, reading only the columns asked for."""

    def batches(columns: Sequence[str]) -> Iterator[pd.DataFrame]:
        return rechunk(iter_frames(path, list(columns), rows), rows)

    return batches


def frame_batches(frame: pd.DataFrame, rows: int = BATCH_ROWS) -> FrameSource:
    """Passes over an in-memory ``frame`` (slices indexed from 0; the frame is not modified)."""

    def batches(columns: Sequence[str]) -> Iterator[pd.DataFrame]:
        selected = frame[list(columns)]
        for start in range(0, len(selected), rows):
            yield selected.iloc[start : start + rows].reset_index(drop=True)

    return batches
