"""Lines of a text that arrives in pieces, cut exactly where the whole text would be cut.

The parsers that stream (JSON lines, CSV/TSV, saved page text) read a file as decoded pieces
of about a megabyte; a line may straddle two pieces, and so may a ``\\r\\n``. These functions
give the same lines as ``str.split`` or ``io.StringIO`` give on the whole text.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

_NEWLINE = re.compile(r"\r\n|\r|\n")


def lf_lines(pieces: Iterable[str]) -> Iterator[str]:
    """What ``"".join(pieces).split("\\n")`` gives (the line ends dropped; at least one line)."""
    parts: list[str] = []
    for piece in pieces:
        lines = piece.split("\n")
        if len(lines) == 1:
            parts.append(piece)
            continue
        parts.append(lines[0])
        yield "".join(parts)
        yield from lines[1:-1]
        parts = [lines[-1]]
    yield "".join(parts)


def universal_lines(pieces: Iterable[str]) -> Iterator[str]:
    """What iterating ``io.StringIO("".join(pieces), newline="")`` gives: lines ended by
    ``\\n``, ``\\r\\n`` or ``\\r``, each with its line end."""
    parts: list[str] = []
    held = ""
    for piece in pieces:
        piece, held = held + piece, ""
        if piece.endswith("\r"):
            piece, held = piece[:-1], "\r"  # the next piece may start with its "\n"
        start = 0
        for match in _NEWLINE.finditer(piece):
            parts.append(piece[start : match.end()])
            yield "".join(parts)
            parts, start = [], match.end()
        if start < len(piece):
            parts.append(piece[start:])
    parts.append(held)
    if any(parts):
        yield "".join(parts)


def without_leading(pieces: Iterable[str], characters: str) -> Iterator[str]:
    """The pieces of the text with ``characters`` stripped from its start (as ``str.lstrip``)."""
    stripping = True
    for piece in pieces:
        if stripping:
            piece = piece.lstrip(characters)
            stripping = not piece
        if piece:
            yield piece
