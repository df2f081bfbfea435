"""Cache entries on disk: Parquet shards, one per run and stage, never rewritten.

Layout: ``<cache>/<stage>/<version>/<shard>/<part>.parquet``. A shard is a folder holding one
Parquet file per *part* (a table: ``rows`` for extract and flag; ``files``, ``comments``,
``rejects`` and ``threads`` for ingest); every part has a ``key`` column naming the entry
each row belongs to, and the ``keys`` part lists the entries the shard holds (an entry may
have no rows). A shard is written in a hidden folder and renamed into place, so a reader sees
it whole or not at all; a later run adds a new shard instead of rewriting a growing file.
Paths inside are relative and the files are plain Parquet, so the folder can be copied to
another machine. A shard that cannot be read is skipped with a one-line warning and its
entries are computed again.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

KEY = "key"
KEYS_PART = "keys"
_STAGING_PREFIX = "."
WORK_PREFIX = ".work-"
# A hidden folder older than this was left by a run that was killed while writing it.
STALE_SECONDS = 24 * 3600


def warn_on_stderr(message: str) -> None:
    """The default way a store reports a shard it had to skip: one line on stderr."""
    print(f"warning: {message}", file=sys.stderr)


@dataclass
class ShardStore:
    """The cache entries of one stage at one version.

    Attributes:
        root: the cache folder (``<out>/.cache`` by default).
        stage: ``ingest``, ``extract`` or ``flag``.
        version: from :func:`pipeline.cache.versions.stage_version`.
        warn: called with a one-line message when a shard cannot be read.
    """

    root: Path
    stage: str
    version: str
    warn: Callable[[str], None] = warn_on_stderr

    @property
    def folder(self) -> Path:
        return self.root / self.stage / self.version

    def load(self, keys: Iterable[str] | None, parts: Iterable[str]) -> dict[str, pd.DataFrame | None]:
        """Rows of ``parts`` for those of ``keys`` (every key when ``None``) that some shard holds,
        plus the ``keys`` part; a part no shard holds is ``None``.

        When several shards hold the same key, the oldest one serves it, so a key's rows never
        mix shards. Rows keep the order they were written in.
        """
        wanted = None if keys is None else set(strings(keys))
        parts = list(parts)
        found: dict[str, list[pd.DataFrame]] = {part: [] for part in [KEYS_PART, *parts]}
        served: set[str] = set()
        for shard in self._shards():
            tables = self._read_shard(shard, parts)
            if tables is None:
                continue
            new_keys = {k for k in strings(tables[KEYS_PART][KEY]) if (wanted is None or k in wanted) and k not in served}
            if not new_keys:
                continue
            served |= new_keys
            for part, table in tables.items():
                found[part].append(table[member_of(table[KEY], new_keys)])
        return {part: _concat(tables) for part, tables in found.items()}

    def append(self, parts: dict[str, pd.DataFrame], keys: Iterable[str]) -> Path | None:
        """Write one new shard holding ``keys`` and their rows in ``parts``; nothing when no keys.

        A failure to write (a full disk, a read-only folder) costs the cache, not the run: it is
        reported as a warning and the half-written shard is removed.
        """
        key_table = pd.DataFrame({KEY: pd.Series(list(keys), dtype=object).drop_duplicates()})
        if key_table.empty:
            return None
        remove_stale_staging(self.folder)
        name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        staging = self.folder / f"{_STAGING_PREFIX}{name}"
        try:
            staging.mkdir(parents=True)
            for part, table in {KEYS_PART: key_table, **parts}.items():
                _write_part(table, staging / f"{part}.parquet")
            target = self.folder / name
            os.replace(staging, target)
            return target
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            self.warn(f"{self.folder}: cannot write to the cache ({error.strerror or error}); the next run recomputes")
            return None

    def key_index(self) -> dict[str, Path]:
        """Which shard serves each key (the oldest that holds it), reading only the ``keys`` parts."""
        index: dict[str, Path] = {}
        for shard in self._shards():
            try:
                keys = pq.read_table(shard / f"{KEYS_PART}.parquet", columns=[KEY]).column(KEY).to_pylist()
            except (OSError, pa.ArrowException, ValueError, KeyError) as error:
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                self.warn(f"cache shard {shard} is unreadable ({reason}); ignoring it and recomputing")
                continue
            for key in keys:
                index.setdefault(str(key), shard)
        return index

    def open_part(self, shard: Path, part: str) -> pq.ParquetFile | None:
        """A shard's part, to be read in batches; ``None`` (with a warning) when it cannot be opened."""
        try:
            handle = pq.ParquetFile(shard / f"{part}.parquet")
        except (OSError, pa.ArrowException, ValueError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            self.warn(f"cache shard {shard} is unreadable ({reason}); ignoring it and recomputing")
            return None
        if KEY not in handle.schema_arrow.names:
            self.warn(f"cache shard {shard}: {part}.parquet has no {KEY!r} column; ignoring it and recomputing")
            return None
        return handle

    def adopt(self, staged: Path) -> Path | None:
        """Move a shard written elsewhere (by a :class:`ShardWriter`) into the store; a failure
        costs the cache, not the run."""
        name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            os.replace(staged, self.folder / name)
            return self.folder / name
        except OSError as error:
            shutil.rmtree(staged, ignore_errors=True)
            self.warn(f"{self.folder}: cannot write to the cache ({error.strerror or error}); the next run recomputes")
            return None

    def shards(self) -> list[Path]:
        """The complete shards, oldest first."""
        return self._shards()

    def shard_keys(self, shard: Path, parts: Iterable[str]) -> list[str] | None:
        """The keys a shard holds, once its ``parts`` are found readable (their footers are read,
        not their rows); ``None``, with a warning, when they are not."""
        keys = self.open_part(shard, KEYS_PART)
        if keys is None or any(self.open_part(shard, part) is None for part in parts):
            return None
        try:
            return strings(keys.read(columns=[KEY]).column(KEY).to_pylist())
        except (OSError, pa.ArrowException, ValueError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            self.warn(f"cache shard {shard} is unreadable ({reason}); ignoring it and recomputing")
            return None

    def read_shard(self, shard: Path, parts: Iterable[str]) -> dict[str, pd.DataFrame] | None:
        """Every part of a shard (and its ``keys`` part), or ``None`` with a warning."""
        return self._read_shard(shard, list(parts))

    def _shards(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.is_dir() and not p.name.startswith(_STAGING_PREFIX))

    def _read_shard(self, shard: Path, parts: list[str]) -> dict[str, pd.DataFrame] | None:
        tables: dict[str, pd.DataFrame] = {}
        for part in [KEYS_PART, *parts]:
            try:
                table = pq.read_table(shard / f"{part}.parquet").to_pandas()
            except (OSError, pa.ArrowException, ValueError) as error:
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                self.warn(f"cache shard {shard} is unreadable ({reason}); ignoring it and recomputing")
                return None
            if KEY not in table.columns:
                self.warn(f"cache shard {shard}: {part}.parquet has no {KEY!r} column; ignoring it and recomputing")
                return None
            tables[part] = table
        return tables


class ShardWriter:
    """Writes one shard part by part, frame by frame (each part a Parquet file written as the
    frames come, so an entry's rows are never held whole), in a folder the caller gives; the
    store adopts the folder when it is complete (see :meth:`ShardStore.adopt`).

    ``empties``: each part's zero-row frame (with the ``key`` column), written when no frame came.
    """

    def __init__(self, folder: Path, empties: dict[str, pd.DataFrame]) -> None:
        self.folder = folder
        self.empties = empties
        self.keys: list[str] = []
        self._writers: dict[str, pq.ParquetWriter] = {}
        folder.mkdir(parents=True)

    def write(self, part: str, frame: pd.DataFrame) -> None:
        if not len(frame):
            return
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if part not in self._writers:
            self._writers[part] = pq.ParquetWriter(self.folder / f"{part}.parquet", table.schema, compression="zstd")
        writer = self._writers[part]
        writer.write_table(table.cast(writer.schema))

    def close(self) -> Path:
        """Finish every part (and the ``keys`` part); returns the shard folder."""
        for part, empty in self.empties.items():
            if part not in self._writers:
                _write_part(empty, self.folder / f"{part}.parquet")
        for writer in self._writers.values():
            writer.close()
        _write_part(pd.DataFrame({KEY: pd.Series(self.keys, dtype=object)}), self.folder / f"{KEYS_PART}.parquet")
        return self.folder

    def abort(self) -> None:
        for writer in self._writers.values():
            writer.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def work_folder(root: Path) -> tempfile.TemporaryDirectory:
    """A private scratch folder inside the cache (hidden; a killed run's is removed a day later)."""
    root.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(root)
    return tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=root)


def remove_stale_staging(folder: Path) -> None:
    """Remove hidden folders (unfinished shards, scratch folders) left in ``folder`` by killed runs."""
    if not folder.is_dir():
        return
    cutoff = time.time() - STALE_SECONDS
    for entry in folder.iterdir():
        try:
            if entry.name.startswith(_STAGING_PREFIX) and entry.is_dir() and entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


def member_of(values: Iterable[str] | pd.Series, keys: set[str]) -> np.ndarray:
    """A boolean mask: which of ``values`` are in ``keys`` (fast on any string column type)."""
    listed = strings(values)
    return np.fromiter((value in keys for value in listed), dtype=bool, count=len(listed))


def strings(values: Iterable[str] | pd.Series | np.ndarray) -> list[str]:
    """Plain Python strings: iterating pandas' Arrow-backed string columns one by one is slow."""
    if isinstance(values, pd.Series):
        return values.fillna("").astype(str).to_numpy(dtype=object).tolist()
    if isinstance(values, np.ndarray):
        return values.astype(object).tolist()
    return [str(value) for value in values]


def _write_part(table: pd.DataFrame, path: Path) -> None:
    # Unlike the stage tables, pandas' metadata is kept: it restores the column types exactly.
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    pq.write_table(arrow, path, compression="zstd")
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame | None:
    if not tables:
        return None
    return pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0].reset_index(drop=True)
