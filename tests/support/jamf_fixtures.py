"""Fixtures for deploying to Jamf Pro: the mini estate built with `mdm.apple: jamf`, a Jamf
emulator seeded like a real server (the apple school's enrolled iPads, a volume purchasing
location, a hand-made profile and a hand-made group), and a helper that runs a deploy in-process
against it with fast retries."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.deploy.marker import parse
from compiler.deploy.run import RunArgs, Tuning, run
from tests.helpers import edit, make_mini_estate
from tests.support.deploy_fixtures import DEPLOY_KEY, FAST, SECRET, Result, build_estate
from tests.support.jamf_emulator import JamfEmulator, Limits
from tests.support.jamf_store import JamfServer

JAMF_TOKEN = "jamf-test-token-0123456789"
PROFILES = "mobiledeviceconfigurationprofiles"
GROUPS = "mobiledevicegroups"
APPS = "mobiledeviceapplications"
WRITABLE = (GROUPS, PROFILES, APPS)
GYM_A_SERIALS = ("DMPA00000001", "DMPA00000002", "DMPA00000003")
HAND_PROFILE = """<configuration_profile><general><name>Hand-made WLAN</name>
<description>made in the Jamf Pro console</description>
<payloads>&lt;?xml version="1.0" encoding="UTF-8"?&gt;&lt;plist version="1.0"&gt;&lt;dict&gt;
&lt;key&gt;PayloadType&lt;/key&gt;&lt;string&gt;Configuration&lt;/string&gt;
&lt;key&gt;PayloadContent&lt;/key&gt;&lt;array/&gt;&lt;/dict&gt;&lt;/plist&gt;</payloads></general>
<scope><all_mobile_devices>true</all_mobile_devices></scope></configuration_profile>"""


def jamf_estate(root: Path) -> Path:
    make_mini_estate(root)
    edit(root, "schoolmdm.yaml", "  apple: intune\n", "  apple: jamf\n")
    return root


@pytest.fixture(scope="session")
def jamf_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = jamf_estate(tmp_path_factory.mktemp("jamf"))
    build_estate(root)
    return root


@pytest.fixture
def jamf_build(jamf_root: Path, tmp_path: Path) -> Path:
    """A private copy of the Jamf mini estate's build (tests may change it)."""
    dest = tmp_path / "jamf" / "build"  # beside mini_build's copy, never the same folder
    shutil.copytree(jamf_root / "build", dest)
    return dest


def seed_jamf(emu: JamfEmulator, serials: tuple[str, ...] = GYM_A_SERIALS) -> dict[str, int]:
    """Enrolled iPads, one volume purchasing location and hand-made objects; their ids."""
    for serial in serials:
        emu.server.seed_device(serial)
    emu.server.seed_device("HANDMADE0001")  # an iPad of no school in the estate
    emu.server.seed_vpp_account("Schulträger Musterkreis")
    group = emu.server.seed(
        GROUPS,
        "<mobile_device_group><name>SMDM-gym-a-devices</name><is_smart>false</is_smart>"
        "<mobile_devices><mobile_device><serial_number>HANDMADE0001</serial_number>"
        "</mobile_device></mobile_devices></mobile_device_group>",
    )
    return {"profile": emu.server.seed(PROFILES, HAND_PROFILE), "group": group}


@pytest.fixture
def jamf() -> Iterator[JamfEmulator]:
    with JamfEmulator(JamfServer(), Limits(), token=JAMF_TOKEN) as emu:
        emu.hand_made = seed_jamf(emu)  # type: ignore[attr-defined]
        yield emu


def jamf_env(**extra: str) -> dict[str, str]:
    return {
        "SCHOOLMDM_JAMF_TOKEN": JAMF_TOKEN,
        "WIFI_PSK_GYM_A": SECRET,
        "SCHOOLMDM_DEPLOY_KEY": DEPLOY_KEY,
        "CI": "true",
        **extra,
    }


def deploy_jamf(
    build: Path,
    emu: JamfEmulator,
    *,
    mode: str = "deploy",
    dry_run: bool = False,
    prune: bool = False,
    max_deletions: int = 5,
    schools: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    tuning: Tuning = FAST,
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
        "https://graph.microsoft.com",
        None,
        "jamf",
        emu.url,
    )
    out, err = io.StringIO(), io.StringIO()
    code = run(args, jamf_env() if env is None else env, out, err, tuning)
    data = json.loads(report.read_text()) if report.exists() else {}
    return Result(code, out.getvalue(), err.getvalue(), data)


def marker_text(collection: str, obj: dict[str, Any]) -> Any:
    if collection == GROUPS:
        return obj.get("name")
    general = obj.get("general")
    return general.get("description") if isinstance(general, dict) else None


def owned_jamf(emu: JamfEmulator) -> dict[str, list[tuple[str, int, dict[str, Any]]]]:
    """Objects with our marker, by key: (collection, id, the object as a plain mapping)."""
    out: dict[str, list[tuple[str, int, dict[str, Any]]]] = {}
    for collection in WRITABLE:
        for oid in emu.server.ids(collection):
            obj = emu.server.obj(collection, oid)
            found = parse(marker_text(collection, obj))
            if found:
                out.setdefault(found[0], []).append((collection, oid, obj))
    return out


def jamf_desired_keys(build: Path) -> set[str]:
    out = set()
    for row in json.loads((build / "manifest.json").read_text())["artifacts"]:
        if row["path"].endswith(".json"):
            doc = json.loads((build / row["path"]).read_text())
            if doc.get("api") == "classic":
                out.add(doc["key"])
    return out


def scope_groups(obj: dict[str, Any]) -> list[str]:
    groups = (obj.get("scope") or {}).get("mobile_device_groups") or {}
    items = groups.get("mobile_device_group", []) if isinstance(groups, dict) else []
    items = items if isinstance(items, list) else [items]
    return [str(g.get("id")) for g in items]
