"""A fast yes/no check for the JSON Schema subset the estate's schemas use.

jsonschema is exact and explains every error, but importing it and walking its validators
costs more than reading the whole estate. Almost every file of a real estate is valid, so we
first ask this compiled checker "valid?"; only a "no" (or a schema it does not fully understand)
goes to jsonschema for the findings. It never decides "valid" for something jsonschema would
reject: anything outside its subset raises Unsupported, and the caller asks jsonschema instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from compiler.ecmaregex import PatternError, compile_pattern
from compiler.memo import by_identity

Check = Callable[[Any], bool]

# format: jsonschema does not assert formats unless asked to, so neither do we
_ANNOTATIONS = frozenset(
    {
        *("$schema", "$id", "$comment", "title", "description", "default", "examples"),
        *("deprecated", "readOnly", "writeOnly", "format", "x-secret", "x-app-ref"),
        "x-secret-kind",
        "x-replaced",  # old enum values and what replaced them: only for the message
    }
)
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


class Unsupported(Exception):
    """The schema (or a value) is outside what this checker decides; ask jsonschema."""


def _key(value: Any) -> tuple[str, Any]:
    """JSON equality: true is not 1, 1 is 1.0."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z", None)
    raise Unsupported("containers in enum/const/uniqueItems")


def _count(schema: dict[str, Any], key: str) -> int | None:
    value = schema.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Unsupported(f"{key} is not a non-negative integer")
    return value


def _bound(schema: dict[str, Any], key: str) -> float | None:
    value = schema.get(key)
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise Unsupported(f"{key} is not a number")
    return value


def compile_schema(schema: Any) -> Check:
    """A function instance -> valid?; raises Unsupported for schemas outside the subset."""
    if schema is True:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, dict):
        raise Unsupported("a schema is an object or a boolean")
    checks: list[Check] = []
    known = _ANNOTATIONS | {
        "type",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "properties",
        "additionalProperties",
        "required",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
    }
    unknown = set(schema) - known
    if unknown:
        raise Unsupported(f"keywords {sorted(unknown)}")
    for key in ("title", "description", "$comment"):
        if key in schema and not isinstance(schema[key], str):
            raise Unsupported(f"{key} is not text")

    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not names or any(n not in _TYPES for n in names):
            raise Unsupported("type")
        tests = [_TYPES[n] for n in names]
        checks.append(lambda v: any(t(v) for t in tests))
    if "enum" in schema:
        if not isinstance(schema["enum"], list):
            raise Unsupported("enum")
        allowed = {_key(x) for x in schema["enum"]}
        checks.append(lambda v: not isinstance(v, (dict, list)) and _key(v) in allowed)
    if "const" in schema:
        want = _key(schema["const"])
        checks.append(lambda v: not isinstance(v, (dict, list)) and _key(v) == want)

    _strings(schema, checks)
    _numbers(schema, checks)
    _arrays(schema, checks)
    _objects(schema, checks)
    _logic(schema, checks)
    return lambda v: all(c(v) for c in checks)


def _size(
    kind: type[str] | type[list[Any]] | type[dict[str, Any]],
    schema: dict[str, Any],
    low: str,
    high: str,
    checks: list[Check],
) -> None:
    """minLength/maxLength, minItems/maxItems, minProperties/maxProperties: len() within bounds."""
    lo, hi = _count(schema, low), _count(schema, high)
    if lo is not None or hi is not None:
        checks.append(
            lambda v: (
                not isinstance(v, kind)
                or ((lo is None or len(v) >= lo) and (hi is None or len(v) <= hi))
            )
        )


def _strings(schema: dict[str, Any], checks: list[Check]) -> None:
    if "pattern" in schema:
        if not isinstance(schema["pattern"], str):
            raise Unsupported("pattern")
        try:
            rx = compile_pattern(schema["pattern"])  # ECMA-262 meaning, as jsonschema's
        except PatternError as exc:
            raise Unsupported("pattern") from exc
        checks.append(lambda v: not isinstance(v, str) or rx.search(v) is not None)
    _size(str, schema, "minLength", "maxLength", checks)


