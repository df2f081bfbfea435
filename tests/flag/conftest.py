"""Fixtures for the flag tests: the real extract pipeline and the packaged rules, built once."""
from __future__ import annotations

from typing import Callable

import pandas as pd
import pytest

from pipeline.extract.nlp import build_nlp
from pipeline.extract.stage import extract_claims
from pipeline.flag.rules import SafetyRules, load_safety_rules
from pipeline.flag.stage import flag_comments


@pytest.fixture(scope="session")
def nlp():
    return build_nlp()


@pytest.fixture(scope="session")
def rules() -> SafetyRules:
    return load_safety_rules()


def comments_frame(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"comment_id": [f"c{i}" for i in range(len(texts))], "text": texts, "parent_id": ""})


@pytest.fixture(scope="session")
def flags_of(nlp, rules) -> Callable[[str], dict[str, dict]]:
    """Flags of one comment written in a test, keyed by flag id (claims from the real extract stage)."""
    cache: dict[str, dict[str, dict]] = {}

    def run(text: str) -> dict[str, dict]:
        if text not in cache:
            comments = comments_frame([text])
            flags = flag_comments(comments, extract_claims(comments, nlp=nlp), rules=rules)
            cache[text] = {row["flag"]: row for row in flags.to_dict("records")}
        return cache[text]

    return run
