"""Fixtures for the cache tests: the real extract pipeline and safety rules (built once), a small
corpus written for these tests, and stage functions that record which comments they computed."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cache.store import ShardStore
from pipeline.extract.nlp import build_nlp
from pipeline.extract.stage import extract_claims
from pipeline.flag.rules import load_safety_rules
from pipeline.flag.stage import flag_comments

#: (comment_id, parent_id, text): plain comments, a parent with a reply, and a reply to the reply.
CORPUS = [
    ("c-pickle", "", "Pickle juice stopped my calf cramp within a minute last night."),
    ("c-wine", "", "Red wine at dinner always brings on cramps for me around 3am."),
    ("c-mustard", "", "A spoonful of yellow mustard works for my cramps every time."),
    ("c-same", "c-mustard", "@Ann: same here, it works for me too."),
    ("c-again", "c-same", "@Bo: did it really help you?"),
    ("c-warfarin", "", "I take warfarin and started garlic pills last month for my cramps."),
    ("c-calf", "", "My left calf has been swollen, hot and red since yesterday."),
]


def corpus(edits: dict[str, str] | None = None, extra: list[tuple[str, str, str]] = ()) -> pd.DataFrame:
    """The test corpus as a ``comments`` table, with some texts replaced and rows added."""
    rows = [(cid, parent, (edits or {}).get(cid, text)) for cid, parent, text in [*CORPUS, *extra]]
    return pd.DataFrame(rows, columns=["comment_id", "parent_id", "text"]).astype("string")


@pytest.fixture(scope="session")
def nlp():
    return build_nlp()


@pytest.fixture(scope="session")
def rules():
    return load_safety_rules()


@dataclass
class Counting:
    """A stage function that records the comment ids of every call."""

    function: object
    calls: list[list[str]] = field(default_factory=list)

    def __call__(self, comments: pd.DataFrame, *args) -> pd.DataFrame:
        self.calls.append(comments["comment_id"].astype(str).tolist())
        return self.function(comments, *args)

    @property
    def computed(self) -> set[str]:
        return {comment_id for call in self.calls for comment_id in call}


@pytest.fixture
def extract(nlp) -> Counting:
    return Counting(lambda comments: extract_claims(comments, nlp=nlp))


@pytest.fixture
def flag(rules) -> Counting:
    return Counting(lambda comments, claims: flag_comments(comments, claims, rules=rules))


@pytest.fixture
def store_for(tmp_path: Path):
    """``store_for(stage, version="v1")``: a store in a temporary cache folder; warnings are kept."""
    warnings: list[str] = []

    def make(stage: str, version: str = "v1") -> ShardStore:
        return ShardStore(tmp_path / "cache", stage, version, warn=warnings.append)

    make.warnings = warnings  # type: ignore[attr-defined]
    return make
