"""`schoolmdm check-paths` on real commits, with the base revision's CODEOWNERS."""

from __future__ import annotations

import json
from pathlib import Path

import git

from tests.gitrepo import commit
from tests.helpers import append, edit, run_cli, write

CODEOWNERS = """\
* @example-org/reviewers
/schools/gym-a/ @example-org/gym-a @example-org/reviewers
/schools/bbz-b/ @example-org/bbz-b @example-org/reviewers
"""


def setup(repo: Path) -> None:
    write(repo, ".github/CODEOWNERS", CODEOWNERS)
    commit(repo, "owners")

    git.Repo(repo).git.tag("-f", "owners")


def test_own_folder_only_passes(estate_repo: Path) -> None:
    setup(estate_repo)
    edit(estate_repo, "schools/gym-a/school.yaml", "allow_airdrop: false", "allow_airdrop: true")
    write(estate_repo, "schools/gym-a/notes.md", "new, untracked\n")
    result = run_cli(
        ["check-paths", "--base", "owners", "--owner", "@example-org/gym-a"], estate_repo
    )
    assert result.exit_code == 0, result.stdout
    assert "all 2 changed file(s)" in result.stderr


def test_files_outside_are_listed(estate_repo: Path) -> None:
    setup(estate_repo)
    edit(estate_repo, "schools/gym-a/school.yaml", "allow_airdrop: false", "allow_airdrop: true")
    append(estate_repo, "profiles/wifi.yaml", "# shared\n")
    (estate_repo / "schools/bbz-b/devices.csv").rename(estate_repo / "schools/gym-a/moved.csv")
    head = commit(estate_repo, "mixed change")
    result = run_cli(
        [
            "check-paths",
            "--base",
            "owners",
            "--head",
            head,
            "--owner",
            "@example-org/gym-a",
            "--format",
            "json",
        ],
        estate_repo,
    )
    assert result.exit_code == 1
    found = {d["file"]: d["message"] for d in json.loads(result.stdout)["diagnostics"]}
    assert sorted(found) == ["profiles/wifi.yaml", "schools/bbz-b/devices.csv"]
    assert "@example-org/bbz-b @example-org/reviewers" in found["schools/bbz-b/devices.csv"]


def test_codeowners_comes_from_the_base(estate_repo: Path) -> None:
    setup(estate_repo)
    write(estate_repo, ".github/CODEOWNERS", CODEOWNERS + "* @example-org/gym-a\n")  # self-grant
    append(estate_repo, "profiles/wifi.yaml", "# shared\n")
    result = run_cli(
        ["check-paths", "--base", "owners", "--owner", "@example-org/gym-a", "--format", "github"],
        estate_repo,
    )
    assert result.exit_code == 1
    assert "::error file=.github/CODEOWNERS" in result.stdout
    assert "::error file=profiles/wifi.yaml" in result.stdout


def test_no_codeowners_and_bad_revision(estate_repo: Path) -> None:
    append(estate_repo, "schools/gym-a/school.yaml", "# x\n")
    result = run_cli(
        ["check-paths", "--base", "base", "--owner", "@example-org/gym-a"], estate_repo
    )
    assert result.exit_code == 1 and "no-codeowners" in result.stdout
    bad = run_cli(["check-paths", "--base", "nope", "--owner", "@x"], estate_repo)
    assert bad.exit_code == 2
