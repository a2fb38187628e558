"""Tests of the Apple conformance checker itself, against Apple's real catalogue."""

from __future__ import annotations

import copy
import datetime as dt
import plistlib
from pathlib import Path
from typing import Any

import pytest

from . import apple_conformance
from .apple_conformance import (
    ENV_VAR,
    Finding,
    apple_schema_available,
    check_profile,
    require_apple_schema,
)


@pytest.fixture
def schema() -> None:
    require_apple_schema()  # skip without Apple's catalogue, but fail when CI=true


def wifi_payload(**extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "PayloadType": "com.apple.wifi.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": "de.example.schoolmdm.gym-nord.wifi",
        "PayloadUUID": "6F1A3C4E-0D0B-5B4E-9C31-2C5F8E0A7B11",
        "PayloadDisplayName": "Schul-WLAN",
        "SSID_STR": "Schule",
        "EncryptionType": "WPA2",
        "Password": "secret",
        "AutoJoin": True,
        "HIDDEN_NETWORK": False,
    }
    payload.update(extra)
    return payload


def profile_with(*payloads: Any, **extra: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": "de.example.schoolmdm.gym-nord",
        "PayloadUUID": "0C3B8B1E-7E41-5E0F-8D63-4F0E2B7A9C22",
        "PayloadDisplayName": "Gymnasium Nord",
        "PayloadContent": list(payloads),
    }
    profile.update(extra)
    return profile


def payload(payload_type: str, **keys: Any) -> dict[str, Any]:
    return {
        "PayloadType": payload_type,
        "PayloadVersion": 1,
        "PayloadIdentifier": f"de.example.{payload_type}",
        "PayloadUUID": "9B2D4F60-1A2B-5C3D-8E4F-5A6B7C8D9E0F",
        **keys,
    }


def check(profile: Any, ipados: str = "17.0", supervised: bool = True) -> list[Finding]:
    return check_profile(profile, ipados=ipados, supervised=supervised)


def paths(findings: list[Finding]) -> list[str]:
    return [finding.path for finding in findings]


# --------------------------------------------------------------------------- valid input


@pytest.mark.usefixtures("schema")
@pytest.mark.parametrize("supervised", [True, False])
def test_minimal_wifi_profile_conforms(supervised: bool) -> None:
    assert check(profile_with(wifi_payload()), supervised=supervised) == []


@pytest.mark.usefixtures("schema")
def test_profile_read_back_from_xml_plist_conforms() -> None:
    eap = {
        "AcceptEAPTypes": [25],
        "UserName": "student",
        "TLSTrustedServerNames": ["radius.example.de"],
        "TTLSInnerAuthentication": "MSCHAPv2",
    }
    profile = profile_with(
        wifi_payload(EncryptionType="WPA2", EAPClientConfiguration=eap),
        ConsentText={"default": "Bitte zustimmen", "en": "Please agree"},
        RemovalDate=dt.datetime(2030, 7, 31, 12, 0, 0),
        DurationUntilRemoval=86400,  # an <integer> is a fine <real>
        PayloadRemovalDisallowed=True,
        TargetDeviceType=1,
    )
    assert check(plistlib.loads(plistlib.dumps(profile))) == []


@pytest.mark.usefixtures("schema")
def test_payload_type_shared_by_several_files_accepts_the_union_of_keys() -> None:
    # com.apple.extensiblesso is described by two files; Realm/TeamIdentifier are required
    # only by the Kerberos one, so a Redirect extension without them conforms
    sso = payload(
        "com.apple.extensiblesso",
        ExtensionIdentifier="com.example.sso",
        Type="Redirect",
        URLs=["https://login.example.de"],
    )
    assert check(profile_with(sso)) == []
    # com.apple.MCX is spread over six macOS-only files: keys of two of them are documented,
    # and the only finding is that the payload does not exist on iPadOS at all
    mcx = payload("com.apple.MCX", timeZone="Europe/Berlin", RequireAdminForIBSS=True)
    findings = check(profile_with(mcx))
    assert paths(findings) == ["PayloadContent[0]"]
    assert "not available on iOS" in findings[0].message


# --------------------------------------------------------------------------- unknown keys


