"""Redaction of contact details: e-mail addresses and phone numbers as people write them.

Readers leave addresses and numbers in comments, often spelled out to dodge scrapers
("jane at example dot com", "(555) 014-2233"). Exports and reports replace them with
``[email]`` and ``[phone]``. The opposite failure matters as much: dates, doses, years,
percentages and counts ("2013-05-26", "1000 mg", "3-4 times a night") must survive, because
they are the evidence. The shapes are regular expressions here; the words that settle doubtful
cases (top-level domains, units) are data in ``pipeline/data/redaction.yaml``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.io.rule_files import check_keys, packaged_file, parse_yaml, string_list

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
_MARKS = {"email": EMAIL_MARK, "phone": PHONE_MARK}

_AT = r"(?:\s*@\s*|\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"

_PLAIN_EMAIL = re.compile(
    rf"(?<![\w.+%-])[\w%+-]+(?:\.[\w%+-]+)*@(?:{_LABEL}\.)+[^\W\d_]{{2,}}(?![\w-])",
    re.IGNORECASE,
)

# The alternatives run from the most to the least specific shape; a candidate is then checked
# (digit count, what follows it) by _is_phone.
_PHONE = re.compile(
    r"""
    (?<![\w/.,+$£€-])
    (?:
        (?P<international>\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){1,6})
      | (?:1[\s.-]?)?(?:\(\d{3}\)[\s.-]?|\d{3}[\s.-])\d{3}[\s.-]\d{4}
      | 0\d{2,4}[\s.-]?\d{3,4}[\s.-]?\d{3,4}
      | \d{3}[\s.-]\d{4}
      | \d{10,11}
    )
    (?![\w/]|[.,:-]\d)
    """,
    re.VERBOSE,
)
_INTERNATIONAL_DIGITS = range(8, 16)
_WORD_AFTER = re.compile(r"\s*([^\W\d_]+|%)")


@dataclass(frozen=True)
class ContactSpan:
    """One e-mail address or phone number found in a text."""

    kind: str
    start: int
    end: int
    text: str


# Searched in lower-cased text: a case-insensitive lookbehind pattern is several times slower.
_SPELLED_AT = re.compile(r"(?<![a-z])at(?![a-z])")
_DIGIT = re.compile(r"\d")
# No phone number pattern matches fewer digits than this (a short local number, "555 0142").
MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class _RedactionWords:
    spelled_email: re.Pattern
    # A spelled-out address ends in "dot com" or ".com": text without such an ending (most text,
    # though "at" is everywhere: "at night") never reaches the slow full pattern.
    spelled_ending: re.Pattern
    # The same test for Arrow (RE2) over a column: no look-ahead, so it passes more texts.
    spelled_ending_superset: str
    not_mailbox: frozenset[str]
    units: frozenset[str]


def redact(text: str) -> str:
    """Replace every e-mail address with ``[email]`` and every phone number with ``[phone]``."""
    if not text:
        return text
    pieces, cursor = [], 0
    for span in find_contacts(text):
        pieces.append(text[cursor:span.start])
        pieces.append(_MARKS[span.kind])
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def may_hold_contacts(texts: Sequence[object]) -> np.ndarray:
    """For each value, whether :func:`redact` might change it: where this is False, the value
    is not a string or ``redact(value) == value``.

    Looser shapes than :func:`find_contacts` looks for, tested on a whole column at once in
    Arrow: an "@"; seven digits apart by at most three spaces, dots, dashes or brackets (every
    phone number pattern has that much); a spelled-out ending ("dot com", ".org"). They let
    more texts through than the full patterns match, never fewer (Arrow's regular expressions
    lack look-arounds, so those are left out, and white space is matched in Unicode's widest
    sense). A column Arrow cannot hold (a lone surrogate) is all True: every cell goes
    through ``redact``.
    """
    try:
        array = pa.array([text if isinstance(text, str) else None for text in texts], type=pa.large_string())
    except (pa.ArrowException, UnicodeError):
        return np.array([isinstance(text, str) for text in texts], dtype=bool)
    return may_hold_contacts_array(array)


def may_hold_contacts_array(texts: pa.Array) -> np.ndarray:
    """:func:`may_hold_contacts` for an Arrow text column (nulls are not text: False).

    The patterns run on the column's distinct values only: names, threads and flag reasons
    repeat from row to row."""
    encoded = pc.dictionary_encode(texts)
    distinct = encoded.dictionary
    spelled_ending = _redaction_words().spelled_ending_superset
    candidates = pc.or_(
        pc.or_(pc.match_substring(distinct, "@"), pc.match_substring_regex(distinct, _PHONE_DIGITS)),
        pc.match_substring_regex(pc.utf8_lower(distinct), spelled_ending, ignore_case=True),
    ).to_numpy(zero_copy_only=False)
    indices = encoded.indices
    if not len(distinct):
        return np.zeros(len(texts), dtype=bool)
    present = pc.is_valid(indices).to_numpy(zero_copy_only=False)
    return candidates[pc.fill_null(indices, 0).to_numpy(zero_copy_only=False)] & present


def find_contacts(text: str) -> list[ContactSpan]:
    """The e-mail addresses and phone numbers in ``text``, in order, never overlapping.

    Where two shapes claim the same characters the earlier, then the longer, wins, so
    the digits of ``jane5550142@example.com`` are part of an address, not a number.
    """
    if not text:
        return []
    candidates = sorted(_email_spans(text) + _phone_spans(text), key=lambda s: (s.start, -(s.end - s.start)))
    chosen: list[ContactSpan] = []
    for span in candidates:
        if not chosen or span.start >= chosen[-1].end:
            chosen.append(span)
    return chosen


def _email_spans(text: str) -> list[ContactSpan]:
    words = _redaction_words()
    spans = [ContactSpan("email", m.start(), m.end(), m.group()) for m in _PLAIN_EMAIL.finditer(text)] if "@" in text else []
    lowered = text.lower()
    if "@" not in text and not _SPELLED_AT.search(lowered):
        return spans  # no "@" and no "at": no spelled-out address (most text; the full pattern is slow)
    if not words.spelled_ending.search(lowered):
        return spans
    for match in words.spelled_email.finditer(text):
        if _last_word(match.group("mailbox")) not in words.not_mailbox:
            spans.append(ContactSpan("email", match.start(), match.end(), match.group()))
    return spans


def _last_word(mailbox: str) -> str:
    return re.split(r"\s+", mailbox.strip())[-1].lower()


def _phone_spans(text: str) -> list[ContactSpan]:
    if len(_DIGIT.findall(text)) < MIN_PHONE_DIGITS:
        return []
    return [
        ContactSpan("phone", m.start(), m.end(), m.group())
        for m in _PHONE.finditer(text)
        if _is_phone(m, text)
    ]


def _is_phone(match: re.Match, text: str) -> bool:
    if match.group("international"):
        # A leading "+" and a country code is a deliberate phone number whatever follows it.
        return sum(c.isdigit() for c in match.group()) in _INTERNATIONAL_DIGITS
    following = _WORD_AFTER.match(text, match.end())
    return not (following and following.group(1).lower() in _redaction_words().units)


@functools.lru_cache(maxsize=1)
def _redaction_words() -> _RedactionWords:
    """Load ``redaction.yaml`` once; the word lists become part of the compiled patterns."""
    name, content = packaged_file("redaction.yaml")
    document = check_keys(name, "top level", parse_yaml(name, content), {"email", "phone"}, {"email", "phone"})
    email = check_keys(name, "email", document["email"], {"spelled_out_top_level_domains", "not_mailbox_words"})
    phone = check_keys(name, "phone", document["phone"], {"units_after_number"})
    domains = _word_list(name, "email.spelled_out_top_level_domains", email.get("spelled_out_top_level_domains"))
    return _RedactionWords(
        spelled_email=_spelled_email_pattern(domains),
        spelled_ending=_spelled_ending_pattern(domains),
        spelled_ending_superset=_spelled_ending_superset(domains),
        not_mailbox=frozenset(_word_list(name, "email.not_mailbox_words", email.get("not_mailbox_words"))),
        units=frozenset(_word_list(name, "phone.units_after_number", phone.get("units_after_number"))),
    )


def _word_list(name: str, where: str, entry: object) -> list[str]:
    if entry is None:
        return []
    check_keys(name, where, entry, {"description", "words"})
    return [word.lower() for word in string_list(name, where, entry.get("words"))]


def _spelled_ending_pattern(top_level_domains: list[str]) -> re.Pattern:
    """A quick test, on lower-cased text, that passes every text the full pattern could match:
    "." or "dot" (with any closing bracket and spaces), then a top-level domain."""
    domains = "|".join(re.escape(d) for d in sorted(top_level_domains, key=lambda d: (-len(d), d)))
    return re.compile(rf"(?:\.|dot\s*[)\]}}>]?\s*)(?:{domains or '(?!)'})(?![\w-])")


# Every character Python's ``\s`` matches in a str pattern, for RE2 (whose ``\s`` is ASCII only).
_ANY_SPACE = r"[\t-\r\x1c-\x1f\x85\p{Z}]"


# Seven digits (Python's \d is Unicode's Nd), each apart from the next by at most the three
# characters the phone patterns allow between digit groups: ") (" at most.
_PHONE_DIGITS = rf"\p{{Nd}}(?:[\t-\r\x1c-\x1f\x85\p{{Z}}.\-()]{{0,3}}\p{{Nd}}){{{MIN_PHONE_DIGITS - 1}}}"


def _spelled_ending_superset(top_level_domains: list[str]) -> str:
    """:func:`_spelled_ending_pattern` without its look-ahead, with Unicode white space, for RE2."""
    domains = "|".join(re.escape(d) for d in sorted(top_level_domains, key=lambda d: (-len(d), d)))
    never = r"\b\B"  # no domains, no spelled-out address
    return rf"(?:\.|dot{_ANY_SPACE}*[)\]}}>]?{_ANY_SPACE}*)(?:{domains or never})"


def _spelled_email_pattern(top_level_domains: list[str]) -> re.Pattern:
    # Longest first, so "co" does not stop the alternation before "com".
    domains = "|".join(re.escape(d) for d in sorted(top_level_domains, key=lambda d: (-len(d), d)))
    return re.compile(
        rf"(?<![\w.+-])(?P<mailbox>[\w+-]+(?:{_DOT}[\w+-]+)*){_AT}(?:{_LABEL}{_DOT})+(?:{domains or '(?!)'})(?![\w-])",
        re.IGNORECASE,
    )
