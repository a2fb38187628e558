"""`schoolmdm deploy --target jamf` and `schoolmdm drift --target jamf` as CI runs them: a real
process, the real CLI, the Jamf emulator as Jamf Pro, a ready token in the environment."""

from __future__ import annotations

import json
import plistlib
import shutil
from pathlib import Path

from tests.commands.test_deploy import cli
from tests.helpers import edit
from tests.support.deploy_fixtures import SECRET, build_estate
from tests.support.jamf_emulator import Fault, JamfEmulator
from tests.support.jamf_fixtures import (
    PROFILES,
    jamf_desired_keys,
    jamf_env,
    owned_jamf,
)


def jamf_args(build: Path, emu: JamfEmulator, *more: str) -> list[str]:
    return ["deploy", "--target", "jamf", "--jamf-url", emu.url, "--build", str(build), *more]


def test_deploy_drift_and_a_no_op_through_the_cli(
    jamf_build: Path, jamf: JamfEmulator, tmp_path: Path
) -> None:
    summary, report = tmp_path / "summary.md", tmp_path / "report.json"
    proc = cli(
        jamf_args(jamf_build, jamf, "--report", str(report)),
        jamf_env(GITHUB_STEP_SUMMARY=str(summary)),
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text())
    assert data["target"] == "jamf" and data["failed"] is False
    assert "### Deploy to Jamf Pro" in summary.read_text()
    assert set(owned_jamf(jamf)) == jamf_desired_keys(jamf_build)
    assert SECRET not in proc.stdout + proc.stderr + report.read_text()
    drift = cli(
        ["drift", "--target", "jamf", "--jamf-url", jamf.url, "--build", str(jamf_build)],
        jamf_env(),
        tmp_path,
    )
    assert drift.returncode == 0, drift.stdout + drift.stderr
    jamf.reset_stats()
    again = cli(jamf_args(jamf_build, jamf), jamf_env(), tmp_path)
    assert again.returncode == 0 and jamf.stats.writes == 0


def test_the_jamf_url_may_come_from_the_environment(
    jamf_build: Path, jamf: JamfEmulator, tmp_path: Path
) -> None:
    args = ["deploy", "--target", "jamf", "--build", str(jamf_build), "--dry-run"]
    proc = cli(args, jamf_env(SCHOOLMDM_JAMF_URL=jamf.url), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert set(jamf.stats.by_method) == {"GET"}


def test_usage_errors_exit_2(jamf_build: Path, tmp_path: Path) -> None:
    no_url = cli(["deploy", "--target", "jamf", "--build", str(jamf_build)], jamf_env(), tmp_path)
    assert no_url.returncode == 2 and "--jamf-url" in no_url.stderr
    bad = ["deploy", "--target", "jamf", "--jamf-url", "ftp://x", "--build", str(jamf_build)]
    assert cli(bad, jamf_env(), tmp_path).returncode == 2
    clear = ["deploy", "--target", "jamf", "--jamf-url", "http://jamf.example.org"]
    proc = cli([*clear, "--build", str(jamf_build)], jamf_env(), tmp_path)
    assert proc.returncode == 1 and "clear text" in proc.stderr


def test_an_edit_is_updated_in_place_under_faults_without_409_storms(
    jamf_root: Path, jamf: JamfEmulator, tmp_path: Path
) -> None:
    root = tmp_path / "estate"
    shutil.copytree(jamf_root, root, ignore=shutil.ignore_patterns("build"))
    build = build_estate(root)
    assert cli(jamf_args(build, jamf), jamf_env(), tmp_path).returncode == 0
    [(_, oid, _)] = owned_jamf(jamf)["gym-a/apple/jamf-profile/webclips"]
    ident = plistlib.loads(jamf.server.obj(PROFILES, oid)["general"]["payloads"].encode())
    edit(root, "schools/gym-a/school.yaml", "label: Schulportal", "label: Portal")
    build = build_estate(root)
    jamf.inject(
        Fault("500-after", "PUT", r"/id/\d+$", times=1),
        Fault("drop", "PUT", r"/id/\d+$", times=1),
        Fault("503", "GET", None, times=2),
    )
    proc = cli(jamf_args(build, jamf), jamf_env(), tmp_path)
    assert proc.returncode == 0, proc.stderr
    [(_, same, _)] = owned_jamf(jamf)["gym-a/apple/jamf-profile/webclips"]
    after = plistlib.loads(jamf.server.obj(PROFILES, same)["general"]["payloads"].encode())
    assert same == oid
    assert after["PayloadIdentifier"] == ident["PayloadIdentifier"]
    assert after["PayloadContent"][0]["Label"] == "Portal"
    assert jamf.server.identifier_changes == [] and jamf.stats.conflicts == 0
    jamf.reset_stats()
    assert cli(jamf_args(build, jamf), jamf_env(), tmp_path).returncode == 0
    assert jamf.stats.writes == 0