@pytest.mark.usefixtures("schema")
def test_unknown_keys_are_found_at_every_level() -> None:
    eap = {"AcceptEAPTypes": [13], "Colour": "blue"}
    profile = profile_with(
        wifi_payload(SSID_STRING="Schule", EAPClientConfiguration=eap), ProfileColour="red"
    )
    findings = check(profile)
    assert paths(findings) == [
        "PayloadContent[0].EAPClientConfiguration.Colour",
        "PayloadContent[0].SSID_STRING",
        "ProfileColour",
    ]
    assert "did you mean 'SSID_STR'?" in findings[1].message


@pytest.mark.usefixtures("schema")
def test_unknown_payload_type() -> None:
    findings = check(profile_with(wifi_payload(), payload("com.apple.wifi.unmanaged")))
    assert findings == [
        Finding(
            "PayloadContent[1].PayloadType",
            "unknown PayloadType 'com.apple.wifi.unmanaged': Apple documents no such payload",
        )
    ]


@pytest.mark.usefixtures("schema")
def test_catalogue_pseudo_types_are_not_payload_types() -> None:
    findings = check(profile_with(payload("TopLevel"), payload("CommonPayloadKeys")))
    assert paths(findings) == ["PayloadContent[0].PayloadType", "PayloadContent[1].PayloadType"]


# --------------------------------------------------------------------------- types


@pytest.mark.usefixtures("schema")
def test_bool_is_not_an_integer_and_int_is_not_a_boolean() -> None:
    findings = check(profile_with(wifi_payload(PayloadVersion=True, AutoJoin=1)))
    assert findings == [
        Finding("PayloadContent[0].AutoJoin", "expected <boolean>, got <integer>"),
        Finding("PayloadContent[0].PayloadVersion", "expected <integer>, got <boolean>"),
    ]


@pytest.mark.usefixtures("schema")
def test_types_of_nested_values_and_array_items() -> None:
    eap = {"AcceptEAPTypes": [25, "13"], "TLSTrustedServerNames": ["radius", 7]}
    profile = profile_with(
        wifi_payload(EAPClientConfiguration=eap),
        RemovalDate="2030-07-31",
        DurationUntilRemoval=True,
        EncryptedPayloadContent="not bytes",
        ConsentText={"en": 5},
    )
    assert check(profile) == [
        Finding("ConsentText.en", "expected <string>, got <integer>"),
        Finding("DurationUntilRemoval", "expected <real>, got <boolean>"),
        Finding("EncryptedPayloadContent", "expected <data>, got <string>"),
        Finding(
            "PayloadContent[0].EAPClientConfiguration.AcceptEAPTypes[1]",
            "expected <integer>, got <string>",
        ),
        Finding(
            "PayloadContent[0].EAPClientConfiguration.TLSTrustedServerNames[1]",
            "expected <string>, got <integer>",
        ),
        Finding("RemovalDate", "expected <date>, got <string>"),
    ]


# --------------------------------------------------------------------------- presence


@pytest.mark.usefixtures("schema")
def test_missing_required_keys_at_top_level_payload_and_nested_dictionary() -> None:
    profile = profile_with(wifi_payload(EAPClientConfiguration={"UserName": "student"}))
    del profile["PayloadIdentifier"]
    del profile["PayloadContent"][0]["PayloadIdentifier"]
    findings = check(profile)
    assert paths(findings) == [
        "PayloadContent[0].EAPClientConfiguration.AcceptEAPTypes",
        "PayloadContent[0].PayloadIdentifier",
        "PayloadIdentifier",
    ]
    assert all("required key is missing" in finding.message for finding in findings)


# --------------------------------------------------------------------------- values


@pytest.mark.usefixtures("schema")
def test_values_outside_rangelist_and_range() -> None:
    eap = {"AcceptEAPTypes": [25, 99]}
    profile = profile_with(
        wifi_payload(EncryptionType="WEP2", ProxyServerPort=70000, EAPClientConfiguration=eap),
        TargetDeviceType=True,  # True == 1 in Python, but a <boolean> is not in the rangelist
    )
    findings = check(profile)
    assert paths(findings) == [
        "PayloadContent[0].EAPClientConfiguration.AcceptEAPTypes[1]",
        "PayloadContent[0].EncryptionType",
        "PayloadContent[0].ProxyServerPort",
        "TargetDeviceType",
    ]
    assert findings[1].message.startswith("'WEP2' is not one of the documented values")
    assert "above the documented maximum 65535" in findings[2].message


@pytest.mark.usefixtures("schema")
def test_documented_format() -> None:
    findings = check(profile_with(wifi_payload(PayloadCertificateUUID="not-a-uuid")))
    assert paths(findings) == ["PayloadContent[0].PayloadCertificateUUID"]


