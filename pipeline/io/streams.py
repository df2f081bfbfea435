"""Reading and writing stage tables in bounded pieces, so that a corpus larger than memory
streams through a stage.

Parquet tables are read with ``ParquetFile.iter_batches`` and CSV tables with pandas' chunked
reader; both give the same frames :func:`pipeline.io.tables.read_table` would, a slice at a
time. :class:`TableWriter` appends frames to the temporary file that replaces the table
atomically when the writer closes without error (Parquet: one row group per frame).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import PipelineError, StageInputError
from pipeline.io.tables import TABLE_FORMATS, _atomic_path, defuse_formulas, make_folder, restore_formulas


def table_path(folder: Path, name: str, required: Iterable[str] = ()) -> Path:
    """The file holding table ``name`` (Parquet preferred, as :func:`read_table` does).

    Raises:
        StageInputError: neither file exists, or required columns are missing.
    """
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    path = parquet if parquet.exists() else csv if csv.exists() else None
    if path is None:
        raise StageInputError(f"{folder}: no '{name}' table (.parquet or .csv); run the earlier stage first")
    missing = [column for column in required if column not in table_columns(path)]
    if missing:
        raise StageInputError(f"{path}: missing columns {', '.join(missing)}")
    return path


def table_columns(path: Path) -> list[str]:
    """The column names of a table file, without reading its rows."""
    if path.suffix == ".parquet":
        return list(pq.ParquetFile(path).schema_arrow.names)
    return list(pd.read_csv(path, dtype=str, keep_default_na=False, nrows=0).columns)


def iter_frames(path: Path, columns: Sequence[str], rows: int) -> Iterator[pd.DataFrame]:
    """``columns`` of the table at ``path``, ``rows`` rows at a time (the last piece may be shorter;
    Parquet may cut pieces shorter at row-group ends: see :func:`rechunk`)."""
    if path.suffix == ".parquet":
        # No pre-buffering: pyarrow would otherwise read every row group's column chunks into
        # memory when the pass starts, so a pass would hold the whole (compressed) file.
        source = pq.ParquetFile(path, pre_buffer=False)
        for batch in source.iter_batches(batch_size=rows, columns=list(columns), use_threads=False):
            yield batch.to_pandas()
        return
    with pd.read_csv(path, dtype=str, keep_default_na=False, usecols=list(columns), chunksize=rows) as chunks:
        for chunk in chunks:
            yield restore_formulas(chunk[list(columns)])


def empty_frame(path: Path) -> pd.DataFrame:
    """The table at ``path`` with no rows: its columns, with the types its batches come in."""
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).schema_arrow.empty_table().to_pandas()
    return restore_formulas(pd.read_csv(path, dtype=str, keep_default_na=False, nrows=0))


def rechunk(frames: Iterable[pd.DataFrame], rows: int) -> Iterator[pd.DataFrame]:
    """The same rows in pieces of exactly ``rows`` rows (the last may be shorter), indexed from 0,
    whatever sizes the frames came in: how a file was written never changes the partitions."""
    pending: list[pd.DataFrame] = []
    held = 0
    for frame in frames:
        pending.append(frame)
        held += len(frame)
        while held >= rows:
            joined = pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0].reset_index(drop=True)
            yield joined.iloc[:rows].reset_index(drop=True)
            rest = joined.iloc[rows:]
            pending, held = ([rest] if len(rest) else []), len(rest)
    if held:
        yield pd.concat(pending, ignore_index=True).reset_index(drop=True)


ROW_GROUP_ROWS = 1024 * 1024  # pyarrow's largest row group when a whole table is written at once


class TableWriter:
    """Writes a table piece by piece into a temporary file that replaces ``folder/name.<fmt>``
    when the ``with`` block ends without error (and removes a stale copy in the other format).

    ``empty`` is the table's zero-row frame: it fixes the column types, and is what gets written
    when no piece comes. With ``group_rows``, rows are gathered and written in Parquet row groups
    of exactly that many rows (the last may be shorter), so the file's bytes do not depend on the
    sizes of the pieces written, and a table of fewer rows is the file
    :func:`pipeline.io.tables.write_table` writes; without it, each piece is a row group.
    """

    def __init__(self, folder: Path, name: str, fmt: str, empty: pd.DataFrame, *, group_rows: int | None = None) -> None:
        if fmt not in TABLE_FORMATS:
            raise PipelineError(f"--format {fmt!r} is not supported (choose from: {', '.join(TABLE_FORMATS)})")
        self.folder, self.name, self.fmt = folder, name, fmt
        self.target = folder / f"{name}.{fmt}"
        self.schema = _arrow(empty).schema
        self.empty = empty
        self.rows = 0
        self.group_rows = group_rows
        self._pending: list[pd.DataFrame] = []
        self._pending_rows = 0
        self._atomic: _atomic_path | None = None
        self._parquet: pq.ParquetWriter | None = None
        self._csv = None

    def __enter__(self) -> "TableWriter":
        make_folder(self.folder)
        self._atomic = _atomic_path(self.target)
        temporary = self._atomic.__enter__()
        if self.fmt == "parquet":
            self._parquet = pq.ParquetWriter(temporary, self.schema, compression="zstd")
        else:
            self._csv = temporary.open("w", encoding="utf-8", newline="")
            defuse_formulas(self.empty).to_csv(self._csv, index=False, lineterminator="\n")
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` (the table's columns, in order); an empty frame adds nothing."""
        if not len(frame):
            return
        self.rows += len(frame)
        if self.group_rows is None:
            self._write_group(frame)
            return
        self._pending.append(frame)
        self._pending_rows += len(frame)
        if self._pending_rows >= self.group_rows:
            self._flush(whole_groups_only=True)

    def _flush(self, *, whole_groups_only: bool) -> None:
        size = self.group_rows or self._pending_rows
        pieces = list(rechunk(self._pending, size)) if self._pending else []
        self._pending, self._pending_rows = [], 0
        if whole_groups_only and pieces and len(pieces[-1]) < size:
            rest = pieces.pop()
            self._pending, self._pending_rows = [rest], len(rest)
        for piece in pieces:
            self._write_group(piece, whole=True)

    def _write_group(self, frame: pd.DataFrame, *, whole: bool = False) -> None:
        if self._parquet is not None:
            table = _arrow(frame).cast(self.schema)
            # Pieces joined by pandas arrive as several Arrow chunks; the writer's pages (and so the
            # file's bytes) follow the chunks, so a row group is written from one chunk per column.
            self._parquet.write_table(table.combine_chunks() if whole else table)
        else:
            defuse_formulas(frame).to_csv(self._csv, index=False, header=False, lineterminator="\n")

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self._atomic is not None
        try:
            if exc_type is None:
                self._flush(whole_groups_only=False)
            if self._parquet is not None:
                if self.rows == 0:
                    self._parquet.write_table(_arrow(self.empty).cast(self.schema))
                self._parquet.close()
            if self._csv is not None:
                self._csv.close()
        finally:
            self._atomic.__exit__(exc_type, exc, tb)
        if exc_type is None:
            for other in TABLE_FORMATS:
                stale = self.folder / f"{self.name}.{other}"
                if other != self.fmt and stale.exists():
                    stale.unlink()


def write_in_pieces(table: pd.DataFrame, folder: Path, name: str, fmt: str) -> Path:
    """Write a whole in-memory ``table`` through a :class:`TableWriter`, in pieces of
    :data:`ROW_GROUP_ROWS` rows: the same bytes as :func:`pipeline.io.tables.write_table`,
    without a second copy of the table in Arrow form."""
    with TableWriter(folder, name, fmt, table.iloc[:0]) as writer:
        for start in range(0, len(table), ROW_GROUP_ROWS):
            writer.write(table.iloc[start : start + ROW_GROUP_ROWS])
    return writer.target


def _arrow(frame: pd.DataFrame) -> pa.Table:
    # No pandas metadata blob: it records library versions, and outputs depend only on the input.
    return pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
