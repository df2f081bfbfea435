"""Report tests: redaction stand-in and the sample tables as fixtures."""
from __future__ import annotations

import importlib
import re
import sys
import types

import pandas as pd
import pytest

from tests.report.sample_tables import empty_tables, report_tables


@pytest.fixture(autouse=True)
def redaction(monkeypatch):
    """Use pipeline.redact when it exists; until then, a stand-in with the same contract."""
    try:
        importlib.import_module("pipeline.redact")
    except ImportError:
        stub = types.ModuleType("pipeline.redact")

        def redact(text: str) -> str:
            text = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", "[email]", text)
            return re.sub(r"\+?\d[\d ().-]{7,}\d", "[phone]", text)

        stub.redact = redact
        monkeypatch.setitem(sys.modules, "pipeline.redact", stub)


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return report_tables()


@pytest.fixture
def empty() -> dict[str, pd.DataFrame]:
    return empty_tables()
