"""Fixtures for the extract stage: the pipeline is built once per session (it takes seconds)."""
from __future__ import annotations

from typing import Callable

import pandas as pd
import pytest
from spacy.language import Language

from pipeline.extract.nlp import build_nlp
from pipeline.extract.stage import extract_claims

ClaimsOf = Callable[..., pd.DataFrame]
PARENT_ID = "parent"
CHILD_ID = "child"


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The default extract pipeline, shared by every test that only reads from it."""
    return build_nlp()


@pytest.fixture
def claims_of(nlp: Language) -> ClaimsOf:
    """``claims_of(text, parent_text=None)``: the claim rows of one comment.

    With ``parent_text`` the comment is a reply to a parent comment, so that reply linking
    can run; only the reply's own rows are returned.
    """

    def claims(text: str, parent_text: str | None = None) -> pd.DataFrame:
        if parent_text is None:
            comments = pd.DataFrame({"comment_id": [CHILD_ID], "text": [text], "parent_id": [""]})
        else:
            comments = pd.DataFrame(
                {"comment_id": [PARENT_ID, CHILD_ID], "text": [parent_text, text], "parent_id": ["", PARENT_ID]}
            )
        rows = extract_claims(comments, nlp=nlp)
        return rows[rows["comment_id"] == CHILD_ID].reset_index(drop=True)

    return claims
