"""Review decisions in SQLite: persistence, history, validation and concurrent reviewers."""
from __future__ import annotations

import multiprocessing
import sqlite3
import threading

import pytest

from pipeline.errors import PipelineError
from pipeline.review.store import (
    DECISION_COLUMNS, InvalidDecisionError, ReviewStore, ReviewStoreError, UnknownFlagError,
)

AT = "2021-06-01T09:00:00+00:00"


def test_a_decision_survives_a_new_store_instance(tmp_path, flags):
    path = tmp_path / "review.sqlite"
    ReviewStore(path).record("f-calf-dvt", "escalated", "sent to the GP", "Lee", AT, flags=flags)
    decisions = ReviewStore(path).decisions()
    assert list(decisions.columns) == DECISION_COLUMNS
    assert decisions.to_dict("records") == [
        {"comment_id": "c-calf", "flag": "dvt", "decision": "escalated", "note": "sent to the GP",
         "decided_by": "Lee", "decided_at": AT}
    ]


def test_the_database_is_in_wal_mode(tmp_path, flags):
    path = tmp_path / "review.sqlite"
    ReviewStore(path).record("f-kid", "actioned", "replied", "Lee", AT, flags=flags)
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_changed_decision_replaces_the_current_one_and_keeps_the_old_in_history(tmp_path, flags):
    store = ReviewStore(tmp_path / "review.sqlite")
    store.record("f-quinine", "dismissed", "just tonic water", "Ann", "2021-06-01T09:00:00", flags=flags)
    store.record(("c-quinine", "hazardous_remedy"), "actioned", "quinine tablets after all", "Bo", "2021-06-02", flags=flags)
    assert store.decisions()[["decision", "decided_by"]].values.tolist() == [["actioned", "Bo"]]
    history = store.history()
    assert history["decision"].tolist() == ["dismissed", "actioned"]
    assert history["sequence"].is_monotonic_increasing
    assert history["flag_id"].tolist() == ["f-quinine", "f-quinine"]


def test_decided_at_defaults_to_now_in_utc(tmp_path, flags):
    recorded = ReviewStore(tmp_path / "review.sqlite").record("f-kid", "actioned", flags=flags)
    assert recorded.decided_at.endswith("+00:00")


def test_a_pair_can_be_recorded_without_a_flags_table(tmp_path):
    store = ReviewStore(tmp_path / "review.sqlite")
    store.record(("c-1", "distress"), "escalated", "", "Lee", AT)
    assert store.decisions()[["comment_id", "flag"]].values.tolist() == [["c-1", "distress"]]


@pytest.mark.parametrize(
    ("target", "decision", "at", "error"),
    [
        ("f-kid", "approved", AT, InvalidDecisionError),
        ("f-kid", "", AT, InvalidDecisionError),
        ("f-kid", "Dismissed", AT, InvalidDecisionError),
        ("f-kid", "dismissed", "yesterday", InvalidDecisionError),
        ("f-nowhere", "dismissed", AT, UnknownFlagError),
        (("c-kid", "dvt"), "dismissed", AT, UnknownFlagError),
        (("c-unknown", "pediatric_medication"), "dismissed", AT, UnknownFlagError),
    ],
)
def test_a_bad_decision_or_unknown_flag_is_refused_and_nothing_is_written(tmp_path, flags, target, decision, at, error):
    store = ReviewStore(tmp_path / "review.sqlite")
    with pytest.raises(error) as raised:
        store.record(target, decision, "note", "Lee", at, flags=flags)
    assert isinstance(raised.value, PipelineError)
    assert "\n" not in str(raised.value)
    assert store.decisions().empty and store.history().empty


def test_a_flag_id_cannot_be_checked_without_the_flags_table(tmp_path):
    with pytest.raises(UnknownFlagError, match="no flags table"):
        ReviewStore(tmp_path / "review.sqlite").record("f-kid", "dismissed")


def test_a_missing_store_reads_as_empty_without_creating_a_file(tmp_path):
    store = ReviewStore(tmp_path / "review.sqlite")
    assert store.decisions().empty and list(store.decisions().columns) == DECISION_COLUMNS
    assert store.history().empty
    assert not (tmp_path / "review.sqlite").exists()


@pytest.mark.parametrize("content", [b"comment_id,flag\nc-1,dvt\n", b"\x00\x01binary junk" * 100])
def test_a_file_that_is_not_sqlite_is_one_clear_line(tmp_path, flags, content):
    path = tmp_path / "review.sqlite"
    path.write_bytes(content)
    for action in (lambda s: s.decisions(), lambda s: s.record("f-kid", "dismissed", flags=flags)):
        with pytest.raises(ReviewStoreError) as raised:
            action(ReviewStore(path))
        message = str(raised.value)
        assert message.startswith(str(path)) and "not a review database" in message and "\n" not in message
    assert path.read_bytes() == content


def test_a_folder_in_place_of_the_store_is_a_clear_error(tmp_path, flags):
    (tmp_path / "review.sqlite").mkdir()
    with pytest.raises(ReviewStoreError, match="not a file"):
        ReviewStore(tmp_path / "review.sqlite").record("f-kid", "dismissed", flags=flags)


def _record_many(path: str, reviewer: str, count: int, start: threading.Barrier | None = None) -> None:
    store = ReviewStore(path)
    if start is not None:
        start.wait()
    for number in range(count):
        store.record((f"c-{number % 5}", "dvt"), "dismissed", f"{reviewer} {number}", reviewer, AT)
        store.record((f"{reviewer}-{number}", "distress"), "escalated", "", reviewer, AT)


def test_two_reviewers_in_threads_lose_nothing(tmp_path):
    path = str(tmp_path / "review.sqlite")
    start = threading.Barrier(2)
    reviewers = [threading.Thread(target=_record_many, args=(path, name, 20, start)) for name in ("ann", "bo")]
    for reviewer in reviewers:
        reviewer.start()
    for reviewer in reviewers:
        reviewer.join()
    store = ReviewStore(path)
    assert len(store.history()) == 2 * 2 * 20
    decisions = store.decisions()
    assert (decisions["flag"] == "distress").sum() == 2 * 20
    assert (decisions["flag"] == "dvt").sum() == 5


def test_two_reviewers_in_separate_processes_lose_nothing(tmp_path):
    path = str(tmp_path / "review.sqlite")
    context = multiprocessing.get_context("spawn")
    reviewers = [context.Process(target=_record_many, args=(path, name, 10)) for name in ("ann", "bo")]
    for reviewer in reviewers:
        reviewer.start()
    for reviewer in reviewers:
        reviewer.join(timeout=120)
        assert reviewer.exitcode == 0
    assert len(ReviewStore(path).history()) == 2 * 2 * 10
