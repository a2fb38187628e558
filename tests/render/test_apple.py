"""Apple profiles of the example estate: Apple's own key catalogue, plistutil, determinism."""

from __future__ import annotations

import plistlib
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.render.conftest import copy_example, run_build
from tests.support.apple_conformance import check_profile, require_apple_schema
from tests.support.tools import require_tool


def profiles(build: Path) -> list[Path]:
    found = sorted(build.glob("schools/*/apple/*.mobileconfig"))
    assert found, "the example estate has apple schools, so there must be profiles"
    return found


def estate_target(root: Path) -> tuple[str, bool]:
    settings = yaml.safe_load((root / "schoolmdm.yaml").read_text())
    return settings["apple"]["ipados"], settings["apple"]["supervised"]


def test_every_profile_conforms_to_apples_catalogue(
    example_estate: Path, example_build: Path
) -> None:
    require_apple_schema()
    ipados, supervised = estate_target(example_estate)
    findings = {}
    types: set[str] = set()
    for path in profiles(example_build):
        profile = plistlib.loads(path.read_bytes())
        types.update(p["PayloadType"] for p in profile["PayloadContent"])
        found = check_profile(profile, ipados=ipados, supervised=supervised)
        if found:
            findings[str(path.relative_to(example_build))] = [str(f) for f in found]
    assert findings == {}
    # the payload kinds a school iPad uses are all exercised by the example estate
    assert {
        "com.apple.applicationaccess",
        "com.apple.wifi.managed",
        "com.apple.webClip.managed",
        "com.apple.homescreenlayout",
        "com.apple.app.lock",
        "com.apple.notificationsettings",
        "com.apple.webcontent-filter",
        "com.apple.security.root",
        "com.apple.education",
    } <= types


def test_plistutil_reads_every_profile(example_build: Path, tmp_path: Path) -> None:
    plistutil = require_tool("plistutil", "libplist-utils")
    for path in profiles(example_build):
        out = tmp_path / "out.plist"
        proc = subprocess.run(
            [plistutil, "-i", str(path), "-o", str(out), "-f", "xml"],
            capture_output=True,
            check=False,
        )
        assert proc.returncode == 0, (path, proc.stderr)
        # an independent reader must see the same data
        assert plistlib.loads(out.read_bytes()) == plistlib.loads(path.read_bytes()), path


def test_identifiers_and_uuids(example_estate: Path, example_build: Path) -> None:
    prefix = yaml.safe_load((example_estate / "schoolmdm.yaml").read_text())["payload_prefix"]
    uuids: set[str] = set()
    for path in profiles(example_build):
        school, profile_id = path.parts[-3], path.stem
        top = plistlib.loads(path.read_bytes())
        assert top["PayloadIdentifier"] == f"{prefix}.{school}.{profile_id}"
        for payload in top["PayloadContent"]:
            assert payload["PayloadIdentifier"].startswith(f"{prefix}.{school}.{profile_id}.")
            assert (
                payload["PayloadDisplayName"]
                and payload["PayloadDescription"]
                and payload["PayloadOrganization"]
            )
            uuids.add(payload["PayloadUUID"])
        uuids.add(top["PayloadUUID"])
        assert re.fullmatch(r"[0-9A-F-]{36}", top["PayloadUUID"])
        assert (
            top["PayloadOrganization"] and top["PayloadDisplayName"] and top["PayloadDescription"]
        )
    assert len(uuids) == sum(
        1 + len(plistlib.loads(p.read_bytes())["PayloadContent"]) for p in profiles(example_build)
    )


def test_locked_baseline_cannot_be_removed(example_build: Path) -> None:
    for path in example_build.glob("schools/*/apple/it-baseline.mobileconfig"):
        assert plistlib.loads(path.read_bytes())["PayloadRemovalDisallowed"] is True
    for path in example_build.glob("schools/*/apple/wifi.mobileconfig"):
        assert "PayloadRemovalDisallowed" not in plistlib.loads(path.read_bytes())


def test_secrets_stay_placeholders(example_estate: Path, example_build: Path) -> None:
    names = yaml.safe_load((example_estate / "secrets.yaml").read_text())["secrets"]
    seen = 0
    for path in example_build.glob("schools/*/apple/wifi.mobileconfig"):
        for payload in plistlib.loads(path.read_bytes())["PayloadContent"]:
            for value in (
                payload.get("Password"),
                payload.get("EAPClientConfiguration", {}).get("UserPassword"),
            ):
                if value is not None:
                    assert re.fullmatch(r"\$\{secret:[A-Z0-9_]+\}", value)
                    assert value[9:-1] in names
                    seen += 1
    assert seen > 0


