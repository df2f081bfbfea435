"""Themes: what the comments talk about, found by k-means over TF-IDF word vectors.

Comments are vectorised with TF-IDF over word unigrams and bigrams (English stop words, forum
filler and the page's own topic words removed) and grouped with k-means. k is chosen by the
best mean silhouette (cosine) over ``min_k..max_k``; ties go to the smaller k. Each theme is
described by the heaviest terms of its centroid and the comments closest to it.

Memory stays flat however many comments there are: the vocabulary and the k-means model are
learnt from an evenly spaced sample of at most ``vocabulary_sample`` comments (in comment-id
order, so the sample does not depend on row order or batch size), and every comment is then
vectorised and assigned to its nearest theme a record batch at a time. The batches' vectors go
to a temporary folder, not to memory, for the two passes that need the finished themes
(centroids, then each comment's similarity to its centroid). Up to ``vocabulary_sample``
comments the sample is the whole corpus and the themes are those of k-means fitted on all of them.

Per comment, memory keeps numbers only: its place in comment-id order (8 bytes), whether its id
starts a run of equal ids (1), and once assigned its theme (1-2) and similarity (8). The sorted
comment ids themselves wait in the temporary folder, a record batch at a time, until the
``comment_themes`` table is put together at the end.
"""
from __future__ import annotations

import heapq
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer
from sklearn.metrics import pairwise_distances_chunked, silhouette_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

from pipeline.cluster.batches import BATCH_ROWS, FrameSource, frame_batches
from pipeline.cluster.columns import require_columns, shortened, text_values
from pipeline.cluster.counting import VocabularyCounter, learn_vocabulary
from pipeline.cluster.settings import ThemeSettings, cluster_settings
from pipeline.cluster.tokens import LETTER_WORDS, letter_words

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
TOKEN_PATTERN = LETTER_WORDS
DIGITS = 4  # floats are rounded so that tables are byte-identical across machines


@dataclass(frozen=True)
class ThemeResult:
    """``themes`` (one row per theme) and ``comment_themes`` (one row per themed comment)."""

    themes: pd.DataFrame
    comment_themes: pd.DataFrame


Model = Union[KMeans, MiniBatchKMeans, None]  # None: one theme, every comment in it
COMMENT_COLUMNS = ("comment_id", "text")


@dataclass(frozen=True)
class _Choice:
    model: Model
    k: int
    criterion: str
    score: float


@dataclass(frozen=True)
class _Order:
    """Where each row of the comments table stands in (comment id, text) order."""

    rank: np.ndarray  # rank[row]: the row's position in that order
    new_id: np.ndarray  # new_id[position]: the id there differs from the one before it
    ids: "_SpilledIds"  # the comment ids in that order, on disk
    non_blank: int  # comments whose text is not blank

    @property
    def rows(self) -> int:
        return len(self.rank)

    def id_start(self, positions: np.ndarray) -> np.ndarray:
        """The first position holding the same comment id as each of ``positions``."""
        if self.new_id.all():
            return positions
        starts = np.maximum.accumulate(np.where(self.new_id, np.arange(self.rows), 0))
        return starts[positions]


