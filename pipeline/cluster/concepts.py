"""Concepts: lexicon concepts as they are, discovered phrases folded into concepts.

Claims found by the lexicon (or the drug dictionary) already carry a canonical concept. The
phrases the discovery component found ("copper bracelet", "coconut watter") are spelled as
readers wrote them, so variants of one thing are folded together by character n-gram
similarity: a phrase very close to a known phrase becomes that known concept; the others are
grouped among themselves by agglomerative clustering and named by their most frequent form.
"""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from pipeline.cluster.batches import FrameSource, frame_batches
from pipeline.cluster.columns import bool_values, most_common, require_columns, text_values
from pipeline.cluster.settings import ConceptSettings, cluster_settings
from pipeline.extract.lexicon import Lexicon

OTHER_CATEGORY = "other"
MEMBER_SEPARATOR = "; "
CONCEPT_COLUMNS = ["concept", "members", "claims", "mentions", "discovered", "category", "discovered_members"]
REPLY_REFERENCE = "reply_reference"  # match_rule of a claim a reply makes about its parent's concept
CLAIM_INPUT_COLUMNS = ("concept", "category", "discovered", "surface", "role")

Anchor = tuple[str, str, str]  # (phrase, concept, category) of a concept the pipeline already knows


def cluster_concepts(
    claims: pd.DataFrame,
    *,
    lexicon: Lexicon,
    random_state: int = 0,
    settings: ConceptSettings | None = None,
) -> pd.DataFrame:
    """One row per concept after folding discovered phrases.

    Input columns: ``concept``, ``category``, ``discovered``, ``surface``, ``role``.
    Output columns: ``concept``, ``members`` (the distinct lower-cased surface forms, sorted,
    "; "-joined), ``claims`` (rows of the claims table, mentions included), ``mentions``,
    ``discovered`` (true for a concept that neither the lexicon nor the drug dictionary knows),
    ``category``, ``discovered_members`` (the discovered phrases folded into the concept).
    Sorted by claims (most first), then concept. No side effects.

    ``random_state`` is accepted for the agreed stage interface; agglomerative clustering
    involves no randomness, so the result does not depend on it.
    """
    resolved = resolve_concepts(claims, lexicon=lexicon, settings=settings)
    return summarise_concepts(resolved, lexicon=lexicon)


def resolve_concepts(
    claims: pd.DataFrame, *, lexicon: Lexicon, settings: ConceptSettings | None = None
) -> pd.DataFrame:
    """A copy of ``claims`` with ``cluster`` (the concept a row counts under after folding)
    and ``cluster_category`` (that concept's category).

    Rows found by the lexicon or drug dictionary keep their concept and category.
    """
    require_columns(claims, "claims", ("concept", "category", "discovered"))
    folding = learn_folding(frame_batches(claims), lexicon=lexicon, settings=settings)
    return folding.resolve(claims)


