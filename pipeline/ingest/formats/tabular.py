"""CSV and TSV exports: one comment per row, under a required header row."""
from __future__ import annotations

import csv
from typing import Any, Iterator

from pipeline.errors import InputFormatError
from pipeline.ingest.formats.columns import (
    ResolvedColumns,
    ThreadRegistry,
    comment_items,
    raw_excerpt,
    resolve_columns,
)
from pipeline.ingest.lines import universal_lines
from pipeline.ingest.records import ColumnMapping, ParsedItem, RecordReject, SourceText

# Comment cells can be huge (a pasted essay, a 5 MB spam dump); the assembler decides
# what is too long, so the reader must not stop at csv's 128 KB default.
_FIELD_SIZE_LIMIT = 2**31 - 1


def parse_csv(source: SourceText, columns: ColumnMapping) -> Iterator[ParsedItem]:
    """Parse a comma-separated export; see :func:`parse_delimited`."""
    return parse_delimited(source, columns, delimiter=",")


def parse_tsv(source: SourceText, columns: ColumnMapping) -> Iterator[ParsedItem]:
    """Parse a tab-separated export; see :func:`parse_delimited`."""
    return parse_delimited(source, columns, delimiter="\t")


def parse_delimited(source: SourceText, columns: ColumnMapping, *, delimiter: str) -> Iterator[ParsedItem]:
    """Yield one RawComment per data row, and a ThreadInfo per distinct thread value.

    Cells may be quoted and span lines. A row with the wrong number of cells or broken
    quoting is rejected (``row N`` names the physical line where the row starts), and
    reading goes on with the next row. Blank rows are skipped.

    Raises:
        InputFormatError: the file has no header row.
        MissingColumnsError: a requested column is absent, or no text column is found.
    """
    _allow_large_fields()
    lines = _LineTap(universal_lines(source.text_pieces()))
    # strict: an unclosed quote is reported instead of swallowing the rest of the file.
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header = _read_header(source, reader)
    mapping = resolve_columns(source.name, header, columns)
    threads = ThreadRegistry()
    while True:
        start_line = reader.line_num + 1
        lines.forget()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield RecordReject(f"row {start_line}", f"unreadable row: {error}", raw_excerpt(lines.recent()))
            continue
        if _is_blank(cells):
            continue
        yield from _row_items(f"row {start_line}", header, cells, mapping, threads, lines.recent())


class _LineTap:
    """Feeds physical lines to csv.reader and keeps the ones of the current row.

    The kept text becomes the reject's ``raw`` excerpt even when csv cannot split the
    row into cells.
    """

    def __init__(self, lines: Iterator[str]) -> None:
        # Lines keep their ends: csv itself must see "\r\n" to keep it inside quoted cells.
        self._lines = lines
        self._current: list[str] = []

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._current.append(line)
        return line

    def forget(self) -> None:
        self._current.clear()

    def recent(self) -> str:
        return "".join(self._current)


def _allow_large_fields() -> None:
    if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
        csv.field_size_limit(_FIELD_SIZE_LIMIT)


def _read_header(source: SourceText, reader: Any) -> list[str]:
    """Return the first non-blank row, cleaned; ``reader`` is a ``csv.reader``."""
    try:
        for cells in reader:
            if not _is_blank(cells):
                return [_clean_header_cell(cell) for cell in cells]
    except csv.Error as error:
        raise InputFormatError(source.name, f"unreadable header row: {error}", line=reader.line_num) from error
    raise InputFormatError(source.name, "empty file: a header row naming the columns is required")


def _clean_header_cell(cell: str) -> str:
    # A BOM that survived decoding would hide the first column name from detection.
    return cell.lstrip("\ufeff").strip()


def _is_blank(cells: list[str]) -> bool:
    """Blank lines, and rows of empty cells spreadsheets leave at the end, are no records."""
    return not any(cell.strip() for cell in cells)


def _row_items(
    locator: str,
    header: list[str],
    cells: list[str],
    mapping: ResolvedColumns,
    threads: ThreadRegistry,
    raw: str,
) -> Iterator[ParsedItem]:
    if len(cells) != len(header):
        yield RecordReject(locator, f"expected {len(header)} cells, found {len(cells)}", raw_excerpt(raw))
        return
    record: dict[str, str] = {}
    for column, cell in zip(header, cells):
        record.setdefault(column, cell)  # a repeated header name: the first column wins
    yield from comment_items(locator, record, mapping, threads, raw)
