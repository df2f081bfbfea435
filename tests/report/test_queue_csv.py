"""summary/review_queue.csv written in Arrow is the text pandas writes after redacting and defusing cell by cell."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from pipeline.io.tables import defuse_formulas
from pipeline.report.csv_text import csv_text
from pipeline.report.stage import QUEUE_COLUMNS, queue_csv, redact_columns, redactor_of
from pipeline.report.view import QuoteCandidates

# Cells a queue can hold: formula starts, contacts, quotes, commas, line breaks, nothing at all.
TRICKY = [
    "=SUM(A1)", "+44 20 7946 0958", "-2 cramps", "@here", "\tTabbed", "\rCarriage", "'=already escaped", "'plain",
    "write to jane@example.com", "jane at example dot com", "ring 555-201-7788 after six", "1000 mg, twice",
    'she said "stop"', "line one\nline two", "carriage\rinside", "", " ", "plain words", "é accents, ünïcode",
    "\u2028separator", "1998 and 2004",
]


def slow_queue_csv(queue: pd.DataFrame, redact: bool, header: bool) -> str:
    """The per-cell way: redact each free-text cell, defuse each cell, pandas' to_csv."""
    return defuse_formulas(redact_columns(queue, redactor_of(redact))).to_csv(index=False, header=header, lineterminator="\n")


def tricky_queue(rotate: int) -> pd.DataFrame:
    cells = TRICKY[rotate:] + TRICKY[:rotate]
    return pd.DataFrame({column: [cells[(row + place) % len(cells)] for row in range(len(cells))]
                         for place, column in enumerate(QUEUE_COLUMNS)}, dtype=object)


@pytest.mark.parametrize("redact", [True, False])
@pytest.mark.parametrize("header", [True, False])
@pytest.mark.parametrize("rotate", [0, 5, 13])
def test_the_arrow_queue_csv_is_the_per_cell_one(redact, header, rotate):
    queue = tricky_queue(rotate)
    assert queue_csv(queue, redactor_of(redact), header=header) == slow_queue_csv(queue, redact, header)


@pytest.mark.parametrize(
    "queue",
    [
        pd.DataFrame(columns=QUEUE_COLUMNS),  # no rows: the header alone
        pd.DataFrame({"flag_id": ["f1", None], "text": ["=1", "mail a@b.org"]}, dtype=object),  # a missing cell
        pd.DataFrame({"flag_id": ["f1", "f2"], "members": [["=a", "b@c.org"], "x"]}, dtype=object),  # a list cell
        pd.DataFrame({"flag_id": ["f1", "f2"], "text": ["lone \ud800 surrogate", "=x"]}, dtype=object),  # not UTF-8
        pd.DataFrame({"flag_id": ["f1", "f2"], "count": [1, 2]}),  # numbers
        pd.DataFrame({"text": ["", "=x"]}, dtype=object),  # one column: an empty line is written as ""
    ],
)
def test_queues_arrow_cannot_write_are_written_the_per_cell_way(queue):
    assert queue_csv(queue, redactor_of(True), header=True) == slow_queue_csv(queue, True, True)


@pytest.mark.parametrize(
    ("cells", "line"),
    [
        (["a,b", "x"], '"a,b",x\n'),
        (['say "hi"', "x"], '"say ""hi""",x\n'),
        (["two\nlines", "x"], '"two\nlines",x\n'),
        (["", ""], ",\n"),
        (["  spaced  ", "\ttab"], "  spaced  ,\ttab\n"),
    ],
)
def test_csv_text_quotes_as_pandas_does(cells, line):
    frame = pd.DataFrame({"a": [cells[0]], "b": [cells[1]]}, dtype=object)
    written = csv_text([pa.array([cell]) for cell in cells], ["a", "b"], header=False)
    assert written == frame.to_csv(index=False, header=False, lineterminator="\n")
    assert written == line


def test_csv_text_quotes_every_character_pandas_quotes():
    cells = [f"a{chr(code)}b" for code in range(1, 0x3000) if not 0xD800 <= code <= 0xDFFF]
    frame = pd.DataFrame({"cell": cells, "other": "x"}, dtype=object)
    written = csv_text([pa.array(cells, type=pa.large_string()), pa.array(["x"] * len(cells))], ["cell", "other"],
                       header=True)
    assert written == frame.to_csv(index=False, lineterminator="\n")


@pytest.mark.parametrize(
    ("examples", "kept"),
    [
        ({"c9"}, {"c9", "c1", "c2", "c3"}),  # the summary's example comment is kept besides the first three
        (set(), {"c1", "c2", "c3"}),
        ({"c404"}, {"c1", "c2", "c3"}),  # an example the claims never name changes nothing
    ],
)
def test_quote_candidates_keep_the_summary_examples(examples, kept):
    summary = pd.DataFrame({"concept": "magnesium", "role": "remedy", "example_comment_id": sorted(examples) or [""],
                            "contrary_comment_id": ""})
    ids = ["c1", "c2", "c3", "c4", "c9"]
    claims = pd.DataFrame({"comment_id": ids, "claim_id": [f"k{i}" for i in range(5)], "concept": "magnesium",
                           "role": "remedy", "effect": "helped", "negated": False, "question": False,
                           "sentence": "it helped", "surface": "magnesium"})
    candidates = QuoteCandidates(summary, lambda wanted: [True] * len(wanted))
    candidates.add(claims)
    assert set(candidates.claims()["comment_id"]) == kept
