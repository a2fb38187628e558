"""`schoolmdm codeowners`: write or check .github/CODEOWNERS."""

from __future__ import annotations

from pathlib import Path

import click

from compiler import codeowners
from compiler.pipeline import check_estate
from compiler.report import render
from compiler.source import DirectorySource


def run(root: Path, check: bool) -> int:
    estate, diags = check_estate(DirectorySource(root), codeowners_check=False)
    if estate is None:
        click.echo(render(diags, "text"))
        return 1
    text = codeowners.render(estate)
    target = root / codeowners.PATH
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if check:
        if current != text:
            click.echo(f"{codeowners.PATH} is out of date; run: schoolmdm codeowners", err=True)
            return 1
        click.echo(f"{codeowners.PATH} is up to date", err=True)
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    click.echo(f"wrote {codeowners.PATH} ({len(estate.schools)} schools)", err=True)
    return 0
