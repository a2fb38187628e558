"""The after-merge workflow deploys safely: one deploy at a time, never cancelled, in the
production environment, signed in with OIDC, actions pinned by commit, no expression expanded
inside a shell script."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.helpers import REPO

WORKFLOW = REPO / ".github/workflows/main.yml"


def load() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in data["jobs"].values() for s in job["steps"]]


def test_deploy_runs_one_at_a_time_in_production_with_oidc() -> None:
    deploy = load()["jobs"]["deploy"]
    assert deploy["concurrency"] == {"group": "deploy-production", "cancel-in-progress": False}
    assert deploy["environment"] == "production"
    assert deploy["permissions"] == {"contents": "read", "id-token": "write"}
    runs = " ".join(s.get("run", "") for s in deploy["steps"])
    assert "schoolmdm build" in runs and "schoolmdm deploy --target intune" in runs
    assert "AZURE_CLIENT_SECRET" not in WORKFLOW.read_text()  # federated credential, no secret


def test_every_secret_of_the_estate_and_no_other_reaches_the_deploy() -> None:
    names = set(yaml.safe_load((REPO / "secrets.yaml").read_text())["secrets"])
    [step] = [
        s for s in load()["jobs"]["deploy"]["steps"] if "schoolmdm deploy" in s.get("run", "")
    ]
    passed = {k for k, v in step["env"].items() if str(v).startswith("${{ secrets.")}
    assert passed == names | {"SCHOOLMDM_DEPLOY_KEY", "JAMF_CLIENT_SECRET"}
    for name in names:
        assert step["env"][name] == f"${{{{ secrets.{name} }}}}"
    assert "toJSON(secrets)" not in WORKFLOW.read_text()


def test_a_nightly_drift_job() -> None:
    data = load()
    assert data["on"]["schedule"]
    drift = data["jobs"]["drift"]
    assert "schedule" in drift["if"]
    assert any("schoolmdm drift --target intune" in s.get("run", "") for s in drift["steps"])


def test_actions_are_pinned_by_full_commit_sha() -> None:
    for step in steps(load()):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_no_expression_is_expanded_inside_a_run_script() -> None:
    for step in steps(load()):
        assert "${{" not in step.get("run", ""), step["run"]
    assert load()["permissions"] == {"contents": "read"}


def test_jamf_pro_is_deployed_and_checked_when_the_environment_names_it() -> None:
    data = load()
    for job, verb in (("deploy", "deploy"), ("drift", "drift")):
        [step] = [s for s in data["jobs"][job]["steps"] if f"schoolmdm {verb}" in s.get("run", "")]
        assert f"schoolmdm {verb} --target jamf" in step["run"]
        assert 'if [ -n "$JAMF_URL" ]' in step["run"] and 'exit "$status"' in step["run"]
        assert step["env"]["JAMF_URL"] == "${{ vars.JAMF_URL }}"
        assert step["env"]["JAMF_CLIENT_SECRET"] == "${{ secrets.JAMF_CLIENT_SECRET }}"
