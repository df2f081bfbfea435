"""Text the tokenizer can read safely, with every character where it was.

Comments arrive with things that make spaCy's tokenizer slow or wrong: HTML tags left in the
text ("<b>banana</b>" tokenizes as "banana</b"), zero-width characters inside words, and long
runs of one punctuation mark or emoji (the tokenizer splits those one mark at a time, which
takes quadratic time: a hundred thousand "!" would take minutes). Each of these is replaced by
spaces of the same length, so character offsets into the masked text are offsets into the
original comment.
"""
from __future__ import annotations

import re

MAX_REPEATS = 12
_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,200}>")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_RUN = re.compile(r"([^\w\s])\1{%d,}" % MAX_REPEATS)


def mask_for_tokenizer(text: str) -> str:
    """``text`` with tags, invisible characters and long symbol runs blanked out (same length)."""
    if "<" in text:
        text = _TAG.sub(_blank, text)
    text = _INVISIBLE.sub(" ", text)
    return _RUN.sub(_shorten_run, text)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _shorten_run(match: re.Match[str]) -> str:
    run = match.group(0)
    return run[:MAX_REPEATS] + " " * (len(run) - MAX_REPEATS)
