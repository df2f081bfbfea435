"""Fixtures for the engine: a small thread of comments whose replies cross partitions."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.io.tables import read_table, write_table

# (comment_id, parent_id, text): written for these tests. Replies point back to a parent that
# comes earlier, later (b1 -> b3), to a reply (a3 -> a2), to nobody we have (x1), or name their
# own remedy (a4); the fillers push parents and replies into different partitions.
THREAD = [
    ("a1", "", "A spoonful of mustard stops my night cramps every time."),
    ("f1", "", "Lovely article, thank you."),
    ("a2", "a1", "@Ann: I use the same thing."),
    ("b1", "b3", "@Cy: tried it and it did nothing for me"),
    ("f2", "", "My husband reads this site every morning."),
    ("a3", "a2", "@Bob: same here"),
    ("b3", "", "Tonic water helped my leg cramps a lot."),
    ("a4", "a1", "@Ann: I prefer pickle juice for my cramps."),
    ("x1", "gone", "same here"),
    ("f3", "", "Is anyone else up at 3am with this?"),
    ("b4", "b3", "@Cy: what brand?"),
    ("a5", "a3", "@Dee: tried it, no luck"),
]


@pytest.fixture
def thread() -> pd.DataFrame:
    """The comments table of :data:`THREAD` (the columns extract and flag read)."""
    return pd.DataFrame(THREAD, columns=["comment_id", "parent_id", "text"])


def table_folder(folder: Path, fmt: str = "parquet", **tables: pd.DataFrame) -> Path:
    """``folder`` holding ``tables`` written as the stages write them."""
    for name, table in tables.items():
        write_table(table, folder, name, fmt)
    return folder


def same_table(first: Path, second: Path, name: str) -> bool:
    """Whether two folders hold the same table, read back the way the stages read it."""
    left, right = read_table(first, name), read_table(second, name)
    return left.equals(right) and list(left.dtypes) == list(right.dtypes)


def output_files(folder: Path) -> dict[str, bytes]:
    """Every file a run wrote under ``folder``, by relative path. ``.cache/`` holds the
    incremental-run cache, whose shard names differ by run; it is not an output."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.relative_to(folder).parts
    }