# --------------------------------------------------------------------------- OS support


@pytest.mark.usefixtures("schema")
def test_key_introduced_after_the_target_version() -> None:
    # allowAppsToBeHidden: iOS introduced 18.0 (supervised)
    profile = profile_with(payload("com.apple.applicationaccess", allowAppsToBeHidden=False))
    assert check(profile, ipados="18.0") == []
    findings = check(profile, ipados="17.5")
    assert findings == [
        Finding(
            "PayloadContent[0].allowAppsToBeHidden",
            "introduced in iOS/iPadOS 18.0, after the target 17.5",
        )
    ]


@pytest.mark.usefixtures("schema")
def test_versions_compare_numerically() -> None:
    # DisableAssociationMACRandomization: iOS introduced 14.0; as strings "14.0" < "9.3"
    profile = profile_with(wifi_payload(DisableAssociationMACRandomization=True))
    assert paths(check(profile, ipados="9.3")) == [
        "PayloadContent[0].DisableAssociationMACRandomization"
    ]
    assert check(profile, ipados="14") == []
    assert check(profile, ipados="14.0.0") == []
    assert paths(check(profile, ipados="13.6")) == [
        "PayloadContent[0].DisableAssociationMACRandomization"
    ]


@pytest.mark.usefixtures("schema")
def test_nested_key_removed_at_or_before_the_target() -> None:
    # EAPClientConfiguration.TLSAllowTrustExceptions: iOS removed 8.0
    eap = {"AcceptEAPTypes": [25], "TLSAllowTrustExceptions": True}
    profile = profile_with(wifi_payload(EAPClientConfiguration=eap))
    assert check(profile, ipados="7.1") == []
    for target in ("8.0", "17.0"):
        findings = check(profile, ipados=target)
        assert paths(findings) == [
            "PayloadContent[0].EAPClientConfiguration.TLSAllowTrustExceptions"
        ]
        assert findings[0].message.startswith("removed in iOS/iPadOS 8.0")


@pytest.mark.usefixtures("schema")
def test_supervised_only_key_on_unsupervised_target() -> None:
    # allowAirDrop: iOS supervised: true, while the restrictions payload itself is not
    profile = profile_with(
        payload("com.apple.applicationaccess", allowAirDrop=False, allowCamera=True)
    )
    assert check(profile, supervised=True) == []
    assert check(profile, supervised=False) == [
        Finding(
            "PayloadContent[0].allowAirDrop",
            "requires a supervised device, the target is not supervised",
        )
    ]


@pytest.mark.usefixtures("schema")
def test_supervised_only_payload_is_reported_once() -> None:
    layout = payload(
        "com.apple.homescreenlayout",
        Dock=[{"Type": "App", "BundleID": "com.apple.mobilesafari"}],
        Pages=[[{"Type": "App", "BundleID": "com.apple.camera"}]],
    )
    assert check(profile_with(layout), supervised=True) == []
    assert check(profile_with(layout), supervised=False) == [
        Finding(
            "PayloadContent[0]",
            "com.apple.homescreenlayout payload: requires a supervised device,"
            " the target is not supervised",
        )
    ]


@pytest.mark.usefixtures("schema")
def test_payload_not_available_on_ios() -> None:
    # com.apple.dock: iOS introduced n/a; its keys are not reported again one by one
    findings = check(profile_with(payload("com.apple.dock", orientation="left", tilesize=64)))
    assert findings == [
        Finding(
            "PayloadContent[0]",
            "com.apple.dock payload: not available on iOS/iPadOS (introduced: n/a)",
        )
    ]


@pytest.mark.usefixtures("schema")
def test_key_supported_os_overrides_only_what_it_names() -> None:
    # PayloadScope's own supportedOS names only macOS: iOS support is inherited
    assert check(profile_with(wifi_payload(), PayloadScope="System")) == []


SYNTHETIC_PAYLOAD = """
payload:
  payloadtype: com.example.synthetic
  supportedOS:
    macOS: {introduced: '10.7'}
payloadkeys:
- {key: MacOnly, type: <string>}
- key: Everywhere
  type: <string>
  supportedOS:
    iOS: {introduced: '16.0'}
"""


