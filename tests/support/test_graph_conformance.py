"""Tests of the Graph conformance checker against Microsoft's Kiota-generated SDK models."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .graph_conformance import Finding, check_action_body, check_body

GROUP_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
CHOICE_INSTANCE = "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance"
CHOICE_VALUE = "#microsoft.graph.deviceManagementConfigurationChoiceSettingValue"
OMA_URI = "./Device/Vendor/MSFT/Policy/Config"


def custom_configuration() -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.windows10CustomConfiguration",
        "displayName": "gym-musterstadt: Edge home page",
        "description": "schoolmdm:windows/gym-musterstadt/edge-home sha256:abc",
        "omaSettings": [
            {
                "@odata.type": "#microsoft.graph.omaSettingString",
                "displayName": "Home page",
                "omaUri": f"{OMA_URI}/Browser/HomePages",
                "value": "<https://schule.example>",
            },
            {
                "@odata.type": "#microsoft.graph.omaSettingInteger",
                "displayName": "Idle timeout",
                "omaUri": f"{OMA_URI}/DeviceLock/MaxInactivityTimeDeviceLock",
                "value": 15,
            },
            {
                "@odata.type": "#microsoft.graph.omaSettingBoolean",
                "displayName": "Allow camera",
                "omaUri": f"{OMA_URI}/Camera/AllowCamera",
                "value": False,
            },
        ],
    }


def settings_catalog_policy() -> dict[str, Any]:
    return {
        "name": "gym-musterstadt: restrictions",
        "description": "schoolmdm:windows/gym-musterstadt/restrictions",
        "platforms": "windows10",
        "technologies": "mdm",
        "roleScopeTagIds": ["0"],
        "settings": [
            {
                "@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting",
                "settingInstance": {
                    "@odata.type": CHOICE_INSTANCE,
                    "settingDefinitionId": "device_vendor_msft_policy_config_camera_allowcamera",
                    "choiceSettingValue": {
                        "@odata.type": CHOICE_VALUE,
                        "value": "device_vendor_msft_policy_config_camera_allowcamera_0",
                        "children": [],
                    },
                },
            }
        ],
    }


def win_get_app() -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.winGetApp",
        "displayName": "Mozilla Firefox",
        "description": "schoolmdm:catalog/firefox",
        "publisher": "Mozilla",
        "packageIdentifier": "9NZVDKPMR9RD",
        "installExperience": {"runAsAccount": "system"},
    }


def dynamic_group() -> dict[str, Any]:
    return {
        "displayName": "schoolmdm-gym-musterstadt-devices",
        "description": "schoolmdm:group/gym-musterstadt",
        "mailNickname": "schoolmdm-gym-musterstadt-devices",
        "mailEnabled": False,
        "securityEnabled": True,
        "groupTypes": ["DynamicMembership"],
        "membershipRule": '(device.devicePhysicalIds -any (_ -eq "[OrderID]:gym-musterstadt"))',
        "membershipRuleProcessingState": "On",
    }


def group_target() -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": GROUP_ID}


def mobile_app_assign() -> dict[str, Any]:
    return {
        "mobileAppAssignments": [
            {
                "@odata.type": "#microsoft.graph.mobileAppAssignment",
                "intent": "required",
                "target": group_target(),
            }
        ]
    }


def paths(findings: list[Finding]) -> list[str]:
    return [finding.path for finding in findings]


# --- valid bodies have no findings ------------------------------------------------------------


@pytest.mark.parametrize("api_version", ["v1.0", "beta"])
def test_valid_custom_configuration(api_version: str) -> None:
    assert check_body(api_version, "deviceConfiguration", custom_configuration()) == []


def test_valid_settings_catalog_policy() -> None:
    policy = settings_catalog_policy()
    assert check_body("beta", "deviceManagementConfigurationPolicy", policy) == []


def test_valid_win_get_app() -> None:
    assert check_body("beta", "mobileApp", win_get_app()) == []


def test_valid_dynamic_device_group() -> None:
    assert check_body("v1.0", "group", dynamic_group()) == []


@pytest.mark.parametrize("api_version", ["v1.0", "beta"])
def test_valid_mobile_app_assign(api_version: str) -> None:
    assert check_action_body(api_version, "mobileApp.assign", mobile_app_assign()) == []


def test_valid_other_assign_bodies() -> None:
    assignments = {"assignments": [{"target": group_target()}]}
    assert check_action_body("v1.0", "deviceConfiguration.assign", assignments) == []
    assert (
        check_action_body("beta", "deviceManagementConfigurationPolicy.assign", assignments) == []
    )


def test_valid_single_assignments_and_autopilot_identity() -> None:
    target = {"target": group_target()}
    assert check_body("v1.0", "deviceConfigurationAssignment", target) == []
    assert check_body("beta", "deviceManagementConfigurationPolicyAssignment", target) == []
    assert check_body("v1.0", "mobileAppAssignment", {"intent": "available", **target}) == []
    identity = {
        "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
        "serialNumber": "PF3XK2LM",
        "groupTag": "gym-musterstadt",
        "hardwareIdentifier": "VGhpcyBpcyBub3QgYSByZWFsIGhhc2g=",
    }
    assert check_body("v1.0", "importedWindowsAutopilotDeviceIdentity", identity) == []
    upload = {"importedWindowsAutopilotDeviceIdentities": [identity]}
    assert check_action_body("v1.0", "importedWindowsAutopilotDeviceIdentity.import", upload) == []


def test_valid_ios_custom_configuration() -> None:
    body = {
        "@odata.type": "#microsoft.graph.iosCustomConfiguration",
        "displayName": "gym-musterstadt: Wi-Fi",
        "payloadName": "Wi-Fi",
        "payloadFileName": "wifi.mobileconfig",
        "payload": "PD94bWwgdmVyc2lvbj0iMS4wIj8+",
    }
    assert check_body("v1.0", "deviceConfiguration", body) == []


# --- unknown properties and types ---------------------------------------------------------------


def test_unknown_top_level_property() -> None:
    body = custom_configuration()
    body["omaSetting"] = []
    findings = check_body("v1.0", "deviceConfiguration", body)
    assert paths(findings) == ["body.omaSetting"]
    assert "unknown property 'omaSetting'" in findings[0].message
    assert "did you mean 'omaSettings'" in findings[0].message


def test_unknown_property_inside_oma_setting() -> None:
    body = custom_configuration()
    body["omaSettings"][1]["isEncrypted"] = False  # exists only on omaSettingString
    body["omaSettings"][2]["valu"] = True
    findings = check_body("v1.0", "deviceConfiguration", body)
    assert paths(findings) == ["body.omaSettings[1].isEncrypted", "body.omaSettings[2].valu"]
    assert "OmaSettingInteger" in findings[0].message


def test_unknown_odata_type_in_oma_setting() -> None:
    body = custom_configuration()
    body["omaSettings"][0]["@odata.type"] = "#microsoft.graph.omaSettingText"
    findings = check_body("v1.0", "deviceConfiguration", body)
    # The base omaSetting has no "value", so that is reported, too.
    assert paths(findings) == ['body.omaSettings[0]["@odata.type"]', "body.omaSettings[0].value"]
    assert "'#microsoft.graph.omaSettingText'" in findings[0].message
    assert "parsed as OmaSetting" in findings[0].message


def test_unknown_odata_type_at_top_level() -> None:
    body = custom_configuration()
    body["@odata.type"] = "#microsoft.graph.windows10CustomConfig"
    findings = check_body("v1.0", "deviceConfiguration", body)
    # The base type falls back and, in addition, does not know the derived type's properties.
    assert paths(findings) == ['body["@odata.type"]', "body.omaSettings"]
    assert "DeviceConfiguration" in findings[0].message


def test_odata_type_in_the_wrong_case() -> None:
    # Kiota's discriminator compares case-insensitively; Graph's type names are case-sensitive.
    body = custom_configuration()
    body["omaSettings"][2]["@odata.type"] = "#microsoft.graph.OmaSettingBoolean"
    findings = check_body("v1.0", "deviceConfiguration", body)
    assert paths(findings) == ['body.omaSettings[2]["@odata.type"]']
    assert "differs in case" in findings[0].message


def test_win_get_app_is_beta_only() -> None:
    findings = check_body("v1.0", "mobileApp", win_get_app())
    assert paths(findings) == [
        'body["@odata.type"]',
        "body.packageIdentifier",
        "body.installExperience",
    ]


def test_unknown_property_in_action_body() -> None:
    body = mobile_app_assign()
    body["assignments"] = body.pop("mobileAppAssignments")
    findings = check_action_body("v1.0", "mobileApp.assign", body)
    assert paths(findings) == ["body.assignments"]
    assert "did you mean 'mobileAppAssignments'" in findings[0].message


# --- values of the wrong type (which Kiota's parser swallows) -----------------------------------


def test_values_that_do_not_fit_the_property() -> None:
    body = custom_configuration()
    body["omaSettings"][1]["value"] = "15"  # int expected; Kiota silently makes it None
    body["omaSettings"][2]["value"] = 1  # boolean expected
    body["version"] = True  # int expected; Kiota accepts a bool here
    body["displayName"] = 42  # string expected
    findings = check_body("v1.0", "deviceConfiguration", body)
    assert {f.path: f.message for f in findings} == {
        "body.displayName": "expected a string, got number 42",
        "body.omaSettings[1].value": 'expected an integer, got string "15"',
        "body.omaSettings[2].value": "expected a boolean, got number 1",
        "body.version": "expected an integer, got boolean true",
    }


def test_enum_values() -> None:
    app = win_get_app()
    app["installExperience"]["runAsAccount"] = "System"
    findings = check_body("beta", "mobileApp", app)
    assert paths(findings) == ["body.installExperience.runAsAccount"]
    assert "did you mean 'system'" in findings[0].message

    body = mobile_app_assign()
    body["mobileAppAssignments"][0]["intent"] = 1
    findings = check_action_body("v1.0", "mobileApp.assign", body)
    assert paths(findings) == ["body.mobileAppAssignments[0].intent"]


def test_flags_enums_are_comma_separated_strings() -> None:
    policy = settings_catalog_policy()
    policy["technologies"] = "mdm,microsoftSense"
    assert check_body("beta", "deviceManagementConfigurationPolicy", policy) == []
    policy["technologies"] = "mdm,intune"
    policy["platforms"] = ["windows10"]
    findings = check_body("beta", "deviceManagementConfigurationPolicy", policy)
    assert paths(findings) == ["body.platforms", "body.technologies"]
    assert "comma-separated" in findings[0].message


def test_collections_and_objects_of_the_wrong_shape() -> None:
    group = dynamic_group()
    group["groupTypes"] = "DynamicMembership"  # Kiota would split it into characters
    group["mailEnabled"] = "false"
    assert paths(check_body("v1.0", "group", group)) == ["body.mailEnabled", "body.groupTypes"]

    body = custom_configuration()
    body["omaSettings"] = body["omaSettings"][0]  # Kiota silently makes it []
    assert paths(check_body("v1.0", "deviceConfiguration", body)) == ["body.omaSettings"]

    assign = mobile_app_assign()
    assign["mobileAppAssignments"][0]["target"] = GROUP_ID
    findings = check_action_body("v1.0", "mobileApp.assign", assign)
    assert paths(findings) == ["body.mobileAppAssignments[0].target"]
    assert findings[0].message.startswith("expected an object")


def test_values_that_make_the_parser_raise_are_located() -> None:
    # Kiota raises on a malformed UUID or date; the finding still lands on the property.
    group = dynamic_group()
    group["createdDateTime"] = "2024-13-45T00:00:00Z"
    group["assignedLicenses"] = [{"skuId": "not-a-uuid", "disabledPlans": [GROUP_ID, "x"]}]
    findings = check_body("v1.0", "group", group)
    assert paths(findings) == [
        "body.createdDateTime",
        "body.assignedLicenses[0].skuId",
        "body.assignedLicenses[0].disabledPlans[1]",
    ]


def test_base64_values() -> None:
    body = {"importedWindowsAutopilotDeviceIdentities": [{"hardwareIdentifier": "not base64!"}]}
    findings = check_action_body("v1.0", "importedWindowsAutopilotDeviceIdentity.import", body)
    assert paths(findings) == [
        "body.importedWindowsAutopilotDeviceIdentities[0].hardwareIdentifier"
    ]


def test_body_that_is_not_json() -> None:
    assert paths(check_body("v1.0", "group", {"displayName": float("nan")})) == ["body"]
    assert paths(check_body("v1.0", "group", {"displayName": object()})) == ["body"]


def test_input_is_not_modified() -> None:
    body = custom_configuration()
    before = copy.deepcopy(body)
    check_body("v1.0", "deviceConfiguration", body)
    assert body == before


# --- usage errors ------------------------------------------------------------------------------


def test_unknown_model_action_or_version_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="no model"):
        check_body("v1.0", "deviceConfigurationz", {})
    with pytest.raises(ValueError, match="api_version"):
        check_body("v2.0", "group", {})
    with pytest.raises(ValueError, match="unknown action"):
        check_action_body("v1.0", "printer.assign", {})
    with pytest.raises(ValueError, match="no action body"):
        check_action_body("v1.0", "mobileApp.unassign", {})
