"""Building a revision with that revision's own compiler, when it differs from this one.

The revision is exported (`git archive`, no checkout, no second working tree) into a temporary
folder and built there by its own `python -m compiler build`, in a separate process; the plan
reads the build back through its manifest. Signing keys in the environment are not passed on:
a plan never signs.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from compiler.artifact import MANIFEST, Artifact
from compiler.diagnostics import Diagnostic
from compiler.plan.gitsource import Repository

TIMEOUT = 1800  # seconds; a build of the largest estates takes a few minutes


class ForeignBuildError(Exception):
    pass


@dataclass(frozen=True)
class ForeignBuild:
    artifacts: list[Artifact]
    diagnostics: list[Diagnostic]


def _export(repo: Repository, commit: str, dest: Path) -> None:
    archive = io.BytesIO()
    repo.repo.archive(archive, commit, format="tar")
    archive.seek(0)
    with tarfile.open(fileobj=archive) as tar:
        tar.extractall(dest, filter="data")  # nothing outside dest, no device files


def _read_build(out: Path) -> list[Artifact]:
    data: Any = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    arts = []
    for row in data["artifacts"]:
        rel = PurePosixPath(row["path"])
        if rel.is_absolute() or ".." in rel.parts:
            raise ForeignBuildError(f"the manifest names a path outside the build: {rel}")
        content = (out / rel).read_bytes()
        arts.append(
            Artifact(
                row["path"],
                row["school"],
                row["platform"],
                row["kind"],
                row["name"],
                content,
                tuple(row.get("sources", ())),
                tuple(row.get("secrets", ())),
            )
        )
    return arts


def _findings(stdout: str) -> list[Diagnostic]:
    try:
        rows = json.loads(stdout)["diagnostics"]
        return [
            Diagnostic(r["file"], r["line"], r["col"], r["code"], r["message"], r.get("hint", ""))
            for r in rows
        ]
    except (ValueError, KeyError, TypeError):
        return []


def build_revision(repo: Repository, commit: str, prefix: str) -> ForeignBuild:
    """Every artifact of the estate at `commit`, built by the compiler in that commit."""
    with tempfile.TemporaryDirectory(prefix="schoolmdm-plan-") as tmp:
        src = Path(tmp) / "src"
        _export(repo, commit, src)
        root = src / prefix if prefix else src
        out = Path(tmp) / "out"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOOLMDM_SIGN")}
        env["PYTHONPATH"] = str(root)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        command = [sys.executable, "-m", "compiler", "build", "--root", str(root)]
        command += ["--out", str(out), "--format", "json"]
        try:
            proc = subprocess.run(
                command,
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ForeignBuildError(f"its build took longer than {TIMEOUT} s") from None
        if proc.returncode == 0:
            return ForeignBuild(_read_build(out), [])
        found = _findings(proc.stdout) if proc.returncode == 1 else []
        if found:
            return ForeignBuild([], found)
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise ForeignBuildError(f"its build exited with {proc.returncode}: {tail}")
