"""Profile parameters: defaults, secret references and app references inside values.

A profile's `parameters` is a JSON Schema. Two extension keywords mark special values:
`x-secret: true` (the value is `{secret: NAME}`, never the secret itself) and `x-app-ref: true`
(a catalogue app id, or a bundle id with a dot for built-in apps).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from compiler.ecmaregex import pattern_problem
from compiler.yamlload import Path_

SECRET_PLACEHOLDER = "${{secret:{name}}}"
# what a secret's value must be, by the slot it fills (`x-secret-kind`; see compiler/secrets.py)
SECRET_KINDS = ("wpa-passphrase", "password", "text")
_PLACEHOLDER = re.compile(r"\$\{secret:([A-Z][A-Z0-9_]*)\}")


def placeholder(name: str) -> str:
    return SECRET_PLACEHOLDER.format(name=name)


def is_secret_ref(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secret"} and isinstance(value["secret"], str)


def strip_markers(schema: Any) -> Any:
    """A copy of the schema where secret slots accept anything (they are checked separately)."""
    if isinstance(schema, dict):
        if schema.get("x-secret") is True:
            return True
        return {k: strip_markers(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [strip_markers(v) for v in schema]
    return schema


def marked(schema: Any, value: Any, marker: str, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every (path, value) in `value` whose subschema carries `marker: true`."""
    if not isinstance(schema, dict):
        return
    if schema.get(marker) is True:
        yield path, value
        return
    if isinstance(value, dict):
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                yield from marked(sub, value[key], marker, (*path, key))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from marked(schema["items"], item, marker, (*path, i))


def with_defaults(schema: Any, value: Any) -> Any:
    """`value` with every missing property that has a `default` filled in, recursively."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict):
        out = dict(value)
        for key, sub in schema.get("properties", {}).items():
            if not isinstance(sub, dict):
                continue
            if key not in out and "default" in sub:
                out[key] = copy.deepcopy(sub["default"])
            if key in out:
                out[key] = with_defaults(sub, out[key])
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [with_defaults(schema["items"], item) for item in value]
    return value


def replace_secrets(
    value: Any, values: dict[str, str] | None = None, found: set[str] | None = None
) -> Any:
    """Secret references become named placeholders (or, for a manual export, the values);
    the names met are added to `found`."""
    if is_secret_ref(value):
        name = value["secret"]
        if found is not None:
            found.add(name)
        return values[name] if values is not None else placeholder(name)
    if isinstance(value, dict):
        return {k: replace_secrets(v, values, found) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_secrets(v, values, found) for v in value]
    return value


def secrets_in(value: Any) -> tuple[str, ...]:
    """Names of the secret placeholders a rendered value holds (what the deployer fills in)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "${secret:" in item:
                found.update(_PLACEHOLDER.findall(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return tuple(sorted(found))


def check_parameter_schema(schema: Any) -> tuple[tuple[str | int, ...], str] | None:
    """(path, message) if `schema` is not a valid JSON Schema 2020-12, else None.

    A schema the fast checker compiles is well-formed for every keyword it knows (and it knows
    only keywords whose rules it checks); anything else goes to jsonschema's metaschema check.
    """
    from compiler.fastschema import Unsupported, compile_schema

    unknown = _unknown_keyword(schema, ())
    if unknown is not None:
        return unknown
    missing = _dangling_ref(schema, schema, ())
    if missing is not None:
        return missing
    try:
        compile_schema(strip_markers(schema))
        return None
    except Unsupported:
        pass
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return tuple(exc.absolute_path), exc.message
    return None


# every keyword of JSON Schema 2020-12 (core, applicator, validation, meta-data, format, content,
# unevaluated) plus ours: a key outside it is a typo (or YAML that split a description at a comma)
_KEYWORDS = frozenset(
    {
        *("$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary"),
        *("$comment", "$defs", "prefixItems", "items", "contains", "additionalProperties"),
        *("properties", "patternProperties", "dependentSchemas", "propertyNames", "if", "then"),
        *("else", "allOf", "anyOf", "oneOf", "not", "unevaluatedItems", "unevaluatedProperties"),
        *("type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum"),
        *("exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems"),
        *("uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties"),
        *("required", "dependentRequired", "title", "description", "default", "deprecated"),
        *("readOnly", "writeOnly", "examples", "format", "contentEncoding", "contentMediaType"),
        *("contentSchema", "x-secret", "x-secret-kind", "x-app-ref"),
    }
)
_SCHEMA_VALUED = (
    "items",
    "contains",
    "additionalProperties",
    "propertyNames",
    "if",
    "then",
    "else",
    "not",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs")
_SCHEMA_LISTS = ("prefixItems", "allOf", "anyOf", "oneOf")


def _local_ref(ref: Any) -> bool:
    """A `$ref` is checked before use: jsonschema would raise on one that does not resolve,
    and a remote one would mean fetching a schema from somewhere at validate time."""
    return isinstance(ref, str) and ref.startswith("#")


def _unknown_keyword(
    schema: Any, path: tuple[str | int, ...]
) -> tuple[tuple[str | int, ...], str] | None:
    if not isinstance(schema, dict):
        return None
    for key in schema:
        if key not in _KEYWORDS:
            return (
                (*path, key),
                f"unknown keyword '{key}' (a typo, or a description with ': ' or ', ' that needs quotes?)",
            )
    for key in ("$ref", "$dynamicRef"):
        if key in schema and not _local_ref(schema[key]):
            return (
                *path,
                key,
            ), f"{key} may only point inside this schema ('#/...'), and it must exist"
    kind = schema.get("x-secret-kind")
    if kind is not None and kind not in SECRET_KINDS:
        return (*path, "x-secret-kind"), f"x-secret-kind is one of {', '.join(SECRET_KINDS)}"
    # patterns are ECMA-262, as editors read them: Python-only syntax is a mistake here
    patterns = [((*path, "pattern"), schema["pattern"])] if "pattern" in schema else []
    if isinstance(schema.get("patternProperties"), dict):
        patterns += [((*path, "patternProperties", p), p) for p in schema["patternProperties"]]
    for where, pattern in patterns:
        problem = pattern_problem(pattern)
        if problem:
            return where, f"the pattern is not an ECMA-262 regular expression: {problem}"
    subs: list[tuple[tuple[str | int, ...], Any]] = [
        ((*path, k), schema[k]) for k in _SCHEMA_VALUED if k in schema
    ]
    for key in _SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            subs += [((*path, key, name), sub) for name, sub in schema[key].items()]
    for key in _SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            subs += [((*path, key, i), sub) for i, sub in enumerate(schema[key])]
    for sub_path, sub in subs:
        found = _unknown_keyword(sub, sub_path)
        if found is not None:
            return found
    return None


def _dangling_ref(
    node: Any, root: Any, path: tuple[str | int, ...]
) -> tuple[tuple[str | int, ...], str] | None:
    """The first local `$ref` whose JSON pointer finds nothing in `root`."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            found = _dangling_ref(item, root, (*path, i))
            if found is not None:
                return found
        return None
    if not isinstance(node, dict):
        return None
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        target: Any = root
        for part in [p for p in ref[1:].split("/") if p] if ref.startswith("#/") else []:
            key = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and key in target:
                target = target[key]
            elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
                target = target[int(key)]
            else:
                return (*path, "$ref"), f"$ref '{ref}' points at nothing in this schema"
        if ref != "#" and not ref.startswith("#/"):
            return (*path, "$ref"), f"$ref '{ref}': only JSON pointers ('#/...') are allowed"
    for key, value in node.items():
        found = _dangling_ref(value, root, (*path, key))
        if found is not None:
            return found
    return None
