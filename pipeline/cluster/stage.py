"""The cluster stage: ``claims`` and ``comments`` in; concepts, themes and resolved claims out."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.cluster.concepts import resolve_concepts, summarise_concepts
from pipeline.cluster.settings import cluster_settings
from pipeline.cluster.themes import discover_themes
from pipeline.extract.lexicon import Lexicon


@dataclass(frozen=True)
class ClusterResult:
    """The tables the cluster stage writes."""

    concepts: pd.DataFrame
    themes: pd.DataFrame
    comment_themes: pd.DataFrame
    claims_resolved: pd.DataFrame


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
    settings = cluster_settings()
    claims_resolved = resolve_concepts(claims, lexicon=lexicon, settings=settings.concepts)
    themes = discover_themes(comments, random_state=random_state, settings=settings.themes)
    return ClusterResult(
        concepts=summarise_concepts(claims_resolved, lexicon=lexicon),
        themes=themes.themes,
        comment_themes=themes.comment_themes,
        claims_resolved=claims_resolved,
    )
