"""Validate: one mutation of the mini estate per test, asserting code, file, line (and hint)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.diagnostics import Diagnostic
from tests.helpers import append, codes, edit, findings, line_of, only, read, write

GYM = "schools/gym-a/school.yaml"
GYM_CSV = "schools/gym-a/devices.csv"
BBZ = "schools/bbz-b/school.yaml"
BBZ_CSV = "schools/bbz-b/devices.csv"


def at(d: Diagnostic) -> tuple[str, int]:
    return (d.path, d.line)


def test_mini_estate_is_clean(mini_estate: Path) -> None:
    assert findings(mini_estate) == []


def test_example_estate_is_clean(example_copy: Path) -> None:
    assert findings(example_copy) == []


# --- school.yaml against its schema -----------------------------------------------------------


def test_id_differs_from_folder(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "id: gym-a", "id: gym-x")
    d = only(findings(mini_estate), "id-mismatch")
    assert (d.path, d.line, d.col) == (GYM, 2, 5)
    assert "gym-x" in d.message
    assert "gym-a" in d.hint


def test_typo_key_has_did_you_mean(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "platform: apple", "platfrom: apple")
    diags = findings(mini_estate)
    d = only(diags, "unknown-key")
    assert (d.path, d.line, d.col) == (GYM, 5, 1)
    assert d.message == "unknown key 'platfrom'"
    assert d.hint == "did you mean 'platform'?"
    # the misspelt key also leaves 'platform' missing; nothing else is reported
    assert codes(diags) == ["missing-key", "unknown-key"]


def test_typo_key_nested_in_an_app_entry(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "    install: available", "    instal: available")
    diags = findings(mini_estate)
    assert [at(d) for d in diags if d.code == "unknown-key"] == [
        (GYM, line_of(mini_estate, GYM, "instal:"))
    ]
    assert only(diags, "unknown-key").hint == "did you mean 'install'?"


def test_wrong_enum_value(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "type: gymnasium", "type: gymnasum")
    d = only(findings(mini_estate), "invalid-value")
    assert (d.path, d.line, d.col) == (GYM, 4, 7)
    assert d.hint == "did you mean 'gymnasium'?"


def test_platform_ipad(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "platform: apple", "platform: ipad")
    d = only(findings(mini_estate), "invalid-value")
    assert (d.path, d.line, d.col) == (GYM, 5, 11)
    assert "'ipad'" in d.message
    assert "'apple'" in d.message or "'apple'" in d.hint


def test_missing_required_key(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "name: Gymnasium A\n", "")
    d = only(findings(mini_estate), "missing-key")
    assert d.path == GYM
    assert d.line == 2  # where the school's mapping starts
    assert "'name'" in d.message


def test_missing_maintainers_item_pattern(mini_estate: Path) -> None:
    edit(mini_estate, GYM, '"@example-org/gym-a"', "example-org/gym-a")
    d = only(findings(mini_estate), "invalid-value")
    assert at(d) == (GYM, 7)


# --- profiles ---------------------------------------------------------------------------------


def test_unknown_profile_with_did_you_mean(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "  webclips:", "  webclip:")
    d = only(findings(mini_estate), "unknown-profile")
    assert (d.path, d.line, d.col) == (GYM, line_of(mini_estate, GYM, "webclip:"), 3)
    assert d.hint == "did you mean 'webclips'?"


def test_profile_not_for_the_platform(mini_estate: Path) -> None:
    edit(
        mini_estate,
        GYM,
        "apps:\n",
        "  browser-home:\n    home_page: https://gym-a.example.org/\napps:\n",
    )
    d = only(findings(mini_estate), "profile-platform")
    assert (d.path, d.line, d.col) == (GYM, line_of(mini_estate, GYM, "browser-home:"), 3)
    assert "windows" in d.hint


def test_locked_parameter_names_the_profile(mini_estate: Path) -> None:
    edit(
        mini_estate,
        GYM,
        "apps:\n",
        "  it-baseline:\n    allow_erase_content: true\napps:\n",
    )
    d = only(findings(mini_estate), "locked-parameter")
    assert (d.path, d.line, d.col) == (GYM, line_of(mini_estate, GYM, "allow_erase_content"), 5)
    assert "'allow_erase_content'" in d.message
    assert "it-baseline" in d.message


def test_locked_parameter_set_to_its_default_is_still_locked(mini_estate: Path) -> None:
    edit(
        mini_estate,
        BBZ,
        "apps:\n",
        "  it-baseline:\n    defender_realtime_monitoring: true\napps:\n",
    )
    d = only(findings(mini_estate), "locked-parameter")
    assert at(d) == (BBZ, line_of(mini_estate, BBZ, "defender_realtime_monitoring"))


def test_value_outside_the_parameter_schema(mini_estate: Path) -> None:
    edit(mini_estate, BBZ, "quality_deferral_days: 5", "quality_deferral_days: 99")
    d = only(findings(mini_estate), "parameter-value")
    assert (d.path, d.line) == (BBZ, line_of(mini_estate, BBZ, "quality_deferral_days"))
    assert "99" in d.message


def test_wrong_type_of_a_parameter(mini_estate: Path) -> None:
    edit(mini_estate, BBZ, "quality_deferral_days: 5", "quality_deferral_days: five")
    d = only(findings(mini_estate), "wrong-type")
    assert (d.path, d.line, d.col) == (BBZ, line_of(mini_estate, BBZ, "five"), 28)
    assert "'five'" in d.message
    assert "whole number" in d.message


def test_unknown_parameter_has_did_you_mean(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "allow_airdrop: false", "allow_airdorp: false")
    d = only(findings(mini_estate), "unknown-key")
    assert (d.path, d.line) == (GYM, line_of(mini_estate, GYM, "allow_airdorp"))
    assert d.hint == "did you mean 'allow_airdrop'?"


def test_missing_required_parameter(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "    ssid: GymA-Schule\n", "")
    d = only(findings(mini_estate), "missing-key")
    assert d.path == GYM
    assert d.line == line_of(mini_estate, GYM, "security: wpa2-personal")
    assert "ssid" in d.message


def test_no_is_not_false(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "allow_camera: true", "allow_camera: no")
    d = only(findings(mini_estate), "wrong-type")
    assert (d.path, d.line, d.col) == (GYM, line_of(mini_estate, GYM, "allow_camera"), 19)
    assert d.hint == "'no' is text here; write true or false"


def test_version_like_number_where_text_is_wanted(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "ssid: GymA-Schule", "ssid: 1.10")
    d = only(findings(mini_estate), "wrong-type")
    assert (d.path, d.line, d.col) == (GYM, line_of(mini_estate, GYM, "ssid:"), 11)
    assert d.hint == 'write it in quotes, "1.10", so it stays text'


def test_leading_zero_stays_text_and_fits_a_text_field(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "ssid: GymA-Schule", "ssid: 0123")
    assert findings(mini_estate) == []


# --- secrets ----------------------------------------------------------------------------------


def test_plaintext_password(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "password: {secret: WIFI_PSK_GYM_A}", "password: hunter2hunter2")
    d = only(findings(mini_estate), "plaintext-secret")
    assert (d.path, d.line, d.col) == (GYM, line_of(mini_estate, GYM, "password:"), 15)
    assert "hunter2" not in d.message + d.hint  # a finding never repeats the secret


def test_plaintext_password_nested(mini_estate: Path) -> None:
    edit(mini_estate, BBZ, "password: {secret: WIFI_EAP_BBZ_B}", "password: geheim123")
    d = only(findings(mini_estate), "plaintext-secret")
    assert at(d) == (BBZ, line_of(mini_estate, BBZ, "password:"))


def test_undeclared_secret(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "{secret: WIFI_PSK_GYM_A}", "{secret: WIFI_PSK_GYM_AA}")
    d = only(findings(mini_estate), "undeclared-secret")
    assert (d.path, d.line) == (GYM, line_of(mini_estate, GYM, "password:"))
    assert "WIFI_PSK_GYM_AA" in d.message
    assert d.hint == "did you mean 'WIFI_PSK_GYM_A'?"


def test_secret_reference_with_extra_keys_is_not_a_reference(mini_estate: Path) -> None:
    edit(
        mini_estate,
        GYM,
        "{secret: WIFI_PSK_GYM_A}",
        "{secret: WIFI_PSK_GYM_A, value: hunter2}",
    )
    d = only(findings(mini_estate), "plaintext-secret")
    assert at(d) == (GYM, line_of(mini_estate, GYM, "password:"))


# --- apps -------------------------------------------------------------------------------------


def test_unknown_app_with_did_you_mean(mini_estate: Path) -> None:
    append(mini_estate, GYM, "  - garagebnd\n")
    d = only(findings(mini_estate), "unknown-app")
    assert (d.path, d.line, d.col) == (GYM, line_of(mini_estate, GYM, "garagebnd"), 5)
    assert d.hint == "did you mean 'garageband'?"


def test_app_not_on_the_platform(mini_estate: Path) -> None:
    append(mini_estate, GYM, "  - python-3-12\n")
    d = only(findings(mini_estate), "app-platform")
    assert (d.path, d.line) == (GYM, line_of(mini_estate, GYM, "python-3-12"))
    assert "catalog/apps/python-3-12.yaml" in d.hint


def test_windows_school_with_an_ipad_only_app(mini_estate: Path) -> None:
    append(mini_estate, BBZ, "  - id: goodnotes\n    install: available\n")
    d = only(findings(mini_estate), "app-platform")
    assert (d.path, d.line) == (BBZ, line_of(mini_estate, BBZ, "goodnotes"))


def test_app_listed_twice(mini_estate: Path) -> None:
    append(mini_estate, GYM, "  - id: pages\n    install: available\n")
    d = only(findings(mini_estate), "duplicate-app")
    assert (d.path, d.line) == (GYM, line_of(mini_estate, GYM, "id: pages"))


def test_home_screen_app_not_among_the_schools_apps(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "      - [keynote, goodnotes]", "      - [keynote, numbers]")
    d = only(findings(mini_estate), "unknown-app")
    assert (d.path, d.line) == (GYM, line_of(mini_estate, GYM, "[keynote, numbers]"))
    assert "numbers" in d.message


# --- devices ----------------------------------------------------------------------------------


def _row(serial: str, mac: str, tag: str, model: str) -> str:
    return f"{serial},{mac},{tag},{model}\n"


def dup_pair(
    diags: list[Diagnostic], code: str, first: tuple[str, int], second: tuple[str, int]
) -> None:
    """The finding at the second row names the first; any other finding is the mirror image."""
    hits = [d for d in diags if d.code == code]
    assert hits, diags
    at_second = [d for d in hits if at(d) == second]
    assert len(at_second) == 1, hits
    assert f"{first[0]}:{first[1]}" in at_second[0].message
    for d in hits:
        assert at(d) in (first, second), hits
        if at(d) == first:
            assert f"{second[0]}:{second[1]}" in d.message
    assert [d.code for d in diags if d.code != code] == []


def test_duplicate_serial_within_a_school(mini_estate: Path) -> None:
    append(mini_estate, GYM_CSV, _row("DMPA00000002", "02:4b:00:00:00:09", "GA-0009", "iPad"))
    dup_pair(findings(mini_estate), "duplicate-serial", (GYM_CSV, 3), (GYM_CSV, 5))


def test_duplicate_mac_within_a_school_in_another_notation(mini_estate: Path) -> None:
    append(mini_estate, GYM_CSV, _row("DMPA00000009", "02-4B-00-00-00-01", "GA-0009", "iPad"))
    dup_pair(findings(mini_estate), "duplicate-mac", (GYM_CSV, 2), (GYM_CSV, 5))


def test_duplicate_asset_tag_within_a_school(mini_estate: Path) -> None:
    append(mini_estate, GYM_CSV, _row("DMPA00000009", "02:4b:00:00:00:09", "GA-0003", "iPad"))
    dup_pair(findings(mini_estate), "duplicate-asset-tag", (GYM_CSV, 4), (GYM_CSV, 5))


def test_a_value_three_times_is_reported_at_every_later_row(mini_estate: Path) -> None:
    append(mini_estate, GYM_CSV, _row("DMPA00000009", "02:4b:00:00:00:09", "GA-0001", "iPad"))
    append(mini_estate, GYM_CSV, _row("DMPA00000010", "02:4b:00:00:00:10", "GA-0001", "iPad"))
    lines = {d.line for d in findings(mini_estate) if d.code == "duplicate-asset-tag"}
    assert {5, 6} <= lines <= {2, 5, 6}


def test_duplicate_serial_across_schools_is_reported(mini_estate: Path) -> None:
    # bbz-b lists a serial gym-a already has
    append(mini_estate, BBZ_CSV, "DMPA00000001,0a:4b:00:00:00:09,BB-0009,Dell Latitude 3140,,\n")
    diags = [d for d in findings(mini_estate) if d.code == "duplicate-serial"]
    rows = {(GYM_CSV, 2), (BBZ_CSV, 5)}
    assert diags
    for d in diags:
        assert at(d) in rows
        (other,) = rows - {at(d)}
        assert f"{other[0]}:{other[1]}" in d.message


def test_duplicate_across_schools_is_reported_in_both_files(mini_estate: Path) -> None:
    # Each school's coordinator must see it: a finding only in the other school's file is hidden
    # by `schoolmdm validate schools/<own>` and by pull-request annotations on changed files.
    append(mini_estate, BBZ_CSV, "5CG0000009,0a:4b:00:00:00:09,GA-0001,Dell Latitude 3140,,\n")
    diags = [d for d in findings(mini_estate) if d.code == "duplicate-asset-tag"]
    assert sorted(at(d) for d in diags) == [(BBZ_CSV, 5), (GYM_CSV, 2)]
    by_file = {d.path: d for d in diags}
    assert f"{GYM_CSV}:2" in by_file[BBZ_CSV].message
    assert f"{BBZ_CSV}:5" in by_file[GYM_CSV].message


def test_ipad_in_a_windows_school(mini_estate: Path) -> None:
    append(
        mini_estate, BBZ_CSV, "DMPB00000009,0a:4b:00:00:00:09,BB-0009,iPad (10th generation),,\n"
    )
    d = only(findings(mini_estate), "device-platform")
    assert (d.path, d.line) == (BBZ_CSV, 5)
    assert "iPad (10th generation)" in d.message


def test_laptop_in_an_apple_school(mini_estate: Path) -> None:
    append(
        mini_estate,
        GYM_CSV,
        _row("DMPA00000009", "02:4b:00:00:00:09", "GA-0009", "Dell Latitude 3140"),
    )
    d = only(findings(mini_estate), "device-platform")
    assert (d.path, d.line) == (GYM_CSV, 5)


def test_bad_mac_in_an_inventory(mini_estate: Path) -> None:
    edit(mini_estate, GYM_CSV, "02:4b:00:00:00:02", "02:4b:00:00:00:0g")
    d = only(findings(mini_estate), "invalid-mac")
    assert (d.path, d.line, d.col) == (GYM_CSV, 3, 14)


# --- many findings at once, in order ----------------------------------------------------------


def test_all_findings_are_collected_in_one_run(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "type: gymnasium", "type: gymnasum")
    edit(mini_estate, BBZ, "quality_deferral_days: 5", "quality_deferral_days: 99")
    edit(mini_estate, BBZ, "{secret: WIFI_EAP_BBZ_B}", "{secret: NOPE}")
    append(mini_estate, BBZ, "  - garagebnd\n")
    edit(mini_estate, GYM_CSV, "02:4b:00:00:00:02", "bad-mac")
    write(mini_estate, "catalog/apps/extra.yml", "id: extra\n")
    found = {(d.code, d.path) for d in findings(mini_estate)}
    assert found == {
        ("invalid-value", GYM),
        ("parameter-value", BBZ),
        ("undeclared-secret", BBZ),
        ("unknown-app", BBZ),
        ("invalid-mac", GYM_CSV),
        ("file-name", "catalog/apps/extra.yml"),
    }


def test_findings_are_sorted_by_file_then_line(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "allow_camera: true", "allow_camera: no")
    edit(mini_estate, GYM, "type: gymnasium", "type: gymnasum")
    append(mini_estate, GYM, "  - garagebnd\n")
    edit(mini_estate, BBZ, "quality_deferral_days: 5", "quality_deferral_days: 99")
    edit(mini_estate, BBZ, "platform: windows", "platform: windos")
    append(mini_estate, GYM_CSV, "X,Y\n")
    append(mini_estate, BBZ_CSV, "short\n")
    diags = findings(mini_estate)
    keys = [(d.path, d.line, d.col) for d in diags]
    assert keys == sorted(keys)
    assert len({d.path for d in diags}) == 4


def test_a_broken_school_does_not_hide_the_other(mini_estate: Path) -> None:
    write(mini_estate, GYM, "id: [unclosed\n")
    edit(mini_estate, BBZ, "quality_deferral_days: 5", "quality_deferral_days: 99")
    found = {(d.code, d.path) for d in findings(mini_estate)}
    assert found == {("yaml-syntax", GYM), ("parameter-value", BBZ)}


# --- files and folders ------------------------------------------------------------------------


def test_yml_extension(mini_estate: Path) -> None:
    text = read(mini_estate, "catalog/apps/goodnotes.yaml")
    write(
        mini_estate, "catalog/apps/goodnotes2.yml", text.replace("id: goodnotes", "id: goodnotes2")
    )
    d = only(findings(mini_estate), "file-name")
    assert (d.path, d.line) == ("catalog/apps/goodnotes2.yml", 1)
    assert "goodnotes2.yaml" in d.hint


def test_yml_profile(mini_estate: Path) -> None:
    write(mini_estate, "profiles/extra.yml", "id: extra\n")
    d = only(findings(mini_estate), "file-name")
    assert d.path == "profiles/extra.yml"


def test_school_folder_without_school_yaml(mini_estate: Path) -> None:
    write(mini_estate, "schools/gs-c/devices.csv", "serial,mac,asset_tag,model\n")
    d = only(findings(mini_estate), "missing-file")
    assert (d.path, d.line) == ("schools/gs-c", 1)
    assert "new-school gs-c" in d.hint


def test_empty_school_folder(mini_estate: Path) -> None:
    (mini_estate / "schools" / "gs-c").mkdir()
    d = only(findings(mini_estate), "missing-file")
    assert d.path == "schools/gs-c"


def test_empty_school_yaml(mini_estate: Path) -> None:
    write(mini_estate, GYM, "")
    diags = findings(mini_estate)
    assert [(d.code, d.path, d.line) for d in diags] == [("empty-file", GYM, 1)]


def test_school_yaml_with_only_comments_is_empty(mini_estate: Path) -> None:
    write(mini_estate, GYM, "# yaml-language-server: $schema=../../schemas/school.schema.json\n")
    assert [(d.code, d.path) for d in findings(mini_estate)] == [("empty-file", GYM)]


def test_school_yaml_that_is_a_list(mini_estate: Path) -> None:
    write(mini_estate, GYM, "- id: gym-a\n")
    d = only(findings(mini_estate), "wrong-type")
    assert (d.path, d.line) == (GYM, 1)


def test_school_without_devices_csv_is_fine(mini_estate: Path) -> None:
    (mini_estate / GYM_CSV).unlink()
    assert findings(mini_estate) == []


def test_missing_estate_file(mini_estate: Path) -> None:
    (mini_estate / "schoolmdm.yaml").unlink()
    d = only(findings(mini_estate), "missing-file")
    assert d.path == "schoolmdm.yaml"


def test_undeclared_secret_when_secrets_yaml_is_missing(mini_estate: Path) -> None:
    (mini_estate / "secrets.yaml").unlink()
    diags = findings(mini_estate)
    assert sorted(at(d) for d in diags if d.code == "undeclared-secret") == [
        (BBZ, line_of(mini_estate, BBZ, "password:")),
        (GYM, line_of(mini_estate, GYM, "password:")),
    ]


def test_too_large_school_yaml(mini_estate: Path) -> None:
    write(mini_estate, GYM, read(mini_estate, GYM) + "#" + "x" * 1_048_576 + "\n")
    d = only(findings(mini_estate), "file-too-large")
    assert (d.path, d.line) == (GYM, 1)


def test_injection_looking_values_are_plain_data(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "ssid: GymA-Schule", 'ssid: "{{ 7*7 }}"')
    edit(mini_estate, GYM, "label: Schulportal", 'label: "</string><key>x</key>"')
    edit(mini_estate, GYM, "name: Gymnasium A", 'name: "{% raw %}${{ secrets.X }}"')
    assert findings(mini_estate) == []


def test_list_where_text_is_wanted(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "name: Gymnasium A", "name: [Gymnasium A]")
    d = only(findings(mini_estate), "wrong-type")
    assert (d.path, d.line, d.col) == (GYM, 3, 7)
    assert "text" in d.message


def test_mapping_where_a_boolean_is_wanted(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "allow_camera: true", "allow_camera: {value: true}")
    d = only(findings(mini_estate), "wrong-type")
    assert (d.path, d.line) == (GYM, line_of(mini_estate, GYM, "allow_camera"))
    assert "true or false" in d.message


def test_bad_profile_name_points_at_that_key(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "  restrictions:", "  Restrictions:")
    d = only(findings(mini_estate), "invalid-value")
    assert (d.path, d.line, d.col) == (GYM, line_of(mini_estate, GYM, "Restrictions:"), 3)
    assert "'Restrictions'" in d.message


def test_a_broken_profile_file_does_not_cascade_into_the_schools(mini_estate: Path) -> None:
    # the profile exists but fails its schema: "there is no profile 'restrictions'" would be wrong
    edit(mini_estate, "profiles/restrictions.yaml", "\nname: ", "\nnmae: ")
    diags = findings(mini_estate)
    assert {d.path for d in diags} == {"profiles/restrictions.yaml"}
    assert "unknown-key" in codes(diags)


def test_a_broken_app_file_does_not_cascade_into_the_schools(mini_estate: Path) -> None:
    write(mini_estate, "catalog/apps/pages.yaml", "id: pages\nname: [\n")
    diags = findings(mini_estate)
    assert [(d.path, d.code) for d in diags] == [("catalog/apps/pages.yaml", "yaml-syntax")]


def test_secret_placeholder_text_is_reserved(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "ssid: GymA-Schule", 'ssid: "${secret:WIFI_PSK_GYM_A}"')
    d = only(findings(mini_estate), "reserved-text")
    assert (d.path, d.line) == (GYM, line_of(mini_estate, GYM, "ssid:"))


def test_empty_app_file(mini_estate: Path) -> None:
    write(mini_estate, "catalog/apps/empty.yaml", "")
    assert [(d.code, d.path, d.line) for d in findings(mini_estate)] == [
        ("empty-file", "catalog/apps/empty.yaml", 1)
    ]


def test_empty_estate_file_stops_early(mini_estate: Path) -> None:
    write(mini_estate, "schoolmdm.yaml", "# nothing yet\n")
    assert [(d.code, d.path) for d in findings(mini_estate)] == [("empty-file", "schoolmdm.yaml")]


def test_profiles_needing_more_than_the_estates_ipads(mini_estate: Path) -> None:
    edit(mini_estate, "schoolmdm.yaml", "supervised: true", "supervised: false")
    found = [d for d in findings(mini_estate) if d.code == "template-requirement"]
    assert found, "the mini estate's apple school uses supervised-only profiles"
    assert all(d.path.startswith("profiles/") and "supervised" in d.message for d in found)
    assert any(d.path == "profiles/it-baseline.yaml" for d in found)
    edit(mini_estate, "schoolmdm.yaml", "supervised: false", "supervised: true")
    edit(mini_estate, "schoolmdm.yaml", 'ipados: "17.0"', 'ipados: "9.0"')
    versions = [d for d in findings(mini_estate) if d.code == "template-requirement"]
    assert versions and all("needs iPadOS" in d.message and "9.0" in d.message for d in versions)


def test_naming_convention_placeholders(mini_estate: Path) -> None:
    text = read(mini_estate, "schoolmdm.yaml")
    assert "naming:" in text
    for bad, needle in (
        ('"{school.__class__}"', "school.__class__"),
        ('"{schol} x"', "schol"),
        ('"{school"', "expected '}'"),
    ):
        write(
            mini_estate,
            "schoolmdm.yaml",
            text.replace('object: "{school} | {name}"', f"object: {bad}"),
        )
        d = only(findings(mini_estate), "naming-placeholder")
        assert (d.path, d.line) == (
            "schoolmdm.yaml",
            line_of(mini_estate, "schoolmdm.yaml", "object:"),
        )
        assert needle in d.message


def test_profile_not_for_the_schools_type(mini_estate: Path) -> None:
    """exam-mode is for secondary and vocational schools, not for a Grundschule."""
    school = "schools/bbz-b/school.yaml"
    edit(mini_estate, school, "type: berufsbildungszentrum", "type: grundschule")
    if "exam-mode" not in read(mini_estate, school):
        edit(
            mini_estate,
            school,
            "profiles:\n",
            "profiles:\n  exam-mode:\n    exam_url: https://exam.example/\n",
        )
    d = only(findings(mini_estate), "profile-school-type")
    assert (d.path, d.line) == (school, line_of(mini_estate, school, "exam-mode"))
    assert "'grundschule'" in d.message and "gymnasium" in d.hint


def test_secret_placeholder_text_is_reserved_anywhere_in_a_school_file(mini_estate: Path) -> None:
    """The school's name reaches MDM display names: a placeholder there would pull a secret in."""
    school = "schools/bbz-b/school.yaml"
    text = read(mini_estate, school)
    name_line = next(line for line in text.splitlines() if line.startswith("name:"))
    edit(mini_estate, school, name_line, "name: BBZ ${secret:WIFI_PSK_GYM_A}")
    d = only(findings(mini_estate), "reserved-text")
    assert (d.path, d.line, d.col) == (school, 3, 7)
    edit(mini_estate, school, "name: BBZ ${secret:WIFI_PSK_GYM_A}", name_line)
    assert findings(mini_estate) == []


@pytest.mark.parametrize(
    "config_schema",
    [
        "{type: object, properties: {a: {$ref: 'https://example.invalid/s.json'}}}",
        "{type: object, properties: {a: {type: string, pattern: 'x\\Z'}}}",
        "{type: object, propertiez: {}}",
    ],
)
def test_an_unusable_app_config_schema_is_a_finding_at_the_app(
    mini_estate: Path, config_schema: str
) -> None:
    append(mini_estate, "catalog/apps/goodnotes.yaml", f"  config_schema: {config_schema}\n")
    edit(mini_estate, GYM, "install: available", "install: available\n    config: {a: x}")
    diags = findings(mini_estate)
    assert only(diags, "app-schema").path == "catalog/apps/goodnotes.yaml"