@dataclass(frozen=True)
class Folding:
    """What a first pass over the claims decides: the concept and category of every discovered
    phrase, and the concepts the claims name without discovering them (drug names, lexicon)."""

    phrases: dict[str, tuple[str, str]]
    known: frozenset[str]

    def resolve(self, claims: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``claims`` (a whole table or one batch) with ``cluster`` and ``cluster_category``."""
        concepts = pa.array(text_values(claims["concept"]), type=pa.large_string())
        categories = pa.array(text_values(claims["category"]), type=pa.large_string())
        phrase_names, folded_names = self._folded_columns
        # Where a discovered phrase is one of the folded phrases: its number; elsewhere the row keeps its own.
        phrase = pc.index_in(concepts, value_set=phrase_names)
        folded = pc.and_(pa.array(bool_values(claims["discovered"]).to_numpy(dtype=bool)), phrase.is_valid())
        row_of = pc.fill_null(phrase, 0).to_numpy()
        own_categories = pc.if_else(pc.equal(categories, ""), pa.scalar(OTHER_CATEGORY, pa.large_string()), categories)
        resolved = claims.copy()
        resolved["cluster"] = _strings(pc.if_else(folded, folded_names.column("cluster").take(row_of), concepts))
        resolved["cluster_category"] = _strings(
            pc.if_else(folded, folded_names.column("category").take(row_of), own_categories)
        )
        return resolved

    @functools.cached_property
    def _folded_columns(self) -> tuple[pa.Array, pa.Table]:
        """The folded phrases, and their concepts and categories in the same order (one more row,
        never taken, so that there is always a row to point at)."""
        phrases = list(self.phrases)
        names = pa.table({
            "cluster": pa.array([self.phrases[p][0] for p in phrases] + [""], type=pa.large_string()),
            "category": pa.array([self.phrases[p][1] for p in phrases] + [""], type=pa.large_string()),
        })
        return pa.array(phrases, type=pa.large_string()), names


def _strings(values: pa.Array | pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    """Arrow strings as the pandas "string" array the tables hold."""
    return pd.array(values, dtype="string")


def learn_folding(claims: FrameSource, *, lexicon: Lexicon, settings: ConceptSettings | None = None) -> Folding:
    """Fold the discovered phrases of a claims table read a batch at a time (columns ``concept``,
    ``category``, ``discovered``); memory holds the distinct phrases and concepts only."""
    settings = settings or cluster_settings().concepts
    phrase_counts: Counter[str] = Counter()
    named: set[tuple[str, str]] = set()
    for frame in claims(("concept", "category", "discovered")):
        concepts, categories = text_values(frame["concept"]), text_values(frame["category"])
        discovered = bool_values(frame["discovered"])
        for phrase, count in concepts[discovered].value_counts(sort=False).items():
            if phrase.strip():
                phrase_counts[phrase] += int(count)
        kept = pd.DataFrame({"concept": concepts[~discovered], "category": categories[~discovered]}).drop_duplicates()
        named.update(kept.itertuples(index=False, name=None))
    pairs = sorted(named)
    anchors = known_anchors(lexicon, [concept for concept, _ in pairs], [category for _, category in pairs])
    return Folding(fold_phrases(phrase_counts, anchors, settings), frozenset(concept for concept, _ in pairs))


def summarise_concepts(resolved: pd.DataFrame, *, lexicon: Lexicon) -> pd.DataFrame:
    """The ``concepts`` table from claims that already carry ``cluster`` columns."""
    require_columns(resolved, "claims", (*CLAIM_INPUT_COLUMNS, "cluster", "cluster_category"))
    tally = ConceptTally()
    tally.add(resolved)
    known = set(text_values(resolved["concept"])[~bool_values(resolved["discovered"])])
    return tally.table(lexicon=lexicon, known=known)


@dataclass
class _Concept:
    members: set[str] = field(default_factory=set)
    claims: int = 0
    mentions: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    discovered_members: set[str] = field(default_factory=set)


class ConceptTally:
    """The ``concepts`` table built up from resolved claims, a batch at a time: per concept, its
    forms, counts and categories (memory grows with the concepts, not with the claims)."""

    def __init__(self) -> None:
        self.concepts: dict[str, _Concept] = {}

    def add(self, resolved: pd.DataFrame) -> None:
        """Count the rows of ``resolved`` (claims with ``cluster`` columns)."""
        # Whole-number codes for every text column, so that counting and finding distinct pairs
        # is NumPy's work; Python only visits each distinct concept, category and form once.
        clusters, names = _codes(resolved["cluster"])
        mention = (text_values(resolved["role"]) == "mention").to_numpy(dtype=bool)
        claims = np.bincount(clusters, minlength=len(names))
        mentions = np.bincount(clusters[mention], minlength=len(names))
        for name, claim_count, mention_count in zip(names, claims.tolist(), mentions.tolist()):
            concept = self.concepts.setdefault(name, _Concept())
            concept.claims += claim_count
            concept.mentions += mention_count
        categories, category_names = _codes(resolved["cluster_category"])
        for cluster, category, count in _distinct_pairs(clusters, categories, counted=True):
            self.concepts[names[cluster]].categories[category_names[category]] += count
        forms, form_names = _codes(pd.Series(_member_forms(resolved)))
        for cluster, form, _ in _distinct_pairs(clusters, forms):
            self.concepts[names[cluster]].members.add(form_names[form])
        discovered = bool_values(resolved["discovered"]).to_numpy(dtype=bool)
        phrases, phrase_names = _codes(resolved["concept"])
        for cluster, phrase, _ in _distinct_pairs(clusters[discovered], phrases[discovered]):
            self.concepts[names[cluster]].discovered_members.add(phrase_names[phrase])

    def table(self, *, lexicon: Lexicon, known: Iterable[str]) -> pd.DataFrame:
        """One row per concept (see :func:`cluster_concepts`); ``known``: the concepts the claims
        named without discovering them."""
        known = set(lexicon_categories(lexicon)) | set(known)
        rows = [_concept_row(name, self.concepts[name], name not in known) for name in sorted(self.concepts)]
        concepts = pd.DataFrame(rows, columns=CONCEPT_COLUMNS)
        concepts = concepts.sort_values(["claims", "concept"], ascending=[False, True], kind="mergesort")
        return concepts.reset_index(drop=True).astype({
            "concept": "string", "members": "string", "claims": "int64", "mentions": "int64",
            "discovered": "bool", "category": "string", "discovered_members": "string",
        })


def _member_forms(resolved: pd.DataFrame) -> np.ndarray:
    """Lower-cased surface forms; a reply's pronoun ("it" for the parent's remedy) is no form
    of the concept's name, so it is left out."""
    codes, distinct = _codes(resolved["surface"])
    # Names repeat: each spelling is cleaned once.
    forms = np.array([_clean_form(surface) for surface in distinct] or [""], dtype=object)[codes]
    if "match_rule" in resolved.columns:
        forms = np.where(text_values(resolved["match_rule"]).to_numpy(dtype=object) != REPLY_REFERENCE, forms, "")
    return forms