def _numbers(schema: dict[str, Any], checks: list[Check]) -> None:
    lo, hi = _bound(schema, "minimum"), _bound(schema, "maximum")
    xlo, xhi = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
    if (lo, hi, xlo, xhi) != (None, None, None, None):
        is_number = _TYPES["number"]
        checks.append(
            lambda v: (
                not is_number(v)
                or (
                    (lo is None or v >= lo)
                    and (hi is None or v <= hi)
                    and (xlo is None or v > xlo)
                    and (xhi is None or v < xhi)
                )
            )
        )


def _arrays(schema: dict[str, Any], checks: list[Check]) -> None:
    if "items" in schema:
        item = compile_schema(schema["items"])
        checks.append(lambda v: not isinstance(v, list) or all(item(x) for x in v))
    _size(list, schema, "minItems", "maxItems", checks)
    if schema.get("uniqueItems") is True:
        checks.append(
            lambda v: not isinstance(v, list) or len({_unique_key(x) for x in v}) == len(v)
        )


def _unique_key(value: Any) -> Any:
    if isinstance(value, dict):
        return ("d", tuple(sorted((k, _unique_key(x)) for k, x in value.items())))
    if isinstance(value, list):
        return ("l", tuple(_unique_key(x) for x in value))
    return _key(value)


def _objects(schema: dict[str, Any], checks: list[Check]) -> None:
    props = schema.get("properties", {})
    if not isinstance(props, dict):
        raise Unsupported("properties")
    compiled = {k: compile_schema(s) for k, s in props.items()}
    if compiled:
        checks.append(
            lambda v: not isinstance(v, dict) or all(c(v[k]) for k, c in compiled.items() if k in v)
        )
    if "additionalProperties" in schema:
        extra = compile_schema(schema["additionalProperties"])
        checks.append(
            lambda v: (
                not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in compiled)
            )
        )
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise Unsupported("required")
    if required:
        checks.append(lambda v: not isinstance(v, dict) or all(r in v for r in required))
    if "propertyNames" in schema:
        names = compile_schema(schema["propertyNames"])
        checks.append(lambda v: not isinstance(v, dict) or all(names(k) for k in v))
    _size(dict, schema, "minProperties", "maxProperties", checks)


def _combine(key: str, subs: list[Check]) -> Check:
    if key == "allOf":
        return lambda v: all(s(v) for s in subs)
    if key == "anyOf":
        return lambda v: any(s(v) for s in subs)
    return lambda v: sum(1 for s in subs if s(v)) == 1


def _logic(schema: dict[str, Any], checks: list[Check]) -> None:
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            if not isinstance(schema[key], list) or not schema[key]:
                raise Unsupported(key)
            checks.append(_combine(key, [compile_schema(s) for s in schema[key]]))
    if "not" in schema:
        negated = compile_schema(schema["not"])
        checks.append(lambda v: not negated(v))
    if "if" in schema:
        cond = compile_schema(schema["if"])
        then = compile_schema(schema.get("then", True))
        other = compile_schema(schema.get("else", True))
        checks.append(lambda v: then(v) if cond(v) else other(v))
    elif "then" in schema or "else" in schema:
        compile_schema(schema.get("then", True))  # ignored without "if", but must be schemas
        compile_schema(schema.get("else", True))


@by_identity
def _compiled(schema: Any) -> Check | None:
    try:
        return compile_schema(schema)
    except Unsupported:
        return None


def fast_valid(schema: Any, instance: Any) -> bool | None:
    """True/False when this checker decides, None when jsonschema must."""
    check = _compiled(schema)
    if check is None:
        return None
    try:
        return check(instance)
    except (Unsupported, RecursionError):
        return None
