"""The cluster stage's settings, read from ``pipeline/data/themes.yaml``.

Thresholds and word lists are data so that they can be tuned without touching the code;
the loader refuses unknown keys and out-of-range values with a message naming the file.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from pipeline.errors import RuleFileError
from pipeline.io.rule_files import check_keys, packaged_file, parse_yaml, string_list

SETTINGS_FILE = "themes.yaml"
_TOP_KEYS = {"concepts", "themes", "filler_words", "topic_words"}
_CONCEPT_KEYS = {"distance_threshold", "fold_similarity", "category_similarity"}
_THEME_KEYS = {
    "min_k", "max_k", "min_comments", "n_init", "limits_from_comments", "min_document_frequency", "max_document_share",
    "top_terms", "label_terms", "representatives", "choose_k_sample", "minibatch_from", "vocabulary_sample",
}


@dataclass(frozen=True)
class ConceptSettings:
    """How discovered phrases are grouped and matched to the lexicon (cosine scale)."""

    distance_threshold: float = 0.45
    fold_similarity: float = 0.75
    category_similarity: float = 0.55


@dataclass(frozen=True)
class ThemeSettings:
    """How comment themes are found and described."""

    min_k: int = 2
    max_k: int = 8
    min_comments: int = 4
    n_init: int = 10
    limits_from_comments: int = 20
    min_document_frequency: int = 2
    max_document_share: float = 0.6
    top_terms: int = 8
    label_terms: int = 3
    representatives: int = 3
    choose_k_sample: int = 2000
    minibatch_from: int = 50000
    vocabulary_sample: int = 50000
    stop_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClusterSettings:
    concepts: ConceptSettings
    themes: ThemeSettings


@functools.lru_cache(maxsize=1)
def cluster_settings() -> ClusterSettings:
    """The packaged settings, loaded once.

    Raises:
        RuleFileError: the file has an unknown key or a value out of range.
    """
    name, text = packaged_file(SETTINGS_FILE)
    document = check_keys(name, "top level", parse_yaml(name, text) or {}, _TOP_KEYS)
    concepts = check_keys(name, "concepts", document.get("concepts") or {}, _CONCEPT_KEYS)
    themes = check_keys(name, "themes", document.get("themes") or {}, _THEME_KEYS)
    for key, value in concepts.items():
        _check_unit_interval(name, f"concepts.{key}", value)
    _check_unit_interval(name, "themes.max_document_share", themes.get("max_document_share", 0.6))
    for key, value in themes.items():
        if key != "max_document_share" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise RuleFileError(f"{name}: themes.{key}: expected a whole number of at least 1, found {value!r}")
    words = [*string_list(name, "filler_words", document.get("filler_words")),
             *string_list(name, "topic_words", document.get("topic_words"))]
    return ClusterSettings(
        concepts=ConceptSettings(**{key: float(value) for key, value in concepts.items()}),
        themes=ThemeSettings(**themes, stop_words=tuple(sorted({w.lower() for w in words}))),
    )


def _check_unit_interval(name: str, key: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise RuleFileError(f"{name}: {key}: expected a number above 0 and at most 1, found {value!r}")
