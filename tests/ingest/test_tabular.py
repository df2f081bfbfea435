"""CSV and TSV exports."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputFormatError, MissingColumnsError
from pipeline.ingest.formats.tabular import parse_csv, parse_tsv
from pipeline.ingest.records import ColumnMapping, ParsedItem, RawComment, RecordReject, SourceText, ThreadInfo
from tests.ingest.items import comments, rejects, threads

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


def parse(text: str, columns: ColumnMapping | None = None, *, name: str = "in.csv") -> list[ParsedItem]:
    parser = parse_tsv if name.endswith(".tsv") else parse_csv
    return list(parser(SourceText(name, text), columns or ColumnMapping()))


def test_rows_become_comments_with_mapped_fields() -> None:
    first, second = "1,Ann,2023-01-02,,Mustard helped.\n", "2,Bo,2023-01-03,1,Not for me.\n"
    items = parse("id,author,date,parent_id,comment\n" + first + second)
    assert comments(items) == [
        RawComment("row 2", "Mustard helped.", "Ann", "2023-01-02", "", "1", "", raw=first),
        RawComment("row 3", "Not for me.", "Bo", "2023-01-03", "", "2", "1", raw=second),
    ]
    assert threads(items) == []


def test_explicit_mapping() -> None:
    text = "who,said,when\nAnn,Pickle juice works,May 1 2023\n"
    mapping = ColumnMapping(text="said", author="who", date="when")
    [comment] = comments(parse(text, mapping))
    assert (comment.text, comment.author, comment.posted_at) == ("Pickle juice works", "Ann", "May 1 2023")


@pytest.mark.parametrize(
    ("mapping", "detail"),
    [
        (ColumnMapping(text="Body"), "no column 'Body' (columns: who, said)"),
        (ColumnMapping(text="said", thread="article"), "no column 'article' (columns: who, said)"),
        (ColumnMapping(), "no text column found among: who, said; use --text-column"),
    ],
)
def test_missing_columns(mapping: ColumnMapping, detail: str) -> None:
    with pytest.raises(MissingColumnsError) as caught:
        parse("who,said\nAnn,hi\n", mapping, name="exports/x.csv")
    assert caught.value.source == "exports/x.csv"
    assert caught.value.detail == detail


def test_quoted_multiline_cell_and_locators_count_physical_lines() -> None:
    text = 'author,text\nAnn,"first line\nsecond line, with comma"\nBo,"He said ""stretch"" first"\n'
    items = parse(text)
    assert [(c.locator, c.text) for c in comments(items)] == [
        ("row 2", "first line\nsecond line, with comma"),
        ("row 4", 'He said "stretch" first'),
    ]


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [("Cy,extra,cell", "expected 2 cells, found 3"), ("lonely", "expected 2 cells, found 1")],
)
def test_wrong_cell_count_is_rejected_and_reading_goes_on(bad_row: str, reason: str) -> None:
    items = parse(f"author,text\nAnn,good\n{bad_row}\nBo,also good\n")
    assert [c.text for c in comments(items)] == ["good", "also good"]
    assert rejects(items) == [RecordReject("row 3", reason, f"{bad_row}\n")]


def test_broken_quoting_is_rejected_and_reading_goes_on() -> None:
    items = parse('author,text\nAnn,"quoted"tail\nBo,fine\n')
    [reject] = rejects(items)
    assert reject.locator == "row 2"
    assert reject.reason.startswith("unreadable row: ")
    assert [c.text for c in comments(items)] == ["fine"]


def test_unterminated_quote_at_end_is_rejected_not_swallowed() -> None:
    items = parse('author,text\nAnn,ok\nBo,"never closed\nCy,more\n')
    assert [c.text for c in comments(items)] == ["ok"]
    assert [r.locator for r in rejects(items)] == ["row 3"]


def test_five_megabyte_cell_is_read() -> None:
    huge = "cramp " * 900_000
    [comment] = comments(parse(f'author,text\nAnn,"{huge}"\n'))
    assert len(comment.text) == len(huge)
    assert len(comment.raw) <= 500


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_crlf_file_with_or_without_bom(bom: str) -> None:
    text = f'{bom}Author,Comment\r\nAnn,"two\r\nlines"\r\nBo,one line\r\n'
    items = parse(text)
    assert [(c.locator, c.author, c.text) for c in comments(items)] == [
        ("row 2", "Ann", "two\r\nlines"),
        ("row 4", "Bo", "one line"),
    ]


def test_non_text_cells_stay_strings() -> None:
    [comment] = comments(parse("author,date,text\nNaN,NaT,nan\n"))
    assert (comment.author, comment.posted_at, comment.text) == ("NaN", "NaT", "nan")


def test_empty_text_cell_is_still_a_comment() -> None:
    [comment] = comments(parse("author,text\nAnn,\n"))
    assert comment.text == ""


@pytest.mark.parametrize("text", ["author,text\n", "author,text", "\n\nauthor,text\n\n"])
def test_header_only_yields_nothing(text: str) -> None:
    assert parse(text) == []


@pytest.mark.parametrize("text", ["", "\n\n", ",,\n"])
def test_file_without_header_is_unusable(text: str) -> None:
    with pytest.raises(InputFormatError, match="header row"):
        parse(text)


def test_blank_rows_are_skipped() -> None:
    items = parse("author,text\n\nAnn,hi\n,\n\nBo,yo\n")
    assert [(c.locator, c.text) for c in comments(items)] == [("row 3", "hi"), ("row 6", "yo")]
    assert rejects(items) == []


def test_repeated_header_name_uses_first_column() -> None:
    [comment] = comments(parse("text,author,text\nfirst,Ann,second\n"))
    assert comment.text == "first"


def test_html_cell_is_converted() -> None:
    [comment] = comments(parse('author,text\nAnn,"<p>Magnesium helped.</p><p>Twice.</p>"\n'))
    assert comment.text == "Magnesium helped.\nTwice.\n"


def test_thread_column_yields_one_thread_per_value_with_title_column() -> None:
    text = "thread_id,title,text\na1,Night cramps,one\na1,Night cramps,two\nb2,Statins,three\n,,four\n"
    items = parse(text)
    assert [(t.thread, t.title) for t in threads(items)] == [("a1", "Night cramps"), ("b2", "Statins")]
    assert [c.thread for c in comments(items)] == ["a1", "a1", "b2", ""]
    assert isinstance(items[0], ThreadInfo) and items[3].thread == "b2"


def test_thread_without_title_column_is_its_own_title() -> None:
    [thread] = threads(parse("article,text\nLeg cramps at night,hi\n"))
    assert (thread.thread, thread.title) == ("Leg cramps at night", "Leg cramps at night")


def test_tsv_splits_on_tabs_only() -> None:
    items = parse('Name\tComment\nAnn\tSalt, water, and rest\nBo\t"tab\tinside"\n', name="s.tsv")
    assert [(c.author, c.text) for c in comments(items)] == [("Ann", "Salt, water, and rest"), ("Bo", "tab\tinside")]


def test_sample_forum_export() -> None:
    items = parse((RAW / "forum-export.csv").read_text(encoding="utf-8"), name="data/raw/forum-export.csv")
    found = comments(items)
    assert len(found) == 8 and rejects(items) == []
    assert [t.thread for t in threads(items)] == [
        "Night-time calf cramps: what readers tried",
        "Cramps after starting a statin",
    ]
    by_id = {c.native_id: c for c in found}
    assert by_id["c103"].native_parent == "c102" and by_id["c102"].native_parent == "c101"
    assert by_id["c104"].text.count("\n") == 2
    assert by_id["c105"].locator == "row 8"
    assert by_id["c203"].author == ""


def test_sample_survey_export() -> None:
    items = parse((RAW / "survey-export.tsv").read_text(encoding="utf-8"), name="data/raw/survey-export.tsv")
    found = comments(items)
    assert [c.native_id for c in found] == ["R-01", "R-02", "R-03", "R-04", "R-05"]
    assert [c.locator for c in found] == ["row 2", "row 3", "row 4", "row 6", "row 7"]
    assert found[1].author == "" and found[0].posted_at == "2023-04-02 09:15"
    assert threads(items) == [] and rejects(items) == []
