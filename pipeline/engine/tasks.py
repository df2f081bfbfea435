"""The work one partition needs, as picklable module-level functions a process pool or a Dask
worker can run. Each worker process builds the spaCy pipeline (about 1 s) and loads the rules
once per settings, and keeps them for every later partition."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from spacy.language import Language

from pipeline.engine.settings import ExtractSettings, FlagSettings, local_paths
from pipeline.extract.context import Claim
from pipeline.extract.lexicon import Lexicon, cached_lexicon
from pipeline.extract.stage import claims_frame, comment_columns, decide_claims_by_comment, link_replies
from pipeline.flag.rules import SafetyRules, load_safety_rules
from pipeline.flag.stage import flag_comments

_PIPELINES: dict[ExtractSettings, Language] = {}
_FLAG_RULES: dict[FlagSettings, tuple[SafetyRules, Lexicon]] = {}


@dataclass
class ExtractedPartition:
    """One partition's claims, and what the client needs to link replies across partitions.

    ``claims``: the partition's rows, replies in ``outside_replies`` without their linked claims.
    ``outside_replies``: each reply that must be linked on the client (its parent is in another
    partition, or is such a reply itself) -> its own claims.
    ``parents``: each comment another partition's reply points to -> its claims.
    """

    claims: pd.DataFrame
    outside_replies: dict[str, list[Claim]] = field(default_factory=dict)
    parents: dict[str, list[Claim]] = field(default_factory=dict)


def pipeline_for(settings: ExtractSettings) -> Language:
    """The extract pipeline for ``settings``, built once per process."""
    if settings not in _PIPELINES:
        from pipeline.extract.nlp import build_nlp

        _PIPELINES[settings] = build_nlp(local_paths(settings.lexicon), model=settings.model)
    return _PIPELINES[settings]


def warm_up(settings: ExtractSettings | FlagSettings) -> None:
    """Process-pool initializer: build the pipeline or rules before the first partition arrives.

    A failure here (say, a --model that is not installed) is left for the first task to raise
    again, where it reaches the user as one line: a failing initializer would only break the
    pool with an error that names nothing.
    """
    try:
        pipeline_for(settings) if isinstance(settings, ExtractSettings) else flag_rules_for(settings)
    except Exception:  # noqa: BLE001 - raised again, by the task, where the user sees it
        pass


def extract_partition(
    partition: pd.DataFrame, settings: ExtractSettings, exported: frozenset[str] = frozenset()
) -> ExtractedPartition:
    """Claims of one partition of the comments table (comment_id, text, parent_id).

    Replies whose parent is in the same partition are linked here, in comment order, exactly as
    :func:`pipeline.extract.stage.extract_claims` links them; the others are left to the client
    (see :mod:`pipeline.engine.replies`). ``exported`` names the comments of this partition that
    replies elsewhere point to.
    """
    nlp = pipeline_for(settings)
    ids, texts, parents = comment_columns(partition)
    outside = _replies_linked_outside(ids, parents)
    claims, docs = decide_claims_by_comment(ids, texts, nlp, keep_docs_of=parents.keys() - outside)
    link_replies(docs, parents, claims, nlp.get_pipe("claim_context"))
    return ExtractedPartition(
        claims=claims_frame(ids, texts, claims),
        outside_replies={comment_id: claims[comment_id] for comment_id in ids if comment_id in outside},
        parents={comment_id: claims[comment_id] for comment_id in ids if comment_id in exported},
    )


def _replies_linked_outside(ids: list[str], parents: dict[str, str]) -> set[str]:
    """Replies this partition cannot link: the parent is elsewhere, or is an earlier reply that
    is itself linked elsewhere (whose linked claims the reply must see)."""
    members = set(ids)
    outside: set[str] = set()
    for comment_id in ids:
        parent = parents.get(comment_id)
        if parent is not None and (parent not in members or parent in outside):
            outside.add(comment_id)
    return outside


def flag_rules_for(settings: FlagSettings) -> tuple[SafetyRules, Lexicon]:
    """The safety rules and lexicon for ``settings``, loaded once per process."""
    if settings not in _FLAG_RULES:
        lexicon = cached_lexicon(tuple(str(path) for path in local_paths(settings.lexicon)))
        _FLAG_RULES[settings] = (load_safety_rules(local_paths(settings.rules)), lexicon)
    return _FLAG_RULES[settings]


def keep_flag_rules(settings: FlagSettings, rules: SafetyRules, lexicon: Lexicon) -> None:
    """Keep rules this process has already loaded for ``settings`` (see :func:`flag_rules_for`)."""
    _FLAG_RULES.setdefault(settings, (rules, lexicon))


def flag_partition(comments: pd.DataFrame, claims: pd.DataFrame, settings: FlagSettings) -> pd.DataFrame:
    """Flags of one partition of the comments table, given every claim of those comments."""
    rules, lexicon = flag_rules_for(settings)
    return flag_comments(comments, claims, rules=rules, lexicon=lexicon)
