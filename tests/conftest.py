"""Fixtures: the repository's example estate, and a small estate of two schools in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.gitrepo import make_estate_repo
from tests.helpers import REPO, make_mini_estate

# the deployer's fixtures (a built mini estate, a seeded Graph emulator), for tests/deploy and
# tests/commands alike
pytest_plugins = ("tests.support.deploy_fixtures", "tests.support.jamf_fixtures")


@pytest.fixture
def example_root() -> Path:
    """The repository root with the real example estate. Read it; copy it before changing it."""
    return REPO


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the example estate (inputs only, no build output)."""
    dest = tmp_path / "estate"
    dest.mkdir()
    for name in ("schoolmdm.yaml", "secrets.yaml", "schools", "catalog", "profiles", "templates"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture
def mini_estate(tmp_path: Path) -> Path:
    """Two small schools that validate clean: `gym-a` (apple) and `bbz-b` (windows).

    Change a file with tests.helpers.write / edit / append, then validate.
    """
    return make_mini_estate(tmp_path)


@pytest.fixture
def estate_repo(tmp_path: Path) -> Path:
    """A git repository of three schools (gym-a apple, bbz-b windows, gym-c apple), its first
    commit tagged `base`; change files, then plan against `base` (tests/gitrepo.py commits)."""
    return make_estate_repo(tmp_path)
