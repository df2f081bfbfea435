"""The extract stage: ``comments`` in, ``claims`` out."""
from __future__ import annotations

import hashlib
from typing import Callable, Iterable

import pandas as pd
from spacy.language import Language

from spacy.tokens import Doc

from pipeline.extract.context import Claim
from pipeline.extract.masking import mask_for_tokenizer
from pipeline.extract.replies import parent_claim, reply_claims

CLAIM_COLUMNS = [
    "claim_id", "comment_id", "concept", "category", "role", "effect", "negated", "hedged", "question",
    "experiencer", "surface", "sentence", "start", "end", "rule", "discovered", "variant", "cues", "match_rule",
]
_BOOLEAN = ("negated", "hedged", "question", "discovered")
_INTEGER = ("start", "end")
BATCH_SIZE = 256


def extract_claims(
    comments: pd.DataFrame,
    *,
    nlp: Language,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Find every concept mention in every comment and decide what it claims.

    Input columns: ``comment_id``, ``text`` (and ``parent_id`` for reply linking).
    Output: the contract's ``claims`` columns plus ``variant`` (the lexicon entry that matched,
    e.g. ``red wine`` for concept ``alcohol``), ``cues`` (the cue words behind each decision)
    and ``match_rule`` (lexicon, drug-dictionary, fuzzy or discovery). One row per mention, in
    comment order. ``progress``, if given, is called with the number of comments done so far
    every ``batch_size`` comments. No other side effects; ``comments`` is not modified.
    """
    ids, texts, parents = comment_columns(comments)
    claims_by_comment, replies = decide_claims_by_comment(
        ids, texts, nlp, keep_docs_of=parents.keys(), batch_size=batch_size, progress=progress
    )
    link_replies(replies, parents, claims_by_comment, nlp.get_pipe("claim_context"))
    return claims_frame(ids, texts, claims_by_comment)


def comment_columns(comments: pd.DataFrame) -> tuple[list[str], list[str], dict[str, str]]:
    """The comment ids and texts in row order, and each reply's parent id."""
    return comments["comment_id"].astype(str).tolist(), comments["text"].astype(str).tolist(), _parents(comments)


def decide_claims_by_comment(
    ids: list[str],
    texts: list[str],
    nlp: Language,
    *,
    keep_docs_of: Iterable[str] = (),
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, list[Claim]], dict[str, Doc]]:
    """Each comment's own claims (before reply linking), and the docs of ``keep_docs_of``
    (the replies, for the linking pass), in comment order."""
    keep = set(keep_docs_of)
    claims_by_comment: dict[str, list[Claim]] = {}
    docs: dict[str, Doc] = {}
    masked = (mask_for_tokenizer(text) for text in texts)
    for done, (comment_id, doc) in enumerate(zip(ids, nlp.pipe(masked, batch_size=batch_size)), start=1):
        claims_by_comment[comment_id] = list(doc._.claims or [])
        if comment_id in keep:
            docs[comment_id] = doc  # kept for the second pass; replies are few
        if progress is not None and (done % batch_size == 0 or done == len(ids)):
            progress(done)
    return claims_by_comment, docs


def _parents(comments: pd.DataFrame) -> dict[str, str]:
    if "parent_id" not in comments.columns:
        return {}
    pairs = zip(comments["comment_id"].astype(str), comments["parent_id"].fillna("").astype(str))
    return {child: parent for child, parent in pairs if parent}


def link_replies(replies: dict[str, Doc], parents: dict[str, str], claims: dict[str, list[Claim]], context) -> None:
    """Add the claims replies make about their parent's remedy (see replies.py), in comment order:
    a reply to a reply sees its parent's linked claims when the parent comes first."""
    for comment_id, doc in replies.items():
        claims[comment_id] = linked_claims(doc, claims[comment_id], claims.get(parents[comment_id], []), context)


def linked_claims(doc: Doc, own: list[Claim], parent_claims: list[Claim], context) -> list[Claim]:
    """A reply's claims: its own, plus those it makes about its parent's remedy or trigger."""
    parent = parent_claim(parent_claims)
    if parent is None:
        return own
    return sorted([*own, *reply_claims(doc, parent, context)], key=lambda c: c.start)


def claims_frame(ids: list[str], texts: list[str], claims_by_comment: dict[str, list[Claim]]) -> pd.DataFrame:
    """The claims table of these comments, in comment order."""
    text_of = dict(zip(ids, texts))
    return _frame([row for comment_id in ids for row in _rows(comment_id, claims_by_comment[comment_id], text_of[comment_id])])


def _rows(comment_id: str, claims: Iterable[Claim], text: str) -> Iterable[dict[str, object]]:
    """Rows of the claims table; surface and sentence are cut from the comment's own text."""
    for claim in claims:
        yield {
            "claim_id": claim_id(comment_id, claim.start, claim.end, claim.concept),
            "comment_id": comment_id,
            "concept": claim.concept,
            "category": claim.category,
            "role": claim.role,
            "effect": claim.effect,
            "negated": claim.negated,
            "hedged": claim.hedged,
            "question": claim.question,
            "experiencer": claim.experiencer,
            "surface": text[claim.start : claim.end],
            "sentence": " ".join(text[claim.sentence_start : claim.sentence_end].split()),
            "start": claim.start,
            "end": claim.end,
            "rule": claim.rule,
            "discovered": claim.discovered,
            "variant": claim.entry,
            "cues": claim.cues,
            "match_rule": claim.match_rule,
        }


def claim_id(comment_id: str, start: int, end: int, concept: str) -> str:
    """A stable id for a claim: its comment, its place in the text, its concept."""
    key = f"{comment_id}\x1f{start}\x1f{end}\x1f{concept}"
    return "k" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def empty_claims_table() -> pd.DataFrame:
    """The table with no rows, its columns typed."""
    return _frame([])


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    types = {c: "bool" if c in _BOOLEAN else "int64" if c in _INTEGER else "string" for c in CLAIM_COLUMNS}
    return frame.astype(types)
