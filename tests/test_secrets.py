"""Secrets have owners: a school uses only its own (or estate-wide) secrets, and values put in
are checked by the slot they fill before anything is written, without ever being shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.secrets import value_problem
from tests.helpers import append, edit, findings, line_of, only, run_cli

GYM = "schools/gym-a/school.yaml"
BBZ = "schools/bbz-b/school.yaml"


def test_a_school_cannot_use_another_schools_secret(mini_estate: Path) -> None:
    # bbz-b's EAP password on gym-a's iPads: the deployer would put it on these devices
    edit(mini_estate, GYM, "{secret: WIFI_PSK_GYM_A}", "{secret: WIFI_EAP_BBZ_B}")
    diag = only(findings(mini_estate), "secret-not-owned")
    assert (diag.path, diag.line) == (GYM, line_of(mini_estate, GYM, "WIFI_EAP_BBZ_B"))
    assert "WIFI_EAP_BBZ_B" in diag.message
    assert "BBZ" not in diag.hint  # never suggests another school's secret
    assert run_cli(["build"], mini_estate).exit_code == 1


def test_a_misspelt_secret_is_only_matched_against_the_schools_own(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "{secret: WIFI_PSK_GYM_A}", "{secret: WIFI_EAP_BBZ_C}")
    diag = only(findings(mini_estate), "undeclared-secret")
    assert "WIFI_EAP_BBZ_B" not in diag.hint
    edit(mini_estate, GYM, "{secret: WIFI_EAP_BBZ_C}", "{secret: WIFI_PSK_GYM_B}")
    diag = only(findings(mini_estate), "undeclared-secret")
    assert diag.hint == "did you mean 'WIFI_PSK_GYM_A'?"


def test_an_estate_wide_secret_is_usable_by_every_school(mini_estate: Path) -> None:
    append(
        mini_estate,
        "secrets.yaml",
        "  SHARED_PSK:\n    description: the IT centre's network\n    estate: true\n",
    )
    edit(mini_estate, GYM, "{secret: WIFI_PSK_GYM_A}", "{secret: SHARED_PSK}")
    assert findings(mini_estate) == []


@pytest.mark.parametrize(
    "entry",
    [
        "  ORPHAN:\n    description: nobody's\n",
        "  BOTH:\n    description: both\n    estate: true\n    schools: [gym-a]\n",
    ],
)
def test_a_secret_without_exactly_one_kind_of_owner_is_a_finding(
    mini_estate: Path, entry: str
) -> None:
    append(mini_estate, "secrets.yaml", entry)
    name = entry.split(":")[0].strip()
    diag = only(findings(mini_estate), "secret-owner")
    assert (diag.path, diag.line) == ("secrets.yaml", line_of(mini_estate, "secrets.yaml", name))


def test_an_owner_that_is_not_a_school_is_a_finding(mini_estate: Path) -> None:
    edit(mini_estate, "secrets.yaml", "schools: [gym-a]", "schools: [gym-aa]")
    diags = findings(mini_estate)
    owner = only(diags, "secret-owner")
    assert owner.hint == "did you mean 'gym-a'?"


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        ("wpa-passphrase", "12345678", True),
        ("wpa-passphrase", "x" * 63, True),
        ("wpa-passphrase", "a" * 64, True),  # 64 hex digits: a raw PSK
        ("wpa-passphrase", "g" * 64, False),
        ("wpa-passphrase", "1234567", False),
        ("wpa-passphrase", "x" * 64, False),
        ("wpa-passphrase", "passwört1", False),  # not ASCII
        ("wpa-passphrase", "pass\tword", False),
        ("password", "", False),
        ("password", "p" * 256, True),
        ("password", "p" * 257, False),
        ("password", "geheim\x07", False),
        ("text", "anything at all", True),
        ("text", "bad\uffff", False),
    ],
)
def test_value_rules_by_kind(kind: str, value: str, ok: bool) -> None:
    problem = value_problem(kind, value)
    assert (problem == "") is ok
    if value:
        assert value not in problem


def _env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name in ("WIFI_PSK_GYM_A", "WIFI_EAP_BBZ_B"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the estate (the mini estate is tmp_path itself): where exports go."""
    return tmp_path_factory.mktemp("outside") / "export"


def export(mini_estate: Path, out: Path, *more: str) -> tuple[int, str, str]:
    """`schoolmdm build`, then the export with secret values (`deploy --target directory`)."""
    built = run_cli(["build"], mini_estate)
    assert built.exit_code == 0, built.stderr
    result = run_cli(["deploy", "--target", "directory", "--out", str(out), *more], mini_estate)
    return result.exit_code, result.stdout, result.stderr


def test_an_export_for_one_school_asks_only_for_its_secrets(
    mini_estate: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, WIFI_PSK_GYM_A="correct horse battery")
    out = outside
    code, _, err = export(mini_estate, out, "--school", "gym-a")
    assert code == 0, err
    wifi = (out / "schools" / "gym-a" / "apple" / "wifi.mobileconfig").read_text()
    assert "correct horse battery" in wifi
    assert (
        "correct horse battery"
        not in (mini_estate / "build/schools/gym-a/apple/wifi.mobileconfig").read_text()
    )


def test_a_wrong_secret_value_is_a_finding_that_never_shows_the_value(
    mini_estate: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, WIFI_PSK_GYM_A="short", WIFI_EAP_BBZ_B="Sup3r-secret-EAP")
    code, out, err = export(mini_estate, outside)
    assert code == 1
    assert "secret-value" in err and "WIFI_PSK_GYM_A" in err
    assert "short" not in out + err.replace("WIFI_PSK_GYM_A", "")
    assert "Sup3r-secret-EAP" not in out + err
    assert not outside.exists()


def test_a_missing_secret_value_stops_the_export(
    mini_estate: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch)
    code, _, err = export(mini_estate, outside)
    assert code == 1
    assert "WIFI_PSK_GYM_A" in err
    assert not outside.exists()


def test_the_example_estate_gives_every_secret_to_the_school_that_uses_it(
    example_copy: Path,
) -> None:
    import yaml

    data = yaml.safe_load((example_copy / "secrets.yaml").read_text())["secrets"]
    assert data
    for name, entry in data.items():
        assert len(entry["schools"]) == 1, name
        school = (example_copy / "schools" / entry["schools"][0] / "school.yaml").read_text()
        assert f"secret: {name}" in school
