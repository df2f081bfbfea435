"""CSV text of a table of strings built in Arrow, byte for byte what pandas' ``to_csv`` writes.

``summary/review_queue.csv`` holds every flag (hundreds of thousands of rows): pandas writes
CSV a row at a time in Python. Here each column is quoted where it must be in Arrow
(:func:`csv_cells`), the cells joined into lines, and the lines' bytes taken as one string.
Which characters force quotes is asked of Python's own ``csv`` module once (it differs between
Python versions: 3.11 quotes a field with ``\\n``, later versions one with ``\\r`` too).
"""
from __future__ import annotations

import csv
import functools
import io
import re
from typing import Sequence

import pyarrow as pa
import pyarrow.compute as pc

DELIMITER = ","
QUOTE = '"'
LINE_END = "\n"


def csv_text(columns: Sequence[pa.Array], names: Sequence[str], *, header: bool) -> str:
    """The lines pandas' ``to_csv(index=False, header=header, lineterminator="\\n")`` writes for
    these text columns (no nulls), ``names`` as the header. At least two columns: a line of one
    empty field is written differently."""
    if len(columns) < 2 or len(columns) != len(names):
        raise ValueError("csv_text needs two or more columns, one name each")
    lines = pc.binary_join_element_wise(*(csv_cells(column) for column in columns), _text(DELIMITER))
    body = _concatenated(pc.binary_join_element_wise(lines, _text(""), _text(LINE_END))) if len(lines) else ""
    top = DELIMITER.join(_quoted(name) for name in names) + LINE_END if header else ""
    return top + body


def csv_cells(texts: pa.Array) -> pa.Array:
    """Each cell as a CSV field: quoted (its quotes doubled) when it holds a character that
    forces quotes, else as it is."""
    texts = texts.cast(pa.large_string())
    needs_quotes = pc.match_substring_regex(texts, _forcing_quotes_pattern())
    if not pc.any(needs_quotes).as_py():
        return texts  # ids, dates, names of flags: most columns need no quotes at all
    quote = _text(QUOTE)
    quoted = pc.binary_join_element_wise(quote, pc.replace_substring(texts, QUOTE, QUOTE * 2), quote, _text(""))
    return pc.if_else(needs_quotes, quoted, texts)


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, type=pa.large_string())


def _quoted(text: str) -> str:
    return QUOTE + text.replace(QUOTE, QUOTE * 2) + QUOTE if re.search(_forcing_quotes_pattern(), text) else text


def _concatenated(texts: pa.Array) -> str:
    """The strings of a null-free text array, one after the other, straight from its buffers."""
    texts = texts.cast(pa.large_string())
    offsets = texts.buffers()[1]
    first, last = (int(offset) for offset in pa.Array.from_buffers(pa.int64(), len(texts) + 1, [None, offsets],
                                                                    offset=texts.offset).to_numpy()[[0, -1]])
    return texts.buffers()[2].to_pybytes()[first:last].decode("utf-8")


@functools.lru_cache(maxsize=1)
def _forcing_characters() -> str:
    """The ASCII characters that make Python's csv writer (as pandas calls it) quote a field."""
    forcing = []
    for code in range(128):
        field = f"a{chr(code)}b"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL).writerow([field, "x"])
        if buffer.getvalue() != f"{field}{DELIMITER}x{LINE_END}":
            forcing.append(chr(code))
    return "".join(forcing)


def _forcing_quotes_pattern() -> str:
    """A character class of :func:`_forcing_characters`, for Arrow's and Python's patterns alike."""
    return "[" + "".join(f"\\x{ord(c):02x}" for c in _forcing_characters()) + "]"