def _codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """A column's cells as text, coded: a number per row and the distinct texts it indexes."""
    codes, distinct = pd.factorize(text_values(column))
    return codes.astype(np.int64), list(distinct)


def _distinct_pairs(first: np.ndarray, second: np.ndarray, *, counted: bool = False) -> list[tuple[int, int, int]]:
    """The distinct (first, second) code pairs, with how often each occurs when ``counted``."""
    width = int(second.max()) + 1 if len(second) else 1
    pairs, counts = np.unique(first * width + second, return_counts=True) if counted else (np.unique(first * width + second), None)
    counts = counts.tolist() if counted else [0] * len(pairs)
    return [(pair // width, pair % width, count) for pair, count in zip(pairs.tolist(), counts)]


def _concept_row(name: str, concept: _Concept, discovered: bool) -> dict[str, object]:
    return {
        "concept": name,
        "members": MEMBER_SEPARATOR.join(sorted(concept.members - {""})),
        "claims": concept.claims,
        "mentions": concept.mentions,
        "discovered": discovered,
        "category": most_common(concept.categories, OTHER_CATEGORY),
        "discovered_members": MEMBER_SEPARATOR.join(sorted(concept.discovered_members)),
    }


def _clean_form(text: str) -> str:
    return " ".join(text.lower().split())


def lexicon_categories(lexicon: Lexicon) -> dict[str, str]:
    """Canonical concept name -> category, for every lexicon concept."""
    return {c.canonical: lexicon.concepts[c.canonical].category for c in lexicon.concepts.values()}


def known_anchors(lexicon: Lexicon, concepts: Iterable[str], categories: Iterable[str]) -> tuple[Anchor, ...]:
    """Every phrase the lexicon knows, plus the non-discovered concepts of the claims (drug
    names from the dictionary), each with its canonical concept and category; sorted."""
    anchors: dict[str, tuple[str, str]] = {}
    for phrase, entry in lexicon.phrases().items():
        canonical = lexicon.canonical(entry)
        anchors[_clean_form(phrase)] = (canonical.name, canonical.category)
    for concept, category in sorted(zip(concepts, categories)):
        anchors.setdefault(_clean_form(concept), (concept, category or OTHER_CATEGORY))
    return tuple(sorted((phrase, concept, category) for phrase, (concept, category) in anchors.items() if phrase))


def fold_phrases(
    phrase_counts: Counter[str], anchors: Sequence[Anchor], settings: ConceptSettings
) -> dict[str, tuple[str, str]]:
    """Map each discovered phrase to ``(concept, category)``."""
    phrases = sorted(phrase_counts)
    if not phrases:
        return {}
    folder = PhraseFolder(
        anchors=tuple(anchors),
        distance_threshold=settings.distance_threshold,
        fold_similarity=settings.fold_similarity,
        category_similarity=settings.category_similarity,
    ).fit(phrases, sample_weight=[phrase_counts[p] for p in phrases])
    return {p: (c, cat) for p, c, cat in zip(phrases, folder.concepts_, folder.categories_)}


def phrase_vectorizer() -> TfidfVectorizer:
    """Character 2-4-grams within word boundaries: robust to misspellings and plurals."""
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True)


def _dense(matrix: object) -> np.ndarray:
    return matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)


