"""Ingest with a per-file cache: a file whose bytes, name and options are unchanged is not parsed again.

What is cached is :class:`pipeline.ingest.stage.ParsedFiles` for the file: its normalised
comments, rejects, declared threads and counts, before the steps across files (duplicates,
parents, thread rows), which run over every file each time on whole columns.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Iterable, Iterator

import pandas as pd

from pipeline.cache.store import KEY, ShardStore
from pipeline.ingest.records import RawSource
from pipeline.ingest.stage import IngestOptions, IngestResult, ParsedFiles, assemble_files, parse_numbered_files

PARTS = tuple(field.name for field in fields(ParsedFiles))


@dataclass(frozen=True)
class CachedIngest:
    """Ingest's tables, and how many files the cache served."""

    result: IngestResult
    served: int
    parsed: int


def cached_ingest(sources: Iterable[RawSource], options: IngestOptions, store: ShardStore | None) -> CachedIngest:
    """The same tables as ``ingest_sources(sources, options)``, parsing only the files the cache misses.

    Raises:
        InputFormatError: a file cannot be read at all and ``keep_going`` is off.
        PipelineError: ``input_format`` is not a known format.
    """
    if store is None:
        parsed = parse_numbered_files(enumerate(sources), options)
        return CachedIngest(assemble_files(parsed), served=0, parsed=len(parsed.files))
    held = store.load(None, PARTS)
    held_keys = set(held["keys"][KEY]) if held["keys"] is not None else set()
    hits: dict[str, int] = {}
    misses: dict[int, str] = {}

    def to_parse() -> Iterator[tuple[int, RawSource]]:
        for number, raw_source in enumerate(sources):
            key = file_key(raw_source, options)
            if key is not None and key in held_keys and key not in hits:
                hits[key] = number
                continue
            if key is not None:
                misses[number] = key
            yield number, raw_source

    fresh = parse_numbered_files(to_parse(), options)
    _store_parsed(fresh, misses, store)
    parsed = _combine(held, hits, fresh)
    return CachedIngest(assemble_files(parsed), served=len(hits), parsed=len(fresh.files))


def file_key(raw_source: RawSource, options: IngestOptions) -> str | None:
    """A hash of what a file's parse depends on: its bytes, its name, its compression and the
    options; ``None`` for a file that could not be read (nothing to key it by)."""
    if raw_source.read_error is not None:
        return None
    digest = hashlib.blake2b(digest_size=16)
    for part in (raw_source.name, raw_source.logical_name, raw_source.compression, repr(options)):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
    digest.update(raw_source.data)
    return digest.hexdigest()


def _store_parsed(fresh: ParsedFiles, misses: dict[int, str], store: ShardStore) -> None:
    if not misses:
        return
    parts = {}
    for part in PARTS:
        table = getattr(fresh, part)
        table = table[table["file"].isin(list(misses))].copy()
        table[KEY] = table["file"].map(misses).to_numpy()
        parts[part] = table
    store.append(parts, misses.values())


def _combine(held: dict[str, pd.DataFrame | None], hits: dict[str, int], fresh: ParsedFiles) -> ParsedFiles:
    """Cached and freshly parsed files together, in input order, with the schema a parse gives."""
    combined = {}
    for part in PARTS:
        table = getattr(fresh, part)
        cached = held.get(part)
        if hits and cached is not None:
            cached = cached[cached[KEY].isin(hits.keys())].copy()
            cached["file"] = cached[KEY].map(hits).to_numpy()
            cached = cached[list(table.columns)].astype(table.dtypes.to_dict())
            table = pd.concat([cached, table], ignore_index=True).sort_values("file", kind="stable")
        combined[part] = table.reset_index(drop=True)
    return ParsedFiles(**combined)
