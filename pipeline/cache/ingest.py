"""Ingest with a per-file cache: a file whose bytes, name and options are unchanged is not parsed again.

What is cached is each file's parse on its own (:class:`pipeline.ingest.stage.FileBatch` pieces and
its ``files`` row: normalised comments, rejects, declared threads and counts), before the steps
across files (duplicates, parents, thread rows), which run over every file each time. Every file
is one shard, written as its batches pass and read back in batches, so neither a cached nor a
freshly parsed file is ever held whole; the new shards join the store only when ingest ends well.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional

import pandas as pd

from pipeline.cache.store import KEY, ShardStore, ShardWriter, work_folder
from pipeline.ingest.assemble import COMMENT_COLUMNS, REJECT_COLUMNS
from pipeline.ingest.records import RawSource
from pipeline.ingest.stage import (
    BATCH_RECORDS,
    PART_COLUMNS,
    PARTS,
    FileBatch,
    IngestOptions,
    IngestOutputs,
    IngestResult,
    OpenedSource,
    ParsedFile,
    collect_tables,
    frame_of,
    stream_ingest,
)
from pipeline.io.streams import TableWriter
from pipeline.io.tables import write_table

FILES_PART = "files"


@dataclass(frozen=True)
class CachedIngest:
    """Ingest's tables, and how many files the cache served."""

    result: IngestResult
    served: int
    parsed: int


def cached_ingest(sources: Iterable[RawSource], options: IngestOptions, store: ShardStore | None) -> CachedIngest:
    """The same tables as ``ingest_sources(sources, options)``, parsing only the files the cache
    misses; the tables are gathered in memory (see :func:`ingest_through_cache` to stream them).

    Raises:
        InputFormatError: a file cannot be read at all and ``keep_going`` is off.
        PipelineError: ``input_format`` is not a known format.
    """
    counts: list[tuple[int, int]] = []
    result = collect_tables(lambda outputs: counts.append(ingest_through_cache(sources, options, outputs, store)))
    served, parsed = counts[0]
    return CachedIngest(result, served=served, parsed=parsed)


def ingest_through_cache(
    sources: Iterable[RawSource], options: IngestOptions, outputs: IngestOutputs, store: ShardStore | None,
) -> tuple[int, int]:
    """:func:`pipeline.ingest.stage.stream_ingest` with the cache: returns (files served, files parsed)."""
    if store is None:
        return stream_ingest(sources, options, outputs)
    with work_folder(store.root) as staging:
        cache = FileCache(store, Path(staging))
        counts = stream_ingest(sources, options, outputs, cache)
        cache.commit()
    return counts


def file_key(opened: OpenedSource, options: IngestOptions) -> str | None:
    """A hash of what a file's parse depends on: its bytes, its name, its compression and the
    options; ``None`` for a file that could not be read (nothing to key it by)."""
    if opened.survey is None:
        return None
    raw_source = opened.raw
    digest = hashlib.blake2b(digest_size=16)
    for part in (raw_source.name, raw_source.logical_name, raw_source.compression, repr(options), opened.survey.digest):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
    return digest.hexdigest()


class FileCache:
    """The ingest store seen one file at a time (see :class:`pipeline.ingest.stage.FileCache`)."""

    def __init__(self, store: ShardStore, staging: Path) -> None:
        self.store = store
        self.staging = staging
        self.index = store.key_index()
        self.written: list[Path] = []

    def cached(self, opened: OpenedSource, options: IngestOptions, number: int) -> Optional[ParsedFile]:
        key = file_key(opened, options)
        shard = self.index.get(key) if key is not None else None
        if shard is None:
            return None
        parts = {part: self.store.open_part(shard, part) for part in (FILES_PART, *PARTS)}
        if any(handle is None for handle in parts.values()):
            return None
        return _CachedFile(parts, key, number)

    def recorded(self, opened: OpenedSource, options: IngestOptions, parsed: ParsedFile) -> ParsedFile:
        key = file_key(opened, options)
        if key is None:
            return parsed
        return _RecordedFile(parsed, key, tempfile.mkdtemp(dir=self.staging), self.written)

    def commit(self) -> None:
        """Put the shards of the files parsed in this run into the store."""
        for shard in self.written:
            self.store.adopt(shard)


