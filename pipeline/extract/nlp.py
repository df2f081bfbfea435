"""Building the spaCy pipeline the extract stage runs."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import spacy
from spacy.language import Language

# Importing the component modules registers their factories with spaCy.
from pipeline.extract import concept_matcher, context, cue_matcher, discovery, sentences  # noqa: F401
from pipeline.errors import PipelineError


def build_nlp(lexicon: Sequence[Path] = (), *, model: str | None = None, cues: Sequence[Path] = ()) -> Language:
    """A blank English pipeline (or an installed model) plus the remedy-miner components.

    Args:
        lexicon: extra lexicon files (``--lexicon``), added to and overriding the packaged one.
        model: name of an installed spaCy model to start from instead of ``spacy.blank("en")``.
            Its parser, if any, supplies sentences; nothing is ever downloaded.
        cues: extra cue files.

    Raises:
        PipelineError: the model is not installed.
    """
    nlp = _base(model)
    if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
        nlp.add_pipe("remedy_sentences")
    lexicon_paths = [str(p) for p in lexicon]
    cue_paths = [str(p) for p in cues]
    nlp.add_pipe("remedy_concepts", config={"lexicon_paths": lexicon_paths})
    nlp.add_pipe("claim_cues", config={"cue_paths": cue_paths})
    nlp.add_pipe("claim_discovery", config={"cue_paths": cue_paths})
    nlp.add_pipe("claim_context", config={"lexicon_paths": lexicon_paths, "cue_paths": cue_paths})
    return nlp


def _base(model: str | None) -> Language:
    if model is None:
        return spacy.blank("en")
    try:
        return spacy.load(model, exclude=["ner", "lemmatizer", "textcat"])
    except OSError:
        raise PipelineError(f"--model {model!r} is not installed; the default pipeline needs no model (omit --model)") from None
