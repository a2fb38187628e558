"""Turns JSON Schema errors into diagnostics a school IT coordinator can act on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from compiler.diagnostics import Diagnostic
from compiler.ecmaregex import PatternError, search
from compiler.fastschema import fast_valid
from compiler.memo import by_identity
from compiler.suggest import did_you_mean
from compiler.yamlload import Document, Path_

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

_YAML11_BOOLS = {
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "Yes",
    "No",
    "On",
    "Off",
    "YES",
    "NO",
    "ON",
    "OFF",
}
_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping (key: value)",
    "array": "a list",
    "null": "empty",
}


def dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


def _leaf(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf, the sub-error that explains the problem best: from a branch whose type
    fits the value (a mapping's typo, not "is not text")."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        wrong_type = {
            e.schema_path[0] for e in error.context if e.validator == "type" and not e.path
        }
        fitting = [e for e in error.context if e.schema_path[0] not in wrong_type]
        from jsonschema.exceptions import best_match

        error = best_match(fitting or error.context)
    return error


def _expected(schema_type: Any) -> str:
    types = schema_type if isinstance(schema_type, list) else [schema_type]
    return " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in types)


def error_to_diagnostics(
    doc: Document, error: ValidationError, base: Path_ = ()
) -> list[Diagnostic]:
    error = _leaf(error)
    path: Path_ = (*base, *error.absolute_path)
    where = dotted(path)
    line, col = doc.mark(path)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    inst = error.instance
    if "propertyNames" in error.schema_path and isinstance(inst, str):
        # the error is about a key: jsonschema gives the key as instance, the mapping as path
        kl, kc = doc.mark((*path, inst), key=True)
        hint = "use lowercase letters, digits and '-'" if "a-z" in str(error.schema) else ""
        return [
            Diagnostic(
                doc.path,
                kl,
                kc,
                "invalid-value",
                f"{where}: the name '{inst}' is not allowed",
                hint,
            )
        ]
    if kind == "additionalProperties" and isinstance(inst, dict):
        known = list(schema.get("properties", {}))
        out = []
        for key in sorted(k for k in inst if k not in known):
            kl, kc = doc.mark((*path, key), key=True)
            hint = did_you_mean(key, known) or ("known keys: " + ", ".join(known) if known else "")
            where_key = f"{where}." if path else ""
            out.append(
                Diagnostic(doc.path, kl, kc, "unknown-key", f"unknown key '{where_key}{key}'", hint)
            )
        if out:
            return out
    if kind == "required":
        missing = [
            k for k in schema.get("required", []) if isinstance(inst, dict) and k not in inst
        ]
        name = missing[0] if missing else "?"
        desc = schema.get("properties", {}).get(name, {}).get("description", "")
        target = f"'{name}'" if not path else f"'{where}.{name}'"
        return [Diagnostic(doc.path, line, col, "missing-key", f"{target} is required", desc)]
    if kind == "type":
        hint = schema.get("description", "")
        raw = doc.raw.get(path)
        if raw is not None and "string" in str(schema.get("type")):
            hint = f'write it in quotes, "{raw}", so it stays text'
        elif (
            isinstance(inst, str) and inst in _YAML11_BOOLS and "boolean" in str(schema.get("type"))
        ):
            hint = f"'{inst}' is text here; write true or false"
        msg = f"{where}: {_show(inst)} is not {_expected(schema.get('type'))}"
        return [Diagnostic(doc.path, line, col, "wrong-type", msg, hint)]
    if kind in ("enum", "const"):
        allowed = schema.get("enum", [schema.get("const")])
        shown = ", ".join(_show(a) for a in allowed)
        replaced = schema.get("x-replaced", {})
        if isinstance(inst, str) and isinstance(replaced.get(inst), str):
            msg = f"{where}: {replaced[inst]}"
            return [Diagnostic(doc.path, line, col, "replaced-value", msg, f"allowed: {shown}")]
        hint = did_you_mean(str(inst), [str(a) for a in allowed]) or f"allowed: {shown}"
        return [
            Diagnostic(
                doc.path,
                line,
                col,
                "invalid-value",
                f"{where}: {_show(inst)} is not one of {shown}",
                hint,
            )
        ]
    hint = schema.get("description", "")
    return [Diagnostic(doc.path, line, col, "invalid-value", f"{where}: {error.message}", hint)]


@cache
def _validator_class() -> type[Draft202012Validator]:
    """Draft 2020-12 with ECMA-262 patterns: `pattern`, `patternProperties` and what
    `additionalProperties` leaves to them read a pattern exactly as fastschema and editors do."""
    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator: Any, patrn: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "string"):
            return
        try:
            found = search(patrn, instance)
        except PatternError as exc:
            yield ValidationError(f"the schema's pattern is not usable: {exc}")
            return
        if not found:
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    def matches(patterns: Any, key: str) -> Iterator[Any]:
        for patrn in patterns:
            if search(patrn, key):
                yield patrn

    def pattern_properties(
        validator: Any, patterns: Any, instance: Any, schema: Any
    ) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        try:
            for key, value in instance.items():
                for patrn in matches(patterns, key):
                    yield from validator.descend(
                        value, patterns[patrn], path=key, schema_path=patrn
                    )
        except PatternError as exc:
            yield ValidationError(f"the schema's pattern is not usable: {exc}")

    original = Draft202012Validator.VALIDATORS["additionalProperties"]

    def additional_properties(
        validator: Any, extra: Any, instance: Any, schema: Any
    ) -> Iterator[Any]:
        if "patternProperties" not in schema or not validator.is_type(instance, "object"):
            yield from original(validator, extra, instance, schema)
            return
        known = schema.get("properties", {})
        try:
            extras = [
                k
                for k in instance
                if k not in known and not any(matches(schema["patternProperties"], k))
            ]
        except PatternError as exc:
            yield ValidationError(f"the schema's pattern is not usable: {exc}")
            return
        if validator.is_type(extra, "object"):
            for key in extras:
                yield from validator.descend(instance[key], extra, path=key)
        elif extra is False and extras:
            joined = ", ".join(repr(k) for k in sorted(extras))
            yield ValidationError(f"{joined} do(es) not match any of the allowed names")

    cls: type[Draft202012Validator] = validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator,
        {
            "pattern": pattern,
            "patternProperties": pattern_properties,
            "additionalProperties": additional_properties,
        },
    )
    return cls


@by_identity
def validator_for(schema: Any) -> Draft202012Validator:
    """jsonschema's validator for a schema (ECMA-262 patterns), built once per schema object."""
    return _validator_class()(schema)


def schema_errors(schema: Any, instance: Any) -> list[ValidationError]:
    """jsonschema's errors, after the fast check had its say (a valid instance costs little)."""
    if fast_valid(schema, instance):
        return []
    from jsonschema import ValidationError
    from referencing.exceptions import Unresolvable

    try:
        return list(validator_for(schema).iter_errors(instance))
    except (Unresolvable, RecursionError) as exc:  # the schema's own fault; checked earlier too
        return [ValidationError(f"the schema cannot be applied: {type(exc).__name__}")]


def check(doc: Document, schema: Any, data: Any = None, base: Path_ = ()) -> list[Diagnostic]:
    """Findings of `data` (default: the whole document) against `schema`, placed in `doc`."""
    instance = doc.data if data is None else data
    out: list[Diagnostic] = []
    for error in schema_errors(schema, instance):
        out.extend(error_to_diagnostics(doc, error, base))
    return out
