"""Shared fixtures: the real seed page lives outside the repo, in ../shared/seeds/."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO.parent / "shared" / "seeds"
SEED_PAGE = SEED_DIR / "leg-cramps-reader-feedback.txt"


def _seed_required() -> bool:
    return os.environ.get("REMEDY_MINER_REQUIRE_SEED", "") not in ("", "0")


@pytest.fixture
def seed_page() -> Path:
    """The real saved page; skips only when ../shared/seeds is absent and not required."""
    if not SEED_PAGE.exists():
        if _seed_required():
            pytest.fail(f"REMEDY_MINER_REQUIRE_SEED is set but {SEED_PAGE} does not exist")
        pytest.skip("../shared/seeds/ is absent (set REMEDY_MINER_REQUIRE_SEED=1 to require it)")
    return SEED_PAGE


@pytest.fixture(scope="session", autouse=True)
def drug_index_cache(tmp_path_factory: pytest.TempPathFactory):
    """The drug dictionary's index cache goes to a session folder, never the user's ``~/.cache``
    (set in ``os.environ`` so that the CLI run in a subprocess uses it too)."""
    from pipeline.extract.drug_index import CACHE_ENVIRONMENT

    before = os.environ.get(CACHE_ENVIRONMENT)
    os.environ[CACHE_ENVIRONMENT] = str(tmp_path_factory.mktemp("drug-index"))
    yield
    if before is None:
        os.environ.pop(CACHE_ENVIRONMENT, None)
    else:
        os.environ[CACHE_ENVIRONMENT] = before
