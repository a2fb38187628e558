"""Every workflow file passes GitHub's workflow schema (SchemaStore's, shipped offline with
check-jsonschema) and the zizmor security linter (offline audits) with nothing high; the
pull-request workflow keeps its promises (pinned actions, least privilege, no untrusted
input in scripts, one sticky comment, nothing for forks)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.plan.render_md import MARKER
from tests.helpers import REPO

WORKFLOWS = sorted(
    p for p in (REPO / ".github/workflows").iterdir() if p.suffix in (".yml", ".yaml")
)
PR = REPO / ".github/workflows/pull-request.yml"


def zizmor() -> str:
    found = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    if not Path(found).exists():
        pytest.fail("zizmor is a test dependency: pip install -e '.[test]'")
    return found


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_github_workflow_schema(path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_zizmor_reports_nothing_high(path: Path) -> None:
    proc = subprocess.run(
        [zizmor(), "--offline", "--no-progress", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout.strip(), proc.stderr
    findings = json.loads(proc.stdout)
    high = [
        f"{f['ident']}: {f['desc']} at {f['locations'][0]['concrete']['feature']}"
        for f in findings
        if f["determinations"]["severity"] == "High"
    ]
    assert high == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_privileged_triggers_and_pinned_actions(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    triggers = load(path).get(True) or load(path).get("on")  # YAML 1.1 reads `on` as True
    assert "pull_request_target" not in str(triggers) and "workflow_run" not in str(triggers)
    for ref in re.findall(r"uses:\s*(\S+)", text):
        if not ref.startswith("./"):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+(/\S+)?@[0-9a-f]{40}", ref), ref


def test_pull_request_workflow() -> None:
    wf = load(PR)
    assert wf.get("permissions") == {}  # nothing by default; each job says what it needs
    jobs = wf["jobs"]
    writers = {name for name, job in jobs.items() if "write" in json.dumps(job.get("permissions"))}
    assert writers == {"comment"}
    assert jobs["comment"]["permissions"] == {"pull-requests": "write"}
    assert "head.repo.full_name == github.repository" in jobs["comment"]["if"]  # not for forks
    steps = jobs["plan"]["steps"]
    checkout = steps[0]["with"]
    assert checkout["persist-credentials"] is False and checkout["fetch-depth"] >= 2
    runs = [s["run"] for job in jobs.values() for s in job["steps"] if "run" in s]
    assert runs and not any("${{" in r for r in runs)  # values reach scripts through env only
    commands = " ".join(runs)
    for needed in ("validate --format github", "generate --check", "build", "plan --base"):
        assert needed in commands
    assert "GITHUB_STEP_SUMMARY" in commands
    uploads = {s["with"]["name"] for s in steps if "upload-artifact" in s.get("uses", "")}
    assert uploads == {"plan", "build"}
    script = jobs["comment"]["steps"][-1]["with"]["script"]
    assert MARKER in script and "updateComment" in script and "paginate" in script
    assert "secrets." not in PR.read_text(encoding="utf-8")
