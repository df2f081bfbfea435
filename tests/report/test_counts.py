"""Counting claims per (concept, role): commenters, effects, intervals, contradictions, groups."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.errors import PipelineError, StageInputError
from pipeline.extract.nlp import build_nlp
from pipeline.extract.stage import extract_claims
from pipeline.report.counts import SUMMARY_COLUMNS, count_by_group, count_concepts, is_anonymous, wilson_interval


def claim(comment_id: str, concept: str, role: str = "remedy", effect: str = "helped", *, question: bool = False,
          negated: bool = False, experiencer: str = "self", sentence: str = "", category: str = "food") -> dict:
    return {
        "comment_id": comment_id, "concept": concept, "category": category, "role": role, "effect": effect,
        "negated": negated, "hedged": False, "question": question, "experiencer": experiencer,
        "sentence": sentence or f"{concept} {effect} for me.", "start": 0,
    }


def comments_table(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """Comments of ``(comment_id, author, thread, posted_at)``."""
    return pd.DataFrame(rows, columns=["comment_id", "author", "thread", "posted_at"]).assign(source="forum.csv")


def row_of(summary: pd.DataFrame, concept: str, role: str = "remedy") -> pd.Series:
    rows = summary[(summary["concept"] == concept) & (summary["role"] == role)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("successes", "total", "low", "high"),
    [
        (3, 3, 0.4385, 1.0),
        (30, 40, 0.5981, 0.8581),
        (0, 10, 0.0, 0.2775),
        (1, 2, 0.0945, 0.9055),
    ],
)
def test_wilson_interval_matches_known_values(successes: int, total: int, low: float, high: float) -> None:
    assert wilson_interval(successes, total) == pytest.approx((low, high), abs=1e-4)


def test_wilson_interval_of_nothing_is_undefined() -> None:
    assert all(math.isnan(value) for value in wilson_interval(0, 0))


def test_three_of_three_is_weaker_evidence_than_thirty_of_forty() -> None:
    few_low, few_high = wilson_interval(3, 3)
    many_low, many_high = wilson_interval(30, 40)
    assert few_high - few_low > many_high - many_low
    assert few_low < many_low


@pytest.mark.parametrize(
    ("author", "anonymous"),
    [("", True), ("Anonymous", True), (" anon ", True), ("GUEST", True), ("Ann", False), ("anonymous coward", False)],
)
def test_anonymous_author_names(author: str, anonymous: bool) -> None:
    assert is_anonymous(author) is anonymous


def test_commenters_count_named_authors_once_per_thread_and_anonymous_ones_per_comment() -> None:
    comments = comments_table([
        ("c1", "Ann", "t1", ""), ("c2", "ann", "t1", ""), ("c3", "Ann", "t2", ""),
        ("c4", "Anonymous", "t1", ""), ("c5", "anonymous", "t1", ""), ("c6", "", "t1", ""), ("c7", "Guest", "t2", ""),
    ])
    claims = pd.DataFrame([claim(f"c{i}", "mustard") for i in range(1, 8)])
    summary = count_concepts(claims, comments)
    assert (row_of(summary, "mustard")["claims"], row_of(summary, "mustard")["commenters"]) == (7, 6)


def test_effects_questions_negation_and_evidence() -> None:
    comments = comments_table([(f"c{i}", f"reader {i}", "t", f"2024-01-0{i}") for i in range(1, 7)])
    claims = pd.DataFrame([
        claim("c1", "mustard", effect="helped"),
        claim("c2", "mustard", effect="partial", experiencer="family"),
        claim("c3", "mustard", effect="no_effect"),
        claim("c4", "mustard", effect="unclear", question=True),
        claim("c5", "mustard", effect="helped", negated=True),
        claim("c6", "mustard", role="mention", effect="unclear"),
    ])
    row = row_of(count_concepts(claims, comments), "mustard")
    assert (row["claims"], row["helped"], row["partial"], row["no_effect"], row["unclear"]) == (5, 1, 1, 1, 0)
    assert (row["questions"], row["negated"], row["evidence_for"], row["mentions"]) == (1, 1, 2, 1)
    assert (row["experiencer_self"], row["experiencer_family"]) == (4, 1)
    assert row["share"] == pytest.approx(1 / 3, abs=1e-4)  # helped among the three stated claims
    assert (row["first_seen"], row["last_seen"]) == ("2024-01-01", "2024-01-05")


def test_trigger_share_counts_worsened() -> None:
    comments = comments_table([("c1", "A", "t", ""), ("c2", "B", "t", ""), ("c3", "C", "t", "")])
    claims = pd.DataFrame([claim("c1", "alcohol", "trigger", "worsened"), claim("c2", "alcohol", "trigger", "worsened"),
                           claim("c3", "alcohol", "trigger", "no_effect")])
    row = row_of(count_concepts(claims, comments), "alcohol", "trigger")
    assert (row["worsened"], row["share"]) == (2, pytest.approx(0.6667, abs=1e-4))
    assert row["share_low"] < row["share"] < row["share_high"]


@pytest.mark.parametrize(
    ("role", "effects", "contradicted", "contrary"),
    [
        ("remedy", ["helped", "no_effect"], True, 1),
        ("remedy", ["partial", "worsened", "no_effect"], True, 2),
        ("remedy", ["helped", "helped"], False, 0),
        ("remedy", ["no_effect", "worsened"], False, 2),  # nothing supports it: contrary, not contradicted
        ("trigger", ["worsened", "no_effect"], True, 1),
        ("trigger", ["worsened", "unclear"], False, 0),
    ],
)
def test_contradictions(role: str, effects: list[str], contradicted: bool, contrary: int) -> None:
    comments = comments_table([(f"c{i}", f"reader {i}", "t", "") for i in range(len(effects))])
    claims = pd.DataFrame([claim(f"c{i}", "soap", role, effect, sentence=f"Soap: {effect}.") for i, effect in enumerate(effects)])
    row = row_of(count_concepts(claims, comments), "soap", role)
    assert (bool(row["contradicted"]), row["contrary_claims"]) == (contradicted, contrary)
    if contrary:
        assert row["contrary_example"].startswith("Soap:")


def test_example_is_a_short_supporting_sentence_chosen_deterministically() -> None:
    comments = comments_table([("c1", "A", "t", ""), ("c2", "B", "t", ""), ("c3", "C", "t", "")])
    claims = pd.DataFrame([
        claim("c1", "banana", effect="no_effect", sentence="Bananas did nothing."),
        claim("c2", "banana", sentence="A banana at bedtime " + "really " * 40 + "helped."),
        claim("c3", "banana", sentence="A banana a day keeps my cramps away."),
    ])
    row = row_of(count_concepts(claims, comments), "banana")
    assert (row["example"], row["example_comment_id"]) == ("A banana a day keeps my cramps away.", "c3")
    assert (row["contrary_example"], row["contrary_comment_id"]) == ("Bananas did nothing.", "c1")
    long_only = row_of(count_concepts(claims.iloc[[1]], comments), "banana")
    assert len(long_only["example"]) <= 200 and long_only["example"].endswith("…")


def test_cluster_column_takes_precedence_over_concept() -> None:
    comments = comments_table([("c1", "A", "t", ""), ("c2", "B", "t", "")])
    claims = pd.DataFrame([claim("c1", "coconut watter", category="other"), claim("c2", "coconut water", category="drink")])
    claims["cluster"] = ["coconut water", "coconut water"]
    claims["cluster_category"] = ["drink", "drink"]
    summary = count_concepts(claims, comments)
    assert summary["concept"].tolist() == ["coconut water"]
    assert (summary.loc[0, "claims"], summary.loc[0, "category"]) == (2, "drink")


def test_order_sorting_and_columns() -> None:
    comments = comments_table([(f"c{i}", f"reader {i}", "t", "") for i in range(6)])
    claims = pd.DataFrame([
        claim("c0", "banana"), claim("c1", "mustard"), claim("c2", "mustard"), claim("c3", "zinc", effect="no_effect"),
        claim("c4", "zinc", effect="no_effect"), claim("c5", "zinc", effect="no_effect"),
    ])
    summary = count_concepts(claims, comments)
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert summary["concept"].tolist() == ["mustard", "banana", "zinc"]  # evidence_for, then claims
    shuffled = count_concepts(claims.sample(frac=1, random_state=5), comments.sample(frac=1, random_state=2))
    pd.testing.assert_frame_equal(summary, shuffled)


def test_tables_read_back_from_csv_count_the_same() -> None:
    comments = comments_table([("c1", "A", "t", ""), ("c2", "B", "t", "")])
    claims = pd.DataFrame([claim("c1", "salt", question=True), claim("c2", "salt", negated=True)])
    as_text = claims.astype(str)
    pd.testing.assert_frame_equal(count_concepts(claims, comments), count_concepts(as_text, comments))


def test_no_claims_give_an_empty_summary() -> None:
    summary = count_concepts(pd.DataFrame([claim("c1", "x")]).iloc[0:0], comments_table([]))
    assert summary.empty and list(summary.columns) == SUMMARY_COLUMNS


def test_missing_claim_columns_are_a_stage_input_error() -> None:
    with pytest.raises(StageInputError, match="effect"):
        count_concepts(pd.DataFrame({"comment_id": ["c1"], "concept": ["x"]}), comments_table([]))


def test_count_by_thread() -> None:
    comments = comments_table([("c1", "Ann", "cramps", ""), ("c2", "Ann", "cramps", ""), ("c3", "Ann", "sleep", "")])
    claims = pd.DataFrame([claim("c1", "mustard"), claim("c2", "mustard"), claim("c3", "mustard", effect="no_effect")])
    by_thread = count_by_group(claims, comments, by="thread")
    assert by_thread.columns[0] == "thread"
    counts = {t: (c, n, h) for t, c, n, h in by_thread[["thread", "claims", "commenters", "helped"]].itertuples(index=False)}
    assert counts == {"cramps": (2, 1, 2), "sleep": (1, 1, 0)}
    assert count_by_group(claims, comments, by="source")["source"].tolist() == ["forum.csv"]


def test_each_threads_counts_are_the_counts_of_that_threads_claims_alone() -> None:
    comments = comments_table([
        ("c1", "Ann", "cramps", "2024-01-02"), ("c2", "Bo", "cramps", "2024-01-01"), ("c3", "Ann", "sleep", ""),
        ("c4", "anonymous", "sleep", "2024-03-01"), ("c5", "Cy", "diet", ""),
    ])
    claims = pd.DataFrame([
        claim("c1", "mustard"), claim("c2", "mustard", effect="no_effect"), claim("c2", "wine", "trigger", "worsened"),
        claim("c3", "mustard", question=True), claim("c4", "mustard", negated=True), claim("c4", "wine", "mention", "unclear"),
        claim("c5", "banana", experiencer="family"), claim("c9", "salt", "trigger", "worsened"),
    ])
    by_thread = count_by_group(claims, comments, by="thread")
    thread_of = dict(zip(comments["comment_id"], comments["thread"]))
    for thread in ("", "cramps", "diet", "sleep"):
        alone = count_concepts(claims[claims["comment_id"].map(lambda c: thread_of.get(c, "")) == thread], comments)
        grouped = by_thread[by_thread["thread"] == thread].drop(columns="thread").reset_index(drop=True)
        pd.testing.assert_frame_equal(grouped, alone, check_dtype=False)
    assert by_thread["thread"].tolist() == sorted(by_thread["thread"].tolist())


def test_count_by_an_unknown_group_is_refused() -> None:
    with pytest.raises(PipelineError, match="thread, source"):
        count_by_group(pd.DataFrame(), comments_table([]), by="author")


@pytest.fixture(scope="module")
def extracted() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Claims made by the real extract stage from reader comments written for this test."""
    comments = comments_table([
        ("r1", "Dot", "cramps", "2023-05-01"),
        ("r2", "anonymous", "cramps", "2023-05-02"),
        ("r3", "anonymous", "cramps", "2023-05-03"),
        ("r4", "Dot", "cramps", "2023-06-10"),
        ("r5", "Hal", "cramps", "2023-07-04"),
    ]).assign(text=[
        "A spoonful of yellow mustard stopped my cramp within a minute.",
        "Mustard did nothing for my cramps.",
        "Yellow mustard works for me every time.",
        "Red wine always gives me leg cramps at night.",
        "Does mustard help with leg cramps?",
    ], parent_id="")
    return extract_claims(comments, nlp=build_nlp()), comments


def test_counts_of_real_claims(extracted: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    claims, comments = extracted
    summary = count_concepts(claims, comments)
    mustard = row_of(summary, "mustard")
    assert (mustard["claims"], mustard["commenters"], mustard["questions"]) == (4, 4, 1)
    assert (mustard["helped"], mustard["no_effect"], bool(mustard["contradicted"])) == (2, 1, True)
    assert (mustard["first_seen"], mustard["last_seen"]) == ("2023-05-01", "2023-07-04")
    alcohol = row_of(summary, "alcohol", "trigger")
    assert (alcohol["worsened"], alcohol["example_comment_id"]) == (1, "r4")