def test_payload_without_ios_among_other_oses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_apple_schema()
    real = Path(apple_conformance.apple_schema_dir(), "profiles")
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for name in ("TopLevel.yaml", "CommonPayloadKeys.yaml"):
        (profiles / name).write_bytes((real / name).read_bytes())
    (profiles / "synthetic.yaml").write_text(SYNTHETIC_PAYLOAD, encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert apple_schema_available()

    findings = check(profile_with(payload("com.example.synthetic", MacOnly="x")))
    assert findings == [
        Finding(
            "PayloadContent[0]",
            "com.example.synthetic payload: not supported on iOS/iPadOS (only macOS)",
        )
    ]
    # a key's supportedOS can add iOS, but not make the payload itself installable
    findings = check(profile_with(payload("com.example.synthetic", Everywhere="x")), "15.0")
    assert paths(findings) == ["PayloadContent[0]", "PayloadContent[0].Everywhere"]
    assert "introduced in iOS/iPadOS 16.0" in findings[1].message


def test_malformed_target_version_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="not an iOS/iPadOS version"):
        check_profile({}, ipados="seventeen", supervised=True)


# --------------------------------------------------------------------------- robustness


@pytest.mark.usefixtures("schema")
def test_self_referencing_home_screen_folders() -> None:
    def folder(depth: int) -> dict[str, Any]:
        if depth == 0:
            return {"Type": "Bogus", "BundleID": "com.apple.camera"}
        return {"Type": "Folder", "DisplayName": f"F{depth}", "Pages": [[folder(depth - 1)]]}

    layout = payload("com.apple.homescreenlayout", Pages=[[folder(5)]])
    findings = check(profile_with(layout))
    nested = "PayloadContent[0].Pages[0][0]" + ".Pages[0][0]" * 5 + ".Type"
    assert paths(findings) == [nested]


@pytest.mark.usefixtures("schema")
def test_cyclic_value_terminates() -> None:
    pages: list[Any] = []
    pages.append(pages)
    layout = payload("com.apple.homescreenlayout", Pages=pages)
    findings = check(profile_with(layout))
    assert paths(findings) == ["PayloadContent[0].Pages[0][0]"]  # an icon must be a dictionary
    assert findings[0].message == "expected <dictionary>, got <array>"

    folder: dict[str, Any] = {"Type": "Folder"}
    folder["Pages"] = [[folder]]
    findings = check(profile_with(payload("com.apple.homescreenlayout", Pages=[[folder]])))
    assert len(findings) == 1
    assert "nested deeper than" in findings[0].message


ODD_KEYS: dict[Any, Any] = {**profile_with(), 42: "int key", "x": {1, 2}}
REQUIRED = ["PayloadIdentifier", "PayloadType", "PayloadUUID", "PayloadVersion"]


@pytest.mark.usefixtures("schema")
@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("a string", [""]),
        (None, [""]),
        ({}, ["PayloadContent", *REQUIRED]),
        (profile_with(), []),
        ({**profile_with(), "PayloadContent": {"not": "a list"}}, ["PayloadContent"]),
        (profile_with("a payload?", 7, None), [f"PayloadContent[{i}]" for i in range(3)]),
        (profile_with({}), [f"PayloadContent[0].{key}" for key in REQUIRED]),
        (
            profile_with(wifi_payload(EAPClientConfiguration="eap")),
            ["PayloadContent[0].EAPClientConfiguration"],
        ),
        (
            profile_with(wifi_payload(PayloadType=["com.apple.wifi.managed"])),
            ["PayloadContent[0].PayloadType"],
        ),
        (ODD_KEYS, ["", "x"]),
    ],
)
def test_odd_input_becomes_findings(profile: Any, expected: list[str]) -> None:
    assert paths(check(profile)) == expected


@pytest.mark.usefixtures("schema")
def test_findings_are_sorted_and_input_is_not_modified() -> None:
    profile = profile_with(
        wifi_payload(Zeta=1, Alpha=2, EncryptionType="WEP2"),
        payload("com.example.unknown"),
        Omega=True,
    )
    before = copy.deepcopy(profile)
    findings = check(profile)
    assert findings == sorted(findings, key=lambda finding: finding.path)
    assert len(findings) == 5
    assert profile == before


# --------------------------------------------------------------------------- locating the data


def test_schema_dir_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert not apple_schema_available()
    with pytest.raises(FileNotFoundError):
        check_profile(profile_with(), ipados="17.0", supervised=True)


def test_missing_schema_skips_locally_and_fails_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "absent"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_apple_schema()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        require_apple_schema()
