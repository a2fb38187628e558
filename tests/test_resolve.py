"""Resolve: profile defaults + a school's values = its effective configuration."""

from __future__ import annotations

from pathlib import Path

from compiler.model import Estate
from compiler.params import is_secret_ref, marked, replace_secrets, strip_markers, with_defaults
from compiler.pipeline import check_estate
from compiler.resolve import applied_profiles, resolve_school
from compiler.source import DirectorySource
from tests.helpers import edit


def checked(root: Path) -> Estate:
    estate, diags = check_estate(DirectorySource(root))
    assert diags == []
    assert estate is not None
    return estate


# --- params -----------------------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "properties": {
        "a": {"type": "integer", "default": 1},
        "b": {"type": "string"},
        "nested": {
            "type": "object",
            "default": {},
            "properties": {"x": {"type": "boolean", "default": True}, "pw": {"x-secret": True}},
        },
        "list": {
            "type": "array",
            "items": {"type": "object", "properties": {"on": {"default": False}}},
        },
    },
}


def test_with_defaults_fills_recursively_and_keeps_given_values() -> None:
    assert with_defaults(SCHEMA, {}) == {"a": 1, "nested": {"x": True}}
    assert with_defaults(SCHEMA, {"a": 5, "nested": {"x": False}, "list": [{}, {"on": True}]}) == {
        "a": 5,
        "nested": {"x": False},
        "list": [{"on": False}, {"on": True}],
    }


def test_with_defaults_does_not_share_default_objects() -> None:
    first = with_defaults(SCHEMA, {})
    first["nested"]["x"] = "changed"
    assert SCHEMA["properties"]["nested"]["default"] == {}  # type: ignore[index]
    assert with_defaults(SCHEMA, {})["nested"] == {"x": True}


def test_with_defaults_leaves_input_alone() -> None:
    given = {"nested": {}}
    with_defaults(SCHEMA, given)
    assert given == {"nested": {}}


def test_secret_refs() -> None:
    assert is_secret_ref({"secret": "X"})
    assert not is_secret_ref({"secret": "X", "other": 1})
    assert not is_secret_ref({"secret": 5})
    assert not is_secret_ref("X")
    assert replace_secrets({"a": [{"secret": "X"}], "b": "text"}) == {
        "a": ["${secret:X}"],
        "b": "text",
    }


def test_marked_and_strip_markers() -> None:
    value = {"nested": {"pw": {"secret": "P"}, "x": True}, "b": "y"}
    assert list(marked(SCHEMA, value, "x-secret")) == [(("nested", "pw"), {"secret": "P"})]
    stripped = strip_markers(SCHEMA)
    assert stripped["properties"]["nested"]["properties"]["pw"] is True
    assert SCHEMA["properties"]["nested"]["properties"]["pw"] == {"x-secret": True}  # type: ignore[index]


# --- resolve on the mini estate ---------------------------------------------------------------


def test_applied_profiles_are_listed_plus_always_in_id_order(mini_estate: Path) -> None:
    estate = checked(mini_estate)
    gym = [p.id for p in applied_profiles(estate, estate.schools["gym-a"])]
    assert gym == sorted(
        ["certificates", "home-screen", "it-baseline", "restrictions", "webclips", "wifi"]
    )
    bbz = [p.id for p in applied_profiles(estate, estate.schools["bbz-b"])]
    assert bbz == ["browser-home", "certificates", "it-baseline", "wifi", "windows-updates"]


def test_effective_values_are_defaults_plus_school_values(mini_estate: Path) -> None:
    estate = checked(mini_estate)
    cfg = resolve_school(estate, estate.schools["gym-a"])
    values = {a.profile.id: a.values for a in cfg.profiles}
    assert values["restrictions"] == {
        "allow_camera": True,
        "allow_screenshots": True,
        "allow_airdrop": False,
        "allow_app_removal": False,
        "allow_usb_storage": True,
    }
    assert values["webclips"]["clips"] == [
        {
            "label": "Schulportal",
            "url": "https://gym-a.schulen.example.org/",
            "full_screen": False,
            "removable": False,
        }
    ]
    assert values["it-baseline"]["allow_erase_content"] is False


def test_secrets_become_named_placeholders(mini_estate: Path) -> None:
    estate = checked(mini_estate)
    cfg = resolve_school(estate, estate.schools["gym-a"])
    wifi = next(a for a in cfg.profiles if a.profile.id == "wifi")
    assert wifi.values["password"] == "${secret:WIFI_PSK_GYM_A}"
    assert wifi.secrets == ("WIFI_PSK_GYM_A",)
    others = [a for a in cfg.profiles if a.profile.id != "wifi"]
    assert all(a.secrets == () for a in others)


def test_nested_secret_placeholder(mini_estate: Path) -> None:
    estate = checked(mini_estate)
    cfg = resolve_school(estate, estate.schools["bbz-b"])
    wifi = next(a for a in cfg.profiles if a.profile.id == "wifi")
    assert wifi.values["eap"]["password"] == "${secret:WIFI_EAP_BBZ_B}"
    assert wifi.values["eap"]["method"] == "peap"
    assert wifi.secrets == ("WIFI_EAP_BBZ_B",)


def test_secret_values_for_a_manual_export(mini_estate: Path) -> None:
    estate = checked(mini_estate)
    cfg = resolve_school(estate, estate.schools["gym-a"], {"WIFI_PSK_GYM_A": "s3cret-value"})
    wifi = next(a for a in cfg.profiles if a.profile.id == "wifi")
    assert wifi.values["password"] == "s3cret-value"


def test_apps_and_devices(mini_estate: Path) -> None:
    estate = checked(mini_estate)
    cfg = resolve_school(estate, estate.schools["gym-a"])
    assert [(a.app.id, a.install) for a in cfg.apps] == [
        ("pages", "required"),
        ("keynote", "required"),
        ("goodnotes", "available"),
    ]
    assert [d.serial for d in cfg.devices] == ["DMPA00000001", "DMPA00000002", "DMPA00000003"]


def test_devices_are_sorted_by_serial(mini_estate: Path) -> None:
    edit(mini_estate, "schools/gym-a/devices.csv", "DMPA00000001,", "ZZZZ00000001,")
    estate = checked(mini_estate)
    cfg = resolve_school(estate, estate.schools["gym-a"])
    assert [d.serial for d in cfg.devices] == ["DMPA00000002", "DMPA00000003", "ZZZZ00000001"]


def test_resolve_does_not_change_the_school(mini_estate: Path) -> None:
    estate = checked(mini_estate)
    school = estate.schools["gym-a"]
    before = repr(school.profiles)
    resolve_school(estate, school, {"WIFI_PSK_GYM_A": "x"})
    assert repr(school.profiles) == before
