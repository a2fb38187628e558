"""JSON Schema errors become diagnostics a person can act on: the right place and a useful hint."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from compiler.schema_check import check, dotted
from compiler.schemas import KINDS, schema
from compiler.yamlload import load_yaml

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "platform"],
    "properties": {
        "name": {"type": "string", "description": "The name."},
        "platform": {"enum": ["apple", "windows"]},
        "count": {"type": "integer"},
        "flag": {"type": "boolean"},
        "version": {"type": "string"},
        "tags": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z0-9-]+$"},
        },
        "items": {
            "type": "array",
            "items": {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["id"],
                        "properties": {"id": {"type": "string"}, "mode": {"enum": ["a", "b"]}},
                    },
                ]
            },
        },
    },
}


def diagnose(text: str) -> list[tuple[int, int, str, str, str]]:
    doc, diags = load_yaml("f.yaml", text.encode(), 1 << 20)
    assert diags == []
    found = check(doc, SCHEMA)
    return sorted((d.line, d.col, d.code, d.message, d.hint) for d in found)


def test_valid_document_has_no_findings() -> None:
    assert diagnose("name: x\nplatform: apple\ncount: 3\nitems: [a, {id: b, mode: a}]\n") == []


def test_unknown_key_points_at_the_key_with_a_hint() -> None:
    assert diagnose("name: x\nplatform: apple\ncuont: 3\n") == [
        (3, 1, "unknown-key", "unknown key 'cuont'", "did you mean 'count'?")
    ]


def test_unknown_key_without_a_close_match_lists_the_known_keys() -> None:
    [(line, col, code, _msg, hint)] = diagnose("name: x\nplatform: apple\nzzzzzz: 1\n")
    assert (line, col, code) == (3, 1, "unknown-key")
    assert hint.startswith("known keys: name, platform")


def test_missing_key_names_it_and_gives_its_description() -> None:
    assert diagnose("\nplatform: apple\n") == [
        (2, 1, "missing-key", "'name' is required", "The name.")
    ]


def test_wrong_type_names_the_expected_type() -> None:
    [(line, col, code, msg, _hint)] = diagnose("name: x\nplatform: apple\ncount: many\n")
    assert (line, col, code) == (3, 8, "wrong-type")
    assert msg == "count: 'many' is not a whole number"


@pytest.mark.parametrize("raw", ["1.10", "2.0", "17", "0x10"])
def test_number_where_text_is_wanted_says_write_it_in_quotes(raw: str) -> None:
    [(line, col, code, _msg, hint)] = diagnose(f"name: x\nplatform: apple\nversion: {raw}\n")
    assert (line, col, code) == (3, 10, "wrong-type")
    assert hint == f'write it in quotes, "{raw}", so it stays text'


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "OFF"])
def test_yaml11_boolean_word_gets_a_true_false_hint(word: str) -> None:
    [(line, _col, code, _msg, hint)] = diagnose(f"name: x\nplatform: apple\nflag: {word}\n")
    assert (line, code) == (3, "wrong-type")
    assert hint == f"'{word}' is text here; write true or false"


@pytest.mark.parametrize("value", ["[a, b]", "{a: 1}"])
def test_collection_where_a_scalar_is_wanted_is_a_wrong_type(value: str) -> None:
    [(line, col, code, msg, _hint)] = diagnose(f"name: x\nplatform: apple\nflag: {value}\n")
    assert (line, col, code) == (3, 7, "wrong-type")
    assert "true or false" in msg


def test_enum_has_did_you_mean() -> None:
    assert diagnose("name: x\nplatform: windos\n") == [
        (
            2,
            11,
            "invalid-value",
            "platform: 'windos' is not one of 'apple', 'windows'",
            "did you mean 'windows'?",
        )
    ]


def test_enum_without_close_match_lists_allowed_values() -> None:
    [(_l, _c, code, _msg, hint)] = diagnose("name: x\nplatform: linux\n")
    assert code == "invalid-value"
    assert hint == "allowed: 'apple', 'windows'"


def test_bad_property_name_points_at_the_key() -> None:
    [(line, col, code, msg, _hint)] = diagnose(
        "name: x\nplatform: apple\ntags:\n  good: 1\n  Bad_Name: 1\n"
    )
    assert (line, col, code) == (5, 3, "invalid-value")
    assert "'Bad_Name'" in msg


def test_one_of_explains_the_matching_branch() -> None:
    # an object item fails the object branch; the finding is about its key, not "not text"
    assert diagnose("name: x\nplatform: apple\nitems:\n  - id: a\n    mdoe: b\n") == [
        (5, 5, "unknown-key", "unknown key 'items[0].mdoe'", "did you mean 'mode'?")
    ]


def test_nested_positions() -> None:
    [(line, col, code, msg, _hint)] = diagnose(
        "name: x\nplatform: apple\nitems:\n  - a\n  - id: b\n    mode: c\n"
    )
    assert (line, col, code) == (6, 11, "invalid-value")
    assert msg.startswith("items[1].mode:")


def test_dotted() -> None:
    assert dotted(()) == "(top level)"
    assert dotted(("profiles", "wifi", "eap", "trusted_server_names", 0)) == (
        "profiles.wifi.eap.trusted_server_names[0]"
    )
    assert dotted((0, "a")) == "[0].a"


@pytest.mark.parametrize("kind", KINDS)
def test_every_schema_is_a_valid_2020_12_schema(kind: str) -> None:
    data = schema(kind)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(data)
