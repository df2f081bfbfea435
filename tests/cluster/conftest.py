"""Fixtures for the cluster tests: claims made by the real extract stage from comments written here."""
from __future__ import annotations

from typing import Callable

import pandas as pd
import pytest
from spacy.language import Language

from pipeline.extract.lexicon import Lexicon, cached_lexicon
from pipeline.extract.nlp import build_nlp
from pipeline.extract.stage import extract_claims

ClaimsOfTexts = Callable[[list[str]], pd.DataFrame]


@pytest.fixture(scope="session")
def cluster_nlp() -> Language:
    """The default extract pipeline, built once for the cluster tests."""
    return build_nlp()


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return cached_lexicon()


@pytest.fixture
def claims_of_texts(cluster_nlp: Language) -> ClaimsOfTexts:
    """``claims_of_texts(texts)``: the claims table of comments ``c0``, ``c1``, ... with these texts."""

    def claims(texts: list[str]) -> pd.DataFrame:
        comments = pd.DataFrame({"comment_id": [f"c{i}" for i in range(len(texts))], "text": texts, "parent_id": ""})
        return extract_claims(comments, nlp=cluster_nlp)

    return claims
