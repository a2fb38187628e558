"""Profile parameters: defaults, secret and app slots, and the checks of parameter schemas."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.params import (
    check_parameter_schema,
    marked,
    placeholder,
    secrets_in,
    strip_markers,
    with_defaults,
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ssid": {"type": "string"},
        "hidden": {"type": "boolean", "default": False},
        "password": {"x-secret": True},
        "eap": {
            "type": "object",
            "properties": {
                "method": {"enum": ["peap", "ttls"], "default": "peap"},
                "password": {"x-secret": True},
            },
        },
        "clips": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"full": {"type": "boolean", "default": True}},
            },
        },
        "dock": {"type": "array", "items": {"type": "string", "x-app-ref": True}},
    },
}


def test_defaults_fill_nested_objects_and_list_items() -> None:
    got = with_defaults(SCHEMA, {"ssid": "x", "eap": {}, "clips": [{}, {"full": False}]})
    assert got == {
        "ssid": "x",
        "hidden": False,
        "eap": {"method": "peap"},
        "clips": [{"full": True}, {"full": False}],
    }


def test_marked_slots() -> None:
    value = {
        "password": {"secret": "A"},
        "eap": {"password": "plain"},
        "dock": ["pages", "com.apple.camera"],
    }
    assert list(marked(SCHEMA, value, "x-secret")) == [
        (("password",), {"secret": "A"}),
        (("eap", "password"), "plain"),
    ]
    assert [p for p, _ in marked(SCHEMA, value, "x-app-ref")] == [("dock", 0), ("dock", 1)]


def test_strip_markers_lets_secret_slots_accept_anything() -> None:
    stripped = strip_markers(SCHEMA)
    assert stripped["properties"]["password"] is True
    assert stripped["properties"]["eap"]["properties"]["password"] is True
    assert SCHEMA["properties"]["password"] == {"x-secret": True}  # the original is untouched


def test_secrets_in_finds_placeholders_anywhere() -> None:
    value = {"a": [placeholder("B_2"), {"c": f"x{placeholder('A')}y"}], "d": "${secret:lower}"}
    assert secrets_in(value) == ("A", "B_2")


@pytest.mark.parametrize(
    ("schema", "where", "words"),
    [
        (
            {"type": "object", "properties": {"a": {"type": "strin"}}},
            ("properties", "a", "type"),
            "not valid",
        ),
        (
            {"type": "object", "properties": {"a": {"description": "x", "without quotes": None}}},
            ("properties", "a", "without quotes"),
            "unknown keyword",
        ),
        (
            {"type": "object", "properties": {"a": {"minLength": -1}}},
            ("properties", "a", "minLength"),
            "minimum",
        ),
    ],
)
def test_parameter_schema_problems_have_a_place(
    schema: dict[str, Any], where: tuple[str, ...], words: str
) -> None:
    found = check_parameter_schema(schema)
    assert found is not None
    assert found[0] == where and words in found[1]


def test_valid_parameter_schemas_pass_including_2020_12_only_keywords() -> None:
    assert check_parameter_schema(SCHEMA) is None
    assert (
        check_parameter_schema(
            {
                "type": "object",
                "$defs": {"x": {"type": "string"}},
                "properties": {"a": {"$ref": "#/$defs/x"}},
            }
        )
        is None
    )


@pytest.mark.parametrize(
    ("ref", "ok"),
    [
        ("https://example.invalid/x.json", False),  # never fetched from anywhere
        ("other.json#/x", False),
        ("#/nope", False),
        ("#anchor", False),
        ("#/properties/a", True),
        ("#", True),
    ],
)
def test_refs_must_point_inside_the_schema(ref: str, ok: bool) -> None:
    from compiler.params import check_parameter_schema

    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"$ref": ref}}}
    problem = check_parameter_schema(schema)
    assert (problem is None) is ok, problem
    if not ok:
        assert problem is not None and problem[0] == ("properties", "b", "$ref")
