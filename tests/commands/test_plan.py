"""`schoolmdm plan` on the command line: formats, exit codes, files for CI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.gitrepo import commit
from tests.helpers import edit, run_cli, run_module


def test_help_names_the_exit_codes(estate_repo: Path) -> None:
    result = run_cli(["plan", "--help"], estate_repo)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "0 no changes, 3 changes" in text and "2 usage error" in text


def test_detailed_exit_codes(estate_repo: Path) -> None:
    assert run_cli(["plan", "--base", "base"], estate_repo).exit_code == 0
    assert run_cli(["plan", "--base", "base", "--detailed-exitcode"], estate_repo).exit_code == 0
    edit(estate_repo, "schools/gym-a/school.yaml", "allow_airdrop: false", "allow_airdrop: true")
    plain = run_cli(["plan", "--base", "base"], estate_repo)
    assert plain.exit_code == 0 and "allowAirDrop: false → true" in plain.stdout
    assert run_cli(["plan", "--base", "base", "--detailed-exitcode"], estate_repo).exit_code == 3


def test_findings_in_the_head_exit_1(estate_repo: Path) -> None:
    edit(estate_repo, "schools/gym-a/school.yaml", "allow_airdrop: false", "allow_airdrop: nein")
    for extra in ([], ["--detailed-exitcode"]):
        result = run_cli(["plan", "--base", "base", *extra], estate_repo)
        assert result.exit_code == 1
        assert "schools/gym-a/school.yaml:" in result.stdout


def test_usage_errors_exit_2(estate_repo: Path, tmp_path: Path) -> None:
    assert run_cli(["plan"], estate_repo).exit_code == 2  # --base is required
    bad = run_cli(["plan", "--base", "no-such-rev"], estate_repo)
    assert bad.exit_code == 2 and "unknown revision" in bad.stderr
    assert run_cli(["plan", "--base", "base", "--format", "yaml"], estate_repo).exit_code == 2


def test_out_writes_every_format(estate_repo: Path, tmp_path: Path) -> None:
    edit(
        estate_repo,
        "schools/bbz-b/school.yaml",
        "quality_deferral_days: 5",
        "quality_deferral_days: 9",
    )
    head = commit(estate_repo, "change")
    out = tmp_path / "plan"
    result = run_cli(
        [
            "plan",
            "--base",
            "base",
            "--head",
            head,
            "--format",
            "json",
            "--out",
            str(out),
            "--link",
            "https://example.org/x",
        ],
        estate_repo,
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [s["id"] for s in data["schools"]] == ["bbz-b"]
    assert sorted(p.name for p in out.iterdir()) == [
        "comment.md",
        "plan.json",
        "plan.md",
        "plan.txt",
        "summary.md",
    ]
    assert json.loads((out / "plan.json").read_text()) == data
    assert "quality_deferral_days: 5 → 9" in (out / "plan.txt").read_text()
    assert (out / "comment.md").read_text().startswith("<!-- schoolmdm-plan -->")


def test_real_entry_point(estate_repo: Path) -> None:
    edit(estate_repo, "schools/gym-a/school.yaml", "allow_airdrop: false", "allow_airdrop: true")
    proc = run_module(["plan", "--base", "base", "--format", "markdown"], estate_repo)
    assert proc.returncode == 0, proc.stderr
    assert "<details><summary><code>gym-a</code>" in proc.stdout
    assert "Traceback" not in proc.stderr
