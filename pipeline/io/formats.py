"""The formats a stage table can be written in (``--format``), apart from the code that writes
them, so that the command line can name them without loading pandas and Arrow."""
from __future__ import annotations

TABLE_FORMATS = ("parquet", "csv")
