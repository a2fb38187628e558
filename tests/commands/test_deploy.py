"""`schoolmdm deploy` and `schoolmdm drift` as a user runs them: a real process, the real CLI,
the emulator as Microsoft Graph, credentials and secrets in the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.deploy_fixtures import DEPLOY_KEY, SECRET, TOKEN, base_env, seed_tenant
from tests.support.graph_emulator import Fault, GraphEmulator, Limits


@pytest.fixture
def graph(mini_build: Path) -> Iterator[GraphEmulator]:
    with GraphEmulator(limits=Limits(), token=TOKEN) as e:
        e.tenant.import_polls_to_finish = 1
        seed_tenant(e, mini_build)
        yield e


def cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AZURE_", "ACTIONS_", "SCHOOLMDM_", "WIFI_"))
    }
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "compiler", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=cwd,
        timeout=300,
    )


def deploy_args(build: Path, graph: GraphEmulator, *more: str) -> list[str]:
    return ["deploy", "--target", "intune", "--build", str(build), "--graph-url", graph.url, *more]


def test_deploy_then_drift_then_no_op(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    report = tmp_path / "report.json"
    proc = cli(
        deploy_args(mini_build, graph, "--report", str(report)),
        base_env(GITHUB_STEP_SUMMARY=str(summary)),
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text())
    assert data["failed"] is False and data["mode"] == "deploy"
    first = data["operations"][0]
    assert set(first) == {"key", "action", "status", "request_id", "changes", "error"}
    assert any(o["action"] == "create" and o["request_id"] for o in data["operations"])
    assert "### Deploy to Intune" in summary.read_text()
    drift = cli(
        ["drift", "--target", "intune", "--build", str(mini_build), "--graph-url", graph.url],
        base_env(),
        tmp_path,
    )
    assert drift.returncode == 0, drift.stdout + drift.stderr
    graph.reset_stats()
    again = cli(deploy_args(mini_build, graph), base_env(), tmp_path)
    assert again.returncode == 0
    assert graph.stats.writes == 0


def test_dry_run_sends_no_write_request_at_all(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    proc = cli(deploy_args(mini_build, graph, "--dry-run"), base_env(), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert set(graph.stats.by_method) == {"GET"} and graph.stats.batches == 0
    assert "would create: bbz-b/windows/group/devices" in proc.stdout
    assert "would assign: _estate/apple/vpp-app/pages" in proc.stdout


def test_a_missing_secret_fails_before_any_write_naming_it(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    env = base_env()
    del env["WIFI_PSK_GYM_A"]
    proc = cli(deploy_args(mini_build, graph), env, tmp_path)
    assert proc.returncode == 1
    assert "WIFI_PSK_GYM_A" in proc.stderr
    assert graph.stats.requests == 0  # not even a read
    env = base_env()
    del env["SCHOOLMDM_DEPLOY_KEY"]
    proc = cli(deploy_args(mini_build, graph), env, tmp_path)
    assert proc.returncode == 1 and "SCHOOLMDM_DEPLOY_KEY" in proc.stderr


def test_a_rejected_fixed_token_stops_the_run_clearly(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    report = tmp_path / "r.json"
    proc = cli(
        deploy_args(mini_build, graph, "--report", str(report)),
        base_env(SCHOOLMDM_GRAPH_TOKEN="expired-token-value"),
        tmp_path,
    )
    assert proc.returncode == 1
    assert "401" in proc.stderr and "SCHOOLMDM_GRAPH_TOKEN" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "expired-token-value" not in proc.stderr + proc.stdout + report.read_text()
    assert graph.stats.performed_writes == 0


def test_a_401_mid_run_with_a_fixed_token_stops(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    graph.inject(Fault("401", "POST", r"deviceConfigurations$"))
    proc = cli(deploy_args(mini_build, graph), base_env(), tmp_path)
    assert proc.returncode == 1 and "cannot be refreshed" in proc.stderr


def test_an_operation_that_fails_gives_exit_1_and_the_rest_is_done(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    graph.inject(Fault("500", "POST", r"mobileApps$", times=100))
    report = tmp_path / "r.json"
    proc = cli(deploy_args(mini_build, graph, "--report", str(report)), base_env(), tmp_path)
    assert proc.returncode == 1
    data = json.loads(report.read_text())
    assert {o["key"] for o in data["operations"] if o["status"] == "failed"}
    assert any(o["action"] == "create" and o["status"] == "ok" for o in data["operations"])


def test_a_build_that_does_not_match_its_manifest_is_refused(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    path = mini_build / "schools/bbz-b/windows/it-baseline.baseline.json"
    path.write_text(path.read_text().replace("Basisschutz", "Basisschutz!"))
    proc = cli(deploy_args(mini_build, graph), base_env(), tmp_path)
    assert proc.returncode == 1
    assert "does not match the manifest's sha256" in proc.stderr
    assert graph.stats.requests == 0


@pytest.mark.parametrize(
    "more",
    [
        ["--school", "Not A School"],
        ["--graph-url", "ftp://x"],
        ["--max-deletions", "-1"],
        ["--target", "jamf"],
    ],
)
def test_usage_errors_exit_2(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path, more: list[str]
) -> None:
    args = deploy_args(mini_build, graph)
    if more[0] == "--target":
        args[2] = more[1]
    else:
        args += more
    proc = cli(args, base_env(), tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert graph.stats.requests == 0


def test_a_school_outside_a_partial_build_is_a_usage_error(
    mini_root: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    out = tmp_path / "partial"
    proc = cli(
        ["build", "--root", str(mini_root), "--out", str(out), "--school", "gym-a"], {}, tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "manifest.json").read_text())["scope"] == ["gym-a"]
    proc = cli(deploy_args(out, graph, "--school", "bbz-b"), base_env(), tmp_path)
    assert proc.returncode == 2 and "covers only gym-a" in proc.stderr


def test_no_credentials_is_a_clear_error(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    env = base_env()
    del env["SCHOOLMDM_GRAPH_TOKEN"]
    proc = cli(deploy_args(mini_build, graph), env, tmp_path)
    assert proc.returncode == 1 and "no credentials for Microsoft Graph" in proc.stderr


def test_drift_reports_what_differs_and_exits_1(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    assert cli(deploy_args(mini_build, graph), base_env(), tmp_path).returncode == 0
    from tests.support.deploy_fixtures import owned

    obj = owned(graph)["bbz-b/windows/policy/windows-updates.updates"][0]
    graph.tenant.update(
        "deviceManagement/deviceConfigurations",
        obj["id"],
        {"@odata.type": obj["@odata.type"], "displayName": "renamed by hand"},
        replace=False,
    )
    graph.tenant.delete("groups", owned(graph)["gym-a/apple/group/devices"][0]["id"])
    env = base_env()
    del env["WIFI_PSK_GYM_A"]  # drift works without secret values (fingerprints are skipped)
    graph.reset_stats()
    proc = cli(
        ["drift", "--target", "intune", "--build", str(mini_build), "--graph-url", graph.url],
        env,
        tmp_path,
    )
    assert proc.returncode == 1
    assert (
        "changed in Intune: bbz-b/windows/policy/windows-updates.updates: displayName: 'renamed by hand', want 'bbz-b | "
        in proc.stdout
    )
    assert "missing in Intune: gym-a/apple/group/devices" in proc.stdout
    assert set(graph.stats.by_method) == {"GET"}
    assert SECRET not in proc.stdout + proc.stderr and DEPLOY_KEY not in proc.stdout + proc.stderr


def test_secret_values_can_come_as_one_json_object(
    mini_build: Path, graph: GraphEmulator, tmp_path: Path
) -> None:
    """For CI systems that hand over all secrets as one value."""
    env = base_env()
    values = {
        "WIFI_PSK_GYM_A": env.pop("WIFI_PSK_GYM_A"),
        "SCHOOLMDM_DEPLOY_KEY": env.pop("SCHOOLMDM_DEPLOY_KEY"),
        "github_token": "ghs_x",
    }
    env["SCHOOLMDM_SECRETS_JSON"] = json.dumps(values)
    proc = cli(deploy_args(mini_build, graph), env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    env["SCHOOLMDM_SECRETS_JSON"] = "[1, 2"
    proc = cli(deploy_args(mini_build, graph), env, tmp_path)
    assert proc.returncode == 1 and "SCHOOLMDM_SECRETS_JSON is not a JSON object" in proc.stderr
