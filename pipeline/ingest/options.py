"""How ingest reads its inputs: the options the CLI builds (kept apart from the stage, which
needs pandas, so that parsing the command line does not load it)."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.ingest.records import ColumnMapping

DEFAULT_MAX_COMMENT_CHARS = 100_000


@dataclass(frozen=True)
class IngestOptions:
    """How to read the inputs.

    Attributes:
        columns: column names for tabular and JSON inputs (``None`` fields are auto-detected).
        input_format: force one parser for every file instead of detecting it.
        max_comment_chars: longer comments go to ``rejects``.
        keep_going: a file that cannot be read at all becomes a ``rejects`` row instead of
            stopping the run with an error.
    """

    columns: ColumnMapping = ColumnMapping()
    input_format: str | None = None
    max_comment_chars: int = DEFAULT_MAX_COMMENT_CHARS
    keep_going: bool = False
