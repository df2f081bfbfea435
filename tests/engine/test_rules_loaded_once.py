"""The flag rules are read once per process: checking them on the client serves the tasks too."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.engine import settings as engine_settings
from pipeline.engine import tasks
from pipeline.flag import rules as flag_rules


def _count_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = flag_rules.load_safety_rules

    def counted(extra=()):
        calls.append(1)
        return real(extra)

    monkeypatch.setattr(flag_rules, "load_safety_rules", counted)
    monkeypatch.setattr(tasks, "load_safety_rules", counted)
    monkeypatch.setattr(tasks, "_FLAG_RULES", {})
    return calls


def test_packaged_rules_checked_on_the_client_are_not_loaded_again(monkeypatch) -> None:
    calls = _count_loads(monkeypatch)
    settings = engine_settings.flag_settings(None, None)
    rules, _ = tasks.flag_rules_for(settings)
    assert len(calls) == 1
    assert rules == flag_rules.load_safety_rules()


def test_user_rules_are_loaded_by_the_task_from_its_own_copy(monkeypatch, tmp_path: Path) -> None:
    """A ``--rules`` file is read again from the copy a worker gets (which may be another machine)."""
    extra = tmp_path / "extra.yaml"
    extra.write_text("{}\n", encoding="utf-8")
    calls = _count_loads(monkeypatch)
    settings = engine_settings.flag_settings(None, [extra])
    tasks.flag_rules_for(settings)
    assert len(calls) == 2
