"""Small hand-made flags and comments tables, shaped like the flag and ingest stages' output."""
from __future__ import annotations

import pandas as pd
import pytest

COMMENTS = [
    # comment_id, author, posted_at, thread, text
    ("c-calf", "Maureen", "2021-03-04", "night cramps", "My left calf is swollen and hot since Tuesday, is that a cramp?"),
    ("c-pills", "Dev", "2021-05-10T08:30:00", "night cramps", "I take warfarin, clopidogrel, furosemide, a statin and magnesium."),
    ("c-contact", "Rosa", "2020-11-02", "tonic water", "Ring me on (555) 014-2233 or write rosa at example dot com, I sell a cramp rub."),
    ("c-quinine", "Hal", "", "tonic water", "Quinine pills from abroad sorted my cramps | no more cramps\nat all."),
    ("c-kid", "Priya", "2021-05-10T08:30:00", "night cramps", "Can I give my 6 year old magnesium for her leg cramps?"),
]

FLAGS = [
    # flag_id, comment_id, flag, severity, reason, evidence
    ("f-calf-dvt", "c-calf", "dvt", "urgent", "A swollen hot calf can be a blood clot.", "calf is swollen and hot"),
    ("f-pills-poly", "c-pills", "polypharmacy", "high", "Five medicines listed, including a blood thinner.", "warfarin, clopidogrel, furosemide"),
    ("f-pills-inter", "c-pills", "drug_interaction", "urgent", "Warfarin with clopidogrel raises bleeding risk.", "warfarin, clopidogrel"),
    ("f-contact-pd", "c-contact", "personal_data", "high", "A phone number and an e-mail address.", "(555) 014-2233 or write rosa at example dot com"),
    ("f-contact-promo", "c-contact", "self_promotion", "low", "Sells a product.", "I sell a cramp rub"),
    ("f-quinine", "c-quinine", "hazardous_remedy", "high", "Quinine for cramps is warned against.", "Quinine pills"),
    ("f-kid", "c-kid", "pediatric_medication", "high", "Asks about a medicine for a child.", "give my 6 year old magnesium"),
]


def comments_table() -> pd.DataFrame:
    table = pd.DataFrame(COMMENTS, columns=["comment_id", "author", "posted_at", "thread", "text"])
    table.insert(1, "source", "sample.txt")
    table["position"] = range(len(table))
    return table


def flags_table() -> pd.DataFrame:
    table = pd.DataFrame(FLAGS, columns=["flag_id", "comment_id", "flag", "severity", "reason", "evidence"])
    table["rule"] = "test:" + table["flag"]
    table["evidence_start"] = 0
    table["evidence_end"] = table["evidence"].str.len()
    table["source"] = "https://example.org/reference"
    return table


@pytest.fixture
def comments() -> pd.DataFrame:
    return comments_table()


@pytest.fixture
def flags() -> pd.DataFrame:
    return flags_table()
