"""Exceptions the library raises; the CLI turns each into one line and exit status 1.

Every message names the file and, where known, the line or record, the bad value and
the valid choices, so that a user can fix the input without reading a traceback.
"""
from __future__ import annotations


class PipelineError(Exception):
    """Base class for every error caused by user input or options."""


class InputFormatError(PipelineError):
    """A whole input file cannot be read (empty, binary, malformed, unsupported)."""

    def __init__(self, source: str, message: str, *, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.detail = message
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class MissingColumnsError(InputFormatError):
    """A tabular input has no column that can serve as a required field."""


class MissingInputError(PipelineError):
    """A path does not exist, or a folder holds no supported file."""


class RuleFileError(PipelineError):
    """A lexicon or rule file is malformed or has an unknown key."""


class StageInputError(PipelineError):
    """A stage's input table is missing or lacks columns; run the earlier stage first."""
