"""Partitions never change the output: extract and flag over any partition size give the tables
extract_claims and flag_comments give over the whole corpus, replies linked across partitions."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.engine.executors import InProcess
from pipeline.engine.settings import ExtractSettings, FlagSettings
from pipeline.engine.stages import claim_partitions, claims_follow_comments, extract_table, flag_table, with_claim_partitions
from pipeline.engine.tasks import pipeline_for
from pipeline.extract.lexicon import cached_lexicon
from pipeline.extract.stage import extract_claims
from pipeline.flag.rules import load_safety_rules
from pipeline.flag.stage import flag_comments
from pipeline.io.tables import read_table
from tests.engine.conftest import same_table, table_folder

PARTITION_SIZES = [1, 2, 3, 5, 100]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("size", PARTITION_SIZES)
def test_extract_over_partitions_equals_extract_claims(tmp_path, thread, size, fmt):
    expected = table_folder(tmp_path / "whole", fmt, claims=extract_claims(thread, nlp=pipeline_for(ExtractSettings())))
    folder = table_folder(tmp_path / "parts", fmt, comments=thread)
    extract_table(folder, fmt, ExtractSettings(), InProcess(), partition_size=size)
    assert same_table(folder, expected, "claims")


@pytest.mark.parametrize(
    "reply, parent, where",
    [
        ("a2", "a1", "parent two rows earlier"),
        ("b1", "b3", "parent comes after the reply"),
        ("a3", "a2", "parent is itself a linked reply"),
        ("a5", "a3", "a chain of three replies"),
        ("b4", "b3", "second reply to a later parent"),
    ],
)
def test_a_reply_is_linked_whatever_partition_its_parent_is_in(tmp_path, thread, reply, parent, where):
    folder = table_folder(tmp_path, comments=thread)
    extract_table(folder, "parquet", ExtractSettings(), InProcess(), partition_size=1)
    claims = read_table(folder, "claims")
    linked = claims[(claims["comment_id"] == reply) & claims["rule"].str.startswith("reply_reference")]
    parent_concepts = set(claims.loc[claims["comment_id"] == parent, "concept"])
    assert len(linked) == 1 and linked["concept"].iloc[0] in parent_concepts, where


@pytest.mark.parametrize(
    "reply, why",
    [("x1", "its parent is not in the corpus"), ("a4", "it names its own remedy"), ("f1", "it is no reply")],
)
def test_comments_that_must_not_be_linked_stay_unlinked(tmp_path, thread, reply, why):
    folder = table_folder(tmp_path, comments=thread)
    extract_table(folder, "parquet", ExtractSettings(), InProcess(), partition_size=1)
    claims = read_table(folder, "claims")
    assert not claims.loc[claims["comment_id"] == reply, "rule"].str.startswith("reply_reference").any(), why


def test_a_comments_table_without_parent_ids_is_extracted(tmp_path, thread):
    comments = thread.drop(columns=["parent_id"])
    expected = table_folder(tmp_path / "whole", claims=extract_claims(comments, nlp=pipeline_for(ExtractSettings())))
    folder = table_folder(tmp_path / "parts", comments=comments)
    extract_table(folder, "parquet", ExtractSettings(), InProcess(), partition_size=4)
    assert same_table(folder, expected, "claims")


def _flag_inputs(thread: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    extra = pd.DataFrame(
        [
            ("m1", "", "I take warfarin and my doctor added clopidogrel; cramps every night."),
            ("m2", "", "Quinine tablets fixed my cramps, I give them to my 6 year old too."),
            ("m3", "", "Sudden swelling and warmth in one calf since yesterday, plus cramps."),
        ],
        columns=["comment_id", "parent_id", "text"],
    )
    comments = pd.concat([extra.iloc[:1], thread, extra.iloc[1:]], ignore_index=True)
    return comments, extract_claims(comments, nlp=pipeline_for(ExtractSettings()))


def _expected_flags(comments: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    return flag_comments(comments, claims, rules=load_safety_rules(), lexicon=cached_lexicon(()))


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("size", PARTITION_SIZES)
def test_flag_over_partitions_equals_flag_comments(tmp_path, thread, size, fmt):
    comments, claims = _flag_inputs(thread)
    expected_flags = _expected_flags(comments, claims)
    assert "drug_interaction" in set(expected_flags["flag"]) and len(expected_flags) >= 3  # flags to compare
    expected = table_folder(tmp_path / "whole", fmt, flags=expected_flags)
    folder = table_folder(tmp_path / "parts", fmt, comments=comments, claims=claims)
    flag_table(folder, fmt, FlagSettings(), InProcess(), partition_size=size)
    assert same_table(folder, expected, "flags")


@pytest.mark.parametrize(
    "reorder, in_order",
    [
        (lambda claims: claims, True),
        (lambda claims: claims.iloc[::-1], False),
        (lambda claims: pd.concat([claims, claims.iloc[:1].assign(comment_id="nobody")]), False),
    ],
    ids=["as extract writes it", "reversed", "a claim of an unknown comment"],
)
def test_flag_accepts_a_claims_table_in_any_order(tmp_path, thread, reorder, in_order):
    comments, claims = _flag_inputs(thread)
    shuffled = reorder(claims).reset_index(drop=True)
    expected = table_folder(tmp_path / "whole", flags=_expected_flags(comments, shuffled))
    folder = table_folder(tmp_path / "parts", comments=comments, claims=shuffled)
    assert claims_follow_comments(folder / "comments.parquet", folder / "claims.parquet", 3) is in_order
    flag_table(folder, "parquet", FlagSettings(), InProcess(), partition_size=3)
    assert same_table(folder, expected, "flags")


@pytest.mark.parametrize("size", [1, 3, 100])
@pytest.mark.parametrize("stage", ["extract", "flag"])
def test_each_partition_and_its_rows_are_handed_on_as_they_are_written(tmp_path, thread, size, stage):
    comments, claims = _flag_inputs(thread)
    folder = table_folder(tmp_path / "parts", comments=comments, claims=claims)
    seen: list[tuple[list[str], pd.DataFrame]] = []
    run, name = (extract_table, "claims") if stage == "extract" else (flag_table, "flags")
    run(folder, "parquet", ExtractSettings() if stage == "extract" else FlagSettings(), InProcess(),
        partition_size=size, on_partition=lambda part, rows: seen.append((part["comment_id"].tolist(), rows)))
    assert [ids for ids, _ in seen] == [comments["comment_id"].tolist()[at : at + size] for at in range(0, len(comments), size)]
    for ids, rows in seen:
        assert set(rows["comment_id"]) <= set(ids)
    handed_on = pd.concat([rows for _, rows in seen], ignore_index=True)
    written = read_table(folder, name)
    assert len(handed_on) == len(written) > 0
    assert handed_on.astype(str).equals(written[list(handed_on.columns)].astype(str))


@pytest.mark.parametrize(
    "reorder, calls",
    [
        (lambda claims: claims, 1),
        (lambda claims: claims.iloc[::-1], 2),  # cut as they come, found out of order, then held whole
    ],
    ids=["as extract writes it", "reversed"],
)
def test_claims_paired_with_their_partitions_in_one_pass(tmp_path, thread, reorder, calls):
    comments, claims = _flag_inputs(thread)
    folder = table_folder(tmp_path / "parts", comments=comments, claims=reorder(claims).reset_index(drop=True))
    paths = folder / "comments.parquet", folder / "claims.parquet"
    columns = ["comment_id", "concept", "start"]
    used: list[int] = []

    def use(pairs):
        used.append(1)
        return [(partition["comment_id"].tolist(), part["concept"].tolist()) for partition, part in pairs]

    paired = with_claim_partitions(*paths, ("comment_id",), columns, 3, use)
    expected = [partition for partition in claim_partitions(*paths, columns, 3)]
    assert [concepts for _, concepts in paired] == [part["concept"].tolist() for part in expected]
    assert [ids for ids, _ in paired] == [comments["comment_id"].tolist()[at : at + 3] for at in range(0, len(comments), 3)]
    assert len(used) == calls
