"""The review queue: join, status from decisions, order, redaction, and the Markdown view."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline.errors import StageInputError
from pipeline.review.queue import QUEUE_COLUMNS, build_review_queue, filter_queue, queue_markdown
from pipeline.review.store import DECISION_COLUMNS, ReviewError

NO_DECISIONS = pd.DataFrame(columns=DECISION_COLUMNS)


def decisions_of(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [(comment_id, flag, decision, "a note", "Lee", "2021-06-01") for comment_id, flag, decision in rows],
        columns=DECISION_COLUMNS,
    )


def test_the_queue_has_the_agreed_columns_and_one_row_per_flag(flags, comments):
    queue = build_review_queue(flags, comments, NO_DECISIONS)
    assert list(queue.columns) == QUEUE_COLUMNS
    assert sorted(queue["flag_id"]) == sorted(flags["flag_id"])


def test_most_severe_first_then_newest_then_comment_id(flags, comments):
    queue = build_review_queue(flags, comments, NO_DECISIONS)
    assert queue["flag_id"].tolist() == [
        "f-pills-inter",     # urgent, 2021-05-10
        "f-calf-dvt",        # urgent, 2021-03-04
        "f-kid",             # high, 2021-05-10T08:30 ties with c-pills: comment_id c-kid < c-pills
        "f-pills-poly",      # high, 2021-05-10T08:30
        "f-contact-pd",      # high, 2020-11-02
        "f-quinine",         # high, no date: last of its severity
        "f-contact-promo",   # low
    ]


def test_order_does_not_depend_on_input_order(flags, comments):
    shuffled = flags.sample(frac=1, random_state=3)
    expected = build_review_queue(flags, comments, NO_DECISIONS)
    pd.testing.assert_frame_equal(build_review_queue(shuffled, comments, NO_DECISIONS), expected)


def test_status_comes_from_decisions_by_comment_and_flag_and_defaults_to_open(flags, comments):
    decisions = decisions_of(("c-calf", "dvt", "escalated"), ("c-gone", "dvt", "dismissed"), ("c-pills", "dvt", "actioned"))
    queue = build_review_queue(flags, comments, decisions).set_index("flag_id")
    assert queue.loc["f-calf-dvt", ["status", "decided_by", "decided_at", "note"]].tolist() == [
        "escalated", "Lee", "2021-06-01", "a note"
    ]
    # A decision on another flag of the same comment does not leak onto this one.
    assert queue.loc["f-pills-inter", ["status", "decided_by", "note"]].tolist() == ["open", "", ""]
    assert (queue["status"] == "open").sum() == len(flags) - 1


def test_text_evidence_and_reason_are_redacted_by_default(flags, comments):
    queue = build_review_queue(flags, comments, NO_DECISIONS).set_index("flag_id")
    row = queue.loc["f-contact-pd"]
    assert row["text"] == "Ring me on [phone] or write [email], I sell a cramp rub."
    assert row["evidence"] == "[phone] or write [email]"
    raw = build_review_queue(flags, comments, NO_DECISIONS, redact=False).set_index("flag_id")
    assert "(555) 014-2233" in raw.loc["f-contact-pd", "text"]


def test_an_author_name_that_is_an_address_is_redacted(flags, comments):
    comments.loc[comments["comment_id"] == "c-kid", "author"] = "priya@example.com"
    queue = build_review_queue(flags, comments, NO_DECISIONS).set_index("flag_id")
    assert queue.loc["f-kid", "author"] == "[email]"


def test_inputs_are_not_modified(flags, comments):
    before_flags, before_comments = flags.copy(), comments.copy()
    build_review_queue(flags, comments, decisions_of(("c-kid", "pediatric_medication", "actioned")))
    pd.testing.assert_frame_equal(flags, before_flags)
    pd.testing.assert_frame_equal(comments, before_comments)


def test_a_flag_whose_comment_is_missing_keeps_its_row(flags, comments):
    queue = build_review_queue(flags, comments[comments["comment_id"] != "c-kid"], NO_DECISIONS)
    assert queue.set_index("flag_id").loc["f-kid", ["author", "text"]].tolist() == ["", ""]


@pytest.mark.parametrize(
    ("table", "drop", "name"),
    [("flags", "severity", "flags"), ("comments", "text", "comments"), ("decisions", "decision", "review decisions")],
)
def test_a_missing_column_is_a_stage_input_error(flags, comments, table, drop, name):
    tables = {"flags": flags, "comments": comments, "decisions": decisions_of(("c-kid", "dvt", "actioned"))}
    tables[table] = tables[table].drop(columns=[drop])
    with pytest.raises(StageInputError, match=f"{name} table: missing columns {drop}"):
        build_review_queue(tables["flags"], tables["comments"], tables["decisions"])


def test_an_empty_flags_table_gives_an_empty_queue(flags, comments):
    queue = build_review_queue(flags.iloc[0:0], comments, NO_DECISIONS)
    assert queue.empty and list(queue.columns) == QUEUE_COLUMNS
    assert queue_markdown(queue) == "No flags to review.\n"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"severities": ("urgent",)}, {"f-pills-inter", "f-calf-dvt"}),
        ({"flags": ("personal_data", "self_promotion")}, {"f-contact-pd", "f-contact-promo"}),
        ({"statuses": ("escalated",)}, {"f-calf-dvt"}),
        ({"severities": ("urgent",), "statuses": ("open",)}, {"f-pills-inter"}),
        ({"severities": ("medium",)}, set()),
    ],
)
def test_filter_queue(flags, comments, kwargs, expected):
    queue = build_review_queue(flags, comments, decisions_of(("c-calf", "dvt", "escalated")))
    assert set(filter_queue(queue, **kwargs)["flag_id"]) == expected


def test_filter_queue_refuses_an_unknown_flag_id(flags, comments):
    queue = build_review_queue(flags, comments, NO_DECISIONS)
    with pytest.raises(ReviewError, match=r"unknown flag id 'dvtt' \(valid flag ids: dvt, "):
        filter_queue(queue, flags=("dvt", "dvtt"))


def test_markdown_escapes_pipes_newlines_and_markup(flags, comments):
    comments.loc[comments["comment_id"] == "c-kid", "text"] = "a | b\nc <script>x</script> back\\slash"
    markdown = queue_markdown(build_review_queue(flags, comments, NO_DECISIONS))
    lines = markdown.splitlines()
    assert len(lines) == 2 + len(flags)
    cell_borders = [len(re.findall(r"(?<!\\)\|", line)) for line in lines]
    assert set(cell_borders) == {cell_borders[0]}
    kid_row = next(line for line in lines if line.startswith("| f-kid "))
    assert "a \\| b c &lt;script>x&lt;/script> back\\\\slash" in kid_row


def test_markdown_shortens_long_text_and_honours_the_limit(flags, comments):
    comments.loc[comments["comment_id"] == "c-kid", "text"] = "cramps " * 100
    queue = build_review_queue(flags, comments, NO_DECISIONS)
    kid_row = next(line for line in queue_markdown(queue).splitlines() if line.startswith("| f-kid "))
    assert "…" in kid_row and "cramps " * 30 not in kid_row
    limited = queue_markdown(queue, limit=2)
    assert len([line for line in limited.splitlines() if line.startswith("| f-")]) == 2
    assert f"Showing 2 of {len(flags)} flags, most severe first" in limited
