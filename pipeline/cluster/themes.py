"""Themes: what the comments talk about, found by k-means over TF-IDF word vectors.

Comments are vectorised with TF-IDF over word unigrams and bigrams (English stop words, forum
filler and the page's own topic words removed) and grouped with k-means. k is chosen by the
best mean silhouette (cosine) over ``min_k..max_k``; ties go to the smaller k. Each theme is
described by the heaviest terms of its centroid and the comments closest to it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import silhouette_score

from pipeline.cluster.columns import require_columns, shortened, text_values
from pipeline.cluster.settings import ThemeSettings, cluster_settings

THEME_COLUMNS = [
    "theme", "label", "size", "top_terms", "representative_ids", "example", "k", "criterion", "score",
]
COMMENT_THEME_COLUMNS = ["comment_id", "theme", "similarity"]
THEME_TYPES = {
    "theme": "int64", "label": "string", "size": "int64", "top_terms": "string", "representative_ids": "string",
    "example": "string", "k": "int64", "criterion": "string", "score": "float64",
}
COMMENT_THEME_TYPES = {"comment_id": "string", "theme": "int64", "similarity": "float64"}
TERM_SEPARATOR = "; "
EXAMPLE_CHARS = 200
# Letters only: numbers and doses ("400mg") say little about a theme.
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
DIGITS = 4  # floats are rounded so that tables are byte-identical across machines


@dataclass(frozen=True)
class ThemeResult:
    """``themes`` (one row per theme) and ``comment_themes`` (one row per themed comment)."""

    themes: pd.DataFrame
    comment_themes: pd.DataFrame


@dataclass(frozen=True)
class _Choice:
    labels: np.ndarray
    k: int
    criterion: str
    score: float


def find_themes(comments: pd.DataFrame, *, random_state: int = 0, settings: ThemeSettings | None = None) -> pd.DataFrame:
    """The ``themes`` table of :func:`discover_themes`."""
    return discover_themes(comments, random_state=random_state, settings=settings).themes


def discover_themes(
    comments: pd.DataFrame, *, random_state: int = 0, settings: ThemeSettings | None = None
) -> ThemeResult:
    """Group comments into themes.

    Input columns: ``comment_id``, ``text``.
    Output ``themes``: ``theme`` (1 = largest), ``label`` (top 2-3 terms), ``size``,
    ``top_terms`` and ``representative_ids`` ("; "-joined, best first), ``example`` (the most
    representative comment, at most 200 characters), ``k``, ``criterion`` (how k was chosen),
    ``score`` (the chosen k's mean silhouette; empty when k was not chosen by silhouette).
    Output ``comment_themes``: ``comment_id``, ``theme``, ``similarity`` (cosine to the
    theme's centroid). Comments with no content words (empty, or filler only) get no theme.
    Fewer than ``min_comments`` themable comments form a single theme. The same comments give
    the same themes whatever their row order. No side effects.
    """
    require_columns(comments, "comments", ("comment_id", "text"))
    settings = settings or cluster_settings().themes
    ordered = pd.DataFrame({"comment_id": text_values(comments["comment_id"]), "text": text_values(comments["text"])})
    ordered = ordered.sort_values(["comment_id", "text"], kind="mergesort").reset_index(drop=True)
    vectors, terms = _vectorise(ordered["text"].tolist(), settings)
    themable = np.flatnonzero(vectors.getnnz(axis=1) > 0) if vectors is not None else np.array([], dtype=int)
    if themable.size == 0:
        return ThemeResult(_empty(THEME_TYPES), _empty(COMMENT_THEME_TYPES))
    vectors = vectors[themable]
    ids = ordered["comment_id"].to_numpy()[themable]
    texts = ordered["text"].to_numpy()[themable]
    choice = _choose_k(vectors, settings, random_state)
    return _describe(vectors, terms, ids, texts, choice, settings)


def theme_vectorizer(settings: ThemeSettings, *, min_df: int = 1, max_df: float = 1.0) -> TfidfVectorizer:
    """Word unigrams and bigrams, English stop words plus the filler and topic words of the settings."""
    return TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
        stop_words=sorted(ENGLISH_STOP_WORDS | set(settings.stop_words)),
        min_df=min_df,
        max_df=max_df,
        sublinear_tf=True,
    )


def _vectorise(texts: list[str], settings: ThemeSettings) -> tuple[sparse.csr_matrix | None, np.ndarray]:
    """TF-IDF rows of ``texts``; ``None`` when no comment has a content word.

    The document-frequency limits apply from ``limits_from_comments`` non-empty comments on,
    and are dropped when they would keep no term at all.
    """
    limits = [(1, 1.0)]
    if sum(1 for text in texts if text.strip()) >= settings.limits_from_comments:
        limits.insert(0, (settings.min_document_frequency, settings.max_document_share))
    learning = [texts[row] for row in _even_sample(len(texts), settings.vocabulary_sample)]
    for min_df, max_df in limits:
        try:
            vectorizer = theme_vectorizer(settings, min_df=min_df, max_df=max_df).fit(learning)
        except ValueError:  # sklearn's "empty vocabulary" / "no terms remain": only stop words
            continue
        vectors = _transform_in_blocks(vectorizer, texts, settings.vocabulary_sample)
        if vectors.nnz:
            return vectors, vectorizer.get_feature_names_out()
    return None, np.array([], dtype=object)


def _transform_in_blocks(vectorizer: TfidfVectorizer, texts: list[str], block: int) -> sparse.csr_matrix:
    """TF-IDF rows of ``texts``, a block of comments at a time (the same rows as one call)."""
    blocks = [vectorizer.transform(texts[start : start + block]) for start in range(0, len(texts), block)]
    return sparse.csr_matrix(sparse.vstack(blocks, format="csr")) if blocks else sparse.csr_matrix((0, 0))


def _choose_k(vectors: sparse.csr_matrix, settings: ThemeSettings, random_state: int) -> _Choice:
    rows = vectors.shape[0]
    sample_rows = _even_sample(rows, settings.choose_k_sample)
    sample = vectors[sample_rows]
    distinct = len({tuple(row.indices) + tuple(np.round(row.data, 12)) for row in sample})
    largest = min(settings.max_k, distinct - 1)
    if rows < settings.min_comments or largest < settings.min_k:
        reason = f"one theme: {rows} comment(s) with content words, fewer than {settings.min_comments} to compare"
        return _Choice(np.zeros(rows, dtype=np.int64), 1, reason, float("nan"))
    best: _Choice | None = None
    for k in range(settings.min_k, largest + 1):
        labels = KMeans(n_clusters=k, n_init=settings.n_init, random_state=random_state).fit_predict(sample)
        if len(set(labels.tolist())) < 2:
            continue
        score = round(float(silhouette_score(sample, labels, metric="cosine")), DIGITS)
        if best is None or score > best.score:
            best = _Choice(labels, k, "", score)
    if best is None:
        return _Choice(np.zeros(rows, dtype=np.int64), 1, "one theme: k-means found no second group", float("nan"))
    over = f"k={settings.min_k}..{largest}"
    if len(sample_rows) == rows:
        criterion = f"best mean silhouette (cosine) over {over}: {best.score:.{DIGITS}f}"
        return _Choice(best.labels, best.k, criterion, best.score)
    criterion = f"best mean silhouette (cosine) over {over} on an even sample of {len(sample_rows)} comments: {best.score:.{DIGITS}f}"
    return _Choice(_fit_all(vectors, best.k, settings, random_state), best.k, criterion, best.score)


def _even_sample(rows: int, size: int) -> np.ndarray:
    """Evenly spaced row numbers; rows are in comment-id order, so this is a fixed, spread sample."""
    if rows <= size:
        return np.arange(rows)
    return np.unique(np.linspace(0, rows - 1, size).astype(np.int64))


def _fit_all(vectors: sparse.csr_matrix, k: int, settings: ThemeSettings, random_state: int) -> np.ndarray:
    if vectors.shape[0] >= settings.minibatch_from:
        model = MiniBatchKMeans(n_clusters=k, n_init=settings.n_init, random_state=random_state, batch_size=4096)
    else:
        model = KMeans(n_clusters=k, n_init=settings.n_init, random_state=random_state)
    return model.fit_predict(vectors)


def _describe(
    vectors: sparse.csr_matrix, terms: np.ndarray, ids: np.ndarray, texts: np.ndarray, choice: _Choice, settings: ThemeSettings
) -> ThemeResult:
    groups = [np.flatnonzero(choice.labels == label) for label in sorted(set(choice.labels.tolist()))]
    # Largest theme first; equal sizes in the order of their first comment id (ids are sorted).
    groups.sort(key=lambda rows: (-len(rows), rows[0]))
    theme_rows, assignment = [], []
    for number, rows in enumerate(groups, start=1):
        centroid = np.asarray(vectors[rows].mean(axis=0)).ravel()
        similarity = _cosine_to(vectors[rows], centroid)
        closest = sorted(range(len(rows)), key=lambda i: (-similarity[i], ids[rows[i]]))
        top = _top_terms(centroid, terms, settings.top_terms)
        theme_rows.append({
            "theme": number,
            "label": theme_label(top, settings.label_terms),
            "size": len(rows),
            "top_terms": TERM_SEPARATOR.join(top),
            "representative_ids": TERM_SEPARATOR.join(ids[rows[i]] for i in closest[: settings.representatives]),
            "example": shortened(texts[rows[closest[0]]], EXAMPLE_CHARS),
            "k": choice.k,
            "criterion": choice.criterion,
            "score": choice.score,
        })
        assignment.extend({"comment_id": ids[rows[i]], "theme": number, "similarity": round(float(similarity[i]), DIGITS)} for i in range(len(rows)))
    themes = pd.DataFrame(theme_rows, columns=THEME_COLUMNS).astype(THEME_TYPES)
    comment_themes = pd.DataFrame(assignment, columns=COMMENT_THEME_COLUMNS).sort_values("comment_id", kind="mergesort")
    comment_themes = comment_themes.reset_index(drop=True).astype(COMMENT_THEME_TYPES)
    return ThemeResult(themes, comment_themes)


def _cosine_to(rows: sparse.csr_matrix, centroid: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return np.zeros(rows.shape[0])
    row_norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    return np.asarray(rows @ centroid).ravel() / np.where(row_norms == 0, 1, row_norms) / norm


def _top_terms(centroid: np.ndarray, terms: np.ndarray, count: int) -> list[str]:
    """Heaviest terms first; equal weights in alphabetical order."""
    weights = np.round(centroid, 12)
    order = np.lexsort((terms, -weights))
    return [str(terms[i]) for i in order if weights[i] > 0][:count]


def theme_label(top_terms: list[str], count: int) -> str:
    """A readable label from the top terms, at most ``count`` of them.

    A bigram replaces the words it contains ("tonic", "water" -> "tonic water"), and a word
    that an already chosen bigram contains is skipped, so that no word is said twice.
    """
    chosen: list[str] = []
    for term in top_terms:
        words = set(term.split())
        overlapping = [i for i, other in enumerate(chosen) if words & set(other.split())]
        if not overlapping:
            if len(chosen) < count:
                chosen.append(term)
        elif len(words) > 1 and all(" " not in chosen[i] for i in overlapping):
            chosen[overlapping[0]] = term
            chosen = [c for i, c in enumerate(chosen) if i not in overlapping[1:]]
    return ", ".join(chosen)


def _empty(types: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in types.items()})
