"""The custom attributes the extract components write, registered in one place."""
from __future__ import annotations

from spacy.tokens import Doc, Span


def register_extensions() -> None:
    """Register ``Span._.concept`` and friends; safe to call more than once."""
    span_defaults = {
        "concept": "",        # canonical concept the mention reports under
        "entry": "",          # the lexicon entry (variant) that matched, e.g. "red wine"
        "discovered": False,  # found by a cue pattern, not in any lexicon
        "match_rule": "",     # lexicon, drug-dictionary, fuzzy, discovery:<cue>
    }
    for name, default in span_defaults.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    if not Doc.has_extension("claims"):
        Doc.set_extension("claims", default=None)
