"""Cue phrases (negation, hedges, effects, experiencers...) loaded from ``pipeline/data/cues.yaml``."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pipeline.errors import RuleFileError
from pipeline.io.rule_files import check_keys, packaged_file, parse_yaml, string_list, user_files

CUE_LABELS = (
    "condition", "helped", "partial", "no_effect", "no_reaction", "discovery_lead", "worsened", "caused_by", "cessation", "use", "purpose", "relief_outcome",
    "cramp_outcome", "conditional", "temporal", "question_start", "rhetorical", "advised", "unrelated", "intent", "tried", "comparison", "hedge", "negation", "contrast",
    "family", "friend", "other_person", "general", "imperative", "rhetorical_target", "reply_reference",
    "claim_verb", "discovery_stop",
)
_LABEL_KEYS = {"description", "phrases", "patterns", "windows"}
_WINDOW_KEYS = {"first", "then", "last", "gap", "blockers"}


@dataclass(frozen=True)
class Window:
    """A word from ``first`` (then optionally one from ``then``), and within ``gap`` more words
    one from ``last``, with no word from ``blockers`` in between. Cheaper than a token pattern."""

    first: frozenset[str]
    last: frozenset[str]
    gap: int
    then: frozenset[str] = frozenset()
    blockers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CueSet:
    """Phrases and token patterns per cue label."""

    phrases: dict[str, tuple[str, ...]]
    patterns: dict[str, tuple]
    windows: dict[str, tuple[Window, ...]] = None  # type: ignore[assignment]

    def words(self, label: str) -> frozenset[str]:
        """The single-word phrases of a label, lower case."""
        return frozenset(p for p in self.phrases.get(label, ()) if " " not in p)


def load_cues(extra: Sequence[Path] = ()) -> CueSet:
    """Load the packaged cues, then extra files whose phrases are added to the same labels.

    Raises:
        RuleFileError: unknown label or key, malformed pattern, or unreadable file.
    """
    phrases: dict[str, list[str]] = {label: [] for label in CUE_LABELS}
    patterns: dict[str, list] = {label: [] for label in CUE_LABELS}
    windows: dict[str, list[Window]] = {label: [] for label in CUE_LABELS}
    for name, text in [packaged_file("cues.yaml"), *user_files(extra)]:
        document = parse_yaml(name, text) or {}
        check_keys(name, "top level", document, {"cues"})
        for label, entry in (document.get("cues") or {}).items():
            if label not in CUE_LABELS:
                raise RuleFileError(f"{name}: cue label {label!r} is unknown (choose from: {', '.join(CUE_LABELS)})")
            check_keys(name, f"cue label {label!r}", entry, _LABEL_KEYS)
            phrases[label].extend(p.lower() for p in string_list(name, f"cue label {label!r}", entry.get("phrases")))
            for pattern in entry.get("patterns") or []:
                if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
                    raise RuleFileError(f"{name}: cue label {label!r}: a pattern must be a list of token mappings")
                patterns[label].append(pattern)
            for index, window in enumerate(entry.get("windows") or [], start=1):
                windows[label].append(_window(name, f"cue label {label!r}: window {index}", window))
    return CueSet(
        {k: tuple(dict.fromkeys(v)) for k, v in phrases.items()},
        {k: tuple(v) for k, v in patterns.items()},
        {k: tuple(v) for k, v in windows.items()},
    )


def _window(name: str, where: str, entry: object) -> Window:
    check_keys(name, where, entry, _WINDOW_KEYS, {"first", "last", "gap"})
    gap = entry["gap"]
    if not isinstance(gap, int) or isinstance(gap, bool) or not 0 <= gap <= 8:
        raise RuleFileError(f"{name}: {where}: 'gap' must be a whole number from 0 to 8")
    words = {key: frozenset(w.lower() for w in string_list(name, f"{where}: {key}", entry.get(key))) for key in _WINDOW_KEYS - {"gap"}}
    return Window(words["first"], words["last"], gap, words["then"], words["blockers"])


@functools.lru_cache(maxsize=8)
def cached_cues(paths: tuple[str, ...] = ()) -> CueSet:
    """:func:`load_cues`, loaded once per set of user files."""
    return load_cues([Path(p) for p in paths])
