"""A stage's version changes with whatever its rules depend on, and only with that."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.cache.versions import STAGE_DATA, packaged_data, stage_version
from pipeline.errors import RuleFileError

TERMS = "concepts:\n  - concept: copper bracelet\n    category: device\n"
REPO = Path(__file__).resolve().parents[2]
OTHER_TERMS = "concepts:\n  - concept: copper band\n    category: device\n"


@pytest.fixture
def lexicon_at(tmp_path):
    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ({}, {}, True),
        ({"rule_files": [("a.yaml", TERMS)]}, {"rule_files": [("b.yaml", TERMS)]}, True),  # contents count, not paths
        ({}, {"rule_files": [("a.yaml", TERMS)]}, False),
        ({"rule_files": [("a.yaml", TERMS)]}, {"rule_files": [("a.yaml", OTHER_TERMS)]}, False),
        ({}, {"model": "en_core_web_sm"}, False),
    ],
)
def test_the_version_follows_the_user_rule_files_and_model(lexicon_at, first, second, same):
    def version(options):
        files = [lexicon_at(name, text) for name, text in options.get("rule_files", [])]
        return stage_version("extract", rule_files=files, model=options.get("model"))

    assert (version(first) == version(second)) is same


def test_stages_have_their_own_versions():
    assert len({stage_version(stage) for stage in ("ingest", "extract", "flag")}) == 3


@pytest.mark.parametrize("stage", sorted(STAGE_DATA))
def test_every_data_file_a_stage_names_exists(stage):
    names = [name for name, _ in packaged_data(STAGE_DATA[stage])]
    assert len(names) >= len(STAGE_DATA[stage])
    assert all(name.endswith((".yaml", ".yml")) for name in names)


def test_an_unreadable_rule_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(RuleFileError, match="missing.yaml"):
        stage_version("flag", rule_files=[tmp_path / "missing.yaml"])


@pytest.mark.parametrize(
    ("edited_file", "changed"),
    [
        ("unicode_tricks.yaml", ["ingest"]),
        ("cues.yaml", ["extract", "flag"]),
        ("safety/clots.yaml", ["flag"]),
        ("themes.yaml", []),  # cluster's settings: no cached stage reads them
    ],
)
def test_a_changed_packaged_data_file_changes_only_the_stages_that_read_it(monkeypatch, edited_file, changed):
    from pipeline.cache import versions

    before = {stage: stage_version(stage) for stage in ("ingest", "extract", "flag")}
    real = versions.packaged_data

    def edited(entries):
        return [(name, text + "\n# edited") if name == edited_file else (name, text) for name, text in real(entries)]

    monkeypatch.setattr(versions, "packaged_data", edited)
    after = {stage: stage_version(stage) for stage in ("ingest", "extract", "flag")}
    assert [stage for stage in before if before[stage] != after[stage]] == changed


STAGE_MODULES = {"ingest": "pipeline.ingest.stage", "extract": "pipeline.extract.nlp", "flag": "pipeline.flag.stage"}


@pytest.mark.parametrize("stage", sorted(STAGE_MODULES))
def test_every_module_a_stage_imports_is_in_its_code_fingerprint(stage):
    import json
    import subprocess
    import sys

    from pipeline.cache.versions import STAGE_CODE

    listing = (f"import importlib, json, sys; importlib.import_module({STAGE_MODULES[stage]!r}); "
               "print(json.dumps(sorted(m for m in sys.modules if m == 'pipeline' or m.startswith('pipeline.'))))")
    modules = json.loads(subprocess.run([sys.executable, "-c", listing], capture_output=True, text=True, check=True,
                                        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}).stdout)
    covered = STAGE_CODE[stage]

    def listed(module: str) -> bool:
        parts = module.split(".")[1:]
        if not parts:
            return "__init__.py" in covered
        return any("/".join(parts).startswith(entry.removesuffix(".py")) for entry in covered)

    assert [m for m in modules if not listed(m)] == []


def test_a_code_change_outside_a_stage_leaves_its_version_alone(monkeypatch):
    from pipeline.cache import versions

    before = stage_version("ingest")
    monkeypatch.setitem(versions.STAGE_CODE, "ingest", (*versions.STAGE_CODE["ingest"], "report"))
    assert stage_version("ingest") != before  # the code the stage runs is part of its version
    monkeypatch.setitem(versions.STAGE_CODE, "ingest", versions.STAGE_CODE["ingest"][:-1])
    assert stage_version("ingest") == before


@pytest.mark.parametrize("stage", sorted(STAGE_DATA))
def test_every_data_file_named_in_a_stages_code_is_in_its_version(stage):
    import re

    from pipeline.cache.versions import STAGE_CODE

    package = REPO / "pipeline"
    sources = [p for part in STAGE_CODE[stage] for p in ((package / part).rglob("*.py") if (package / part).is_dir() else [package / part])]
    named: set[str] = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        named |= set(re.findall(r'"([\w/]+\.yaml)"', text))
        named |= set(re.findall(r'packaged_files\("(\w+)"\)', text))
    assert named, "the scan found no data file names at all"
    assert sorted(named - set(STAGE_DATA[stage])) == []
