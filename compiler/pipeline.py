"""Load + validate as one call, used by every command that needs a checked estate."""

from __future__ import annotations

from compiler.diagnostics import Diagnostic
from compiler.load import load_estate
from compiler.model import Estate
from compiler.source import FileSource
from compiler.validate import validate


def check_estate(src: FileSource) -> tuple[Estate | None, list[Diagnostic]]:
    raw, diags = load_estate(src)
    return validate(raw, diags)
