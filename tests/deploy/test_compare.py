"""Comparing a desired body with what Graph returns."""

from __future__ import annotations

from compiler.deploy.compare import differences


def test_server_added_fields_are_not_differences() -> None:
    want = {"displayName": "x", "omaSettings": [{"omaUri": "./a", "value": 1}]}
    have = {
        "id": "1",
        "version": 3,
        "displayName": "x",
        "omaSettings": [{"omaUri": "./a", "value": 1, "isEncrypted": False}],
    }
    assert differences(want, have) == []


def test_changes_missing_values_and_list_lengths_are() -> None:
    want = {"displayName": "x", "a": {"b": True}, "items": [1, 2], "gone": "y"}
    have = {"displayName": "z", "a": {"b": 1}, "items": [1]}
    assert differences(want, have) == [
        "displayName: 'z', want 'x'",
        "a.b: 1, want True",
        "items: 1 items, want 2",
        "gone: missing",
    ]


def test_secrets_and_omitted_types_are_not_compared() -> None:
    want = {
        "@odata.type": "#t",
        "preSharedKey": "${secret:PSK}",
        "nested": {"@odata.type": "#n", "v": "pre ${secret:X} post"},
    }
    assert differences(want, {"preSharedKey": None, "nested": {"v": "other"}}) == []
    assert differences({"x": None}, {}) == []
    assert differences({"n": 1}, {"n": 1.0}) == []
