"""Windows / Intune bodies of the example estate, checked with Microsoft's own Graph models."""

from __future__ import annotations

import base64
import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml

from compiler.inventory import read_devices
from tests.support.graph_conformance import check_action_body, check_body


def artifacts(build: Path) -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for path in sorted(build.rglob("*.json")):
        if path.name == "manifest.json" or (
            path.name == "apps.json" and path.parent.name == "apple"
        ):
            continue
        out.append((path, json.loads(path.read_text())))
    assert out
    return out


def representatives(body: dict[str, Any]) -> dict[str, Any]:
    """The import body with one device per distinct shape (which keys, which value types).

    Parsing 8,000 identical-shaped Autopilot records with the SDK takes minutes and finds
    nothing a single one of each shape would not."""
    out: dict[str, Any] = {}
    for key, items in body.items():
        seen: dict[tuple[tuple[str, str], ...], Any] = {}
        for item in items:
            shape = tuple(sorted((k, type(v).__name__) for k, v in item.items()))
            seen.setdefault(shape, item)
        out[key] = list(seen.values())
    return out


def schools(root: Path) -> dict[str, dict[str, Any]]:
    return {
        p.parent.name: yaml.safe_load(p.read_text())
        for p in (root / "schools").glob("*/school.yaml")
    }


def test_every_body_parses_with_the_graph_sdk_models(example_build: Path) -> None:
    findings: dict[str, list[str]] = {}
    for path, art in artifacts(example_build):
        if "lookup" in art:  # VPP apps are looked up by bundleId, never created
            assert set(art["body"]) == {"@odata.type", "bundleId"}
            found = []
        elif art.get("action") == "import":
            found = check_action_body(
                art["api"], f"{art['model']}.import", representatives(art["body"])
            )
        else:
            found = check_body(art["api"], art["model"], art["body"])
        if "assign" in art:
            found += check_action_body(art["api"], f"{art['model']}.assign", art["assign"]["body"])
        if found:
            findings[str(path.relative_to(example_build))] = [
                f"{f.path}: {f.message}" for f in found
            ]
    assert findings == {}


def test_each_windows_school_has_one_tagged_group_and_everything_is_assigned_to_it(
    example_estate: Path, example_build: Path
) -> None:
    for sid, school in schools(example_estate).items():
        folder = example_build / "schools" / sid / "windows"
        if school["platform"] != "windows":
            assert not folder.exists(), f"windows artifacts for apple school {sid}"
            continue
        assert not (example_build / "schools" / sid / "apple").exists()
        groups = [
            json.loads(p.read_text())
            for p in folder.glob("*.json")
            if json.loads(p.read_text())["collection"] == "groups"
        ]
        assert len(groups) == 1
        group = groups[0]
        assert (
            group["body"]["membershipRule"]
            == f'(device.devicePhysicalIds -any (_ -eq "[OrderID]:{sid}"))'
        )
        assert group["body"]["groupTypes"] == ["DynamicMembership"]
        ref = "${group:" + group["key"] + "}"
        for path in folder.glob("*.json"):
            art = json.loads(path.read_text())
            if art["collection"].endswith("Configurations") or art["collection"].endswith(
                "configurationPolicies"
            ):
                targets = [a["target"]["groupId"] for a in art["assign"]["body"]["assignments"]]
                assert targets == [ref], path
        for app in school.get("apps", []):
            app_id = app if isinstance(app, str) else app["id"]
            intent = "required" if isinstance(app, str) else app.get("install", "required")
            art = json.loads(
                (example_build / "estate" / "windows" / "apps" / f"{app_id}.json").read_text()
            )
            assigned = {
                (a["target"]["groupId"], a["intent"])
                for a in art["assign"]["body"]["mobileAppAssignments"]
            }
            assert (ref, intent) in assigned


def test_one_app_object_per_selected_app(example_estate: Path, example_build: Path) -> None:
    selected = set()
    for school in schools(example_estate).values():
        if school["platform"] == "windows":
            selected |= {a if isinstance(a, str) else a["id"] for a in school.get("apps", [])}
    built = {p.stem for p in (example_build / "estate" / "windows" / "apps").glob("*.json")}
    assert built == selected
    for app_id in built:
        art = json.loads(
            (example_build / "estate" / "windows" / "apps" / f"{app_id}.json").read_text()
        )
        catalogue = yaml.safe_load(
            (example_estate / "catalog" / "apps" / f"{app_id}.yaml").read_text()
        )
        assert art["body"]["packageIdentifier"] == catalogue["windows"]["package_identifier"]
        assert art["body"]["@odata.type"] == "#microsoft.graph.winGetApp"


