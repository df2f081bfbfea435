"""Ingest streams: files are read in pieces and parsed in batches, and the tables do not depend on
the sizes of either. The same inputs read whole (one piece, one batch) are the reference."""
from __future__ import annotations

import codecs
import gzip
import io
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

import pipeline.ingest.records as records
import pipeline.ingest.stage as stage
from pipeline.cache.ingest import ingest_to_folder
from pipeline.errors import InputFormatError
from pipeline.ingest.decode import decode_bytes, decode_pieces, survey_bytes
from pipeline.ingest.lines import lf_lines, universal_lines, without_leading
from pipeline.ingest.records import RawSource
from pipeline.ingest.stage import IngestOptions, ingest_sources
from pipeline.io.sources import discover_inputs, load_raw_sources
from pipeline.io.tables import read_table, write_table

TABLES = ("comments", "rejects", "threads", "sources")


def generated_jsonl(count: int) -> str:
    """``count`` comments in a few threads: replies by native id and by ``@name``, a copy of an
    earlier comment, a malformed line and a blank one now and then."""
    lines = []
    for number in range(1, count + 1):
        record = {"id": f"n{number}", "author": f"reader{number % 7}", "thread": f"thread {number % 3}",
                  "created_at": f"2024-01-{number % 28 + 1:02d}", "text": f"Comment {number}: magnesium helped me."}
        if number % 5 == 0:
            record["parent_id"] = f"n{number - 3}"
        if number % 6 == 0:
            record["text"] = f"@reader{(number - 1) % 7}: did it help at night?"
        if number % 11 == 0:
            lines.append(lines[-1])  # an exact duplicate of the line before
        lines.append(json.dumps(record))
        if number % 13 == 0:
            lines.append('{"id": "broken", "text": ')
        if number % 17 == 0:
            lines.append("")
    return "\r\n".join(lines) + "\n"


def generated_csv(count: int) -> str:
    rows = ["id,author,date,parent,body"]
    for number in range(1, count + 1):
        body = f'"line one of {number}\r\nline two, with a comma"' if number % 4 == 0 else f"plain comment {number}"
        parent = f"{number - 2}" if number % 3 == 0 else ""
        rows.append(f"{number},writer{number % 5},2023-05-{number % 28 + 1:02d},{parent},{body}")
    rows.append('99,broken,"unclosed')
    return "\r\n".join(rows) + "\r\n"


def generated_page(count: int) -> str:
    blocks = ["Skip to main content", "Cramps at night", "Reader Feedback"]
    for number in range(1, count + 1):
        blocks.append(f"Reader {number % 9} on March {number % 28 + 1}, 2019:")
        blocks.append(f"@Reader {(number + 4) % 9}: comment {number} says quinine did nothing." if number % 4 == 0 else f"Comment {number}.")
    return "\ufeff" + "\r\n\r\n".join(blocks) + "\r\n"


