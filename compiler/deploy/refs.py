"""References inside build artifacts: `${group:KEY}`, `${object:KEY}`, `${app:KEY}` (ids of
other deployed or looked-up objects) and `${secret:NAME}` (values from the environment)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

REF = re.compile(r"\$\{(group|object|app|secret):([^}\s]+)\}")
ID_KINDS = ("group", "object", "app")


class Unresolved(Exception):
    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"${{{kind}:{name}}}")
        self.kind = kind
        self.name = name


def refs_in(value: Any, kinds: tuple[str, ...] = ID_KINDS) -> set[tuple[str, str]]:
    """Every (kind, name) referenced anywhere in `value`."""
    found: set[tuple[str, str]] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "${" in item:
                found.update((k, n) for k, n in REF.findall(item) if k in kinds)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def substitute(
    value: Any, resolve: Callable[[str, str], str | None], kinds: tuple[str, ...]
) -> Any:
    """`value` with every reference of `kinds` replaced; Unresolved when one has no value."""

    def one(m: re.Match[str]) -> str:
        if m[1] not in kinds:
            return m[0]
        got = resolve(m[1], m[2])
        if got is None:
            raise Unresolved(m[1], m[2])
        return got

    if isinstance(value, str):
        return REF.sub(one, value) if "${" in value else value
    if isinstance(value, dict):
        return {k: substitute(v, resolve, kinds) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, resolve, kinds) for v in value]
    return value


def has_secret(value: Any) -> bool:
    return bool(refs_in(value, ("secret",)))