class _SpilledIds:
    """Sorted comment ids in an Arrow file of record batches of ``rows`` ids each, read back a
    batch at a time, so that memory does not hold an id per comment."""

    def __init__(self, path: Path, rows: int = BATCH_ROWS) -> None:
        self.path, self.rows = path, rows

    def write(self, ids: pa.ChunkedArray, order: np.ndarray) -> np.ndarray:
        """Write ``ids`` in ``order``, a batch at a time (no sorted copy of them all in memory);
        return by position whether the id there starts a run of equal ids."""
        schema = pa.schema([("id", pa.large_string())])
        starts, previous = [np.ones(0, dtype=bool)], None
        with pa.OSFile(str(self.path), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            for start in range(0, len(order), self.rows):
                piece = ids.take(pa.array(order[start : start + self.rows])).combine_chunks()
                writer.write_batch(pa.record_batch([piece], schema=schema))
                starts.append(_starts_of_runs(piece, previous))
                previous = piece[len(piece) - 1].as_py()
        return np.concatenate(starts)

    def take(self, positions: np.ndarray) -> pa.Array:
        """The ids at ``positions`` (ascending, repeats allowed), as one array."""
        pieces = [pa.array([], type=pa.large_string())]
        with pa.OSFile(str(self.path), "rb") as source:
            reader = pa.ipc.open_file(source)
            bounds = np.searchsorted(positions, np.arange(reader.num_record_batches + 1) * self.rows)
            for number in range(reader.num_record_batches):
                wanted = positions[bounds[number] : bounds[number + 1]] - number * self.rows
                if len(wanted):
                    pieces.append(reader.get_batch(number).column(0).take(pa.array(wanted)))
        return pa.concat_arrays(pieces)


@dataclass(frozen=True)
class _Themer:
    """What the sample taught: the vocabulary and the model that assigns comments to themes."""

    terms: np.ndarray  # the vocabulary, in column order (what ``get_feature_names_out`` gives)
    counter: VocabularyCounter  # the vocabulary's counts, a batch at a time
    weights: TfidfTransformer  # fitted to the sample's counts
    choice: _Choice
    sample_ranks: np.ndarray  # the (id, text) positions of the sample, ascending
    sample_vectors: sparse.csr_matrix  # their TF-IDF rows, kept so that they are not vectorised twice

    def tf_idf(self, texts: np.ndarray) -> sparse.csr_matrix:
        """The rows :func:`theme_vectorizer` would give ``texts``, counted for the whole batch at once."""
        return sparse.csr_matrix(self.weights.transform(self.counter.transform(texts)))

    def vectorise(self, texts: np.ndarray, ranks: np.ndarray) -> sparse.csr_matrix:
        """TF-IDF rows of ``texts`` (at positions ``ranks``), taken from the sample where it has them."""
        slots = np.minimum(np.searchsorted(self.sample_ranks, ranks), len(self.sample_ranks) - 1)
        sampled = self.sample_ranks[slots] == ranks
        if sampled.all():
            return self.sample_vectors[slots]
        fresh = self.tf_idf(texts[~sampled])
        if not sampled.any():
            return fresh
        stacked = sparse.vstack([self.sample_vectors[slots[sampled]], fresh], format="csr")
        return stacked[np.argsort(np.concatenate([np.flatnonzero(sampled), np.flatnonzero(~sampled)]))]


@dataclass
class _Tally:
    """Per-label figures gathered while the comments stream past."""

    sizes: np.ndarray
    first_rank: np.ndarray
    pieces: list[Path]


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
    require_columns(comments, "comments", COMMENT_COLUMNS)
    return themes_of_batches(frame_batches(comments), random_state=random_state, settings=settings)


def themes_of_batches(
    comments: FrameSource, *, random_state: int = 0, settings: ThemeSettings | None = None
) -> ThemeResult:
    """:func:`discover_themes` over a comments table read a record batch at a time.

    Memory holds the sample, the model, the per-theme figures and four numbers per comment;
    the same comments give the same tables whatever the batch size.
    """
    settings = settings or cluster_settings().themes
    # One thread: k-means runs on small samples, where OpenMP threads spend more time waiting
    # for each other (and for the other processes of the machine) than computing.
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory(prefix="remedy-miner-themes-") as spill:
        order = _comment_order(comments, _SpilledIds(Path(spill) / "ids.arrow"))
        themer = _learn_themes(comments, order, settings, random_state)
        if themer is None:
            return ThemeResult(_empty(THEME_TYPES), _empty(COMMENT_THEME_TYPES))
        tally = _assign(comments, order, themer, Path(spill))
        centroids = _centroids(tally, len(themer.terms))
        themes, assigned = _describe(comments, order, themer, tally, centroids, settings)
        del themer, tally, centroids  # the sample and the model: gone before the per-comment table is built
        return ThemeResult(themes, _comment_themes(order, *assigned))


def _comment_order(comments: FrameSource, spilled: _SpilledIds) -> _Order:
    """The (comment id, text) order of the rows, as :meth:`DataFrame.sort_values` would give it;
    the sorted ids go to ``spilled``."""
    pieces, non_blank = [], 0
    for frame in comments(COMMENT_COLUMNS):
        pieces.append(pa.array(text_values(frame["comment_id"]).to_numpy(dtype=object), type=pa.large_string()))
        non_blank += sum(map(bool, map(str.strip, text_values(frame["text"]).to_numpy(dtype=object))))
    ids = pa.chunked_array(pieces, type=pa.large_string())
    del pieces
    order = pc.sort_indices(ids).to_numpy()  # stable, like a merge sort
    new_id = spilled.write(ids, order)
    if not new_id.all():  # a comment id twice (not from ingest): the texts settle the order
        texts = pa.array(_all_texts(comments), type=pa.large_string())
        keys = pa.table({"id": ids, "text": texts})
        order = pc.sort_indices(keys, sort_keys=[("id", "ascending"), ("text", "ascending")]).to_numpy()
        new_id = spilled.write(ids, order)
    del ids
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return _Order(rank, new_id, spilled, non_blank)


def _starts_of_runs(sorted_ids: pa.Array, previous: str | None = None) -> np.ndarray:
    """True where a sorted id differs from the one before it (``previous`` before the first)."""
    if len(sorted_ids) == 0:
        return np.ones(0, dtype=bool)
    first = previous is None or sorted_ids[0].as_py() != previous
    if len(sorted_ids) == 1:
        return np.array([first])
    same = pc.equal(sorted_ids.slice(1), sorted_ids.slice(0, len(sorted_ids) - 1)).to_numpy(zero_copy_only=False)
    return np.concatenate([[first], ~same])


def _all_texts(comments: FrameSource) -> list[str]:
    return [text for frame in comments(COMMENT_COLUMNS) for text in text_values(frame["text"])]


def _texts_at(comments: FrameSource, order: _Order, positions: np.ndarray) -> list[str]:
    """The texts at ``positions`` (ascending, distinct) of the (id, text) order, in that order."""
    texts = [""] * len(positions)
    start = 0
    for frame in comments(("text",)):
        ranks = order.rank[start : start + len(frame)]
        start += len(frame)
        slots = np.minimum(np.searchsorted(positions, ranks), max(len(positions) - 1, 0))
        wanted = np.flatnonzero(positions[slots] == ranks) if len(positions) else np.zeros(0, dtype=np.int64)
        if len(wanted):
            values = text_values(frame["text"]).to_numpy(dtype=object)
            for row in wanted:
                texts[slots[row]] = values[row]
    return texts


def _learn_themes(comments: FrameSource, order: _Order, settings: ThemeSettings, random_state: int) -> _Themer | None:
    """Vocabulary, k and the k-means model, from an even sample of the comments in id order;
    ``None`` when no comment has a content word."""
    positions = _even_sample(order.rows, settings.vocabulary_sample)
    fitted = _vectorise(_texts_at(comments, order, positions), order.non_blank, settings)
    if fitted is None:
        return None
    terms, counter, weights, vectors = fitted
    themable = vectors[np.flatnonzero(vectors.getnnz(axis=1) > 0)]
    choice = _choose_k(themable, settings, random_state)
    return _Themer(terms, counter, weights, choice, positions, vectors)


def theme_vectorizer(settings: ThemeSettings, *, min_df: int = 1, max_df: float = 1.0) -> Pipeline:
    """TF-IDF of word unigrams and bigrams, English stop words plus the filler and topic words of
    the settings removed.

    What :class:`TfidfVectorizer` computes, as counts then weights: ``fit_transform`` then gives
    the rows ``transform`` gives, bit for bit (the counts' columns are put in order first).
    The stage learns and counts the same vocabulary faster (:func:`_vectorise`); this is the
    definition it reproduces, and the tests hold it to.
    """
    counts = CountVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
        stop_words=theme_stop_words(settings),
        min_df=min_df,
        max_df=max_df,
        dtype=np.float64,
    )
    return Pipeline([
        ("counts", counts),
        ("in_column_order", FunctionTransformer(_sorted_indices, accept_sparse=True)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
    ])


def theme_stop_words(settings: ThemeSettings) -> list[str]:
    """English stop words plus the filler and topic words of the settings, sorted."""
    return sorted(ENGLISH_STOP_WORDS | set(settings.stop_words))


def _sorted_indices(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    ordered = sparse.csr_matrix(matrix, copy=True)
    ordered.sort_indices()
    return ordered


def _vectorise(
    sample: list[str], non_blank: int, settings: ThemeSettings
) -> tuple[np.ndarray, VocabularyCounter, TfidfTransformer, sparse.csr_matrix] | None:
    """What :func:`theme_vectorizer` learns from ``sample`` (its terms, their counter and the
    fitted weights) and the sample's TF-IDF rows; ``None`` when no comment has a content word.
    Each comment's words are found once.

    The document-frequency limits apply from ``limits_from_comments`` non-blank comments (in
    the whole table) on, and are dropped when they would keep no term at all. A vocabulary
    learnt from the sample always gives some sample comment a term, so an empty sample matrix
    means an empty one for every comment.
    """
    limits = [(1, 1.0)]
    if non_blank >= settings.limits_from_comments:
        limits.insert(0, (settings.min_document_frequency, settings.max_document_share))
    found = letter_words(sample)
    stop_words = theme_stop_words(settings)
    for min_df, max_df in limits:
        vocabulary = learn_vocabulary(found, stop_words, min_df=min_df, max_df=max_df)
        if vocabulary is None:  # only stop words, or no term within the limits
            continue
        counter = VocabularyCounter(vocabulary, stop_words)
        counts = counter.count(found)
        weights = TfidfTransformer(sublinear_tf=True).fit(counts)
        vectors = sparse.csr_matrix(weights.transform(counts))
        if vectors.nnz:
            return np.array(sorted(vocabulary), dtype=object), counter, weights, vectors
    return None


def _choose_k(vectors: sparse.csr_matrix, settings: ThemeSettings, random_state: int) -> _Choice:
    rows = vectors.shape[0]
    sample_rows = _even_sample(rows, settings.choose_k_sample)
    sample = vectors[sample_rows]
    distinct = len({tuple(row.indices) + tuple(np.round(row.data, 12)) for row in sample})
    largest = min(settings.max_k, distinct - 1)
    if rows < settings.min_comments or largest < settings.min_k:
        reason = f"one theme: {rows} comment(s) with content words, fewer than {settings.min_comments} to compare"
        return _Choice(None, 1, reason, float("nan"))
    best: _Choice | None = None
    distances = _cosine_distances(sample)
    for k in range(settings.min_k, largest + 1):
        model = KMeans(n_clusters=k, n_init=settings.n_init, random_state=random_state)
        labels = model.fit_predict(sample)
        if len(set(labels.tolist())) < 2:
            continue
        score = round(float(silhouette_score(distances, labels, metric="precomputed")), DIGITS)
        if best is None or score > best.score:
            best = _Choice(model, k, "", score)
    if best is None:
        return _Choice(None, 1, "one theme: k-means found no second group", float("nan"))
    over = f"k={settings.min_k}..{largest}"
    if len(sample_rows) == rows:
        criterion = f"best mean silhouette (cosine) over {over}: {best.score:.{DIGITS}f}"
        return _Choice(best.model, best.k, criterion, best.score)
    criterion = f"best mean silhouette (cosine) over {over} on an even sample of {len(sample_rows)} comments: {best.score:.{DIGITS}f}"
    return _Choice(_fit_all(vectors, best.k, settings, random_state), best.k, criterion, best.score)


def _cosine_distances(sample: sparse.csr_matrix) -> np.ndarray:
    """The distances ``silhouette_score(sample, labels, metric="cosine")`` computes, once for every k:
    the same chunks, so the same scores to the last bit."""
    return np.vstack(list(pairwise_distances_chunked(sample, metric="cosine")))


def _even_sample(rows: int, size: int) -> np.ndarray:
    """Evenly spaced row numbers; rows are in comment-id order, so this is a fixed, spread sample."""
    if rows <= size:
        return np.arange(rows)
    return np.unique(np.linspace(0, rows - 1, size).astype(np.int64))


def _fit_all(vectors: sparse.csr_matrix, k: int, settings: ThemeSettings, random_state: int) -> KMeans | MiniBatchKMeans:
    if vectors.shape[0] >= settings.minibatch_from:
        model = MiniBatchKMeans(n_clusters=k, n_init=settings.n_init, random_state=random_state, batch_size=4096)
    else:
        model = KMeans(n_clusters=k, n_init=settings.n_init, random_state=random_state)
    return model.fit(vectors)


def _assign(comments: FrameSource, order: _Order, themer: _Themer, spill: Path) -> _Tally:
    """Vectorise and label every comment, a batch at a time; each batch's themable rows (in id
    order), labels and ranks go to ``spill``."""
    k = themer.choice.k
    tally = _Tally(np.zeros(k, dtype=np.int64), np.full(k, order.rows, dtype=np.int64), [])
    start = 0
    for number, frame in enumerate(comments(("text",))):
        ranks = order.rank[start : start + len(frame)]
        start += len(frame)
        in_id_order = np.argsort(ranks, kind="stable")
        ranks = ranks[in_id_order]
        vectors = themer.vectorise(text_values(frame["text"]).to_numpy(dtype=object)[in_id_order], ranks)
        themable = np.flatnonzero(vectors.getnnz(axis=1) > 0)
        if themable.size == 0:
            continue
        vectors, ranks = vectors[themable], ranks[themable]
        labels = _labels(themer.choice.model, vectors)
        np.add.at(tally.sizes, labels, 1)
        np.minimum.at(tally.first_rank, labels, ranks)
        tally.pieces.append(_save_piece(spill / f"{number}.npz", vectors, labels, ranks))
    return tally


def _labels(model: Model, vectors: sparse.csr_matrix) -> np.ndarray:
    if model is None:
        return np.zeros(vectors.shape[0], dtype=np.int64)
    return model.predict(vectors).astype(np.int64)


def _save_piece(path: Path, vectors: sparse.csr_matrix, labels: np.ndarray, ranks: np.ndarray) -> Path:
    np.savez(path, data=vectors.data, indices=vectors.indices, indptr=vectors.indptr,
             shape=np.array(vectors.shape), labels=labels, ranks=ranks)
    return path


def _pieces(tally: _Tally) -> Iterator[tuple[sparse.csr_matrix, np.ndarray, np.ndarray]]:
    for path in tally.pieces:
        with np.load(path) as piece:
            vectors = sparse.csr_matrix((piece["data"], piece["indices"], piece["indptr"]), shape=tuple(piece["shape"]))
            yield vectors, piece["labels"], piece["ranks"]


def _centroids(tally: _Tally, terms: int) -> np.ndarray:
    """The mean TF-IDF row of each label, summed row by row in order as a sparse mean does."""
    sums = np.zeros((len(tally.sizes), terms))
    scale = 1.0 / np.maximum(tally.sizes, 1)
    flat = sums.reshape(-1)
    for vectors, labels, _ in _pieces(tally):
        row_of_value = np.repeat(np.arange(vectors.shape[0]), np.diff(vectors.indptr))
        targets = labels[row_of_value] * terms + vectors.indices
        np.add.at(flat, targets, vectors.data * scale[labels][row_of_value])
    return sums


def _describe(
    comments: FrameSource, order: _Order, themer: _Themer, tally: _Tally, centroids: np.ndarray, settings: ThemeSettings
) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The ``themes`` table, and what :func:`_comment_themes` needs: each label's theme number,
    and by (id, text) position the label (-1: no theme) and the similarity."""
    present = [label for label in range(len(tally.sizes)) if tally.sizes[label]]
    # Largest theme first; equal sizes in the order of their first comment id.
    present.sort(key=lambda label: (-tally.sizes[label], tally.first_rank[label]))
    number_of = np.zeros(len(tally.sizes), dtype=np.int64)
    number_of[present] = np.arange(1, len(present) + 1)
    closest, assigned = _similarities(tally, centroids, settings.representatives, order.rows)
    examples = _texts_of_ranks(comments, order, [closest[label][0][1] for label in present])
    representatives = _representative_ids(order, closest)
    terms = themer.terms
    theme_rows = []
    for number, label in enumerate(present, start=1):
        top = _top_terms(centroids[label], terms, settings.top_terms)
        theme_rows.append({
            "theme": number,
            "label": theme_label(top, settings.label_terms),
            "size": int(tally.sizes[label]),
            "top_terms": TERM_SEPARATOR.join(top),
            "representative_ids": TERM_SEPARATOR.join(representatives[rank] for _, rank in closest[label]),
            "example": shortened(examples[closest[label][0][1]], EXAMPLE_CHARS),
            "k": themer.choice.k,
            "criterion": themer.choice.criterion,
            "score": themer.choice.score,
        })
    themes = pd.DataFrame(theme_rows, columns=THEME_COLUMNS).astype(THEME_TYPES)
    return themes, (number_of, *assigned)


def _representative_ids(order: _Order, closest: dict[int, list[tuple[float, int]]]) -> dict[int, str]:
    """The comment id at each representative's position."""
    positions = np.array(sorted({rank for best in closest.values() for _, rank in best}), dtype=np.int64)
    return dict(zip(positions.tolist(), order.ids.take(positions).to_pylist()))


def _label_type(labels: int) -> type:
    """The smallest integer type that holds every label and -1 (no theme)."""
    return np.int8 if labels < 127 else np.int64


def _similarities(
    tally: _Tally, centroids: np.ndarray, representatives: int, rows: int
) -> tuple[dict[int, list[tuple[float, int]]], tuple[np.ndarray, np.ndarray]]:
    """Each label's closest comments as (-similarity, rank), best first, and by (id, text)
    position of all ``rows`` comments the label (-1: no theme) and rounded similarity."""
    closest: dict[int, list[tuple[float, int]]] = {label: [] for label in range(len(tally.sizes))}
    label_at = np.full(rows, -1, dtype=_label_type(len(tally.sizes)))
    similarity_at = np.zeros(rows)
    for vectors, piece_labels, piece_ranks in _pieces(tally):
        similarity = np.zeros(vectors.shape[0])
        for label in np.unique(piece_labels):
            rows = np.flatnonzero(piece_labels == label)
            similarity[rows] = _cosine_to(vectors[rows], centroids[label])
            best = rows[np.lexsort((piece_ranks[rows], -similarity[rows]))[:representatives]]
            candidates = [(-float(similarity[i]), int(piece_ranks[i])) for i in best]
            closest[label] = heapq.nsmallest(representatives, closest[label] + candidates)
        label_at[piece_ranks] = piece_labels
        similarity_at[piece_ranks] = [round(value, DIGITS) for value in similarity.tolist()]
    return closest, (label_at, similarity_at)


def _texts_of_ranks(comments: FrameSource, order: _Order, ranks: list[int]) -> dict[int, str]:
    texts = _texts_at(comments, order, np.array(sorted(set(ranks)), dtype=np.int64))
    return dict(zip(sorted(set(ranks)), texts))


def _comment_themes(order: _Order, number_of: np.ndarray, label_at: np.ndarray, similarity_at: np.ndarray) -> pd.DataFrame:
    """One row per themed comment, in comment-id order (a repeated id: by theme, then text)."""
    ranks = np.flatnonzero(label_at >= 0)
    themes = number_of[label_at[ranks]]
    id_start = order.id_start(ranks)
    if not order.new_id.all():
        rows = np.lexsort((ranks, themes, id_start))
        ranks, themes, id_start = ranks[rows], themes[rows], id_start[rows]
    # Equal ids share the id of their run's first position, and those positions ascend.
    return pd.DataFrame({
        "comment_id": pd.array(order.ids.take(id_start), dtype=COMMENT_THEME_TYPES["comment_id"]),
        "theme": themes,
        "similarity": similarity_at[ranks],
    }, columns=COMMENT_THEME_COLUMNS).astype(COMMENT_THEME_TYPES)


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
