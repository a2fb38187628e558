"""Load + validate as one call, used by every command that needs a checked estate."""

from __future__ import annotations

from compiler.diagnostics import Diagnostic
from compiler.generated import GENERATED
from compiler.load import Memo, load_estate
from compiler.model import Estate
from compiler.source import FileSource
from compiler.validate import validate


def check_estate(
    src: FileSource, generated_check: bool = True, memo: Memo | None = None
) -> tuple[Estate | None, list[Diagnostic]]:
    raw, diags = load_estate(src, memo)
    estate, found = validate(raw, diags)
    if estate is None or not generated_check:
        return estate, found
    # generated files (CODEOWNERS, the editor schema) must follow what they are made from
    stale = []
    for gen in GENERATED:
        if src.is_link(gen.path):
            hint = "commit the file itself; generate never writes through a link"
            msg = "symbolic links are not allowed in the estate"
            stale.append(Diagnostic(gen.path, 1, 1, "symlink", msg, hint))
            continue
        if not src.exists(gen.path):
            continue
        try:
            current = src.read(gen.path).decode("utf-8", errors="replace")
        except OSError:
            current = None  # unreadable counts as out of date: generate rewrites it
        if current != gen.render(estate):
            hint = "run: schoolmdm generate (the file is generated; do not edit it)"
            stale.append(
                Diagnostic(gen.path, 1, 1, gen.code, f"{gen.path} does not match {gen.what}", hint)
            )
    return (None, stale) if stale else (estate, found)
