"""Reading and summarising stage-table values, the same way from Parquet or CSV.

A table read back from CSV holds every cell as text ("True", "3"); the cluster and count
code reads booleans, text and required columns through these helpers.
"""
from __future__ import annotations

from typing import Iterable, Mapping

import pandas as pd

from pipeline.errors import StageInputError

_TRUE_TEXT = frozenset({"true", "1", "yes"})


def bool_values(column: pd.Series) -> pd.Series:
    """``column`` as booleans; text cells are true when they read true, 1 or yes."""
    if pd.api.types.is_bool_dtype(column):
        return column.fillna(False).astype(bool)
    return column.map(lambda value: value is True or str(value).strip().lower() in _TRUE_TEXT).astype(bool)


def require_columns(table: pd.DataFrame, table_name: str, columns: Iterable[str]) -> None:
    """Raise :class:`StageInputError` naming the columns ``table`` lacks."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise StageInputError(f"the {table_name} table lacks columns {', '.join(missing)}; run the earlier stage again")


def text_values(column: pd.Series) -> pd.Series:
    """``column`` as plain strings, missing cells as ""."""
    if isinstance(column.dtype, pd.StringDtype):  # already text (how Parquet and CSV tables arrive)
        return column.fillna("")
    return column.astype(object).where(column.notna(), "").astype(str)


def most_common(counts: Mapping[str, int], default: str = "other") -> str:
    """The most frequent non-empty value of ``counts`` (value -> how often); ties go to the
    alphabetically first."""
    best = min(((-count, value) for value, count in counts.items() if value and count > 0), default=None)
    return best[1] if best else default


def shortened(text: str, limit: int = 200) -> str:
    """``text`` with whitespace normalised, cut at a word boundary to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
