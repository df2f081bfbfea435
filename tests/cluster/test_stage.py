"""The cluster stage as a whole: its four tables from real claims, inputs untouched."""
from __future__ import annotations

import pandas as pd

from pipeline.cluster.stage import cluster_stage
from pipeline.extract.lexicon import Lexicon

TEXTS = [
    "Thanks to a copper bangle my cramps are gone.",
    "My copper bangle helps with the cramps.",
    "Coconut watter helps me with leg cramps.",
    "Red wine always gives me leg cramps at night.",
    "",
]


def test_cluster_stage_tables(claims_of_texts, lexicon: Lexicon) -> None:
    claims = claims_of_texts(TEXTS)
    comments = pd.DataFrame({"comment_id": [f"c{i}" for i in range(len(TEXTS))], "text": TEXTS})
    before = (claims.copy(), comments.copy())
    result = cluster_stage(comments, claims, lexicon=lexicon)
    pd.testing.assert_frame_equal(claims, before[0])
    pd.testing.assert_frame_equal(comments, before[1])
    assert list(result.claims_resolved.columns) == [*claims.columns, "cluster", "cluster_category"]
    assert set(result.claims_resolved["cluster"]) == {"copper bangle", "coconut water", "alcohol"}
    assert set(result.concepts["concept"]) == {"copper bangle", "coconut water", "alcohol"}
    assert result.themes["size"].sum() == 4  # the empty comment gets no theme
    assert sorted(result.comment_themes["comment_id"]) == ["c0", "c1", "c2", "c3"]