SOURCES = {
    "jsonl": lambda n: [("forum.jsonl", generated_jsonl(n).encode("utf-8"))],
    "csv": lambda n: [("export.csv", generated_csv(n).encode("utf-8"))],
    "tsv, cp1252": lambda n: [("survey.tsv", generated_csv(n).replace(",", "\t").replace("plain", "caf\u00e9").encode("cp1252"))],
    "page, utf-16": lambda n: [("page.txt", codecs.BOM_UTF16_LE + generated_page(n).encode("utf-16-le"))],
    "json array (whole)": lambda n: [("app.json", json.dumps([{"text": f"review {i}", "user": f"u{i % 4}"} for i in range(n)]).encode())],
    "files with copies": lambda n: [("a.jsonl", generated_jsonl(n).encode()), ("b.jsonl", generated_jsonl(n // 2).encode())],
}


def in_pieces(monkeypatch, *, piece_bytes: int, batch_records: int) -> None:
    monkeypatch.setattr(records, "PIECE_BYTES", piece_bytes)
    monkeypatch.setattr(stage, "BATCH_RECORDS", batch_records)


def ingested(files: list[tuple[str, bytes]]) -> stage.IngestResult:
    return ingest_sources([RawSource(name, data, logical_name=name) for name, data in files], IngestOptions(keep_going=True))


@pytest.mark.parametrize("kind", list(SOURCES))
def test_tables_do_not_depend_on_piece_or_batch_size(monkeypatch, kind):
    files = SOURCES[kind](120)
    whole = ingested(files)
    in_pieces(monkeypatch, piece_bytes=37, batch_records=9)
    streamed = ingested(files)
    assert len(whole.comments) > 50
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(streamed, name), getattr(whole, name))


def test_a_generated_jsonl_is_read_in_more_than_one_batch(monkeypatch):
    batches: list[int] = []
    original = stage.FileParse._batch

    def counting(self, items, state):
        batches.append(len(items))
        return original(self, items, state)

    monkeypatch.setattr(stage.FileParse, "_batch", counting)
    monkeypatch.setattr(stage, "BATCH_RECORDS", 25)
    result = ingested(SOURCES["jsonl"](200))
    assert len(batches) > 1 and max(batches) <= 25
    assert result.reconciliation["read"] == sum(batches) - result.threads.shape[0]  # thread items are no records


def test_a_file_on_disk_is_read_in_pieces_and_never_whole(tmp_path, monkeypatch):
    (tmp_path / "forum.jsonl.gz").write_bytes(gzip.compress(generated_jsonl(150).encode()))
    sources = list(load_raw_sources(discover_inputs([tmp_path], (".jsonl",))))
    assert sources[0].data == b"" and sources[0].compression == "gzip"
    in_pieces(monkeypatch, piece_bytes=101, batch_records=11)
    from_disk = ingest_sources(sources)
    held = ingest_sources([RawSource(sources[0].name, generated_jsonl(150).encode(), "gzip", "forum.jsonl")])
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(from_disk, name), getattr(held, name))


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_the_folder_tables_equal_the_tables_in_memory_whatever_the_row_groups(tmp_path, monkeypatch, fmt):
    import pipeline.cache.ingest as cache_ingest

    files = SOURCES["files with copies"](90)
    expected = ingested(files)
    for name in TABLES:
        write_table(getattr(expected, name), tmp_path / "whole", name, fmt)
    monkeypatch.setattr(cache_ingest, "GROUP_ROWS", 16)
    in_pieces(monkeypatch, piece_bytes=64, batch_records=7)
    streamed = tmp_path / "streamed"
    ingest_to_folder([RawSource(n, d, logical_name=n) for n, d in files], IngestOptions(), None, streamed, fmt)
    for name in TABLES:
        pd.testing.assert_frame_equal(read_table(streamed, name), read_table(tmp_path / "whole", name))
    if fmt == "parquet":
        assert pq.ParquetFile(streamed / "comments.parquet").metadata.num_row_groups > 1
    assert sorted(p.name for p in streamed.iterdir()) == sorted(f"{name}.{fmt}" for name in TABLES)  # no spill left


@pytest.mark.parametrize(
    "data",
    [
        b"plain ascii\r\nlines",
        "caf\u00e9 na\u00efve".encode(),
        "caf\u00e9 and a stray ".encode() + b"\x92 byte",
        b"only cp1252 \x92 bytes \xe9",
        codecs.BOM_UTF8 + "\u00e9t\u00e9".encode(),
        codecs.BOM_UTF16_BE + "big end \u00e9".encode("utf-16-be"),
        "no bom, utf-16".encode("utf-16-le"),
        codecs.BOM_UTF32_LE + "wide".encode("utf-32-le") + b"\x00",
        "\u00e9".encode() * 5 + b"\xc3",
        b" \n\t ",
        b"\x00\x01\x02\x03 binary",
    ],
    ids=["ascii", "utf-8", "utf-8 with stray", "cp1252", "utf-8 bom", "utf-16-be bom", "utf-16 no bom",
         "utf-32 odd tail", "cut utf-8", "blank", "binary"],
)
@pytest.mark.parametrize("piece", [1, 2, 3, 5, 4096])
def test_decoding_in_pieces_gives_the_whole_decoding(data, piece):
    def pieces():
        return (data[start : start + piece] for start in range(0, len(data), piece))

    survey = survey_bytes(pieces(), "f.txt")
    try:
        expected = decode_bytes(data, "f.txt")
    except InputFormatError as error:
        assert survey.refusal == error.detail
        return
    assert survey.refusal == ""
    assert ("".join(decode_pieces(pieces(), survey)), survey.encoding) == expected


@pytest.mark.parametrize("text", ["", "a", "a\nb", "a\r\nb\r", "\r\n\r\n", "\ufeff\ufeffx\ry\n", "one\rtwo\r\n\nthree"])
@pytest.mark.parametrize("piece", [1, 2, 3, 100])
def test_lines_of_pieces_are_the_lines_of_the_whole_text(text, piece):
    pieces = [text[start : start + piece] for start in range(0, len(text), piece)]
    assert list(lf_lines(pieces)) == text.split("\n")
    assert list(universal_lines(pieces)) == list(io.StringIO(text, newline=""))
    assert "".join(without_leading(pieces, "\ufeff")) == text.lstrip("\ufeff")
