"""Reading a stage table a slice at a time, only the columns asked for (Parquet or CSV).

The report reads tables that grow with the corpus (comments, claims, flags) through these
functions, so that its memory follows the slice size and the aggregates, not the row count.
Each slice is a DataFrame with the same types ``read_table`` would give those rows.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import StageInputError
from pipeline.io.memory import release_freed_memory
from pipeline.io.tables import restore_formulas

BATCH_ROWS = 65_536


def table_file(folder: Path, name: str) -> Path:
    """``folder/name.parquet`` or ``folder/name.csv``, the way ``read_table`` picks it.

    Raises:
        StageInputError: neither file exists.
    """
    for suffix in ("parquet", "csv"):
        path = folder / f"{name}.{suffix}"
        if path.exists():
            return path
    raise StageInputError(f"{folder}: no '{name}' table (.parquet or .csv); run the earlier stage first")


def column_names(path: Path) -> list[str]:
    """The table's columns, read from its header (nothing else is read)."""
    if path.suffix == ".parquet":
        return list(pq.read_schema(path).names)
    return list(pd.read_csv(path, dtype=str, keep_default_na=False, nrows=0).columns)


def require_file_columns(path: Path, required: Iterable[str]) -> list[str]:
    """The table's columns; a missing required one is a StageInputError naming the file."""
    names = column_names(path)
    missing = [column for column in required if column not in names]
    if missing:
        raise StageInputError(f"{path}: missing columns {', '.join(missing)}")
    return names


def frames(path: Path, columns: Sequence[str], batch_rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """The table in slices of at most ``batch_rows`` rows, with those of ``columns`` it has
    (in the file's column order); an empty table gives one empty slice."""
    present = [column for column in column_names(path) if column in set(columns)]
    if path.suffix == ".parquet":
        yield from _parquet_frames(path, present, batch_rows)
    else:
        yield from _csv_frames(path, present, batch_rows)


def arrow_batches(path: Path, columns: Sequence[str], batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """Like :func:`frames`, as Arrow record batches (nothing becomes a Python object)."""
    present = [column for column in column_names(path) if column in set(columns)]
    if path.suffix == ".parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=present)
    else:
        for frame in _csv_frames(path, present, batch_rows):
            yield pa.RecordBatch.from_pandas(frame, preserve_index=False)


def rows_where(path: Path, columns: Sequence[str], keep, batch_rows: int = BATCH_ROWS) -> pd.DataFrame:
    """The rows for which ``keep(batch)`` (a boolean Arrow mask) is true, in file order."""
    kept = []
    for batch in arrow_batches(path, columns, batch_rows):
        picked = batch.filter(keep(batch))
        if picked.num_rows:
            kept.append(picked)
        # Slices of text are the largest the report reads: their memory goes back at once.
        del batch, picked
        release_freed_memory()
    return _frame_of(kept, path, columns)


def _frame_of(batches: list[pa.RecordBatch], path: Path, columns: Sequence[str]) -> pd.DataFrame:
    if path.suffix == ".csv":
        # CSV slices were text already; back to pandas without Arrow's type guesses.
        return pd.concat([batch.to_pandas() for batch in batches], ignore_index=True) if batches else _empty(path, columns)
    if not batches:
        return _empty(path, columns)
    return pa.Table.from_batches(batches).to_pandas()


def _empty(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    return next(frames(path, columns, 1)).iloc[0:0]


def _parquet_frames(path: Path, columns: list[str], batch_rows: int) -> Iterator[pd.DataFrame]:
    source = pq.ParquetFile(path)
    produced = False
    for batch in source.iter_batches(batch_size=batch_rows, columns=columns):
        produced = True
        yield batch.to_pandas()
        release_freed_memory()
    if not produced:
        yield source.schema_arrow.empty_table().select(columns).to_pandas()


def _csv_frames(path: Path, columns: list[str], batch_rows: int) -> Iterator[pd.DataFrame]:
    produced = False
    reader = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns, chunksize=batch_rows)
    with reader:
        for chunk in reader:
            produced = True
            yield restore_formulas(chunk.reset_index(drop=True))
    if not produced:
        yield pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
