"""CODEOWNERS follows each school's maintainers; validate notices a stale file."""

from __future__ import annotations

from pathlib import Path

from compiler.codeowners import PATH
from tests.helpers import edit, findings, read, run_cli


def test_codeowners_written_then_checked(mini_estate: Path) -> None:
    result = run_cli(["codeowners", "--root", str(mini_estate)], mini_estate)
    assert result.exit_code == 0
    text = read(mini_estate, PATH)
    lines = text.splitlines()
    reviewers = lines[2].split()[1]
    assert reviewers.startswith("@")
    assert f"/profiles/ {reviewers}" in lines
    gym = next(line for line in lines if line.startswith("/schools/gym-a/"))
    assert gym.split()[-1] == reviewers and len(gym.split()) >= 3
    assert (
        run_cli(["codeowners", "--check", "--root", str(mini_estate)], mini_estate).exit_code == 0
    )
    assert findings(mini_estate) == []


def test_stale_codeowners_is_a_finding(mini_estate: Path) -> None:
    assert run_cli(["codeowners", "--root", str(mini_estate)], mini_estate).exit_code == 0
    school = read(mini_estate, "schools/gym-a/school.yaml")
    first = next(
        line for line in school.splitlines() if line.strip().startswith("- ") and "@" in line
    )
    edit(mini_estate, "schools/gym-a/school.yaml", first, first + '\n  - "@someone-new"')
    [diag] = findings(mini_estate)
    assert (diag.path, diag.code) == (PATH, "codeowners-out-of-date")
    assert (
        run_cli(["codeowners", "--check", "--root", str(mini_estate)], mini_estate).exit_code == 1
    )
    assert run_cli(["codeowners", "--root", str(mini_estate)], mini_estate).exit_code == 0
    assert "@someone-new" in read(mini_estate, PATH)
    assert findings(mini_estate) == []


def test_repository_codeowners_is_up_to_date(example_root: Path) -> None:
    result = run_cli(["codeowners", "--check", "--root", str(example_root)], example_root)
    assert result.exit_code == 0, result.stderr
