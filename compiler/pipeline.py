"""Load + validate as one call, used by every command that needs a checked estate."""

from __future__ import annotations

from compiler import codeowners
from compiler.diagnostics import Diagnostic
from compiler.load import load_estate
from compiler.model import Estate
from compiler.source import FileSource
from compiler.validate import validate


def check_estate(
    src: FileSource, codeowners_check: bool = True
) -> tuple[Estate | None, list[Diagnostic]]:
    raw, diags = load_estate(src)
    estate, found = validate(raw, diags)
    # ownership in git must follow the schools' maintainers
    if (
        estate is not None
        and codeowners_check
        and src.exists(codeowners.PATH)
        and not src.is_link(codeowners.PATH)
        and src.read(codeowners.PATH).decode("utf-8", errors="replace") != codeowners.render(estate)
    ):
        hint = "run: schoolmdm codeowners (it is generated from each school's maintainers)"
        return None, [
            Diagnostic(
                codeowners.PATH,
                1,
                1,
                "codeowners-out-of-date",
                f"{codeowners.PATH} does not match the schools' maintainers",
                hint,
            )
        ]
    return estate, found