def test_markers_name_the_artifact_key(example_build: Path) -> None:
    for path, art in artifacts(example_build):
        if "lookup" in art or art.get("action") == "import":
            continue
        assert f"[schoolmdm:{art['key']}#" in art["body"]["description"], path


def test_oma_uris_and_types(example_build: Path) -> None:
    types = {
        "#microsoft.graph.omaSettingInteger": int,
        "#microsoft.graph.omaSettingBoolean": bool,
        "#microsoft.graph.omaSettingString": str,
    }
    seen = 0
    for _, art in artifacts(example_build):
        for setting in art["body"].get("omaSettings", []):
            seen += 1
            assert setting["omaUri"].startswith(("./Device/", "./User/"))
            assert type(setting["value"]) is types[setting["@odata.type"]]
    assert seen > 0


def test_autopilot_lists_match_the_inventory(example_estate: Path, example_build: Path) -> None:
    for sid, school in schools(example_estate).items():
        if school["platform"] != "windows":
            continue
        raw = (example_estate / "schools" / sid / "devices.csv").read_bytes()
        devices, diags = read_devices("devices.csv", raw, 1 << 30)
        assert diags == []
        rows = list(
            csv.reader(
                io.StringIO(
                    (example_build / "schools" / sid / "windows" / "autopilot.csv").read_text()
                )
            )
        )
        assert rows[0] == [
            "Device Serial Number",
            "Windows Product ID",
            "Hardware Hash",
            "Group Tag",
        ]
        assert sorted(r[0] for r in rows[1:]) == sorted(d.serial for d in devices)
        assert {r[3] for r in rows[1:]} <= {sid}
        by_serial = {d.serial: d for d in devices}
        assert all(r[2] == by_serial[r[0]].hardware_hash for r in rows[1:])
        body = json.loads(
            (example_build / "schools" / sid / "windows" / "autopilot.json").read_text()
        )["body"]
        idents = body["importedWindowsAutopilotDeviceIdentities"]
        assert [i["serialNumber"] for i in idents] == sorted(by_serial)
        assert {i["groupTag"] for i in idents} <= {sid}


def test_secrets_are_names_only(example_estate: Path, example_build: Path) -> None:
    names = yaml.safe_load((example_estate / "secrets.yaml").read_text())["secrets"]
    listed = 0
    for path, art in artifacts(example_build):
        text = json.dumps(art["body"])
        if art["body"].get("@odata.type") == "#microsoft.graph.iosCustomConfiguration":
            text = base64.b64decode(art["body"]["payload"]).decode("utf-8")
        for name in art.get("secrets", []):
            assert name in names
            assert "${secret:" + name + "}" in text, (path, name)  # listed only where used
            listed += 1
    assert listed > 0


def test_enterprise_wifi_links_its_root_certificates(example_build: Path) -> None:
    enterprise = 0
    for path in example_build.glob("schools/*/windows/wifi.wifi.json"):
        art = json.loads(path.read_text())
        if art["body"]["@odata.type"] != "#microsoft.graph.windowsWifiEnterpriseEAPConfiguration":
            assert "links" not in art
            continue
        enterprise += 1
        school = path.parts[-3]
        refs = art["links"]["rootCertificatesForServerValidation"]
        assert refs
        for ref in refs:
            key = ref.removeprefix("${object:").removesuffix("}")
            target = example_build / "schools" / school / "windows" / (key.split("/")[-1] + ".json")
            assert json.loads(target.read_text())["key"] == key
            assert (
                json.loads(target.read_text())["body"]["@odata.type"]
                == "#microsoft.graph.windows81TrustedRootCertificate"
            )
    assert enterprise > 0


def test_every_artifact_belongs_to_its_schools_platform(
    example_estate: Path, manifest: dict[str, Any]
) -> None:
    platforms = {sid: school["platform"] for sid, school in schools(example_estate).items()}
    for art in manifest["artifacts"]:
        if art["school"] == "_estate":
            assert art["path"].startswith(f"estate/{art['platform']}/")
        else:
            assert art["platform"] == platforms[art["school"]], art["path"]
            assert art["path"].startswith(f"schools/{art['school']}/")
    assert {a["school"] for a in manifest["artifacts"]} == {*platforms, "_estate"}
