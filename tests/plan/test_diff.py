"""The semantic diff: records matched by identity, order noticed, UUID churn ignored."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from compiler.plan.diff import MISSING, Change, diff
from compiler.plan.model import dotted


def paths(changes: list[Change]) -> list[str]:
    return [dotted(c.path) for c in changes]


def test_payloads_matched_by_identifier_not_position() -> None:
    a = {
        "PayloadType": "com.apple.wifi.managed",
        "PayloadIdentifier": "p.s.wifi.wifi",
        "SSID_STR": "A",
        "PayloadUUID": "1",
    }
    b = {
        "PayloadType": "com.apple.webClip.managed",
        "PayloadIdentifier": "p.s.wifi.clip",
        "URL": "u",
        "PayloadUUID": "2",
    }
    new_a = {**a, "SSID_STR": "B", "PayloadUUID": "3"}
    changes = diff(
        {"PayloadContent": [a, b], "PayloadUUID": "x"},
        {"PayloadContent": [b, new_a], "PayloadUUID": "y"},
    )
    assert paths(changes) == [
        "PayloadContent[com.apple.wifi.managed · wifi].SSID_STR",
        "PayloadContent (order)",
    ]


def test_uuid_alone_is_shown() -> None:
    assert paths(diff({"PayloadUUID": "1", "x": 1}, {"PayloadUUID": "2", "x": 1})) == [
        "PayloadUUID"
    ]


def test_oma_and_settings_catalog_identities() -> None:
    old = {"omaSettings": [{"omaUri": "./A", "value": 1}, {"omaUri": "./B", "value": 2}]}
    new = {"omaSettings": [{"omaUri": "./A", "value": 1}, {"omaUri": "./B", "value": 3}]}
    assert paths(diff(old, new)) == ["omaSettings[./B].value"]
    s = lambda v: {"settingInstance": {"settingDefinitionId": "cam", "value": v}}  # noqa: E731
    assert paths(diff({"settings": [s(0)]}, {"settings": [s(1)]})) == [
        "settings[cam].settingInstance.value"
    ]


def test_scalar_lists_added_removed() -> None:
    changes = diff({"names": ["a", "b"]}, {"names": ["b", "c"]})
    assert [(c.op, c.old, c.new) for c in changes] == [
        ("add", MISSING, "c"),
        ("remove", "a", MISSING),
    ]


def test_types_matter() -> None:
    assert diff({"x": 1}, {"x": True}) != []
    assert diff({"x": "1"}, {"x": 1}) != []
    assert diff([1, 2], [True, 2]) != []
    assert diff([0], [False]) != []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


def _strict_equal(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_strict_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@given(json_values, json_values)
def test_no_changes_exactly_when_equal(a: Any, b: Any) -> None:
    assert (diff(a, b) == []) == _strict_equal(a, b)
    assert diff(a, a) == []
