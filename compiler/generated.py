"""Files generated from the estate and committed with it: each has a path, a renderer and a
finding code for when the committed copy no longer matches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from compiler import codeowners, editor_schema, schemas
from compiler.model import Estate


@dataclass(frozen=True)
class Generated:
    path: str
    render: Callable[[Estate], str]
    code: str
    what: str


def _schema_copy(kind: str) -> Callable[[Estate], str]:
    return lambda _estate: schemas.schema_text(kind)


GENERATED = (
    Generated(
        codeowners.PATH, codeowners.render, "codeowners-out-of-date", "the schools' maintainers"
    ),
    Generated(
        editor_schema.PATH,
        editor_schema.render,
        "editor-schema-out-of-date",
        "the estate's profiles, apps and secrets",
    ),
    # the editors' copies of the compiler's schemas: checks are never read from them
    *(
        Generated(
            schemas.estate_path(kind),
            _schema_copy(kind),
            "schema-out-of-date",
            "the compiler's own schema",
        )
        for kind in schemas.KINDS
    ),
)
