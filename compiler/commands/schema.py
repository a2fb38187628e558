"""`schoolmdm schema`: print a JSON Schema (for editors and for reading)."""

from __future__ import annotations

import click

from compiler.schemas import KINDS, schema_text


def run(kind: str | None) -> int:
    if kind is None:
        for k in KINDS:
            click.echo(k)
        return 0
    click.echo(schema_text(kind), nl=False)
    return 0
