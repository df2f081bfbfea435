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


def release_freed_memory() -> None:
    """Hand memory freed by the last pass back to the operating system.

    Each pass frees its slices, but the C heap keeps the pages for reuse and, fragmented by
    millions of small strings, grows a little with every slice: without this, the peak
    creeps up with the corpus although what is alive does not. (glibc only; elsewhere a no-op.)
    """
    import pyarrow as pa

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
    import pyarrow as pa

    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


#: Blocks of at least this size come straight from the system and go straight back when freed.
LARGE_BLOCK_BYTES = 2**20
_M_MMAP_THRESHOLD = -3  # mallopt's parameter number in glibc's malloc.h


def large_blocks_from_the_system() -> bool:
    """Have the C heap map every block of :data:`LARGE_BLOCK_BYTES` or more on its own, for good.

    glibc maps large blocks on their own and unmaps them when freed, but after each such free it
    raises its threshold (up to 32 MB), so that the next slices of a long pass land in the heap
    instead and fragment it. Fixing the threshold keeps them out: measured with
    ``remedy-miner report`` alone on generated comments, peak RSS 361 -> 316 MB at 100,000 and
    490 -> 432 MB at 1,000,000, for a few percent more system time. Returns whether it took
    effect (glibc only; elsewhere nothing changes).
    """
    mallopt = _libc_function("mallopt")
    return bool(mallopt is not None and mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES))


def _malloc_trim():
    return _libc_function("malloc_trim")


@functools.lru_cache(maxsize=None)
def _libc_function(name: str):
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None
