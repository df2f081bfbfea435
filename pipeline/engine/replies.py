"""Linking replies whose parent lies in another partition, on the client, in comment order.

A reply's linked claims depend on its parent's claims as
:func:`pipeline.extract.stage.extract_claims` sees them when it reaches the reply: the parent's
final claims (its own reply links included) when the parent comes first, its own claims when it
comes later. Before the run, :func:`index_replies` finds which comments are such far parents (two
passes over the id columns only). Parents that come after their reply are extracted up front
(few: comment files list a parent before its replies); the others reach the client with their
partition. Replies are a fraction of a corpus and far replies with a claiming parent fewer still,
so the client re-reads only those.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.engine.settings import ExtractSettings
from pipeline.engine.tasks import ExtractedPartition, pipeline_for
from pipeline.extract.context import Claim
from pipeline.extract.masking import mask_for_tokenizer
from pipeline.extract.replies import parent_claim
from pipeline.extract.stage import claims_frame, comment_columns, decide_claims_by_comment, linked_claims
from pipeline.io.streams import iter_frames, table_columns

_SCAN_ROWS = 65_536


@dataclass
class ReplyIndex:
    """Where the parents of replies are, by partition.

    ``partition_of``: a parent's partition, for every comment some reply points to.
    ``exported``: partition -> its comments that replies in later partitions point to.
    ``forward``: comments that replies in earlier partitions point to.
    """

    partition_of: dict[str, int] = field(default_factory=dict)
    exported: dict[int, frozenset[str]] = field(default_factory=dict)
    forward: frozenset[str] = frozenset()


def index_replies(path: Path, partition_size: int) -> ReplyIndex:
    """Scan the comments table's ids (not its texts) for replies that cross partitions."""
    if "parent_id" not in table_columns(path):
        return ReplyIndex()
    replies: list[tuple[int, str]] = []
    row = 0
    for frame in iter_frames(path, ("parent_id",), _SCAN_ROWS):
        for offset, parent in enumerate(frame["parent_id"].fillna("").astype(str).tolist()):
            if parent:
                replies.append(((row + offset) // partition_size, parent))
        row += len(frame)
    wanted = {parent for _, parent in replies}
    partition_of: dict[str, int] = {}
    row = 0
    for frame in iter_frames(path, ("comment_id",), _SCAN_ROWS):
        for offset, comment_id in enumerate(frame["comment_id"].astype(str).tolist()):
            if comment_id in wanted:
                partition_of[comment_id] = (row + offset) // partition_size
        row += len(frame)
    exported: dict[int, set[str]] = {}
    forward: set[str] = set()
    for reply_partition, parent in replies:
        parent_partition = partition_of.get(parent)
        if parent_partition is not None and parent_partition < reply_partition:
            exported.setdefault(parent_partition, set()).add(parent)
        elif parent_partition is not None and parent_partition > reply_partition:
            forward.add(parent)
    return ReplyIndex(partition_of, {k: frozenset(v) for k, v in exported.items()}, frozenset(forward))


class ReplyLinker:
    """Finishes each partition's claims, in partition order, with the replies linked outside it."""

    def __init__(self, index: ReplyIndex, settings: ExtractSettings) -> None:
        self.index = index
        self.settings = settings
        self.earlier: dict[str, list[Claim]] = {}  # final claims of parents already passed
        self.later: dict[str, list[Claim]] = {}  # own claims of parents still to come

    def read_later_parents(self, path: Path, partition_size: int) -> None:
        """Extract the parents that come after a reply to them (their own claims only)."""
        if not self.index.forward:
            return
        for frame in iter_frames(path, ("comment_id", "text"), partition_size):
            chosen = frame[frame["comment_id"].astype(str).isin(self.index.forward)]
            if len(chosen):
                ids, texts, _ = comment_columns(chosen)
                claims, _ = decide_claims_by_comment(ids, texts, pipeline_for(self.settings))
                self.later.update(claims)

    def finish(self, number: int, partition: pd.DataFrame, extracted: ExtractedPartition) -> pd.DataFrame:
        """Partition ``number``'s final claims table."""
        ids, texts, parents = comment_columns(partition)
        text_of = dict(zip(ids, texts))
        final: dict[str, list[Claim]] = {}
        for comment_id, own in extracted.outside_replies.items():
            parent_claims = self._parent_claims(parents[comment_id], number, final)
            if parent_claim(parent_claims) is None:
                final[comment_id] = own
            else:
                nlp = pipeline_for(self.settings)
                doc = nlp(mask_for_tokenizer(text_of[comment_id]))
                final[comment_id] = linked_claims(doc, own, parent_claims, nlp.get_pipe("claim_context"))
        for comment_id, claims in extracted.parents.items():
            self.earlier[comment_id] = final.get(comment_id, claims)
        changed = {c: claims for c, claims in final.items() if claims != extracted.outside_replies[c]}
        return _replace_rows(extracted.claims, ids, text_of, changed) if changed else extracted.claims

    def _parent_claims(self, parent: str, number: int, this_partition: dict[str, list[Claim]]) -> list[Claim]:
        parent_partition = self.index.partition_of.get(parent)
        if parent_partition is None:
            return []
        if parent_partition == number:
            return this_partition.get(parent, [])  # an earlier reply of this partition, linked just before
        if parent_partition < number:
            return self.earlier[parent]
        return self.later[parent]


def _replace_rows(claims: pd.DataFrame, ids: list[str], text_of: dict[str, str], changed: dict[str, list[Claim]]) -> pd.DataFrame:
    """``claims`` with the rows of the ``changed`` comments replaced, still in comment order."""
    order = {comment_id: position for position, comment_id in enumerate(ids)}
    kept = claims[~claims["comment_id"].isin(changed.keys())]
    new = claims_frame(list(changed), [text_of[c] for c in changed], changed)
    combined = pd.concat([kept, new], ignore_index=True)
    position = combined["comment_id"].map(order).to_numpy()
    return combined.iloc[position.argsort(kind="stable")].reset_index(drop=True)
