"""Dates as comment sources write them, read into ISO 8601 (``parse_date``)."""
from __future__ import annotations

import pytest

from pipeline.ingest.normalize import parse_date


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2012-01-01T00:01:57+00:00", "2012-01-01T00:01:57+00:00"),
        ("2012-01-01T00:01:57Z", "2012-01-01T00:01:57+00:00"),
        ("2018-08-29 10:00:00", "2018-08-29T10:00:00"),
        ("2018-08-29 10:00", "2018-08-29T10:00:00"),
        ("2018-08-29", "2018-08-29"),
        ("2018-08-29T10:00:00.5", "2018-08-29T10:00:00.500000"),
        ("2018-08-29T10:00:00-05:30", "2018-08-29T10:00:00-05:30"),
        ("August 29, 2018", "2018-08-29"),
        ("Wed, 29 Aug 2018 10:00:00 +0000", "2018-08-29T10:00:00+00:00"),
        ("1535536800", "2018-08-29T10:00:00+00:00"),
        # Not dates: nothing is invented.
        ("2020-02-30", ""),
        ("2018-13-01", ""),
        ("yesterday-ish", ""),
        ("", ""),
    ],
)
def test_dates_are_read_into_iso_8601(written: str, iso: str) -> None:
    assert parse_date(written) == iso