def test_app_assignments(example_estate: Path, example_build: Path) -> None:
    import json

    for school_file in example_estate.glob("schools/*/school.yaml"):
        school = yaml.safe_load(school_file.read_text())
        path = example_build / "schools" / school["id"] / "apple" / "apps.json"
        if school["platform"] != "apple":
            assert not path.exists()
            continue
        data = json.loads(path.read_text())
        wanted = {
            a if isinstance(a, str) else a["id"]: "required"
            if isinstance(a, str)
            else a.get("install", "required")
            for a in school.get("apps", [])
        }
        assert {a["id"]: a["install"] for a in data["apps"]} == wanted
        for app in data["apps"]:
            catalogue = yaml.safe_load(
                (example_estate / "catalog" / "apps" / f"{app['id']}.yaml").read_text()
            )
            assert app["adamId"] == catalogue["apple"]["adam_id"]
            assert app["bundleId"] == catalogue["apple"]["bundle_id"]
            assert app["licensing"] == "device"


def test_two_builds_are_byte_identical(
    example_estate: Path, example_build: Path, tmp_path: Path
) -> None:
    again = run_build(copy_example(tmp_path / "again"))
    first = {
        p.relative_to(example_build): p.read_bytes()
        for p in example_build.rglob("*")
        if p.is_file()
    }
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_one_school_build_equals_its_part_of_the_full_build(
    example_estate: Path, example_build: Path, tmp_path: Path
) -> None:
    school = sorted(p.parent.name for p in example_build.glob("schools/*/apple"))[0]
    root = copy_example(tmp_path / "one")
    single = run_build(root, "--school", school)
    part = sorted((example_build / "schools" / school).rglob("*"))
    mine = sorted((single / "schools" / school).rglob("*"))
    assert [p.relative_to(example_build) for p in part] == [p.relative_to(single) for p in mine]
    for p in part:
        if p.is_file():
            assert p.read_bytes() == (single / p.relative_to(example_build)).read_bytes(), p
    assert sorted(d.name for d in (single / "schools").iterdir()) == [school]


def test_binary_plist(example_estate: Path, tmp_path: Path) -> None:
    root = copy_example(tmp_path / "bin")
    school = sorted(
        p.parent.name
        for p in (root / "schools").glob("*/school.yaml")
        if "platform: apple" in p.read_text()
    )[0]
    build = run_build(root, "--school", school, "--plist", "binary")
    for path in build.glob(f"schools/{school}/apple/*.mobileconfig"):
        data = path.read_bytes()
        assert data.startswith(b"bplist00")
        profile: dict[str, Any] = plistlib.loads(data)
        assert profile["PayloadType"] == "Configuration"


@pytest.mark.parametrize(
    "hostile",
    [
        "{{ 7*7 }}",
        "</string><key>PayloadType</key><string>x",
        "{% raw %}",
        "PayloadRemovalDisallowed",
        "]]><!--",
    ],
)
def test_school_values_stay_literal(tmp_path: Path, hostile: str) -> None:
    root = copy_example(tmp_path / "hostile")
    school_file = sorted(
        p for p in (root / "schools").glob("*/school.yaml") if "webclips:" in p.read_text()
    )[0]
    data = yaml.safe_load(school_file.read_text())
    data["profiles"]["webclips"]["clips"][0]["label"] = hostile[:40]
    school_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    build = run_build(root, "--school", data["id"])
    profile = plistlib.loads(
        (build / "schools" / data["id"] / "apple" / "webclips.mobileconfig").read_bytes()
    )
    assert profile["PayloadContent"][0]["Label"] == hostile[:40]
    assert profile["PayloadType"] == "Configuration"


def test_templates_declare_what_they_need(example_estate: Path, example_build: Path) -> None:
    """Each template's `requires` is true to Apple's catalogue: its profiles pass on exactly the
    iPadOS version it declares, and unsupervised where it says supervision is not needed."""
    require_apple_schema()
    findings = {}
    for path in profiles(example_build):
        template = yaml.safe_load(
            (example_estate / "templates" / "apple" / f"{path.stem}.yaml.j2").read_text()
        )
        needs = template["requires"]
        profile = plistlib.loads(path.read_bytes())
        supervised = needs["supervised"] or profile.get("PayloadRemovalDisallowed", False)
        found = check_profile(profile, ipados=needs["ipados"], supervised=supervised)
        if found:
            findings[str(path.relative_to(example_build))] = [str(f) for f in found]
    assert findings == {}


def test_enterprise_wifi_anchors_trust_in_its_own_profile(example_build: Path) -> None:
    enterprise = 0
    for path in example_build.glob("schools/*/apple/wifi.mobileconfig"):
        payloads = plistlib.loads(path.read_bytes())["PayloadContent"]
        wifi = next(p for p in payloads if p["PayloadType"] == "com.apple.wifi.managed")
        eap = wifi.get("EAPClientConfiguration")
        if eap is None:
            assert "Password" in wifi and len(payloads) == 1
            continue
        enterprise += 1
        roots = {
            p["PayloadUUID"] for p in payloads if p["PayloadType"] == "com.apple.security.root"
        }
        assert roots and set(eap["PayloadCertificateAnchorUUID"]) == roots
        assert eap["TLSTrustedServerNames"]
    assert enterprise > 0
