"""The hostile-input corpus: every kind of bad file, in every input format, with its outcome.

One table, ``CASES``: each case builds a file for a format (in tmp_path; the large ones are
generated, never committed) and states what must happen, as the README promises:

* ``Fails``: the file as a whole is unusable. Exit status 1, ONE line on stderr naming the
  file, no traceback, no output folder;
* ``Reads``: the run succeeds with exactly these kept / rejected / duplicate counts, the
  rejects carry the expected reasons, and ``records read = kept + rejected + duplicates``
  holds in the ``sources`` table and in the printed summary.

Cases that make no sense for a format (entity declarations in a CSV file) say so in the
table instead of being silently left out.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.io.tables import read_table
from tests.hostile.formats import FORMATS, WRITERS, Record, file_name, html_page_raw, record

runner = CliRunner()

SUMMARY = re.compile(
    r"(?P<files>\d+) file\(s\), (?P<read>\d+) records read = (?P<kept>\d+) kept"
    r" \+ (?P<rejected>\d+) rejected \+ (?P<duplicates>\d+) duplicates"
)
JSON_FAMILY = ("json", "jsonl", "reddit")
XML_FAMILY = ("wxr", "disqus")
MARKUP_READERS = tuple(f for f in FORMATS if f != "page")  # formats whose text may hold HTML
FIVE_MB = 5 * 1024 * 1024
DEPTH = 100_000


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Fails:
    """The whole file is refused: one line on stderr naming it and holding every fragment."""

    fragments: tuple[str, ...]


@dataclass(frozen=True)
class Reads:
    """The file is read: these counts, these reject reasons (fragments, in order), and a check."""

    kept: int
    rejected: tuple[str, ...] = ()
    duplicates: int = 0
    check: Callable[[dict[str, pd.DataFrame]], None] | None = None
    seconds: float | None = None


Outcome = Fails | Reads


@dataclass(frozen=True)
class Case:
    """A hostile file for one format and what must come of it."""

    name: str
    make: Callable[[str], str | bytes]
    outcome: Outcome | Callable[[str], Outcome]
    formats: tuple[str, ...] = FORMATS
    options: tuple[str, ...] = ()
    why_not_others: str = ""

    def outcome_for(self, fmt: str) -> Outcome:
        return self.outcome(fmt) if callable(self.outcome) else self.outcome


# --------------------------------------------------------------------------- builders


def three(**changes_to_second: object) -> list[Record]:
    records = [record(1), record(2), record(3)]
    records[1] = {**records[1], **changes_to_second}
    return records


def written(fmt: str, records: list[Record]) -> str:
    return WRITERS[fmt](records)


def truncated(fmt: str) -> str:
    """The file cut in the middle of the third comment's text."""
    text = written(fmt, three())
    return text[: text.index("Comment 3: a warm") + len("Comment 3: a warm")]


def deeply_nested(fmt: str) -> str:
    """100,000 levels of nesting inside the second record, the way each format nests."""
    if fmt in JSON_FAMILY:
        records = three(text="__DEEP__")
        return written(fmt, records).replace('"__DEEP__"', "[" * DEPTH + "]" * DEPTH)
    if fmt in XML_FAMILY or fmt == "html":
        nested = "<b>" * DEPTH + "deep" + "</b>" * DEPTH
        if fmt == "html":
            return html_page_raw(three(text=nested))
        anchor = "<wp:comment_approved>" if fmt == "wxr" else "<isDeleted>"
        text = written(fmt, three())
        second = text.index(anchor, text.index("Comment 2"))
        return text[:second] + nested + text[second:]
    return written(fmt, three(text="(" * DEPTH + "cramps" + ")" * DEPTH))


def whole_file_nested(fmt: str) -> str:
    return "[" * DEPTH + "]" * DEPTH + "\n"


