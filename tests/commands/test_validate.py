"""`schoolmdm validate`: exit codes, the three output formats, PATH filtering, finding the root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import append, edit, line_of, run_cli

GYM = "schools/gym-a/school.yaml"
BBZ = "schools/bbz-b/school.yaml"
BBZ_CSV = "schools/bbz-b/devices.csv"


@pytest.fixture
def broken(mini_estate: Path) -> Path:
    """The mini estate with one finding in each school."""
    edit(mini_estate, GYM, "allow_camera: true", "allow_camera: no")
    edit(mini_estate, BBZ, "quality_deferral_days: 5", "quality_deferral_days: 99")
    return mini_estate


def test_clean_estate_exits_0(mini_estate: Path) -> None:
    result = run_cli(["validate"], mini_estate)
    assert result.exit_code == 0
    assert result.stdout == ""
    apps = len(list((mini_estate / "catalog" / "apps").glob("*.yaml")))
    profiles = len(list((mini_estate / "profiles").glob("*.yaml")))
    assert result.stderr == f"ok: 2 schools, 6 devices, {apps} apps, {profiles} profiles\n"


def test_findings_exit_1_with_text_lines(broken: Path) -> None:
    result = run_cli(["validate"], broken)
    assert result.exit_code == 1
    cam = line_of(broken, GYM, "allow_camera")
    days = line_of(broken, BBZ, "quality_deferral_days")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{BBZ}:{days}:28: error parameter-value ")
    assert lines[1].startswith("    hint: ")
    assert f"{GYM}:{cam}:19: error wrong-type profiles.restrictions.allow_camera: 'no'" in (
        result.stdout
    )
    assert "    hint: 'no' is text here; write true or false" in lines
    assert result.stderr == "2 finding(s) in 2 file(s)\n"


def test_json_format(broken: Path) -> None:
    result = run_cli(["validate", "--format", "json"], broken)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["count"] == 2
    rows = data["diagnostics"]
    assert [(r["file"], r["line"], r["code"]) for r in rows] == [
        (BBZ, line_of(broken, BBZ, "quality_deferral_days"), "parameter-value"),
        (GYM, line_of(broken, GYM, "allow_camera"), "wrong-type"),
    ]
    assert set(rows[0]) == {"file", "line", "col", "severity", "code", "message", "hint"}
    assert rows[1]["col"] == 19
    assert rows[1]["severity"] == "error"
    assert rows[1]["hint"] == "'no' is text here; write true or false"


def test_json_format_when_clean(mini_estate: Path) -> None:
    result = run_cli(["validate", "--format", "json"], mini_estate)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"diagnostics": [], "count": 0}


def test_json_keeps_umlauts(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "ssid: GymA-Schule", "ssid: Schüler-WLAN-mit-einem-zu-langen-Namen")
    result = run_cli(["validate", "--format", "json"], mini_estate)
    assert result.exit_code == 1
    assert "Schüler" in json.loads(result.stdout)["diagnostics"][0]["message"]


def test_github_format(broken: Path) -> None:
    result = run_cli(["validate", "--format", "github"], broken)
    assert result.exit_code == 1
    cam = line_of(broken, GYM, "allow_camera")
    days = line_of(broken, BBZ, "quality_deferral_days")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        f"::error file={BBZ},line={days},col=28,title=parameter-value::profiles.windows-updates."
    )
    assert lines[1] == (
        f"::error file={GYM},line={cam},col=19,title=wrong-type::"
        "profiles.restrictions.allow_camera: 'no' is not true or false"
        " (hint: 'no' is text here; write true or false)"
    )


def test_github_format_escapes_newlines_and_percent(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "type: gymnasium", 'type: "100%\\nsure"')
    result = run_cli(["validate", "--format", "github"], mini_estate)
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert "100%25%0Asure" in line
    assert line.startswith(f"::error file={GYM},line=4,col=7,title=invalid-value::")


def test_path_filter_shows_only_that_school(broken: Path) -> None:
    result = run_cli(["validate", "--format", "json", "schools/bbz-b"], broken)
    assert result.exit_code == 1
    rows = json.loads(result.stdout)["diagnostics"]
    assert [(r["file"], r["code"]) for r in rows] == [(BBZ, "parameter-value")]


def test_path_filter_by_file(broken: Path) -> None:
    result = run_cli(["validate", "--format", "json", GYM], broken)
    assert result.exit_code == 1
    rows = json.loads(result.stdout)["diagnostics"]
    assert [(r["file"], r["code"]) for r in rows] == [(GYM, "wrong-type")]


def test_path_filter_with_no_findings_there_exits_0(mini_estate: Path) -> None:
    edit(mini_estate, BBZ, "quality_deferral_days: 5", "quality_deferral_days: 99")
    result = run_cli(["validate", "schools/gym-a"], mini_estate)
    assert result.exit_code == 0
    assert result.stdout == ""
    result = run_cli(["validate", "schools/bbz-b", "schools/gym-a"], mini_estate)
    assert result.exit_code == 1


def test_path_filter_is_not_a_prefix_match(mini_estate: Path) -> None:
    # schools/gym-a must not select findings of schools/gym-ab
    (mini_estate / "schools" / "gym-ab").mkdir()
    result = run_cli(["validate", "schools/gym-a"], mini_estate)
    assert result.exit_code == 0
    result = run_cli(["validate", "schools/gym-ab"], mini_estate)
    assert result.exit_code == 1


def test_path_filter_shows_a_duplicate_the_school_just_added(mini_estate: Path) -> None:
    # bbz-b adds an asset tag that gym-a already uses: `validate schools/bbz-b` must fail
    append(mini_estate, BBZ_CSV, "5CG0000009,0a:4b:00:00:00:09,GA-0001,Dell Latitude 3140,,\n")
    result = run_cli(["validate", "--format", "json", "schools/bbz-b"], mini_estate)
    assert result.exit_code == 1
    rows = json.loads(result.stdout)["diagnostics"]
    assert [(r["file"], r["line"], r["code"]) for r in rows] == [
        (BBZ_CSV, 5, "duplicate-asset-tag")
    ]


def test_path_outside_the_estate_is_a_usage_error(mini_estate: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path.parent / (tmp_path.name + "-elsewhere")
    elsewhere.mkdir()
    result = run_cli(["validate", str(elsewhere)], mini_estate)
    assert result.exit_code == 2
    assert "not inside the estate" in result.stderr


def test_missing_path_is_a_usage_error(mini_estate: Path) -> None:
    result = run_cli(["validate", "schools/nope"], mini_estate)
    assert result.exit_code == 2


def test_bad_format_is_a_usage_error(mini_estate: Path) -> None:
    result = run_cli(["validate", "--format", "xml"], mini_estate)
    assert result.exit_code == 2
    assert "xml" in result.stderr


def test_unknown_option_is_a_usage_error(mini_estate: Path) -> None:
    assert run_cli(["validate", "--frmat", "json"], mini_estate).exit_code == 2


def test_root_without_estate_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli(["validate", "--root", str(tmp_path / "empty")], tmp_path)
    assert result.exit_code == 2
    assert "schoolmdm.yaml" in result.stderr


def test_no_estate_anywhere_above_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["validate"], tmp_path)
    assert result.exit_code == 2
    assert "schoolmdm.yaml" in result.stderr


def test_root_option(broken: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path.parent
    result = run_cli(["validate", "--root", str(broken), "--format", "json"], elsewhere)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["count"] == 2


def test_root_is_found_from_a_subfolder(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    school = broken / "schools" / "gym-a"
    monkeypatch.chdir(school)
    result = run_cli(["validate", "--format", "json"], Path.cwd())
    assert result.exit_code == 1
    rows = json.loads(result.stdout)["diagnostics"]
    # paths stay relative to the estate's root, not to the working folder
    assert {r["file"] for r in rows} == {GYM, BBZ}
    result = run_cli(["validate", "--format", "json", "."], Path.cwd())
    assert [r["file"] for r in json.loads(result.stdout)["diagnostics"]] == [GYM]


def test_yaml_error_in_a_school_is_a_finding(mini_estate: Path) -> None:
    (mini_estate / GYM).write_text("id: gym-a\nid: gym-a\n", encoding="utf-8")
    result = run_cli(["validate"], mini_estate)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{GYM}:2:1: error duplicate-key ")
