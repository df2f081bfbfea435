"""Ingest through the cache: unchanged files are not parsed again, the tables stay byte-identical."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.cache.ingest import cached_ingest
from pipeline.errors import InputFormatError
from pipeline.ingest.records import ColumnMapping, RawSource
from pipeline.ingest.stage import IngestOptions, ingest_sources
from pipeline.io.tables import write_table

FORUM = (
    "id,thread,author,date,parent,body\n"
    "1,cramps,Ann,2024-03-01,,Pickle juice stops my cramps fast.\n"
    "2,cramps,Bo,2024-03-02,1,@Ann: does it work for night cramps too?\n"
    "3,cramps,Cy,2024-03-03,,\n"
)
SURVEY = (
    '[{"user": "Dee", "text": "Magnesium at bedtime helped me a lot.", "created_at": "2024-04-01"},'
    ' {"user": "Eve", "text": "@Dee: which kind of magnesium?", "created_at": "2024-04-02"}]'
)
PAGE_REPLY = '{"thread": "cramps", "user": "Fay", "text": "@Ann: pickle juice never helped me.", "created_at": "2024-05-01"}\n'
# The same comment as row 1 of the forum export: a duplicate across files.
FORUM_COPY = "id,thread,author,date,body\n9,cramps,Ann,2024-03-01,Pickle juice stops my cramps fast.\n"


def sources(files: dict[str, str]) -> list[RawSource]:
    return [RawSource(name, text.encode("utf-8"), logical_name=name) for name, text in sorted(files.items())]


def table_bytes(result, folder) -> dict[str, bytes]:
    out = {}
    for name in ("comments", "rejects", "threads", "sources"):
        write_table(getattr(result, name), folder, name)
        out[name] = (folder / f"{name}.parquet").read_bytes()
    return out


BASE = {"forum.csv": FORUM, "survey.json": SURVEY}


@pytest.mark.parametrize(
    ("second", "parsed"),
    [
        (BASE, 0),
        ({**BASE, "replies.jsonl": PAGE_REPLY}, 1),  # a new file, replying across files
        ({**BASE, "copy.csv": FORUM_COPY}, 1),  # a new file holding a duplicate of a cached comment
        ({**BASE, "survey.json": SURVEY.replace("a lot", "a little")}, 1),  # a changed file
        ({"forum.csv": FORUM}, 0),  # a file removed
    ],
    ids=["unchanged", "new file", "new duplicate", "changed file", "removed file"],
)
def test_only_new_and_changed_files_are_parsed_and_tables_match_a_full_ingest(store_for, tmp_path, second, parsed):
    store = store_for("ingest")
    cached_ingest(sources(BASE), IngestOptions(), store)
    result = cached_ingest(sources(second), IngestOptions(), store)
    assert (result.served, result.parsed) == (len(second) - parsed, parsed)
    full = ingest_sources(sources(second))
    assert table_bytes(result.result, tmp_path / "cached") == table_bytes(full, tmp_path / "full")


def test_a_duplicate_in_a_new_file_is_counted_and_replies_reach_across_files(store_for):
    store = store_for("ingest")
    cached_ingest(sources(BASE), IngestOptions(), store)
    result = cached_ingest(sources({**BASE, "copy.csv": FORUM_COPY, "replies.jsonl": PAGE_REPLY}), IngestOptions(), store).result
    assert result.reconciliation["duplicates"] == 1
    assert result.reconciliation["read"] == sum(result.reconciliation[k] for k in ("kept", "rejected", "duplicates"))
    comments = result.comments.set_index("author")
    assert comments.loc["Bo", "parent_id"] == comments.loc["Ann", "comment_id"]
    assert comments.loc["Fay", "parent_id"] == comments.loc["Ann", "comment_id"]


@pytest.mark.parametrize(
    "options",
    [IngestOptions(max_comment_chars=20), IngestOptions(columns=ColumnMapping(text="body", author="id"))],
    ids=["max-comment-chars", "columns"],
)
def test_other_ingest_options_parse_again(store_for, options):
    store = store_for("ingest")
    cached_ingest(sources({"forum.csv": FORUM}), IngestOptions(), store)
    result = cached_ingest(sources({"forum.csv": FORUM}), options, store)
    assert (result.served, result.parsed) == (0, 1)
    assert result.result.comments.equals(ingest_sources(sources({"forum.csv": FORUM}), options).comments)


def test_a_renamed_file_is_parsed_again_because_its_name_is_in_its_rows(store_for):
    store = store_for("ingest")
    cached_ingest(sources({"forum.csv": FORUM}), IngestOptions(), store)
    result = cached_ingest(sources({"export.csv": FORUM}), IngestOptions(), store)
    assert result.parsed == 1
    assert set(result.result.comments["source"]) == {"export.csv"}


def test_a_file_that_could_not_be_read_from_disk_is_never_cached(store_for):
    store = store_for("ingest")
    unreadable = RawSource("locked.csv", logical_name="locked.csv", read_error=InputFormatError("locked.csv", "cannot read file: Permission denied"))
    for _ in range(2):
        result = cached_ingest([*sources(BASE), unreadable], IngestOptions(keep_going=True), store)
    assert (result.served, result.parsed) == (2, 1)
    assert result.result.rejects[result.result.rejects["locator"] == "file"]["source"].tolist() == ["locked.csv"]


def test_a_file_that_cannot_be_parsed_stops_ingest_before_anything_is_cached(store_for):
    store = store_for("ingest")
    with pytest.raises(InputFormatError, match="broken.csv"):
        cached_ingest(sources({**BASE, "broken.csv": ""}), IngestOptions(), store)
    assert not store.folder.exists()


def test_without_a_store_every_file_is_parsed(tmp_path):
    result = cached_ingest(sources(BASE), IngestOptions(), None)
    assert (result.served, result.parsed) == (0, 2)
    assert pd.testing.assert_frame_equal(result.result.comments, ingest_sources(sources(BASE)).comments) is None