def oversized(fmt: str) -> str:
    """Over 50 MB: many comments in one thread, and ten comments of 5 MB each."""
    count = OVERSIZED_COMMENTS[fmt]
    huge = "My calves knot up every single night, and I have tried every trick going. " * (FIVE_MB // 75 + 1)
    records = [record(i, f"Comment {i}: a warm bath eased it.") for i in range(count)]
    records += [record(count + i, f"{i} {huge}") for i in range(10)]
    return written(fmt, records)


# HTML pages are read in linear time, but tree building in pure Python costs about 0.5-1 ms per
# comment, so a page of 100,000 takes one to two minutes (the other formats: seconds); 10,000 keep
# the test in seconds and still prove the point. tests/ingest/test_html_speed.py checks linearity.
OVERSIZED_COMMENTS = {fmt: 100_000 for fmt in FORMATS} | {"html": 10_000}


def duplicates(fmt: str) -> str:
    """The first comment twice (an exact copy), a different comment reusing its id, and a
    reply to that id: the reply's parent is ambiguous, so none is guessed."""
    first = record(1)
    records = [first, dict(first), record(2) | {"id": first["id"]}, record(3, parent=str(first["id"]))]
    return written(fmt, records)


def entity(declaration: str) -> Callable[[str], str]:
    """A DOCTYPE declaring ``declaration``, used in the second comment as ``&x;``."""

    def make(fmt: str) -> str:
        if fmt == "html":
            page = html_page_raw(three(text="before &x; after"))
            return page.replace("<!DOCTYPE html>", f"<!DOCTYPE html [ {declaration} ]>")
        text = written(fmt, three(text="__ENTITY__")).replace("<![CDATA[__ENTITY__]]>", "before &x; after")
        head, rest = text.split("\n", 1)
        root = "rss" if fmt == "wxr" else "disqus"
        return f"{head}\n<!DOCTYPE {root} [ {declaration} ]>\n{rest}"

    return make


BOMB = (
    '<!ENTITY a "cramp"> '
    + " ".join(f'<!ENTITY {b} "{f"&{a};" * 10}">' for a, b in zip("abcdefgh", "bcdefghi"))
    + ' <!ENTITY x "&i;">'
)
SCRIPT_PAYLOAD = (
    'Bananas help. <script>alert("s")</script><iframe src="http://evil.example/"></iframe>'
    '<img src=x onerror="alert(1)"><a href="javascript:alert(2)" onmouseover="alert(3)">me</a>'
    '<svg onload="alert(4)"></svg>'
)
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
PATH_NAMES = {"author": "../../etc/passwd", "thread": "..\\..\\windows\\system32"}
RTL_AUTHOR = "Ann\u202egpj.exe"
QUININE = "qu\u0456n\u0456ne and tonic w\u0430ter every night, and qui\u200dnine again"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
CAFE = "A café au lait at night – worse cramps."


def stray_bytes(fmt: str) -> bytes:
    """UTF-8, with one comment pasted in from a cp1252 file: the file's other accents must survive."""
    text = written(fmt, three(text="__STRAY__", author="Renée"))
    head, tail = text.split("__STRAY__")
    return head.encode("utf-8") + "Crème brûlée – no".encode("cp1252") + tail.encode("utf-8")


def scripts(fmt: str) -> str:
    return (html_page_raw if fmt == "html" else WRITERS[fmt])(three(text=SCRIPT_PAYLOAD))


def script_outcome(fmt: str) -> Outcome:
    return Reads(3, check=payload_kept_as_plain_text if fmt == "page" else no_markup_survives)


def formula_records(fmt: str) -> str:
    records = [record(i + 1, formula, author=formula) for i, formula in enumerate(FORMULAS)]
    return written(fmt, records)


# --------------------------------------------------------------------------- checks on what was kept


def texts(tables: dict[str, pd.DataFrame]) -> list[str]:
    return tables["comments"]["text"].tolist()


def no_markup_survives(tables: dict[str, pd.DataFrame]) -> None:
    for text in texts(tables):
        assert "alert" not in text and "<" not in text and "javascript" not in text, text
    assert "Bananas help." in texts(tables)[1]


def payload_kept_as_plain_text(tables: dict[str, pd.DataFrame]) -> None:
    # A saved page is plain text: the markup is what the commenter typed, kept as text;
    # the report escapes it (tests/hostile/test_output_safety.py).
    assert texts(tables)[1] == SCRIPT_PAYLOAD


def formulas_kept_as_written(tables: dict[str, pd.DataFrame]) -> None:
    comments = tables["comments"]
    assert comments["author"].tolist() == FORMULAS
    assert [text.split(" ", 1)[0] for text in comments["text"]] == [f.split(" ", 1)[0] for f in FORMULAS]


def path_names_kept_as_written(tables: dict[str, pd.DataFrame]) -> None:
    assert tables["comments"]["author"].tolist()[1] == PATH_NAMES["author"]


def unicode_tricks_undone(tables: dict[str, pd.DataFrame]) -> None:
    comment = tables["comments"].iloc[1]
    assert comment["author"] == "Anngpj.exe"
    assert comment["text"] == "quinine and tonic water every night, and quinine again"
    assert comment["text_original"] == QUININE


def not_expanded(tables: dict[str, pd.DataFrame]) -> None:
    text = texts(tables)[1]
    assert "cramp" not in text and "root:" not in text and len(text) < 100, text


def encoded_text_read(tables: dict[str, pd.DataFrame]) -> None:
    assert "café au lait" in texts(tables)[1]


def stray_bytes_read(tables: dict[str, pd.DataFrame]) -> None:
    assert texts(tables)[1] == "Crème brûlée – no"
    assert tables["comments"]["author"].tolist()[1] == "Renée"
    assert tables["sources"]["encoding"].tolist() == ["utf-8 (4 bytes read as cp1252)"]  # è û é –


def reply_to_ambiguous_id_has_no_parent(tables: dict[str, pd.DataFrame]) -> None:
    assert tables["comments"]["parent_id"].tolist() == ["", "", ""]


def truncated_outcome(fmt: str) -> Outcome:
    if fmt in ("page", "csv", "tsv", "html"):
        # Nothing marks where a plain-text, CSV or HTML comment should end: the cut comment
        # is kept with the text that is there.
        return Reads(3, check=lambda tables: texts_end_with(tables, "Comment 3: a warm"))
    reason = "malformed JSON" if fmt in JSON_FAMILY else "malformed XML"
    return Reads(2, (reason,))


def texts_end_with(tables: dict[str, pd.DataFrame], ending: str) -> None:
    assert texts(tables)[-1] == ending


def deep_outcome(fmt: str) -> Outcome:
    if fmt == "json":
        # In an array, the damage costs the rest of the file (one reject says from where).
        return Reads(1, ("nested too deeply",))
    if fmt in JSON_FAMILY:
        return Reads(2, ("nested too deeply",))
    if fmt in XML_FAMILY:
        return Reads(1, ("nested deeper than 1000 levels",))
    if fmt == "html":
        return Reads(3, check=lambda tables: texts_end_with(tables, record(3)["text"]))
    # In plain text, CSV and TSV nesting is only brackets in a comment: 200,006 of them.
    return Reads(2, ("see --max-comment-chars",))


def oversized_outcome(fmt: str) -> Outcome:
    return Reads(OVERSIZED_COMMENTS[fmt], ("see --max-comment-chars",) * 10, seconds=120)


def duplicate_outcome(fmt: str) -> Outcome:
    if fmt == "page":
        # A saved page has no ids: only the exact copy is dropped.
        return Reads(3, duplicates=1)
    return Reads(3, duplicates=1, check=reply_to_ambiguous_id_has_no_parent)


def missing_text(fmt: str) -> str:
    if fmt in ("csv", "tsv"):
        return written(fmt, three()).replace("text\n", "stars\n", 1).replace("text\r\n", "stars\r\n", 1)
    if fmt in ("json", "jsonl"):
        return written(fmt, [{k: v for k, v in r.items() if k != "text"} for r in three()])
    if fmt == "reddit":
        return written(fmt, three()).replace('"body": ', '"score": ')
    if fmt == "wxr":
        text = written(fmt, three())
        return re.sub(r"<wp:comment_content><!\[CDATA\[Comment 2.*?</wp:comment_content>\n", "", text, flags=re.S)
    if fmt == "disqus":
        return re.sub(r"<message><!\[CDATA\[Comment 2.*?</message>\n", "", written(fmt, three()), flags=re.S)
    if fmt == "html":
        return html_page_raw(three(text=""))
    return written(fmt, three(text=""))


def missing_outcome(fmt: str) -> Outcome:
    if fmt in ("csv", "tsv", "json", "jsonl", "reddit"):
        return Fails(("no text column", "--text-column"))
    return Reads(2, ("empty comment",))


WRONG_TYPES = [("a number", 42), ("a number", 2.5), ("a list", ["rest", "water"]), ("an object", {"p": "x"}),
               ("true/false", True)]


def wrong_types(fmt: str) -> str:
    """Text fields holding numbers, lists, objects, booleans and null; an author holding a number."""
    if fmt in JSON_FAMILY:
        records = [record(1, author=7)] + [record(i + 2, value) for i, (_, value) in enumerate(WRONG_TYPES)]
        return written(fmt, records + [record(99) | {"text": None}])
    # Elsewhere every value is text; the fields that expect a shape (dates) get garbage.
    return written(fmt, three(date="2021-09-31"))


def wrong_type_outcome(fmt: str) -> Outcome:
    if fmt in JSON_FAMILY:
        field = "body" if fmt == "reddit" else "text"
        reasons = tuple(f"the '{field}' field holds {kind}, not text" for kind, _ in WRONG_TYPES) + ("empty comment",)
        return Reads(1, reasons, check=lambda tables: _author_is(tables, "7"))
    return Reads(3, check=_second_date_unknown)


def _second_date_unknown(tables: dict[str, pd.DataFrame]) -> None:
    comment = tables["comments"].iloc[1]
    assert comment["posted_at"] == ""
    assert comment["posted_at_raw"] in ("2021-09-31", "2021-09-31 08:00:00", "2021-09-31T08:00:00Z", "September 31, 2021")


def _author_is(tables: dict[str, pd.DataFrame], author: str) -> None:
    assert tables["comments"]["author"].tolist() == [author]


# --------------------------------------------------------------------------- the table

CASES = [
    Case("empty", lambda fmt: b"", Fails(("file is empty",))),
    Case("whitespace only", lambda fmt: b" \n\t\r\n  \n", Fails(("file is empty",))),
    Case("binary", lambda fmt: bytes(range(256)) * 16, Fails(("looks like a binary",))),
    Case("png with a text extension", lambda fmt: PNG, Fails(("binary",))),
    Case("truncated", truncated, truncated_outcome),
    Case("cp1252 bytes", lambda fmt: written(fmt, three(text=CAFE)).encode("cp1252"), Reads(3, check=encoded_text_read)),
    Case("utf-16 without BOM", lambda fmt: written(fmt, three(text=CAFE)).encode("utf-16-le"),
         Reads(3, check=encoded_text_read)),
    Case("utf-8 with stray cp1252 bytes", stray_bytes, Reads(3, check=stray_bytes_read)),
    Case("deeply nested record", deeply_nested, deep_outcome),
    Case("deeply nested document", whole_file_nested, Fails(("nested too deeply",)), formats=JSON_FAMILY,
         why_not_others="only JSON nests a whole document; XML and HTML depth is the record case"),
    Case("50 MB, 100k comments in one thread, ten 5 MB comments", oversized, oversized_outcome),
    Case("duplicate ids", duplicates, duplicate_outcome),
    Case("missing text column or field", missing_text, missing_outcome),
    Case("wrong types", wrong_types, wrong_type_outcome),
    Case("entity bomb", entity(BOMB), Fails(("entity",)), formats=XML_FAMILY),
    Case("external entity file://", entity('<!ENTITY x SYSTEM "file:///etc/passwd">'), Fails(("entity",)), formats=XML_FAMILY),
    Case("external entity http://", entity('<!ENTITY x SYSTEM "http://127.0.0.1:9/x">'), Fails(("entity",)), formats=XML_FAMILY),
    Case("parameter entity http://", entity('<!ENTITY % p SYSTEM "http://127.0.0.1:9/p"> %p;'), Fails(("entity",)),
         formats=XML_FAMILY),
    Case("entity declarations in an HTML doctype", entity(BOMB + ' <!ENTITY y SYSTEM "file:///etc/passwd">'),
         Reads(3, check=not_expanded), formats=("html",),
         why_not_others="CSV, JSON and plain text have no entities; the XML formats refuse them (above)"),
    Case("scripts, iframes, event handlers", scripts, script_outcome),
    Case("spreadsheet formulas", formula_records, Reads(4, check=formulas_kept_as_written)),
    Case("path separators and .. in names", lambda fmt: written(fmt, three(**PATH_NAMES)),
         Reads(3, check=path_names_kept_as_written)),
    Case("RTL override, zero-width joiner, homoglyphs", lambda fmt: written(fmt, three(text=QUININE, author=RTL_AUTHOR)),
         Reads(3, check=unicode_tricks_undone)),
]


def _params():
    for case in CASES:
        for fmt in case.formats:
            yield pytest.param(case, fmt, id=f"{case.name}-{fmt}")


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize(("case", "fmt"), list(_params()))
def test_hostile_input(tmp_path: Path, case: Case, fmt: str):
    path = tmp_path / file_name(fmt)
    content = case.make(fmt)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    out = tmp_path / "out"
    started = time.perf_counter()
    result = runner.invoke(app, ["ingest", str(path), "--out", str(out), "--input-format", fmt, *case.options])
    elapsed = time.perf_counter() - started
    assert "Traceback" not in result.output
    outcome = case.outcome_for(fmt)
    if isinstance(outcome, Fails):
        assert_fails(result, out, path, outcome)
    else:
        assert_reads(result, out, outcome)
        if outcome.seconds is not None:
            assert elapsed < outcome.seconds, f"{elapsed:.0f} s"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name] + (["out"] if out.exists() else []))


def assert_fails(result, out: Path, path: Path, outcome: Fails) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {path}"), lines[0]
    for fragment in outcome.fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout == ""
    assert not out.exists()


def assert_reads(result, out: Path, outcome: Reads) -> None:
    assert result.exit_code == 0, result.output
    tables = {name: read_table(out, name) for name in ("comments", "rejects", "sources")}
    [source] = tables["sources"].to_dict("records")
    assert source["records"] == source["kept"] + source["rejected"] + source["duplicates"]
    assert (source["kept"], source["rejected"], source["duplicates"]) == (
        outcome.kept, len(outcome.rejected), outcome.duplicates
    ), tables["rejects"]["reason"].tolist()
    assert len(tables["comments"]) == outcome.kept
    for reason, expected in zip(tables["rejects"]["reason"], outcome.rejected):
        assert expected in reason, reason
    assert (tables["rejects"]["raw"].str.len() <= 500).all()
    summary = SUMMARY.search(result.stdout)
    assert summary is not None, result.stdout
    assert [int(summary[k]) for k in ("read", "kept", "rejected", "duplicates")] == [
        source["records"], source["kept"], source["rejected"], source["duplicates"]
    ]
    if outcome.check is not None:
        outcome.check(tables)