def phrase_clustering_pipeline(distance_threshold: float) -> Pipeline:
    """TF-IDF of character n-grams, then average-linkage clustering on cosine distance.

    The clustering step needs dense rows; phrases are few, so densifying costs little.
    """
    return Pipeline([
        ("tfidf", phrase_vectorizer()),
        ("dense", FunctionTransformer(_dense, accept_sparse=True)),
        ("cluster", AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance_threshold,
        )),
    ])


class PhraseFolder(ClusterMixin, BaseEstimator):
    """Folds phrases into known concepts or into clusters of each other.

    A phrase whose cosine similarity to a known phrase (an anchor) reaches ``fold_similarity``
    becomes the anchor's concept. The other phrases are clustered with
    :func:`phrase_clustering_pipeline`; a cluster is named by its most frequent member (by
    ``sample_weight``; ties go to the shorter, then the alphabetically first form) and takes
    the category of its nearest anchor when that is at least ``category_similarity`` similar,
    else ``"other"``. The result does not depend on the order of the phrases.

    Parameters:
        anchors: ``(phrase, concept, category)`` triples the phrases are compared with.
        distance_threshold: cosine distance below which clusters merge.
        fold_similarity: similarity at which a phrase becomes an anchor's concept.
        category_similarity: similarity at which a cluster takes an anchor's category.

    Attributes:
        concepts_: the concept of each phrase passed to ``fit``, in input order.
        categories_: the category of each phrase.
        folded_: boolean array, true where a phrase became an anchor's concept.
        labels_: integer cluster label of each phrase (equal labels, equal concept),
            numbered in the alphabetical order of the concept names.
    """

    def __init__(
        self,
        anchors: tuple[Anchor, ...] = (),
        distance_threshold: float = 0.45,
        fold_similarity: float = 0.75,
        category_similarity: float = 0.55,
    ) -> None:
        self.anchors = anchors
        self.distance_threshold = distance_threshold
        self.fold_similarity = fold_similarity
        self.category_similarity = category_similarity

    def fit(self, X: Sequence[str], y: None = None, sample_weight: Sequence[float] | None = None) -> "PhraseFolder":
        """Decide the concept of every phrase in ``X``.

        Raises:
            ValueError: a parameter is out of range, an anchor is malformed, a phrase is
                empty, or ``sample_weight`` does not match ``X``.
        """
        phrases, weights = self._validated(X, sample_weight)
        unique = sorted(set(phrases))
        weight_of = Counter()
        for phrase, weight in zip(phrases, weights):
            weight_of[phrase] += weight
        anchors = sorted(set(self.anchors))
        similarity = _anchor_similarity(unique, [a[0] for a in anchors])
        decided = self._fold_into_anchors(unique, anchors, similarity)
        rest = [i for i, phrase in enumerate(unique) if phrase not in decided]
        decided.update(self._cluster_rest([unique[i] for i in rest], similarity[rest], anchors, weight_of))
        self.concepts_ = [decided[p][0] for p in phrases]
        self.categories_ = [decided[p][1] for p in phrases]
        self.folded_ = np.array([decided[p][2] for p in phrases], dtype=bool)
        names = sorted(set(self.concepts_))
        self.labels_ = np.array([names.index(c) for c in self.concepts_], dtype=np.int64)
        return self

    def _validated(self, X: Sequence[str], sample_weight: Sequence[float] | None) -> tuple[list[str], list[float]]:
        if not 0 < self.distance_threshold <= 2:
            raise ValueError(f"distance_threshold must be in (0, 2], got {self.distance_threshold!r}")
        for name in ("fold_similarity", "category_similarity"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in (0, 1], got {getattr(self, name)!r}")
        if any(not (isinstance(a, tuple) and len(a) == 3 and all(isinstance(v, str) for v in a)) for a in self.anchors):
            raise ValueError("anchors must be (phrase, concept, category) tuples of strings")
        phrases = [str(p) for p in X]
        if any(not p.strip() for p in phrases):
            raise ValueError("phrases must be non-empty")
        weights = [1.0] * len(phrases) if sample_weight is None else [float(w) for w in sample_weight]
        if len(weights) != len(phrases):
            raise ValueError(f"sample_weight has {len(weights)} values for {len(phrases)} phrases")
        return phrases, weights

    def _fold_into_anchors(
        self, unique: list[str], anchors: list[Anchor], similarity: np.ndarray
    ) -> dict[str, tuple[str, str, bool]]:
        decided = {}
        for row, phrase in enumerate(unique):
            if anchors and similarity[row].max() >= self.fold_similarity:
                _, concept, category = anchors[int(similarity[row].argmax())]  # argmax: first of ties
                decided[phrase] = (concept, category, True)
        return decided

    def _cluster_rest(
        self, phrases: list[str], similarity: np.ndarray, anchors: list[Anchor], weight_of: Counter
    ) -> dict[str, tuple[str, str, bool]]:
        if not phrases:
            return {}
        if len(phrases) == 1:
            labels = np.zeros(1, dtype=np.int64)
        else:
            labels = phrase_clustering_pipeline(self.distance_threshold).fit_predict(phrases)
        decided = {}
        for label in sorted(set(labels.tolist())):
            rows = [i for i, value in enumerate(labels) if value == label]
            members = [phrases[i] for i in rows]
            name = min(members, key=lambda p: (-weight_of[p], len(p), p))
            category = self._nearest_category(similarity[rows], anchors)
            decided.update({member: (name, category, False) for member in members})
        return decided

    def _nearest_category(self, similarity: np.ndarray, anchors: list[Anchor]) -> str:
        if not anchors or similarity.size == 0:
            return OTHER_CATEGORY
        best = similarity.max(axis=0)
        column = int(best.argmax())
        return anchors[column][2] if best[column] >= self.category_similarity else OTHER_CATEGORY


def _anchor_similarity(phrases: list[str], anchor_phrases: list[str]) -> np.ndarray:
    """Cosine similarity of every phrase to every anchor phrase (rows: phrases).

    The vectorizer learns its vocabulary from both sides; fitted on one side alone it would
    drop the other side's unseen n-grams and overstate their similarity.
    """
    if not anchor_phrases or not phrases:
        return np.zeros((len(phrases), len(anchor_phrases)))
    vectorizer = phrase_vectorizer().fit(sorted(set(phrases) | set(anchor_phrases)))
    return (vectorizer.transform(phrases) @ vectorizer.transform(anchor_phrases).T).toarray()
