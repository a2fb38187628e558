"""The fast checker agrees with jsonschema on every verdict it gives."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from compiler.fastschema import Unsupported, compile_schema, fast_valid
from compiler.params import strip_markers
from compiler.schemas import KINDS, schema
from tests.helpers import REPO

VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    2.5,
    -3,
    "",
    "x",
    "apple",
    "no",
    [],
    ["a"],
    {},
    {"id": "x"},
]


def test_every_file_kind_schema_compiles() -> None:
    for kind in KINDS:
        compile_schema(schema(kind))


def test_every_profile_parameter_schema_compiles() -> None:
    for path in sorted((REPO / "profiles").glob("*.yaml")):
        compile_schema(strip_markers(yaml.safe_load(path.read_text())["parameters"]))


def mutations(value: Any, rng: random.Random, depth: int = 0) -> Iterator[Any]:
    """Variants of `value`: each reachable value replaced, keys removed and added."""
    yield value
    yield from rng.sample(VALUES, 4)
    if depth > 6:
        return
    if isinstance(value, dict):
        for key in list(value):
            without = dict(value)
            del without[key]
            yield without
            for variant in mutations(value[key], rng, depth + 1):
                yield {**value, key: variant}
        yield {**value, "unexpected": 1}
    elif isinstance(value, list):
        for i, item in enumerate(value[:3]):
            for variant in mutations(item, rng, depth + 1):
                yield [*value[:i], variant, *value[i + 1 :]]
        if value:
            yield [*value, copy.deepcopy(value[0])]  # uniqueItems


def documents() -> Iterator[tuple[str, Any, Any]]:
    for path in sorted((REPO / "schools").glob("*/school.yaml"))[:6]:
        yield "school", schema("school"), yaml.safe_load(path.read_text())
    for path in sorted((REPO / "catalog" / "apps").glob("*.yaml"))[:8]:
        yield "app", schema("app"), yaml.safe_load(path.read_text())
    for path in sorted((REPO / "profiles").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        yield "profile", schema("profile"), data
        params = strip_markers(data["parameters"])
        defaults = {
            k: v["default"]
            for k, v in params["properties"].items()
            if isinstance(v, dict) and "default" in v
        }
        yield f"params:{path.stem}", params, defaults
    yield "estate", schema("estate"), yaml.safe_load((REPO / "schoolmdm.yaml").read_text())
    yield "secrets", schema("secrets"), yaml.safe_load((REPO / "secrets.yaml").read_text())


@pytest.mark.parametrize(
    ("name", "the_schema", "document"),
    list(documents()),
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_verdicts_agree_with_jsonschema(name: str, the_schema: Any, document: Any) -> None:
    rng = random.Random(name)
    reference = Draft202012Validator(the_schema)
    decided = 0
    for variant in mutations(document, rng):
        verdict = fast_valid(the_schema, variant)
        if verdict is not None:
            decided += 1
            assert verdict == reference.is_valid(variant), (name, variant)
    assert decided > 0


@pytest.mark.parametrize(
    ("the_schema", "value", "expected"),
    [
        ({"type": "integer"}, 1.0, True),
        ({"type": "integer"}, True, False),
        ({"type": "number"}, False, False),
        ({"enum": [1]}, True, False),
        ({"const": True}, 1, False),
        ({"pattern": "b"}, "abc", True),  # patterns are not anchored
        ({"uniqueItems": True}, [1, True], True),
        ({"uniqueItems": True}, [{"a": 1}, {"a": 1}], False),
        ({"maxLength": 2}, "äö", True),
        (
            {"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "object"}},
            "a",
            False,
        ),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1, False),
        ({"required": ["a"], "properties": {"a": False}}, {"a": 1}, False),
    ],
)
def test_json_semantics(the_schema: dict[str, Any], value: Any, expected: bool) -> None:
    assert fast_valid(the_schema, value) is expected
    assert Draft202012Validator(the_schema).is_valid(value) is expected


@pytest.mark.parametrize(
    "the_schema",
    [
        {"$ref": "#/$defs/x"},
        {"prefixItems": []},
        {"multipleOf": 0.1},
        {"type": "strin"},
        {"minLength": -1},
        {"pattern": "("},
        {"enum": [[1]]},
        {"unknownKeyword": 1},
    ],
)
def test_what_it_does_not_decide_goes_to_jsonschema(the_schema: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        compile_schema(the_schema)
    assert fast_valid(the_schema, "x") is None
