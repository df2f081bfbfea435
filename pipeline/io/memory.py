"""Giving memory back to the operating system between the passes and stages of a long run.

A stage that reads millions of rows a slice at a time frees each slice, but the C heap and
Arrow's own pool keep the freed pages for reuse: without handing them back, resident memory
grows with the corpus although what is alive does not.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
from typing import Iterator

import pyarrow as pa


def release_freed_memory() -> None:
    """Hand memory freed by the last pass back to the operating system.

    Each pass frees its slices, but the C heap keeps the pages for reuse and, fragmented by
    millions of small strings, grows a little with every slice: without this, the peak
    creeps up with the corpus although what is alive does not. (glibc only; elsewhere a no-op.)
    """
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextlib.contextmanager
def system_allocator() -> Iterator[None]:
    """Arrow allocates from the C heap (``malloc``) inside the block, and from its default pool
    again after it.

    Arrow's default pool (mimalloc or jemalloc) keeps the segments of freed slices for reuse and
    returns them late: over a million comments the report's resident memory grew by well over a
    hundred megabytes of freed buffers. The C heap gives them back at each
    :func:`release_freed_memory`. Buffers allocated inside the block may outlive it: Arrow frees
    each buffer to the pool it came from.
    """
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