class _CachedFile:
    """A file's parse read back from its shard, in batches, with the file's new place in the input."""

    def __init__(self, parts: dict, key: str, number: int) -> None:
        self.parts, self.key, self.number = parts, key, number
        self._row: Optional[dict[str, object]] = None

    def file_row(self) -> dict[str, object]:
        if self._row is None:
            self._row = next(self._frames(FILES_PART)).to_dict("records")[0]
        return self._row

    def batches(self) -> Iterator[FileBatch]:
        threads = pd.concat([*self._frames("threads")], ignore_index=True)
        empty = {part: frame_of([], PART_COLUMNS[part]) for part in PARTS}
        first = True
        for comments in self._frames("comments"):
            yield FileBatch(comments, empty["rejects"], threads if first else empty["threads"])
            first = False
        for rejects in self._frames("rejects"):
            yield FileBatch(empty["comments"], rejects, threads if first else empty["threads"])
            first = False
        if first:
            yield FileBatch(empty["comments"], empty["rejects"], threads)

    def _frames(self, part: str) -> Iterator[pd.DataFrame]:
        columns = PART_COLUMNS[part]
        stored = [column for column in columns if column != "file"]
        found = False
        for batch in self.parts[part].iter_batches(batch_size=BATCH_RECORDS, columns=stored):
            frame = batch.to_pandas()
            frame["file"] = self.number
            found = True
            yield frame_of(frame, columns)
        if not found:
            yield frame_of([], columns)


class _RecordedFile:
    """A file's parse, written to a new shard as its batches pass."""

    def __init__(self, parsed: ParsedFile, key: str, folder: str, written: list[Path]) -> None:
        self.parsed, self.key, self.folder, self.written = parsed, key, Path(folder) / "shard", written

    def file_row(self) -> dict[str, object]:
        return self.parsed.file_row()

    def batches(self) -> Iterator[FileBatch]:
        empties = {part: self._keyed(frame_of([], PART_COLUMNS[part])) for part in (FILES_PART, *PARTS)}
        writer = ShardWriter(self.folder, empties)
        try:
            for batch in self.parsed.batches():
                for part in PARTS:
                    writer.write(part, self._keyed(getattr(batch, part)))
                yield batch
            writer.write(FILES_PART, self._keyed(frame_of([self.parsed.file_row()], PART_COLUMNS[FILES_PART])))
            writer.keys.append(self.key)
            self.written.append(writer.close())
        except BaseException:
            writer.abort()
            raise

    def _keyed(self, frame: pd.DataFrame) -> pd.DataFrame:
        keyed = frame.drop(columns=["file"])
        keyed[KEY] = pd.Series([self.key] * len(keyed), dtype=object, index=keyed.index)
        return keyed


#: Rows per Parquet row group of the ``comments`` and ``rejects`` tables ingest writes: a table of
#: fewer rows is one row group, as :func:`pipeline.io.tables.write_table` writes it.
GROUP_ROWS = 65_536


def ingest_to_folder(
    sources: Iterable[RawSource], options: IngestOptions, store: ShardStore | None, folder: Path, fmt: str,
) -> tuple[IngestOutputs, int]:
    """Ingest ``sources`` through the cache into ``folder``'s ``comments``, ``rejects``,
    ``threads`` and ``sources`` tables, streaming: memory holds a batch or two of records and
    the compact keys of :mod:`pipeline.ingest.combine`, not the tables. Every table is replaced
    atomically; when ingest fails, none is, and an output folder this call created is removed.
    Returns the outputs (with the ``threads`` and ``sources`` tables) and how many files the
    cache served.

    Raises:
        InputFormatError: a file cannot be read at all and ``keep_going`` is off.
        PipelineError: ``input_format`` is not a known format, or ``folder`` cannot be written.
    """
    created = not folder.exists()
    try:
        comments = TableWriter(folder, "comments", fmt, frame_of([], COMMENT_COLUMNS), group_rows=GROUP_ROWS)
        rejects = TableWriter(folder, "rejects", fmt, frame_of([], REJECT_COLUMNS), group_rows=GROUP_ROWS)
        with comments, rejects:
            outputs = IngestOutputs(comments=comments.write, rejects=rejects.write, spill_folder=folder)
            served, _ = ingest_through_cache(sources, options, outputs, store)
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    for name in ("threads", "sources"):
        write_table(getattr(outputs, name), folder, name, fmt)
    return outputs, served
