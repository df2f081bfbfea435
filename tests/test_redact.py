"""Redaction of e-mail addresses and phone numbers, and of nothing else."""
from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.redact import _ANY_SPACE, find_contacts, may_hold_contacts, may_hold_contacts_array, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # e-mail addresses, plain and spelled out
        ("write to jane.doe@example.com for the recipe", "write to [email] for the recipe"),
        ("jane_d+cramps@mail.example.co.uk.", "[email]."),
        ("mail jane at example dot com please", "mail [email] please"),
        ("Jane AT Example DOT Com", "[email]"),
        ("jane[at]example[dot]com", "[email]"),
        ("jane (at) mail (dot) example (dot) org", "[email]"),
        ("jane dot doe at gmail dot com", "[email]"),
        ("jane@example dot net", "[email]"),
        ("jane5550142@example.com", "[email]"),
        ("(jane@example.com)", "([email])"),
        # phone numbers as people write them
        ("(555) 014-2233", "[phone]"),
        ("call (555)014-2233 after six", "call [phone] after six"),
        ("+44 7700 900123", "[phone]"),
        ("+44 (0)20 7946 0018 any time", "[phone] any time"),
        ("+1 555 014 2233", "[phone]"),
        ("555.014.2233", "[phone]"),
        ("555-014-2233", "[phone]"),
        ("1-800-555-0199 is the helpline", "[phone] is the helpline"),
        ("ring 555 0142 tonight", "ring [phone] tonight"),
        ("phone 555-0142.", "phone [phone]."),
        ("07700 900123", "[phone]"),
        ("020 7946 0018", "[phone]"),
        ("Tel: 5550142233", "Tel: [phone]"),
        ("text me 555 0142 or mail jo@example.org", "text me [phone] or mail [email]"),
    ],
)
def test_contact_details_are_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Cramps started on 2013-05-26 and again 5/26/13",
        "on 26.05.2013 and 05.26.2013",
        "2.5 MG of amlodipine",
        "1000 mg magnesium, sometimes 1,500 mg",
        "between 500 1000 mg a day",
        "I take 5000 IU of vitamin D",
        "0.5 mg at night",
        "in 1998 and 2004, then 2012, 2013 and 2014",
        "from 2010-2014 I had none",
        "cut my cramps by 20% or +15% more",
        "up 3-4 times a night",
        "BP 140/90 and 10,000 steps",
        "walked 300 5000 steps",
        "at 10:30 pm",
        "I looked at example dot com for advice",
        "more info at healthsite dot org",
        "meet me at the pharmacy dot",
        "@jane: thanks, tried it",
        "email me if it works",
        "",
    ],
)
def test_dates_doses_and_counts_are_kept(text):
    assert redact(text) == text


def test_find_contacts_reports_kind_and_offsets():
    text = "mail jo@example.org or ring 555 0142"
    spans = find_contacts(text)
    assert [(s.kind, text[s.start:s.end]) for s in spans] == [("email", "jo@example.org"), ("phone", "555 0142")]


def test_redaction_is_idempotent():
    once = redact("jane at example dot com, (555) 014-2233")
    assert redact(once) == once == "[email], [phone]"


@pytest.mark.parametrize(
    ("text", "may_hold"),
    [
        # whatever redact changes passes the quick test
        ("write to jane.doe@example.com", True),
        ("Jane AT Example DOT Com", True),
        ("jane (at) mail (dot) example (dot) org", True),
        ("jane at example dot\u2003com", True),  # an em space: white space to Python's \s
        ("+44 (0)20 7946 0018 any time", True),
        ("call (555)014-2233 after six", True),
        ("ring 555 0142 tonight", True),
        ("Tel: 5550142233", True),
        ("\u0665\u0665\u0665 \u0660\u0661\u0664\u0662", True),  # Arabic-Indic digits are digits to Python's \d
        # text with no contact shape is skipped
        ("1000 mg magnesium, sometimes 1,500 mg", False),
        ("in 1998 and 2004", False),
        ("0.5 mg at night", False),
        ("fine. Co-codamol did nothing", False),
        ("", False),
    ],
)
def test_may_hold_contacts_passes_every_text_redact_changes(text, may_hold):
    assert bool(may_hold_contacts([text])[0]) is may_hold
    if redact(text) != text:
        assert may_hold


@pytest.mark.parametrize("value", [None, 5, 2.5, ["a@b.com"]])
def test_may_hold_contacts_skips_values_that_are_not_text(value):
    assert may_hold_contacts(["a@b.com", value]).tolist() == [True, False]


def test_may_hold_contacts_sends_a_column_arrow_cannot_hold_through_redact():
    # A lone surrogate (JSON input can carry one) cannot become UTF-8: every text is a candidate.
    assert may_hold_contacts(["plain words", "\ud800 broken", 7]).tolist() == [True, True, False]


@pytest.mark.parametrize(
    "texts",
    [
        ["jane@example.com", "plain", None, "jane@example.com", "ring 555 0142", ""],  # repeated cells, a missing one
        ["a dot com", "at night", "0.5 mg", "Tel: 5550142233"],
        [None, None],
        [],
    ],
)
def test_may_hold_contacts_of_an_arrow_column_is_that_of_its_cells(texts):
    expected = may_hold_contacts(texts).tolist()
    assert may_hold_contacts_array(pa.array(texts, type=pa.large_string())).tolist() == expected


def test_the_arrow_white_space_class_holds_every_character_python_calls_white_space():
    spaces = [chr(code) for code in range(0x110000) if re.fullmatch(r"\s", chr(code)) and not 0xD800 <= code <= 0xDFFF]
    matched = pc.match_substring_regex(pa.array(spaces), f"^{_ANY_SPACE}$").to_pylist()
    assert [hex(ord(c)) for c, ok in zip(spaces, matched) if not ok] == []


_CONTACT_PIECES = st.sampled_from([
    "jane", "at", " at ", "@", "dot", " dot ", ".", "com", "org", "uk", "(", ")", "[", "]", "-", "+", " ", "\u00a0",
    "\u2003", "\n", "0", "1", "5", "44", "555", "0142", "2233", "\u0665", "mg", "am", "İ", "K", "x",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_CONTACT_PIECES, max_size=14).map("".join))
def test_may_hold_contacts_never_misses_what_redact_finds(text):
    if redact(text) != text:
        assert may_hold_contacts([text])[0]
