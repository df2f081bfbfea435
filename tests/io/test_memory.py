"""Handing freed memory back: the allocator switch is undone however the block ends."""
import platform

import pyarrow as pa
import pytest

from pipeline.io.memory import LARGE_BLOCK_BYTES, large_blocks_from_the_system, release_freed_memory, system_allocator


def test_arrow_allocates_from_the_c_heap_inside_the_block_only():
    before = pa.default_memory_pool().backend_name
    with system_allocator():
        assert pa.default_memory_pool().backend_name == "system"
        pa.array(range(1000))  # allocates inside the block
    assert pa.default_memory_pool().backend_name == before


def test_the_default_pool_comes_back_when_the_block_fails():
    before = pa.default_memory_pool().backend_name
    with pytest.raises(RuntimeError), system_allocator():
        raise RuntimeError("a stage failed")
    assert pa.default_memory_pool().backend_name == before


def test_releasing_keeps_live_data_intact():
    kept = pa.array([f"comment {n}" for n in range(10_000)])
    release_freed_memory()
    assert kept[9_999].as_py() == "comment 9999"


def test_a_function_can_run_wholly_on_the_c_heap():
    @system_allocator()
    def pool_inside() -> str:
        return pa.default_memory_pool().backend_name

    before = pa.default_memory_pool().backend_name
    assert [pool_inside(), pool_inside()] == ["system", "system"]
    assert pa.default_memory_pool().backend_name == before


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_large_blocks_can_be_set_to_come_from_the_system_on_glibc():
    assert large_blocks_from_the_system() is True
    block = bytearray(4 * LARGE_BLOCK_BYTES)  # mapped on its own, given back when freed
    del block
