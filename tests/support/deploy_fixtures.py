"""Fixtures for the deployer: a built mini estate, a Graph emulator seeded like a real tenant
(VPP apps from the licence sync, hand-made objects), and a helper that runs a deploy in-process
against it with fast retries (the pace limits stay Intune's unless a test scales them)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from compiler.deploy.http import RetryPolicy
from compiler.deploy.run import RunArgs, Tuning, run
from tests.helpers import make_mini_estate
from tests.support.graph_emulator import GraphEmulator, Limits

TOKEN = "test-token-0123456789"
SECRET = "Pa$$<wörd>&'\"ünïcode-secret"
DEPLOY_KEY = "deploy-key-0123456789abcdef"
MINI_VPP = {
    "pages": "com.apple.Pages",
    "keynote": "com.apple.Keynote",
    "goodnotes": "com.goodnotesapp.x",
}
FAST = Tuning(policy=lambda: RetryPolicy(base=0.01, cap=0.05, deadline=120), poll_interval=0.05)


def build_estate(root: Path, *args: str) -> Path:
    proc = subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--root", str(root), *args],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return root / "build"


@pytest.fixture(scope="session")
def mini_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_mini_estate(tmp_path_factory.mktemp("mini"))
    build_estate(root)
    return root


@pytest.fixture
def mini_build(mini_root: Path, tmp_path: Path) -> Path:
    """A private copy of the mini estate's build (tests may change it)."""
    dest = tmp_path / "build"
    shutil.copytree(mini_root / "build", dest)
    return dest


def vpp_bundle_ids(build: Path) -> dict[str, str]:
    out = {}
    for f in sorted((build / "estate/apple/apps").glob("*.json")):
        doc = json.loads(f.read_text())
        out[f.stem] = doc["body"]["bundleId"]
    return out


def seed_tenant(emu: GraphEmulator, build: Path) -> dict[str, str]:
    """The licence sync's VPP apps and some hand-made objects; returns the hand-made ids."""
    for name, bundle in vpp_bundle_ids(build).items():
        emu.tenant.seed(
            "deviceAppManagement/mobileApps",
            {
                "@odata.type": "#microsoft.graph.iosVppApp",
                "displayName": name,
                "bundleId": bundle,
                "vppTokenAppleId": "vpp@schulen.example",
            },
        )
    return {
        "config": emu.tenant.seed(
            "deviceManagement/deviceConfigurations",
            {
                "@odata.type": "#microsoft.graph.windows10CustomConfiguration",
                "displayName": "bbz-b | WLAN",
                "description": "made by hand",
                "omaSettings": [],
            },
        ),
        "group": emu.tenant.seed(
            "groups",
            {
                "displayName": "SMDM-bbz-b-devices",
                "description": "teachers' own group",
                "mailEnabled": False,
                "mailNickname": "smdm-bbz-b-devices",
                "securityEnabled": True,
                "groupTypes": [],
            },
        ),
    }


@pytest.fixture
def emu(mini_build: Path) -> Iterator[GraphEmulator]:
    with GraphEmulator(limits=Limits(window=20.0), token=TOKEN) as e:
        e.tenant.import_polls_to_finish = 1
        e.hand_made = seed_tenant(e, mini_build)  # type: ignore[attr-defined]
        yield e


def base_env(**extra: str) -> dict[str, str]:
    return {
        "SCHOOLMDM_GRAPH_TOKEN": TOKEN,
        "WIFI_PSK_GYM_A": SECRET,
        "SCHOOLMDM_DEPLOY_KEY": DEPLOY_KEY,
        "CI": "true",
        **extra,
    }


@dataclass
class Result:
    code: int
    out: str
    err: str
    report: dict[str, Any] = field(default_factory=dict)

    def ops(self, action: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        return [
            o
            for o in self.report.get("operations", [])
            if (action is None or o["action"] == action)
            and (status is None or o["status"] == status)
        ]


def deploy(
    build: Path,
    emu: GraphEmulator,
    *,
    mode: str = "deploy",
    dry_run: bool = False,
    prune: bool = False,
    max_deletions: int = 5,
    schools: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    tuning: Tuning = FAST,
    signer: Any = None,
) -> Result:
    report = build.parent / "report.json"
    report.unlink(missing_ok=True)
    args = RunArgs(
        build,
        mode,
        dry_run or mode == "drift",
        prune,
        max_deletions,
        schools,
        report,
        emu.url,
        signer,
    )
    out, err = io.StringIO(), io.StringIO()
    code = run(args, base_env() if env is None else env, out, err, tuning)
    data = json.loads(report.read_text()) if report.exists() else {}
    return Result(code, out.getvalue(), err.getvalue(), data)


def owned(emu: GraphEmulator) -> dict[str, list[dict[str, Any]]]:
    """Objects with our marker, by key."""
    from compiler.deploy.marker import parse

    out: dict[str, list[dict[str, Any]]] = {}
    for collection in emu.tenant.objects:
        for obj in emu.tenant.all(collection):
            found = parse(obj.get("description"))
            if found:
                out.setdefault(found[0], []).append(obj)
    return out
