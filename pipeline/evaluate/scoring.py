"""Precision, recall and F1 of claims and flags against labels, with the misses listed."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from pipeline.evaluate.labels import LabelRecord
from pipeline.ingest.normalize import normalize_text

ATTRIBUTES = ("effect", "negated", "hedged", "question", "experiencer")
DISCOVERED_OVERLAP = 0.5


@dataclass
class Score:
    """Counts for one measure and the items behind the errors."""

    name: str
    true_positives: int = 0
    false_positives: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + len(self.false_positives)
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + len(self.misses)
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    """All scores of one evaluation run.

    ``scores`` holds the claim measures (``claims``, ``remedy``, ``trigger``, ``mention``) only
    when the labels carry claims, then ``flags`` (all flags together) and one ``flag:<id>`` per
    flag only when they carry flags.
    """

    scores: dict[str, Score]
    attribute_accuracy: dict[str, float]
    unmatched_labels: list[str]
    labelled_comments: int
    measures_claims: bool = True


def match_labels(labels: list[LabelRecord], comments: pd.DataFrame) -> tuple[dict[str, LabelRecord], list[str]]:
    """Find the comment each label record refers to; returns ``{comment_id: label}`` and the unmatched keys."""
    by_text = {normalize_text(t): cid for cid, t in zip(comments["comment_id"], comments["text"])}
    by_place: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for cid, source, position, author in zip(comments["comment_id"], comments["source"], comments["position"], comments["author"]):
        by_place[(str(source).rsplit("/", 1)[-1], int(position))].append((str(cid), str(author)))
    matched: dict[str, LabelRecord] = {}
    unmatched: list[str] = []
    for label in labels:
        comment_id = _comment_for(label, by_text, by_place)
        if comment_id:
            matched[comment_id] = label
        else:
            unmatched.append(label.key)
    return matched, unmatched


def _comment_for(label: LabelRecord, by_text: dict[str, str], by_place: dict) -> str:
    if label.text:
        return by_text.get(normalize_text(label.text), "")
    candidates = [
        (cid, author) for (source, position), entries in by_place.items()
        if position == label.position and (not label.source or source == label.source) for cid, author in entries
    ]
    candidates = [c for c in candidates if not label.author or c[1] == label.author]
    return candidates[0][0] if len(candidates) == 1 else ""


def evaluate_claims(labels: list[LabelRecord], comments: pd.DataFrame, claims: pd.DataFrame, flags: pd.DataFrame | None = None) -> Evaluation:
    """Score ``claims`` (and ``flags``) on the labelled comments only.

    A claim is counted once per (comment, concept, role). ``claims`` measures finding the
    concepts that carry a remedy or trigger claim, whatever the role; ``remedy``, ``trigger``
    and ``mention`` measure each role. A discovered concept matches a gold one when their
    words overlap by half or more. Attribute accuracy is measured on matched rows.
    Claims are not scored at all for a flags-only label file (see :func:`labels_claims`):
    its comments would otherwise count every claim found as a false positive.
    """
    matched, unmatched = match_labels(labels, comments)
    measures_claims = labels_claims(labels)
    scores: dict[str, Score] = {}
    agreement: dict[str, list[bool]] = {a: [] for a in ATTRIBUTES}
    if measures_claims:
        scores.update({name: Score(name) for name in ("claims", "remedy", "trigger", "mention")})
        predicted = _predicted_claims(claims, set(matched))
        for comment_id, label in matched.items():
            gold = {(g.concept, g.role): g for g in label.claims}
            found = predicted.get(comment_id, {})
            _score_roles(label.key, gold, found, scores, agreement)
            _score_claim_concepts(label.key, gold, found, scores["claims"])
    if flags is not None:
        scores.update(_score_flags(matched, flags))
    accuracy = {a: (sum(v) / len(v) if v else 1.0) for a, v in agreement.items()}
    return Evaluation(scores, accuracy, unmatched, len(matched), measures_claims)


def labels_claims(labels: list[LabelRecord]) -> bool:
    """Whether the label file labels claims, not only flags.

    A record written without a ``claims`` key loads with no claims, like a hard negative
    written with ``"claims": []``; a file is taken as flags-only when no record has a gold
    claim and every record lists its flags.
    """
    return any(label.claims for label in labels) or any(label.flags is None for label in labels)


def _predicted_claims(claims: pd.DataFrame, comment_ids: set[str]) -> dict[str, dict[tuple[str, str], dict]]:
    predicted: dict[str, dict[tuple[str, str], dict]] = defaultdict(dict)
    for row in claims[claims["comment_id"].isin(comment_ids)].to_dict("records"):
        predicted[str(row["comment_id"])].setdefault((str(row["concept"]), str(row["role"])), row)
    # Labels list a concept as a mention only when the comment makes no claim about it.
    for found in predicted.values():
        claimed = {concept for concept, role in found if role != "mention"}
        for concept in claimed:
            found.pop((concept, "mention"), None)
    return predicted


def _same_concept(gold: str, found: str) -> bool:
    if gold == found:
        return True
    gold_words, found_words = set(gold.split()), set(found.split())
    return len(gold_words & found_words) / len(gold_words | found_words) >= DISCOVERED_OVERLAP


def _score_roles(key: str, gold: dict, found: dict, scores: dict[str, Score], agreement: dict[str, list[bool]]) -> None:
    unmatched_found = dict(found)
    for (concept, role), expected in gold.items():
        hit = next((k for k in unmatched_found if k[1] == role and _same_concept(concept, k[0])), None)
        if hit is None:
            scores[role].misses.append(f"{key}: {concept} ({role})")
            continue
        row = unmatched_found.pop(hit)
        scores[role].true_positives += 1
        for attribute in ATTRIBUTES:
            agreement[attribute].append(getattr(expected, attribute) == row[attribute])
    for concept, role in unmatched_found:
        scores[role].false_positives.append(f"{key}: {concept} ({role})")


def _score_claim_concepts(key: str, gold: dict, found: dict, score: Score) -> None:
    expected = {concept for concept, role in gold if role != "mention"}
    got = {concept for concept, role in found if role != "mention"}
    remaining = set(got)
    for concept in sorted(expected):
        hit = next((g for g in sorted(remaining) if _same_concept(concept, g)), None)
        if hit is None:
            score.misses.append(f"{key}: {concept}")
        else:
            remaining.discard(hit)
            score.true_positives += 1
    score.false_positives.extend(f"{key}: {concept}" for concept in sorted(remaining))


def _score_flags(matched: dict[str, LabelRecord], flags: pd.DataFrame) -> dict[str, Score]:
    """``flags`` (micro-averaged over every flag) then ``flag:<id>`` per flag, for the records that list flags."""
    raised = defaultdict(set)
    for comment_id, flag in zip(flags["comment_id"], flags["flag"]):
        raised[str(comment_id)].add(str(flag))
    overall = Score("flags")
    per_flag: dict[str, Score] = {}
    for comment_id, label in matched.items():
        if label.flags is None:
            continue
        expected, got = set(label.flags), raised.get(comment_id, set())
        for flag in sorted(expected | got):
            score = per_flag.setdefault(f"flag:{flag}", Score(f"flag:{flag}"))
            if flag in expected and flag in got:
                score.true_positives += 1
                overall.true_positives += 1
            elif flag in expected:
                score.misses.append(label.key)
                overall.misses.append(f"{label.key}: {flag}")
            else:
                score.false_positives.append(label.key)
                overall.false_positives.append(f"{label.key}: {flag}")
    if not any(label.flags is not None for label in matched.values()):
        return {}
    return {"flags": overall, **{name: per_flag[name] for name in sorted(per_flag)}}


def format_report(evaluation: Evaluation, *, show: int = 10) -> str:
    """A plain-text report: one line per measure, then misses and false positives.

    With no labelled comment matched there is nothing to score, and the report says so
    rather than printing the perfect scores of empty counts.
    """
    lines = [f"labelled comments matched: {evaluation.labelled_comments}"]
    if evaluation.unmatched_labels:
        lines.append(f"labels not matched to any comment: {len(evaluation.unmatched_labels)} ({', '.join(evaluation.unmatched_labels[:show])})")
    if not evaluation.labelled_comments:
        lines.append("no labelled comment matched: check that --out holds the comments the labels were written for")
        return "\n".join(lines)
    lines.append(f"{'measure':<28}{'precision':>10}{'recall':>10}{'f1':>8}{'tp':>6}{'fp':>6}{'fn':>6}")
    for score in evaluation.scores.values():
        lines.append(
            f"{score.name:<28}{score.precision:>10.3f}{score.recall:>10.3f}{score.f1:>8.3f}"
            f"{score.true_positives:>6}{len(score.false_positives):>6}{len(score.misses):>6}"
        )
    if evaluation.measures_claims:
        lines.append("attribute accuracy on matched claims: " + ", ".join(f"{k} {v:.3f}" for k, v in evaluation.attribute_accuracy.items()))
    for score in evaluation.scores.values():
        if score.name == "flags":
            continue  # the per-flag lines below list the same items
        for title, items in (("missed", score.misses), ("false positives", score.false_positives)):
            if items:
                lines.append(f"{score.name} {title} ({len(items)}): " + "; ".join(items[:show]))
    return "\n".join(lines)
