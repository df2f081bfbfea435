"""Extract and flag through the cache: a second run computes nothing, a change recomputes exactly what it touches."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.cache.stages import cached_extract, cached_flags
from pipeline.io.tables import write_table

from .conftest import CORPUS, corpus


def same_bytes(first: pd.DataFrame, second: pd.DataFrame, folder) -> bool:
    for name, table in (("first", first), ("second", second)):
        write_table(table, folder, name)
    return (folder / "first.parquet").read_bytes() == (folder / "second.parquet").read_bytes()


def test_a_second_run_computes_no_comment_and_gives_identical_claims(extract, store_for, tmp_path):
    store = store_for("extract")
    first = cached_extract(corpus(), extract, store)
    extract.calls.clear()
    second = cached_extract(corpus(), extract, store)
    assert extract.computed == set()
    assert (second.served, second.computed) == (len(CORPUS), 0)
    assert same_bytes(first.table, second.table, tmp_path)


def test_claims_through_the_cache_are_byte_identical_to_the_stage_alone(extract, store_for, tmp_path):
    store = store_for("extract")
    cached_extract(corpus(), extract, store)
    edited = corpus({"c-wine": "Coffee after lunch gives me cramps at night."}, extra=[("c-new", "", "Magnesium did nothing for me.")])
    assert same_bytes(cached_extract(edited, extract, store).table, extract.function(edited), tmp_path)


@pytest.mark.parametrize(
    ("edits", "recomputed", "passed_along"),
    [
        ({}, set(), set()),
        ({"c-wine": "Coffee after lunch gives me cramps at night."}, {"c-wine"}, set()),
        # a parent changed: its reply and the reply's reply read its claims, so they are recomputed too
        ({"c-mustard": "Tonic water helps my cramps a little."}, {"c-mustard", "c-same", "c-again"}, set()),
        # a reply changed: recomputed with its parent as context, which is not counted as computed
        ({"c-same": "@Ann: that never worked for me."}, {"c-same", "c-again"}, {"c-mustard"}),
        # a comment nobody replies to changed: its neighbours are untouched
        ({"c-again": "@Bo: where do you buy it?"}, {"c-again"}, {"c-mustard", "c-same"}),
    ],
)
def test_a_changed_comment_recomputes_exactly_it_and_its_replies(extract, store_for, edits, recomputed, passed_along):
    store = store_for("extract")
    cached_extract(corpus(), extract, store)
    extract.calls.clear()
    result = cached_extract(corpus(edits), extract, store)
    assert result.computed == len(recomputed)
    assert extract.computed == recomputed | passed_along
    assert result.table.equals(extract.function(corpus(edits)))


def test_a_new_comment_is_the_only_one_computed(extract, store_for):
    store = store_for("extract")
    cached_extract(corpus(), extract, store)
    extract.calls.clear()
    result = cached_extract(corpus(extra=[("c-new", "", "Magnesium did nothing for me.")]), extract, store)
    assert extract.computed == {"c-new"}
    assert (result.served, result.computed) == (len(CORPUS), 1)


def test_the_same_text_in_another_comment_is_served_with_its_own_claim_ids(extract, store_for):
    store = store_for("extract")
    cached_extract(corpus(), extract, store)
    extract.calls.clear()
    copy = [("c-copy", "", dict((c, t) for c, _, t in CORPUS)["c-pickle"])]
    result = cached_extract(corpus(extra=copy), extract, store)
    assert extract.computed == set()
    assert result.table.equals(extract.function(corpus(extra=copy)))
    assert result.table["claim_id"].is_unique


def test_without_a_store_everything_is_computed_and_nothing_written(extract, tmp_path):
    result = cached_extract(corpus(), extract, None)
    assert extract.computed == {cid for cid, _, _ in CORPUS}
    assert (result.served, result.computed) == (0, len(CORPUS))
    assert not (tmp_path / "cache").exists()


def test_another_version_shares_nothing(extract, store_for):
    cached_extract(corpus(), extract, store_for("extract", "v1"))
    extract.calls.clear()
    cached_extract(corpus(), extract, store_for("extract", "v2"))
    assert extract.computed == {cid for cid, _, _ in CORPUS}


def test_a_second_flag_run_computes_no_comment_and_gives_identical_flags(extract, flag, store_for, tmp_path):
    claims = extract.function(corpus())
    store = store_for("flag")
    first = cached_flags(corpus(), claims, flag, store)
    assert len(first.table) > 0
    flag.calls.clear()
    second = cached_flags(corpus(), claims, flag, store)
    assert flag.computed == set()
    assert same_bytes(first.table, second.table, tmp_path)


@pytest.mark.parametrize(
    ("change", "recomputed"),
    [
        (lambda comments, claims: (comments, claims), set()),
        # cluster renamed a concept in one comment's claims: that comment is flagged again
        (lambda comments, claims: (comments, claims.assign(concept=claims["concept"].mask(
            claims["comment_id"] == "c-warfarin", claims["concept"].replace({"garlic": "garlic pills"})))), {"c-warfarin"}),
        (lambda comments, claims: (comments.assign(text=comments["text"].mask(
            comments["comment_id"] == "c-calf", "My calf feels fine now.")), claims), {"c-calf"}),
    ],
)
def test_flag_recomputes_the_comments_whose_text_or_claims_changed(extract, flag, store_for, change, recomputed):
    comments, claims = corpus(), extract.function(corpus())
    store = store_for("flag")
    cached_flags(comments, claims, flag, store)
    flag.calls.clear()
    comments, claims = change(comments, claims)
    result = cached_flags(comments, claims, flag, store)
    assert flag.computed == recomputed
    assert result.table.equals(flag.function(comments, claims))


def test_replies_in_a_cycle_of_parents_are_always_computed_and_never_stored(extract, store_for):
    cycle = corpus(extra=[("c-x", "c-y", "@Y: same here."), ("c-y", "c-x", "@X: did it help?")])
    store = store_for("extract")
    cached_extract(cycle, extract, store)
    extract.calls.clear()
    result = cached_extract(cycle, extract, store)
    assert extract.computed == {"c-x", "c-y"}
    assert (result.served, result.computed) == (len(CORPUS), 2)
    assert result.table.equals(extract.function(cycle))
