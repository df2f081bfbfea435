"""Undoing Unicode tricks: invisible characters, direction overrides and lookalike letters.

Strangers' text can hide a word from a rule ("qui\u200bnine", "quinine" spelled with a
Cyrillic "а") or make a name display as something else (a right-to-left override). These
characters are removed or folded to the Latin letter they imitate; which ones is data in
``pipeline/data/unicode_tricks.yaml``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pipeline.errors import RuleFileError
from pipeline.io.rule_files import check_keys, packaged_file, parse_yaml, string_list

RULES_FILE = "unicode_tricks.yaml"
_KEYS = {"removed", "removed_inside_words", "latin_lookalikes"}
_CODE_POINT = re.compile(r"^U\+([0-9A-Fa-f]{4,6})$")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class TextTricks:
    """Compiled rules: what to remove, where, and which letters to fold."""

    removed: re.Pattern[str]
    removed_inside_words: re.Pattern[str]
    lookalike_words: re.Pattern[str]
    to_latin: dict[int, str]


@functools.cache
def load_text_tricks() -> TextTricks:
    """Read ``pipeline/data/unicode_tricks.yaml`` once per process."""
    name, text = packaged_file(RULES_FILE)
    rules = check_keys(name, "top level", parse_yaml(name, text), _KEYS, _KEYS)
    removed = "".join(_character(name, "removed", value) for value in string_list(name, "removed", rules["removed"]))
    joiners = "".join(
        _character(name, "removed_inside_words", value)
        for value in string_list(name, "removed_inside_words", rules["removed_inside_words"])
    )
    lookalikes = rules["latin_lookalikes"]
    if not isinstance(lookalikes, dict):
        raise RuleFileError(f"{name}: latin_lookalikes: expected a mapping of U+XXXX to a Latin letter")
    to_latin: dict[int, str] = {}
    for key, latin in lookalikes.items():
        if not (isinstance(latin, str) and len(latin) == 1 and _LATIN.match(latin)):
            raise RuleFileError(f"{name}: latin_lookalikes: {key}: expected one Latin letter, found {latin!r}")
        to_latin[ord(_character(name, "latin_lookalikes", key))] = latin
    lookalike_class = re.escape("".join(map(chr, to_latin)))
    return TextTricks(
        removed=re.compile(f"[{re.escape(removed)}]"),
        removed_inside_words=re.compile(rf"(?<=\w)[{re.escape(joiners)}]+(?=\w)"),
        lookalike_words=re.compile(rf"\w*[{lookalike_class}]\w*"),
        to_latin=to_latin,
    )


def undo_text_tricks(text: str) -> str:
    """``text`` without invisible controls, and with lookalike letters in Latin words folded."""
    if text.isascii():
        return text
    tricks = load_text_tricks()
    text = tricks.removed.sub("", text)
    text = tricks.removed_inside_words.sub("", text)
    return tricks.lookalike_words.sub(lambda match: _fold_word(match.group(0), tricks.to_latin), text)


def _fold_word(word: str, to_latin: dict[int, str]) -> str:
    """Fold a word that mixes Latin letters with lookalikes; leave a word in one script alone."""
    return word.translate(to_latin) if _LATIN.search(word) else word


def _character(name: str, where: str, value: object) -> str:
    match = _CODE_POINT.match(str(value))
    if match is None:
        raise RuleFileError(f"{name}: {where}: {value!r} is not a code point written as U+XXXX")
    return chr(int(match.group(1), 16))
