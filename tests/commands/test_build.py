"""`schoolmdm build` on the mini estate: manifest, profiles, determinism, nothing on findings."""

from __future__ import annotations

import hashlib
import json
import plistlib
from pathlib import Path

import pytest

from tests.helpers import edit, line_of, run_cli

GYM = "schools/gym-a/school.yaml"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def built(mini_estate: Path) -> Path:
    result = run_cli(["build"], mini_estate)
    assert result.exit_code == 0, result.stdout + result.stderr
    return mini_estate / "build"


def test_build_writes_manifest_and_profiles(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    files = tree(built)
    rows = manifest["artifacts"]
    assert rows
    # every artifact in the manifest exists with its hash, and every file is in the manifest
    assert sorted(r["path"] for r in rows) == sorted(p for p in files if p != "manifest.json")
    for r in rows:
        assert hashlib.sha256(files[r["path"]]).hexdigest() == r["sha256"]
        assert r["key"] == f"{r['school']}/{r['platform']}/{r['kind']}/{r['name']}"
    assert len({r["key"] for r in rows}) == len(rows)
    assert manifest["secrets"] == "placeholders"
    profiles = {p for p in files if p.startswith("schools/gym-a/") and p.endswith(".mobileconfig")}
    assert profiles == {
        f"schools/gym-a/apple/{name}.mobileconfig"
        for name in (
            "certificates",
            "home-screen",
            "it-baseline",
            "restrictions",
            "webclips",
            "wifi",
        )
    }
    assert not any(p.startswith("schools/bbz-b/") and p.endswith(".mobileconfig") for p in files)


def test_mobileconfig_is_a_configuration_profile(built: Path) -> None:
    data = (built / "schools/gym-a/apple/wifi.mobileconfig").read_bytes()
    assert data.startswith(b"<?xml")
    profile = plistlib.loads(data)
    assert profile["PayloadType"] == "Configuration"
    assert profile["PayloadIdentifier"] == "example.musterkreis.schulen.gym-a.wifi"
    [payload] = profile["PayloadContent"]
    assert payload["PayloadType"] == "com.apple.wifi.managed"
    assert payload["SSID_STR"] == "GymA-Schule"
    assert payload["HIDDEN_NETWORK"] is False
    # only the secret's name is in the build
    assert payload["Password"] == "${secret:WIFI_PSK_GYM_A}"


def test_manifest_names_sources_and_secrets(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    wifi = next(
        r for r in manifest["artifacts"] if r["path"] == "schools/gym-a/apple/wifi.mobileconfig"
    )
    assert wifi["school"] == "gym-a"
    assert wifi["platform"] == "apple"
    assert wifi["secrets"] == ["WIFI_PSK_GYM_A"]
    assert GYM in wifi["sources"]
    assert "profiles/wifi.yaml" in wifi["sources"]


def test_two_builds_are_byte_identical(mini_estate: Path) -> None:
    assert run_cli(["build", "--out", "b1"], mini_estate).exit_code == 0
    assert run_cli(["build", "--out", "b2"], mini_estate).exit_code == 0
    first, second = tree(mini_estate / "b1"), tree(mini_estate / "b2")
    assert first
    assert first == second


def test_rebuilding_in_place_is_identical(built: Path, mini_estate: Path) -> None:
    before = tree(built)
    assert run_cli(["build"], mini_estate).exit_code == 0
    assert tree(built) == before


def test_build_with_a_finding_writes_nothing(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "allow_camera: true", "allow_camera: no")
    result = run_cli(["build"], mini_estate)
    assert result.exit_code == 1
    assert "wrong-type" in result.stdout
    assert "nothing was written" in result.stderr
    assert not (mini_estate / "build").exists()
    assert sorted(p.name for p in mini_estate.iterdir() if p.name.startswith(".")) == []


def test_build_with_a_finding_leaves_an_existing_build_untouched(
    built: Path, mini_estate: Path
) -> None:
    before = tree(built)
    stamps = {p: p.stat().st_mtime_ns for p in built.rglob("*")}
    edit(mini_estate, GYM, "ssid: GymA-Schule", "ssid: Neues-WLAN")
    edit(mini_estate, GYM, "allow_camera: true", "allow_camera: no")
    assert run_cli(["build"], mini_estate).exit_code == 1
    assert tree(built) == before
    assert {p: p.stat().st_mtime_ns for p in built.rglob("*")} == stamps


def test_values_that_look_like_code_end_up_literally_in_the_profile(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "ssid: GymA-Schule", 'ssid: "{{ 7*7 }}"')
    edit(mini_estate, GYM, "label: Schulportal", 'label: "</string><key>x</key>"')
    result = run_cli(["build"], mini_estate)
    assert result.exit_code == 0, result.stdout
    wifi = (mini_estate / "build/schools/gym-a/apple/wifi.mobileconfig").read_bytes()
    assert plistlib.loads(wifi)["PayloadContent"][0]["SSID_STR"] == "{{ 7*7 }}"
    clips = (mini_estate / "build/schools/gym-a/apple/webclips.mobileconfig").read_bytes()
    assert b"<key>x</key>" not in clips
    assert b"&lt;/string&gt;&lt;key&gt;x&lt;/key&gt;" in clips
    [clip] = plistlib.loads(clips)["PayloadContent"]
    assert clip["Label"] == "</string><key>x</key>"


def test_build_one_school(mini_estate: Path) -> None:
    result = run_cli(["build", "--school", "gym-a", "--out", "only"], mini_estate)
    assert result.exit_code == 0
    paths = tree(mini_estate / "only")
    assert any(p.startswith("schools/gym-a/") for p in paths)
    assert not any(p.startswith("schools/bbz-b/") for p in paths)


def test_build_unknown_school_is_a_usage_error(mini_estate: Path) -> None:
    result = run_cli(["build", "--school", "gym-z"], mini_estate)
    assert result.exit_code == 2
    assert not (mini_estate / "build").exists()


def test_binary_plist(mini_estate: Path) -> None:
    assert run_cli(["build", "--plist", "binary"], mini_estate).exit_code == 0
    data = (mini_estate / "build/schools/gym-a/apple/wifi.mobileconfig").read_bytes()
    assert data.startswith(b"bplist00")
    assert plistlib.loads(data)["PayloadType"] == "Configuration"


def test_a_broken_template_is_a_finding_naming_template_line_and_school(mini_estate: Path) -> None:
    template = "templates/windows/windows-updates.yaml.j2"
    edit(mini_estate, template, '"{{ quality_deferral_days }}"', '"{{ quality_deferal_days }}"')
    line = line_of(mini_estate, template, "quality_deferal_days")
    result = run_cli(["build", "--root", str(mini_estate), "--format", "json"], mini_estate)
    assert result.exit_code == 1
    [row] = json.loads(result.stdout)["diagnostics"]
    assert (row["code"], row["file"], row["line"]) == ("template-error", template, line)
    assert "quality_deferal_days" in row["message"] and "'bbz-b'" in row["message"]
    assert not (mini_estate / "build").exists()


@pytest.mark.parametrize("target", [".", "..", "schools", "not-a-build"])
def test_build_never_replaces_a_folder_that_is_not_a_build(mini_estate: Path, target: str) -> None:
    (mini_estate / "not-a-build").mkdir()
    (mini_estate / "not-a-build" / "keep.txt").write_text("precious")
    before = sorted(p.relative_to(mini_estate) for p in mini_estate.rglob("*"))
    result = run_cli(["build", "--out", target], mini_estate)
    assert result.exit_code == 2
    assert sorted(p.relative_to(mini_estate) for p in mini_estate.rglob("*")) == before
    assert (mini_estate / "not-a-build" / "keep.txt").read_text() == "precious"


def test_build_replaces_its_own_previous_build(mini_estate: Path) -> None:
    assert run_cli(["build", "--out", "out"], mini_estate).exit_code == 0
    # a file an older build wrote (a profile since removed) goes with the old build
    stale = mini_estate / "out" / "schools" / "gym-a" / "apple" / "stale.mobileconfig"
    stale.write_text("<plist/>")
    assert run_cli(["build", "--out", "out"], mini_estate).exit_code == 0
    assert not stale.exists()


def test_a_profile_that_renders_nothing_is_a_finding_at_the_school(mini_estate: Path) -> None:
    school = "schools/gym-a/school.yaml"
    edit(mini_estate, school, "  home-screen:", "  exam-mode: {}\n  home-screen:")
    result = run_cli(["build", "--format", "json"], mini_estate)
    assert result.exit_code == 1
    [row] = json.loads(result.stdout)["diagnostics"]
    assert (row["code"], row["file"], row["line"]) == (
        "profile-empty",
        school,
        line_of(mini_estate, school, "exam-mode"),
    )
    assert "'exam-mode'" in row["message"] and "apple" in row["message"]
    assert not (mini_estate / "build").exists()


def test_a_template_value_that_renders_to_nothing_is_a_finding(mini_estate: Path) -> None:
    template = "templates/windows/windows-updates.yaml.j2"
    edit(mini_estate, template, "    name: Windows-Updates", '    name: "{{ none }}"')
    result = run_cli(["build", "--format", "json"], mini_estate)
    assert result.exit_code == 1
    [row] = json.loads(result.stdout)["diagnostics"]
    assert (row["code"], row["file"]) == ("template-error", template)
    assert "no name" in row["message"]


def test_a_rendered_id_that_is_not_a_file_name_is_a_finding_not_a_write_outside(
    mini_estate: Path, tmp_path: Path
) -> None:
    # a template's $id fed a school's value used to become a path outside build/
    edit(
        mini_estate,
        "templates/windows/browser-home.yaml.j2",
        "$id: edge-home",
        '$id: "{{ school.name }}"',
    )
    edit(
        mini_estate,
        "schools/bbz-b/school.yaml",
        "name: Berufsbildungszentrum B",
        "name: ../../../../tmp/pwned-x",
    )
    result = run_cli(["build"], mini_estate)
    assert result.exit_code == 1
    assert "template-error" in result.stdout
    assert "not a safe file name" in result.stdout
    assert not (mini_estate / "build").exists()
    assert not Path("/tmp/pwned-x.json").exists()
    assert not any(p.name.startswith("pwned") for p in tmp_path.rglob("*"))


def test_out_is_replaced_only_when_it_is_a_previous_build(
    mini_estate: Path, tmp_path: Path
) -> None:
    other = tmp_path / "mine"
    other.mkdir()
    (other / "manifest.json").write_text('{"name": "my project"}')
    (other / "thesis.docx").write_bytes(b"precious")
    result = run_cli(["build", "--out", str(other)], mini_estate)
    assert result.exit_code == 2
    assert "not a previous schoolmdm build" in result.stderr
    assert (other / "thesis.docx").read_bytes() == b"precious"
