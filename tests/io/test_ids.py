"""Ingest's ids as the numbers they spell: one conversion for ingest and the report."""
import numpy as np
import pyarrow as pa
import pytest

from pipeline.ingest.assemble import comment_id
from pipeline.io.ids import id_numbers, id_strings


@pytest.mark.parametrize("ids, numbers", [
    (["c0000000000000000"], [0]),
    (["c00000000000000ff", "cffffffffffffffff"], [255, 2**64 - 1]),
    (["f0123456789abcdef"], [0x0123456789ABCDEF]),
    ([], []),
])
def test_ids_spell_their_numbers(ids, numbers):
    assert id_numbers(ids).tolist() == numbers
    assert id_numbers(pa.array(ids, type=pa.string())).tolist() == numbers


def test_numbers_give_the_ids_back_and_sort_as_they_do():
    ids = [comment_id("thread", f"author {n}", "2024-01-01T00:00:00+00:00", f"text {n}") for n in range(200)]
    numbers = id_numbers(ids)
    assert id_strings(numbers) == ids
    assert id_strings(np.sort(numbers)) == sorted(ids)
