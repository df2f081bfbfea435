"""Redaction of e-mail addresses and phone numbers, and of nothing else."""
from __future__ import annotations

import pytest

from pipeline.redact import find_contacts, redact


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
