"""When the compiler differs between revisions, the base is built by its own compiler."""

from __future__ import annotations

import shutil
from pathlib import Path

import git
import pytest

from compiler.plan.model import dotted
from compiler.plan.planner import make_plan
from compiler.plan.render_text import render_text
from tests.gitrepo import commit, init_repo
from tests.helpers import REPO, edit, make_mini_estate

OLD = "PayloadOrganization=settings.organisation,"
NEW = 'PayloadOrganization="Old: " + settings.organisation,'


@pytest.fixture
def repo_with_compiler(tmp_path: Path) -> Path:
    """An estate repository that also holds the compiler (as this one does); the committed
    compiler writes a different PayloadOrganization into every payload."""
    root = make_mini_estate(tmp_path / "repo")
    ignore = shutil.ignore_patterns("__pycache__", "_schemas")
    shutil.copytree(REPO / "compiler", root / "compiler", ignore=ignore)
    # the schemas the compiler reads (not the estate's generated editor schema)
    shutil.copytree(REPO / "schemas", root / "schemas", ignore=shutil.ignore_patterns("*.estate.*"))
    edit(root, "compiler/render/apple.py", OLD, NEW)
    init_repo(root)
    commit(root, "base with an older compiler")
    git.Repo(root).git.tag("base")
    return root


def test_base_built_with_its_own_compiler(repo_with_compiler: Path) -> None:
    root = repo_with_compiler
    plan = make_plan(root, "base", None)  # the working tree: this compiler
    assert not plan.blocked, plan.head.diagnostics
    assert plan.base.built_with.startswith("its own compiler")
    assert plan.head.built_with == "this compiler"
    assert any("compiler differs" in n for n in plan.notes)
    assert "compiler differs" in render_text(plan)
    assert [s.id for s in plan.schools] == ["gym-a"]  # the windows school renders the same
    (sp,) = plan.schools
    assert sp.params == []  # the estate is the same: only what the compiler makes of it changed
    changed = {
        dotted(c.path): (c.old, c.new)
        for a in sp.artifacts
        if a.kind == "profile"
        for c, _ in a.shown()
    }
    org = "Schul-IT-Zentrum Musterkreis"
    assert changed["PayloadContent[com.apple.wifi.managed · wifi].PayloadOrganization"] == (
        f"Old: {org}",
        org,
    )
    assert all(k.endswith("PayloadOrganization") for k in changed)


def test_head_commit_with_the_running_compiler(repo_with_compiler: Path) -> None:
    root = repo_with_compiler
    edit(root, "compiler/render/apple.py", NEW, OLD)
    edit(root, "schools/gym-a/school.yaml", "allow_camera: true", "allow_camera: false")
    head = commit(root, "this compiler, and a school change")
    plan = make_plan(root, "base", head)
    assert plan.head.built_with == "this compiler"
    assert plan.base.built_with.startswith("its own compiler")
    (sp,) = plan.schools
    assert [p.label for p in sp.params] == ["restrictions.allow_camera"]


def test_same_compiler_in_both_revisions_builds_in_process(repo_with_compiler: Path) -> None:
    root = repo_with_compiler
    edit(root, "compiler/render/apple.py", NEW, OLD)
    first = commit(root, "this compiler")
    edit(root, "schools/gym-a/school.yaml", "allow_camera: true", "allow_camera: false")
    plan = make_plan(root, first, None)
    assert plan.base.built_with == plan.head.built_with == "this compiler"
    assert plan.notes == [] and plan.rendered == ["gym-a"]
