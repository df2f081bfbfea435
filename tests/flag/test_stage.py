"""The flag stage as a table-to-table function: columns, one row per flag, stable ids, evidence
offsets, determinism, CSV-typed input, errors."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import StageInputError
from pipeline.extract.stage import extract_claims
from pipeline.flag.findings import flag_id
from pipeline.flag.rules import FLAGS, SEVERITIES
from pipeline.flag.stage import FLAG_COLUMNS, flag_comments
from tests.flag.conftest import comments_frame

TEXTS = [
    "I'm 84 and on warfarin, clopidogrel, amlodipine, simvastatin, metformin and fish oil; my left calf is "
    "swollen and hot since Monday. Is it safe to keep taking them? Email me at sam@example.com",
    "I had a clot years ago and a cramp that lasted 15 minutes last night.",
    "Tonic water every night. Check out my blog!",
    "Thanks for the article.",
    "",
]


@pytest.fixture(scope="module")
def tables(nlp, rules):
    comments = comments_frame(TEXTS)
    claims = extract_claims(comments, nlp=nlp)
    return comments, claims, flag_comments(comments, claims, rules=rules)


def test_columns_and_types(tables) -> None:
    flags = tables[2]
    assert list(flags.columns) == FLAG_COLUMNS
    assert flags["evidence_start"].dtype == "int64" and flags["evidence_end"].dtype == "int64"
    assert set(flags["flag"]) <= set(FLAGS)
    assert set(flags["severity"]) <= set(SEVERITIES)
    assert (flags["reason"].str.len() > 20).all() and (flags["source"].str.len() > 0).all()


def test_one_row_per_comment_and_flag_with_a_stable_id(tables) -> None:
    flags = tables[2]
    assert not flags.duplicated(["comment_id", "flag"]).any()
    assert flags["flag_id"].tolist() == [flag_id(c, f) for c, f in zip(flags["comment_id"], flags["flag"])]
    assert flag_id("c0", "dvt") == flag_id("c0", "dvt") != flag_id("c0", "elderly")


def test_evidence_starts_with_the_text_at_its_offsets(tables) -> None:
    comments, _, flags = tables
    text_of = dict(zip(comments["comment_id"], comments["text"]))
    for row in flags.itertuples():
        span = text_of[row.comment_id][row.evidence_start:row.evidence_end]
        assert span and row.evidence.startswith(span.strip()[:199])
        assert len(row.evidence) <= 200


def test_rows_follow_comment_order_then_flag_order(tables) -> None:
    flags = tables[2]
    order = {flag: i for i, flag in enumerate(FLAGS)}
    keys = [(int(c[1:]), order[f]) for c, f in zip(flags["comment_id"], flags["flag"])]
    assert keys == sorted(keys)


def test_expected_flags_of_the_mixed_comment(tables) -> None:
    flags = tables[2]
    first = dict(zip(flags[flags["comment_id"] == "c0"]["flag"], flags[flags["comment_id"] == "c0"]["severity"]))
    assert first["dvt"] == "urgent" and first["red_flag_symptom"] == "urgent"
    assert first["drug_interaction"] == "high" and first["polypharmacy"] == "high"
    assert {"elderly", "cramp_inducing_drug", "personal_data", "medical_question"} <= set(first)
    assert set(flags[flags["comment_id"] == "c3"]["flag"]) == set()


def test_the_most_severe_instance_wins(tables) -> None:
    flags = tables[2].set_index(["comment_id", "flag"])
    # A past clot (medium) and a 15-minute cramp last night (urgent) in one comment.
    assert flags.loc[("c1", "dvt"), "severity"] == "medium"
    assert flags.loc[("c1", "red_flag_symptom"), "severity"] == "urgent"


def test_same_input_gives_identical_output(tables, rules) -> None:
    comments, claims, flags = tables
    again = flag_comments(comments, claims, rules=rules)
    pd.testing.assert_frame_equal(flags, again)


def test_input_order_does_not_change_a_comment_s_rows(tables, rules) -> None:
    comments, claims, flags = tables
    reordered = flag_comments(comments.iloc[::-1].reset_index(drop=True), claims.sample(frac=1, random_state=3),
                              rules=rules)
    key = ["comment_id", "flag"]
    pd.testing.assert_frame_equal(
        flags.sort_values(key).reset_index(drop=True), reordered.sort_values(key).reset_index(drop=True)
    )


def test_inputs_are_not_modified(tables, rules) -> None:
    comments, claims, _ = tables
    before = (comments.copy(), claims.copy())
    flag_comments(comments, claims, rules=rules)
    pd.testing.assert_frame_equal(comments, before[0])
    pd.testing.assert_frame_equal(claims, before[1])


def test_claims_read_back_from_csv_as_text_give_the_same_flags(tables, rules) -> None:
    comments, claims, flags = tables
    as_text = claims.astype(str)
    pd.testing.assert_frame_equal(flag_comments(comments, as_text, rules=rules), flags)


def test_empty_tables_give_an_empty_flags_table(rules, nlp) -> None:
    comments = comments_frame([])
    flags = flag_comments(comments, extract_claims(comments, nlp=nlp), rules=rules)
    assert list(flags.columns) == FLAG_COLUMNS and flags.empty


@pytest.mark.parametrize("table, column", [("comments", "text"), ("claims", "negated"), ("claims", "concept")])
def test_a_missing_column_is_a_stage_input_error(tables, rules, table: str, column: str) -> None:
    comments, claims, _ = tables
    inputs = {"comments": comments, "claims": claims}
    inputs[table] = inputs[table].drop(columns=[column])
    with pytest.raises(StageInputError, match=column):
        flag_comments(inputs["comments"], inputs["claims"], rules=rules)


def _claim(comment_id: str, concept: str, surface: str, start: int, rule: str, role: str = "trigger") -> dict:
    return {"comment_id": comment_id, "concept": concept, "category": "medication", "role": role, "effect": "worsened",
            "negated": False, "question": False, "experiencer": "self", "surface": surface, "start": start,
            "end": start + len(surface), "rule": rule}


def test_a_reply_s_same_here_is_not_flagged_as_the_parent_s_medicine(rules) -> None:
    """Regression: "Same here with simvastatin" under an atorvastatin comment was reported as
    "Blames cramps on atorvastatin (Same here)", with simvastatin as the evidence."""
    comments = comments_frame(["Began atorvastatin in spring and the calf cramps came soon after.",
                               "Me too, only mine was simvastatin."])
    claims = pd.DataFrame([
        _claim("c0", "atorvastatin", "atorvastatin", 6, "exposure_outcome"),
        _claim("c1", "atorvastatin", "Me too", 0, "reply_reference:worsened"),
        _claim("c1", "simvastatin", "simvastatin", 22, "mention", role="mention"),
    ])
    flags = flag_comments(comments, claims, rules=rules).set_index("comment_id")
    assert "atorvastatin" in flags.loc["c0", "reason"]
    reply = flags.loc["c1"]
    assert reply["flag"] == "cramp_inducing_drug" and reply["evidence"] == "simvastatin"
    assert "simvastatin" in reply["reason"] and "atorvastatin" not in reply["reason"]


def test_a_reply_reference_alone_raises_no_medicine_flag(rules) -> None:
    comments = comments_frame(["Same here, exactly the same thing."])
    claims = pd.DataFrame([_claim("c0", "quinine", "Same here", 0, "reply_reference:helped", role="remedy")])
    assert flag_comments(comments, claims, rules=rules).empty
