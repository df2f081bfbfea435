"""The cluster stage: ``claims`` and ``comments`` in; concepts, themes and resolved claims out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from pipeline.cluster.batches import FrameSource, frame_batches
from pipeline.cluster.columns import require_columns
from pipeline.cluster.concepts import CLAIM_INPUT_COLUMNS, ConceptTally, Folding, learn_folding
from pipeline.cluster.settings import cluster_settings
from pipeline.cluster.themes import COMMENT_COLUMNS, themes_of_batches
from pipeline.extract.lexicon import Lexicon

ClaimSink = Callable[[pd.DataFrame], None]


@dataclass(frozen=True)
class ClusterResult:
    """The tables the cluster stage writes."""

    concepts: pd.DataFrame
    themes: pd.DataFrame
    comment_themes: pd.DataFrame
    claims_resolved: pd.DataFrame


@dataclass(frozen=True)
class ClusterTables:
    """The tables of :func:`cluster_batches`; the resolved claims went to the sink."""

    concepts: pd.DataFrame
    themes: pd.DataFrame
    comment_themes: pd.DataFrame


def cluster_stage(
    comments: pd.DataFrame, claims: pd.DataFrame, *, lexicon: Lexicon, random_state: int = 0
) -> ClusterResult:
    """Fold discovered concepts and find comment themes.

    Input columns: ``comments``: ``comment_id``, ``text``; ``claims``: ``concept``,
    ``category``, ``discovered``, ``surface``, ``role``.
    Output: ``concepts`` (see :func:`pipeline.cluster.concepts.cluster_concepts`), ``themes``
    and ``comment_themes`` (see :func:`pipeline.cluster.themes.discover_themes`), and
    ``claims_resolved``: every claims column plus ``cluster`` (the concept the row counts
    under after folding discovered variants) and ``cluster_category``.
    ``random_state`` seeds k-means. No side effects; the inputs are not modified.

    Raises:
        StageInputError: a required column is missing.
        RuleFileError: the packaged settings file is malformed.
    """
    require_columns(claims, "claims", CLAIM_INPUT_COLUMNS)
    require_columns(comments, "comments", COMMENT_COLUMNS)
    pieces: list[pd.DataFrame] = []
    tables = cluster_batches(
        frame_batches(comments), frame_batches(claims), tuple(claims.columns),
        lexicon=lexicon, resolved_claims=pieces.append, random_state=random_state,
    )
    claims_resolved = pd.concat([resolved_claims_frame(claims.iloc[:0]), *pieces], ignore_index=True)
    return ClusterResult(tables.concepts, tables.themes, tables.comment_themes, claims_resolved.set_axis(claims.index))


def resolved_claims_frame(claims: pd.DataFrame) -> pd.DataFrame:
    """The columns and types of resolved claims, from claims with no rows."""
    return Folding({}, frozenset()).resolve(claims.iloc[:0])


def cluster_batches(
    comments: FrameSource,
    claims: FrameSource,
    claim_columns: tuple[str, ...],
    *,
    lexicon: Lexicon,
    resolved_claims: ClaimSink,
    random_state: int = 0,
) -> ClusterTables:
    """:func:`cluster_stage` over tables read a record batch at a time.

    ``claims`` must give ``claim_columns`` (every column of the claims table, which is passed
    on); each batch of resolved claims goes to ``resolved_claims``, in table order. Memory holds
    one batch, the distinct phrases and concepts, the theme model and a few numbers per comment
    (see :mod:`pipeline.cluster.themes`); the claims are done before the themes start.

    Raises:
        StageInputError: a required column is missing.
        RuleFileError: the packaged settings file is malformed.
    """
    require_columns(pd.DataFrame(columns=list(claim_columns)), "claims", CLAIM_INPUT_COLUMNS)
    settings = cluster_settings()
    folding = learn_folding(claims, lexicon=lexicon, settings=settings.concepts)
    tally = ConceptTally()
    for frame in claims(claim_columns):
        resolved = folding.resolve(frame)
        tally.add(resolved)
        resolved_claims(resolved)
    concepts = tally.table(lexicon=lexicon, known=folding.known)
    # Themes last: their comment_themes table (a row per comment) is then not held through the claims pass.
    themes = themes_of_batches(comments, random_state=random_state, settings=settings.themes)
    return ClusterTables(concepts, themes.themes, themes.comment_themes)
