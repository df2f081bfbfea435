"""Tables stream through in bounded pieces and come back exactly as written."""
from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.errors import PipelineError
from pipeline.io.streams import TableWriter, iter_frames, rechunk, table_path
from pipeline.io.tables import read_table, write_table


def _comments(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "comment_id": [f"c{i:05d}" for i in range(rows)],
            "text": [("=SUM(A1)" if i % 7 == 0 else f"comment number {i}, with a comma") for i in range(rows)],
            "position": range(rows),
        }
    )


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("rows, piece", [(10, 3), (9, 3), (1, 5), (0, 4)])
def test_a_table_written_in_pieces_reads_back_as_the_whole(tmp_path, fmt, rows, piece):
    table = _comments(rows)
    with TableWriter(tmp_path / "pieces", "comments", fmt, table.iloc[:0]) as writer:
        for start in range(0, rows, piece):
            writer.write(table.iloc[start : start + piece])
    write_table(table, tmp_path / "whole", "comments", fmt)
    assert read_table(tmp_path / "pieces", "comments").equals(read_table(tmp_path / "whole", "comments"))


def test_a_parquet_table_written_in_pieces_has_a_row_group_per_piece(tmp_path):
    table = _comments(10)
    with TableWriter(tmp_path, "comments", "parquet", table.iloc[:0]) as writer:
        for start in range(0, 10, 4):
            writer.write(table.iloc[start : start + 4])
    assert pq.ParquetFile(tmp_path / "comments.parquet").num_row_groups == 3


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_table_larger_than_one_batch_is_read_a_batch_at_a_time(tmp_path, fmt):
    table = _comments(25)
    write_table(table, tmp_path, "comments", fmt)
    frames = list(iter_frames(table_path(tmp_path, "comments"), ("comment_id", "text"), 10))
    assert [len(frame) for frame in frames] == [10, 10, 5]
    joined = pd.concat(frames, ignore_index=True)
    assert joined["text"].tolist() == table["text"].tolist()  # formulas defused on disk, restored on reading
    assert list(joined.columns) == ["comment_id", "text"]


@pytest.mark.parametrize(
    "sizes, rows, expected",
    [([3, 3, 3], 4, [4, 4, 1]), ([1] * 5, 2, [2, 2, 1]), ([10], 3, [3, 3, 3, 1]), ([4, 4], 4, [4, 4]), ([], 3, [])],
)
def test_rechunk_cuts_pieces_of_exactly_the_partition_size(sizes, rows, expected):
    frames, start = [], 0
    for size in sizes:
        frames.append(pd.DataFrame({"n": range(start, start + size)}))
        start += size
    pieces = list(rechunk(iter(frames), rows))
    assert [len(piece) for piece in pieces] == expected
    assert [n for piece in pieces for n in piece["n"]] == list(range(start))
    assert all(list(piece.index) == list(range(len(piece))) for piece in pieces)


def test_a_failed_stream_leaves_the_previous_table_whole(tmp_path):
    write_table(_comments(3), tmp_path, "comments", "parquet")
    with pytest.raises(RuntimeError):
        with TableWriter(tmp_path, "comments", "parquet", _comments(1).iloc[:0]) as writer:
            writer.write(_comments(5))
            raise RuntimeError("killed halfway")
    assert len(read_table(tmp_path, "comments")) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["comments.parquet"]


def test_writing_one_format_removes_the_stale_other(tmp_path):
    write_table(_comments(2), tmp_path, "comments", "csv")
    with TableWriter(tmp_path, "comments", "parquet", _comments(1).iloc[:0]) as writer:
        writer.write(_comments(2))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["comments.parquet"]


@pytest.mark.parametrize("fmt, message", [("xlsx", "--format 'xlsx' is not supported"), ("json", "choose from: parquet, csv")])
def test_an_unknown_format_is_refused(tmp_path, fmt, message):
    with pytest.raises(PipelineError, match=message.replace("'", ".")):
        TableWriter(tmp_path, "comments", fmt, _comments(1).iloc[:0])


@pytest.mark.parametrize("columns", [("text",), ("comment_id", "text", "position")])
def test_a_parquet_pass_does_not_read_the_whole_file_ahead(tmp_path, monkeypatch, columns):
    """pyarrow's pre-buffering (its default) loads every row group's column chunks when a pass
    starts, so memory would grow with the file; a pass opens the file without it."""
    write_table(_comments(25), tmp_path, "comments", "parquet")
    opened = []
    original = pq.ParquetFile

    def recording(path, **options):
        opened.append(options.get("pre_buffer", True))
        return original(path, **options)

    monkeypatch.setattr(pq, "ParquetFile", recording)
    frames = list(iter_frames(table_path(tmp_path, "comments"), columns, 10))
    assert opened == [False]
    assert sum(map(len, frames)) == 25
