"""Small helpers the cross-file rules share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.yamlload import Document, Path_


def at(
    doc: Document, path: Path_, code: str, message: str, hint: str = "", key: bool = False
) -> Diagnostic:
    line, col = doc.mark(path, key=key)
    return Diagnostic(doc.path, line, col, code, message, hint)


def strings(value: Any, path: Path_) -> Iterator[tuple[Path_, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, (*path, i))
