"""One build of the whole example estate, shared by the render tests (it takes a second or two)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from compiler.cli import cli
from tests.helpers import REPO

INPUTS = ("schoolmdm.yaml", "secrets.yaml", "schools", "catalog", "profiles", "templates")


def copy_example(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in INPUTS:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    return dest


def run_build(root: Path, *args: str) -> Path:
    result = CliRunner().invoke(cli, ["build", "--root", str(root), *args])
    assert result.exit_code == 0, result.output
    return Path(args[args.index("--out") + 1]) if "--out" in args else root / "build"


@pytest.fixture(scope="session")
def example_estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("example") / "estate")


@pytest.fixture(scope="session")
def example_build(example_estate: Path) -> Path:
    return run_build(example_estate)


@pytest.fixture(scope="session")
def manifest(example_build: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((example_build / "manifest.json").read_text())
    return data
