"""Text helpers the flag rules share: sentences, numbers written in digits or words, doses.

Everything here is a pure function of a string, compiled once at import, so the rules can run
over a million comments without building anything per comment.
"""
from __future__ import annotations

import bisect
import re
from typing import Sequence

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_DECADES = {
    "seventies": 70, "eighties": 80, "nineties": 90, "70s": 70, "80s": 80, "90s": 90,
}
_ARTICLE_AMOUNTS = {"a": 1, "an": 1, "half an": 0.5, "half a": 0.5, "a couple of": 2, "several": 3, "many": 3}

#: The words a spelled-out number starts with ("ninety-three", "seventeen", "eighties").
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS)
_TENS_WORDS = "|".join(_TENS)
_UNIT_WORDS = "|".join(sorted(_UNITS, key=len, reverse=True))
#: A number in digits (up to three) or in English words up to ninety-nine; ``{number}`` in rule patterns.
NUMBER_PATTERN = (
    rf"(?:\d{{1,3}}(?![\d,]\d)|(?:{_TENS_WORDS})(?:[\s-]?(?:one|two|three|four|five|six|seven|eight|nine)\b)?|(?:{_UNIT_WORDS}))"
)
_NUMBER = re.compile(
    rf"\b(?:\d{{1,3}}(?:\.\d+)?|(?:{_TENS_WORDS})(?:[\s-]?(?:one|two|three|four|five|six|seven|eight|nine)\b)?|{_UNIT_WORDS}"
    rf"|seventies|eighties|nineties|[789]0s)\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"\b(?:half an?|an?|a couple of|several|many)\b", re.IGNORECASE)
# A sentence ends after . ! ? ; (with any closing quote or bracket) followed by space, or at a line break;
# a semicolon joins two statements whose tenses must not be mixed ("stopped years ago; now I take").
# Written to start with one character class (the same matches as [.!?;]+["')\]’”]*\s+|\n+), so the
# search skips ahead to the next such character instead of trying both branches everywhere.
_SENTENCE_END = re.compile(r"[.!?;\n](?:(?<=[.!?;])[.!?;]*[\"')\]’”]*\s+|(?<=\n)\n*)")
_DOSE_UNITS = {"mg": 1.0, "milligram": 1.0, "milligrams": 1.0, "mgs": 1.0, "g": 1000.0, "gm": 1000.0, "gms": 1000.0,
               "gram": 1000.0, "grams": 1000.0, "mcg": 0.001, "µg": 0.001, "ug": 0.001, "microgram": 0.001,
               "micrograms": 0.001}
_DOSE = r"(\d+(?:[.,]\d+)?)\s*(mg|mgs|milligrams?|mcg|µg|ug|micrograms?|gms?|grams?|g)\b"
_DOSE_AFTER = re.compile(rf"^[\s:,(-]{{0,3}}(?:\w+\s+){{0,2}}?{_DOSE}", re.IGNORECASE)
_DOSE_BEFORE = re.compile(rf"{_DOSE}\s*(?:of\s+)?(?:\w+\s+)?$", re.IGNORECASE)
DOSE_WINDOW = 30


def parse_number(text: str, *, amounts: bool = False) -> float | None:
    """The first number in ``text`` ("93", "ninety-three", "eighties" -> 93, 93, 80), or None.

    With ``amounts``, words such as "an" or "half an" count when no number is written
    ("an hour" -> 1), which suits durations but not ages ("I am a 93 year old").
    """
    match = _NUMBER.search(text) or (_AMOUNT.search(text) if amounts else None)
    if match is None:
        return None
    word = re.sub(r"\s+", " ", match.group().lower())
    if word[0].isdigit() and not word.endswith("0s"):
        return float(word)
    if word in _DECADES:
        return float(_DECADES[word])
    if word in _ARTICLE_AMOUNTS:
        return float(_ARTICLE_AMOUNTS[word])
    if word in _UNITS:
        return float(_UNITS[word])
    parts = re.split(r"[\s-]", word)
    return float(_TENS[parts[0]] + (_UNITS.get(parts[1], 0) if len(parts) > 1 else 0))


def minutes_in(text: str) -> float | None:
    """The duration a matched phrase states, in minutes ("for 20 minutes" -> 20, "an hour" -> 60)."""
    if re.search(r"\bfor hours\b", text, re.IGNORECASE):
        return 120.0
    unit = re.search(r"\b(minutes?|mins?|hours?|hrs?)\b", text, re.IGNORECASE)
    if unit is None:
        return None
    amount = parse_number(text[: unit.start()][-25:], amounts=True)
    if amount is None:
        return None
    return amount * (60.0 if unit.group(1).lower().startswith("h") else 1.0)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, ends exclusive and trailing space excluded."""
    spans, start = [], 0
    for boundary in _SENTENCE_END.finditer(text):
        end = boundary.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip() or not spans:
        spans.append((start, len(text)))
    return spans


def sentence_index(starts: Sequence[int], offset: int) -> int:
    """Which sentence (given the sentence starts) contains character ``offset``."""
    return max(bisect.bisect_right(starts, offset) - 1, 0)


def dose_mg_near(text: str, start: int, end: int) -> float | None:
    """The dose written just after (or just before) a mention, in mg: "Magnesium 250 MG" -> 250.

    A dose is read only within a few characters of the mention and never across a sentence
    break, so the doses in a long list stay with their own names.
    """
    after = _DOSE_AFTER.match(text[end:end + DOSE_WINDOW])
    if after is None:
        before_text = text[max(0, start - DOSE_WINDOW):start]
        after = _DOSE_BEFORE.search(re.split(r"[.!?;,]\s", before_text)[-1])
    if after is None:
        return None
    amount = float(after.group(1).replace(",", "."))
    return amount * _DOSE_UNITS[after.group(2).lower()]
