"""The example estate built for Jamf Pro (`mdm.apple: jamf`): per school a static group of its
iPads, its profiles as unsigned XML plists (whatever --plist or signing the build used) and its
apps, scoped to the group; no Intune objects for iPads; `files` builds neither."""

from __future__ import annotations

import json
import plistlib
import subprocess
from pathlib import Path
from typing import Any

import pytest

from compiler.deploy.marker import parse
from tests.helpers import edit, read
from tests.render.conftest import copy_example, run_build
from tests.support.tools import require_tool


def estate_for(tmp_path: Path, mdm: str) -> Path:
    root = copy_example(tmp_path / mdm)
    edit(root, "schoolmdm.yaml", "  apple: intune\n", f"  apple: {mdm}\n")
    return root


@pytest.fixture(scope="module")
def jamf_example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = estate_for(tmp_path_factory.mktemp("jamf"), "jamf")
    return root, run_build(root)


def artifacts(build: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((build / "manifest.json").read_text())["artifacts"]
    return rows


def doc(build: Path, path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((build / path).read_text())
    return data


def apple_schools(root: Path) -> list[str]:
    return sorted(
        p.parent.name
        for p in (root / "schools").glob("*/school.yaml")
        if "platform: apple" in p.read_text()
    )


def test_each_apple_school_gets_a_group_of_its_ipads_and_no_intune_objects(
    jamf_example: tuple[Path, Path],
) -> None:
    root, build = jamf_example
    rows = artifacts(build)
    assert not [r for r in rows if r["kind"] in ("intune-profile", "vpp-app")]
    assert json.loads((build / "manifest.json").read_text())["mdm"] == {
        "apple": "jamf",
        "windows": "intune",
    }
    for school in apple_schools(root):
        group = doc(build, f"schools/{school}/apple/jamf/group.json")
        assert group["key"] == f"{school}/apple/group/devices"
        assert group["collection"] == "mobiledevicegroups" and group["api"] == "classic"
        serials = [
            line.split(",")[0]
            for line in read(root, f"schools/{school}/devices.csv").splitlines()[1:]
            if line
        ]
        assert [m["serial_number"] for m in group["body"]["mobile_devices"]] == sorted(serials)
        assert group["body"]["is_smart"] is False
        # the marker is in the name: a Classic API group has no other text
        assert parse(group["body"]["name"]) == (group["key"], parse(group["body"]["name"])[1])  # type: ignore[index]


def test_profiles_are_the_unsigned_plists_scoped_to_the_school_group(
    jamf_example: tuple[Path, Path],
) -> None:
    _root, build = jamf_example
    rows = [r for r in artifacts(build) if r["kind"] == "jamf-profile"]
    assert rows
    for row in rows:
        art = doc(build, row["path"])
        profile = build / row["path"].replace("/jamf/", "/").replace(".json", ".mobileconfig")
        assert plistlib.loads(art["body"]["general"]["payloads"].encode()) == plistlib.loads(
            profile.read_bytes()
        )
        assert art["body"]["scope"] == {"all_mobile_devices": False, "all_jss_users": False}
        assert art["assign"]["body"] == {
            "mobile_device_groups": [{"id": f"${{group:{row['school']}/apple/group/devices}}"}]
        }
        found = parse(art["body"]["general"]["description"])
        assert found is not None and found[0] == art["key"]
        assert art["body"]["general"]["redeploy_on_update"] == "All"


def test_apps_keep_the_schools_install_choice_and_licences_go_to_the_device(
    jamf_example: tuple[Path, Path],
) -> None:
    root, build = jamf_example
    for school in apple_schools(root):
        chosen = doc(build, f"schools/{school}/apple/apps.json")["apps"]
        for app in chosen:
            art = doc(build, f"schools/{school}/apple/jamf/apps/{app['id']}.json")
            general = art["body"]["general"]
            assert general["bundle_id"] == app["bundleId"]
            assert general["itunes_store_url"].endswith(f"/id{app['adamId']}")
            assert general["deploy_automatically"] is (app["install"] == "required")
            assert general["keep_description_and_icon_up_to_date"] is False  # keeps the marker
            assert art["body"]["vpp"] == {"assign_vpp_device_based_licenses": True}
            config = app.get("managedConfiguration")
            if config:
                prefs = art["body"]["app_configuration"]["preferences"]
                wrapped = f'<plist version="1.0">{prefs}</plist>'.encode()
                assert plistlib.loads(wrapped) == config


def test_binary_and_signed_builds_give_jamf_the_same_xml(
    tmp_path: Path, jamf_example: tuple[Path, Path]
) -> None:
    openssl = require_tool("openssl", "openssl")
    root, build = jamf_example
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=schoolmdm test"],
        check=True, capture_output=True,
    )  # fmt: skip
    school = apple_schools(root)[0]
    other = run_build(
        root, "--school", school, "--plist", "binary", "--sign-cert", str(cert),
        "--sign-key", str(key), "--out", str(tmp_path / "signed"),
    )  # fmt: skip
    for path in sorted((other / f"schools/{school}/apple/jamf").glob("*.json")):
        assert path.read_bytes() == (build / path.relative_to(other)).read_bytes()
    assert (other / f"schools/{school}/apple/wifi.mobileconfig").read_bytes()[:1] == b"\x30"


def test_plistutil_reads_the_payload_jamf_gets(
    jamf_example: tuple[Path, Path], tmp_path: Path
) -> None:
    plistutil = require_tool("plistutil", "libplist-utils")
    _, build = jamf_example
    row = next(r for r in artifacts(build) if r["kind"] == "jamf-profile")
    src = tmp_path / "payload.plist"
    src.write_text(doc(build, row["path"])["body"]["general"]["payloads"], encoding="utf-8")
    out = tmp_path / "out.plist"
    proc = subprocess.run(
        [plistutil, "-i", str(src), "-o", str(out), "-f", "xml"], capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert plistlib.loads(out.read_bytes())["PayloadType"] == "Configuration"


def test_files_builds_profiles_only(tmp_path: Path) -> None:
    root = estate_for(tmp_path, "files")
    build = run_build(root)
    kinds = {r["kind"] for r in artifacts(build) if r["platform"] == "apple"}
    assert "profile" in kinds
    assert not kinds & {"intune-profile", "vpp-app", "jamf-profile", "jamf-app", "group"}


def test_a_new_ipad_changes_the_group_but_never_its_name(
    tmp_path: Path, jamf_example: tuple[Path, Path]
) -> None:
    root, build = jamf_example
    school = apple_schools(root)[0]
    before = doc(build, f"schools/{school}/apple/jamf/group.json")
    copy = tmp_path / "estate"
    copy_root = copy_example(copy)
    edit(copy_root, "schoolmdm.yaml", "  apple: intune\n", "  apple: jamf\n")
    path = copy_root / f"schools/{school}/devices.csv"
    path.write_text(path.read_text() + "ZZZZ00000001,02:7f:00:00:00:99,ZZ-0001,iPad\n")
    after = doc(run_build(copy_root), f"schools/{school}/apple/jamf/group.json")
    assert after["body"]["name"] == before["body"]["name"]
    assert len(after["body"]["mobile_devices"]) == len(before["body"]["mobile_devices"]) + 1


def test_names_jamf_would_refuse_twice_are_a_finding(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from compiler.cli import cli

    root = estate_for(tmp_path, "jamf")
    edit(root, "schoolmdm.yaml", 'object: "{school} | {name}"', 'object: "{name}"')
    result = CliRunner().invoke(cli, ["build", "--root", str(root)])
    assert result.exit_code == 1
    assert "schoolmdm.yaml:7:" in result.output and "jamf-name-clash" in result.output
    assert not (root / "build").exists()
