"""The report over a folder, in slices, writes the same bytes as rendering the whole tables."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.io.tables import read_table, write_table, write_text, write_text_chunks
from pipeline.report.counts import ConceptTally, claim_rows, count_by_group, count_concepts
from pipeline.report import directory as directory_module
from pipeline.report.directory import CommentDirectory
from pipeline.report.stage import build_report
from pipeline.report.streamed import QueueKeys, write_report
from pipeline.review.queue import build_review_queue
from pipeline.review.store import DECISION_COLUMNS

AUTHORS = ["Ann", "ann ", "Bo", "anonymous", "", "Guest", "Cy Dee", "cy  dee", "call 555-201-7788", "dot@example.org"]
THREADS = ["Night cramps", "Leg cramps forum", "Sleep"]
CONCEPTS = [("magnesium", "supplement"), ("pickle juice", "drink"), ("stretching", "activity"), ("coffee", "drink"),
            ("red wine", "drink"), ("banana", "food")]
EFFECTS = ["helped", "partial", "no_effect", "worsened", "unclear"]
EXPERIENCERS = ["self", "family", "friend", "other", "general"]
RULES = ["helped", "causative", "cooccurrence", ""]
SEVERITIES = ["urgent", "high", "medium", "low", "odd"]
DATES = ["2024-03-02", "2024-03-02T10:00:00+02:00", "2024-03-02T08:00:00Z", "", "not a date", "2023-12-31"]


def made_up_tables(seed: int, comments: int = 30, id_format: str = "c{:03d}") -> dict[str, pd.DataFrame]:
    """Stage tables with the awkward cases: repeated comment ids, claims and flags of missing
    comments, anonymous and look-alike authors, equal sort keys, decided flags, empty sentences;
    ``id_format`` spells comment ids (``c{:016x}``: as ingest makes them)."""
    rng = random.Random(seed)
    ids = [id_format.format(rng.randrange(comments)) for _ in range(comments)]  # some repeat
    comment_rows = [
        {"comment_id": comment_id, "source": rng.choice(["a.csv", "b.jsonl"]), "thread": rng.choice(THREADS),
         "position": position, "author": rng.choice(AUTHORS), "posted_at": rng.choice(DATES),
         "text": f"Comment {position} about cramps, mail me at me{position}@example.org or not."}
        for position, comment_id in enumerate(ids)
    ]
    claim_rows_ = []
    for number in range(comments * 3):
        concept, category = rng.choice(CONCEPTS)
        claim_rows_.append({
            "claim_id": f"k{rng.randrange(comments * 2):03d}",
            "comment_id": rng.choice(ids + ["missing1", "missing2"]),
            "concept": concept, "category": rng.choice([category, ""]),
            "cluster": rng.choice([concept, "", "cramp aid"]), "cluster_category": rng.choice([category, ""]),
            "role": rng.choice(["remedy", "trigger", "mention"]), "effect": rng.choice(EFFECTS),
            "negated": rng.random() < 0.2, "hedged": rng.random() < 0.2, "question": rng.random() < 0.2,
            "experiencer": rng.choice(EXPERIENCERS), "surface": concept,
            "sentence": rng.choice(["", f"{concept} did it for me, call 555-201-7788.", f"{concept} " * 60]),
            "start": rng.randrange(5), "rule": rng.choice(RULES),
        })
    flags = [
        {"flag_id": f"f{number:03d}", "comment_id": rng.choice(ids + ["missing1"]),
         "flag": rng.choice(["personal_data", "self_promotion", "red_flag_symptom"]), "severity": rng.choice(SEVERITIES),
         "reason": "The comment gives a phone number 555-201-7788.", "evidence": "=SUM(A1)", "rule": "phone"}
        for number in range(comments)
    ]
    return {
        "comments": pd.DataFrame(comment_rows),
        "claims": pd.DataFrame(claim_rows_),
        "flags": pd.DataFrame(flags),
        "concepts": pd.DataFrame({"concept": ["magnesium"], "members": [["magnesium", "mag glycinate"]]}),
        "themes": pd.DataFrame({"theme": ["t0", "t1"], "label": ["magnesium", "coffee"], "size": [3, 3],
                                "top_terms": [["magnesium"], ["coffee"]],
                                "representative_ids": [[ids[0], ids[1]], [ids[2], "missing1"]]}),
        "sources": pd.DataFrame({"source": ["a.csv", "b.jsonl"], "format": ["csv", "jsonl"], "records": [20, 20],
                                 "kept": [20, 20], "rejected": [0, 0], "duplicates": [0, 0], "error": ["", ""]}),
        "threads": pd.DataFrame(columns=["thread", "source"]),
    }


def decisions_of(flags: pd.DataFrame) -> pd.DataFrame:
    decided = flags.head(6)
    return pd.DataFrame({"comment_id": decided["comment_id"], "flag": decided["flag"],
                         "decision": ["dismissed", "actioned", "escalated", "dismissed", "actioned", "escalated"],
                         "note": "checked", "decided_by": "lead", "decided_at": "2024-05-01T00:00:00Z"})[DECISION_COLUMNS]


def whole_tables_report(folder: Path, decisions: pd.DataFrame, redact: bool) -> dict[str, str]:
    """The report as it was made before streaming: every table read whole."""
    comments, claims = read_table(folder, "comments"), read_table(folder, "claims")
    queue = build_review_queue(read_table(folder, "flags"), comments, decisions, redact=False)
    by_thread = count_by_group(claims, comments, "thread") if comments["thread"].nunique() > 1 else None
    return build_report(
        comments, claims, count_concepts(claims, comments), read_table(folder, "concepts"), read_table(folder, "themes"),
        queue, read_table(folder, "sources"), read_table(folder, "threads"), redact=redact, generated_from="made up",
        by_thread=by_thread)


def streamed_report(folder: Path, decisions: pd.DataFrame, redact: bool, batch_rows: int, window_rows: int) -> dict[str, str]:
    names = write_report(folder, decisions=decisions, redact=redact, generated_from="made up", write_text=write_text,
                         write_chunks=write_text_chunks, tables=lambda name: read_table(folder, name),
                         batch_rows=batch_rows, window_rows=window_rows)
    return {name: (folder / name).read_text(encoding="utf-8") for name in names}


@pytest.mark.parametrize(("seed", "fmt", "batch_rows", "window_rows", "redact", "id_format"), [
    (1, "parquet", 4, 1, True, "c{:03d}"),
    (2, "parquet", 9, 3, True, "c{:03d}"),
    (3, "parquet", 10_000, 10_000, False, "c{:03d}"),
    (4, "csv", 5, 4, True, "c{:03d}"),
    (5, "csv", 10_000, 2, False, "c{:03d}"),
    (6, "parquet", 7, 3, True, "c{:016x}"),  # ingest's ids: looked up as numbers
    (7, "csv", 10_000, 5, True, "c{:016x}"),
])
def test_streamed_report_is_byte_identical_to_whole_tables(tmp_path, seed, fmt, batch_rows, window_rows, redact, id_format):
    tables = made_up_tables(seed, id_format=id_format)
    for name, table in tables.items():
        write_table(table, tmp_path, name, fmt)
    decisions = decisions_of(tables["flags"])
    expected = whole_tables_report(tmp_path, decisions, redact)
    assert streamed_report(tmp_path, decisions, redact, batch_rows, window_rows) == expected


@pytest.mark.parametrize("empty", ["claims", "flags", "comments", "no flags table"])
def test_streamed_report_of_empty_tables(tmp_path, empty):
    tables = made_up_tables(9)
    if empty == "no flags table":
        del tables["flags"]
    else:
        tables[empty] = tables[empty].iloc[0:0]
    for name, table in tables.items():
        write_table(table, tmp_path, name)
    decisions = pd.DataFrame(columns=DECISION_COLUMNS)
    streamed = streamed_report(tmp_path, decisions, True, 8, 5)
    if empty != "no flags table":
        assert streamed == whole_tables_report(tmp_path, decisions, True)
    assert streamed["summary/review_queue.csv"].startswith("flag_id,comment_id,flag,severity")


@pytest.mark.parametrize("slice_rows", [3, 1000])
def test_counting_in_slices_is_counting_at_once(slice_rows):
    tables = made_up_tables(11)
    comments, claims = tables["comments"], tables["claims"]
    directory = CommentDirectory([comments.iloc[i:i + slice_rows] for i in range(0, len(comments), slice_rows)],
                                 extra=("source",))
    tallies = {None: ConceptTally(), "thread": ConceptTally("thread"), "source": ConceptTally("source")}
    for start in range(0, len(claims), slice_rows):
        rows = claim_rows(claims.iloc[start:start + slice_rows], directory, extra=("source",))
        for tally in tallies.values():
            tally.add(rows)
    pd.testing.assert_frame_equal(tallies[None].table(), count_concepts(claims, comments))
    for group in ("thread", "source"):
        pd.testing.assert_frame_equal(tallies[group].table(), count_by_group(claims, comments, group))


@pytest.mark.parametrize(("first", "second", "same_commenter"), [
    (("c1", "Ann", "cramps"), ("c2", "ann", "cramps"), True),        # case and spacing do not matter
    (("c1", "Cy  Dee", "cramps"), ("c2", "cy dee", "cramps"), True),
    (("c1", "Ann", "cramps"), ("c2", "Ann", "sleep"), False),        # once per thread
    (("c1", "Ann", "cramps"), ("c2", "Bo", "cramps"), False),
    (("c1", "anonymous", "cramps"), ("c2", "anonymous", "cramps"), False),  # anonymous: once per comment
    (("c1", "", "cramps"), ("c2", "Guest", "cramps"), False),
])
def test_commenter_codes(first, second, same_commenter):
    comments = pd.DataFrame([first, second], columns=["comment_id", "author", "thread"])
    directory = CommentDirectory([comments])
    rows = directory.rows(["c1", "c2"], last=True)
    codes = directory.commenters(rows, ["c1", "c2"])
    assert bool(codes[0] == codes[1]) is same_commenter


@pytest.mark.parametrize("colliding_hashes", [False, True])
def test_directory_takes_the_first_or_last_copy_and_knows_missing_ids(monkeypatch, colliding_hashes):
    if colliding_hashes:  # every id with the same hash: lookups must still be exact
        monkeypatch.setattr(directory_module, "_hashes", lambda ids: np.zeros(len(ids), dtype=np.uint64))
    comments = pd.DataFrame({"comment_id": ["a", "b", "a"], "author": ["x", "y", "z"], "thread": ["t1", "t2", "t3"]})
    directory = CommentDirectory([comments.iloc[:2], comments.iloc[2:]])
    assert directory.rows(["a", "b", "zz"], last=False).tolist() == [0, 1, -1]
    assert directory.rows(["a", "b", "zz"], last=True).tolist() == [2, 1, -1]
    assert directory.values("thread", np.array([2, -1])) == ["t3", ""]
    assert directory.contains(["b", "zz"]).tolist() == [True, False]
    unknown = directory.commenters(np.array([-1, -1, -1]), ["m1", "m2", "m1"])
    assert unknown[0] == unknown[2] != unknown[1]


@pytest.mark.parametrize(("wanted", "last", "rows"), [
    (["c00000000000000ff", "c0000000000000001"], False, [0, 1]),
    (["c00000000000000ff", "c0000000000000001"], True, [2, 1]),    # a repeated id: its last copy
    (["cffffffffffffffff", "c0000000000000002"], False, [3, -1]),  # the largest id; an id not in the table
    (["C00000000000000FF", "c00000000000000f", "ff", ""], False, [-1, -1, -1, -1]),  # not ids of the table
])
def test_ingest_ids_are_looked_up_as_numbers(wanted, last, rows):
    ids = ["c00000000000000ff", "c0000000000000001", "c00000000000000ff", "cffffffffffffffff"]
    comments = pd.DataFrame({"comment_id": ids, "author": ["x", "y", "z", "w"], "thread": ["t1", "t2", "t3", "t4"]})
    directory = CommentDirectory([comments.iloc[:2], comments.iloc[2:]])
    # Ingest's ids are kept as 64-bit numbers, not as strings or in a dict of strings.
    assert isinstance(directory._index, directory_module._NumberIndex)
    assert directory._index._sorted.dtype == np.uint64
    assert directory.rows(wanted, last=last).tolist() == rows


@pytest.mark.parametrize(("ids", "by_number"), [
    (["c0000000000000001", "c00000000000000ab"], True),
    (["c0000000000000001", "c00000000000000AB"], False),  # upper case: not an ingest id, looked up by hash
    (["c0000000000000001", "note-7"], False),
])
@pytest.mark.parametrize("one_slice", [True, False])  # in two slices, the second turns the first's numbers back to text
def test_the_directory_uses_numbers_only_for_ingest_ids(ids, by_number, one_slice):
    comments = pd.DataFrame({"comment_id": ids, "author": ["x", "y"], "thread": ["t", "t"]})
    directory = CommentDirectory([comments] if one_slice else [comments.iloc[:1], comments.iloc[1:]])
    assert isinstance(directory._index, directory_module._NumberIndex) is by_number
    assert directory.rows(ids[::-1], last=False).tolist() == [1, 0]


@pytest.mark.parametrize("flag_ids", [
    ["f00000000000000b2", "f00000000000000a1", "f00000000000000c3", "f0000000000000001", "f00000000000000a1"],
    ["b", "a", "c", "x1", "a"],  # not the flag stage's ids: compared as strings
])
@pytest.mark.parametrize("comment_ids", [
    ["c00000000000000aa", "c0000000000000002", "c00000000000000aa", "c0000000000000002", "c00000000000000aa"],
    ["c00000000000000aa", "c2", "c00000000000000aa", "c2", "c00000000000000aa"],  # one id of another form
])
def test_queue_keys_order_flags_as_the_review_queue_does(flag_ids, comment_ids):
    flags = pd.DataFrame({"severity": ["low", "urgent", "low", "low", "low"], "flag": ["dvt", "dvt", "ache", "dvt", "dvt"],
                          "comment_id": comment_ids, "flag_id": flag_ids})
    posted = pd.to_datetime(pd.Series(["2024-01-01", "2023-01-01", "", "2024-01-01", "2024-01-01"]), utc=True,
                            errors="coerce").array.asi8
    keys = QueueKeys()
    keys.add(flags.iloc[:2], posted[:2])
    keys.add(flags.iloc[2:], posted[2:])
    # urgent first; then the newest comment (row 2's date is unknown: last); comment id, flag, flag id.
    newest = sorted([0, 3, 4], key=lambda row: (comment_ids[row], flag_ids[row]))
    assert keys.order().tolist() == [1, *newest, 2]


@pytest.mark.parametrize(("dates", "as_seconds"), [
    (["2012-01-01T00:01:57+00:00", "", "1999-12-31T23:59:59+00:00"], True),  # ingest's dates, one missing
    (["2012-01-01T00:01:57+00:00", "2012-01-01T02:01:57+02:00", ""], False),  # another offset: kept as text
    (["2012-02-30T00:00:00+00:00", "2012-01-01T00:00:00+00:00", ""], False),  # no such day
    (["2012-01-01", "2012-01-01T00:00:00+00:00", ""], False),
])
def test_directory_gives_dates_back_as_written(dates, as_seconds):
    comments = pd.DataFrame({"comment_id": ["c1", "c2", "c3"], "author": ["x", "y", "z"], "thread": ["t", "t", "t"],
                             "posted_at": dates})
    directory = CommentDirectory([comments.iloc[:1], comments.iloc[1:]])
    assert (directory._seconds is not None) is as_seconds
    assert directory.values("posted_at", np.array([2, -1, 0, 1])) == [dates[2], "", dates[0], dates[1]]
