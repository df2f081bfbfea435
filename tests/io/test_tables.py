import pandas as pd
import pyarrow as pa
import pytest

from pipeline.errors import StageInputError
from pipeline.io.tables import defuse_formulas, defuse_text_array, read_table, write_table

TEXTS = ["=HYPERLINK(\"http://x\")", "+1", "-2 cramps", "@SUM(A1)", "'=already", "'plain", "plain", "\tTab"]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_tables_round_trip_exactly(tmp_path, fmt):
    table = pd.DataFrame({"text": TEXTS, "n": range(len(TEXTS))})
    write_table(table, tmp_path, "comments", fmt)
    back = read_table(tmp_path, "comments")
    assert back["text"].tolist() == TEXTS


def test_csv_cells_cannot_start_a_formula(tmp_path):
    write_table(pd.DataFrame({"text": TEXTS}), tmp_path, "t", "csv")
    cells = (tmp_path / "t.csv").read_text().splitlines()[1:]
    assert not [cell for cell in cells if cell.lstrip('"').startswith(("=", "+", "-", "@", "\t"))]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["=1+1", "plain", "'=already", "'plain", "\rCR", ""], ["'=1+1", "plain", "''=already", "'plain", "'\rCR", ""]),
        (["plain", "words only"], ["plain", "words only"]),  # nothing risky: the column is left as it was
        ([float("nan"), "-3", 4, None, ["=list"]], [float("nan"), "'-3", 4, None, ["=list"]]),  # only text cells change
    ],
)
def test_defusing_escapes_only_text_cells_that_start_like_a_formula(cells, expected):
    table = pd.DataFrame({"cell": pd.Series(cells, dtype=object)})
    defused = defuse_formulas(table)["cell"].tolist()
    assert [repr(value) for value in defused] == [repr(value) for value in expected]
    assert [repr(value) for value in table["cell"].tolist()] == [repr(value) for value in cells]  # input untouched


@pytest.mark.parametrize(
    "cells",
    [
        ["=1+1", "+44 20", "-2 cramps", "@SUM(A1)", "\tTab", "\rCR", "'=already", "''twice", "'plain", "plain", ""],
        ["plain", "words only", "a=b", " =space first", "x-y", "mail@example.com"],  # risky only later in the cell
        ["-", "=", "'", "@", "\t", "\r", "'\r", "'-", "é=", "=é"],
        [],
    ],
)
def test_defusing_an_arrow_column_escapes_the_cells_defuse_formulas_escapes(cells):
    expected = defuse_formulas(pd.DataFrame({"cell": pd.Series(cells, dtype=object)}))["cell"].tolist()
    assert defuse_text_array(pa.array(cells, type=pa.large_string())).to_pylist() == expected


def test_defusing_an_arrow_column_leaves_missing_cells_missing():
    assert defuse_text_array(pa.array(["=1", None, "ok"], type=pa.large_string())).to_pylist() == ["'=1", None, "ok"]


def test_writing_one_format_removes_the_stale_other(tmp_path):
    table = pd.DataFrame({"text": ["a"]})
    write_table(table, tmp_path, "t", "csv")
    write_table(table, tmp_path, "t", "parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]


def test_a_failed_write_leaves_the_previous_table_intact(tmp_path):
    write_table(pd.DataFrame({"text": ["good"]}), tmp_path, "t")
    with pytest.raises(Exception):
        write_table(pd.DataFrame({"text": [object()]}), tmp_path, "t")
    assert read_table(tmp_path, "t")["text"].tolist() == ["good"]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_same_table_gives_byte_identical_parquet(tmp_path):
    table = pd.DataFrame({"text": ["a", "b"], "n": [1, 2]})
    first = write_table(table, tmp_path / "1", "t").read_bytes()
    second = write_table(table, tmp_path / "2", "t").read_bytes()
    assert first == second


def test_reading_a_missing_table_says_which_stage_to_run(tmp_path):
    with pytest.raises(StageInputError, match="no 'claims' table"):
        read_table(tmp_path, "claims")
