"""`schoolmdm generate` / `schoolmdm codeowners`: write or check the generated files."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.generated import GENERATED, Generated
from compiler.pipeline import check_estate
from compiler.report import render
from compiler.source import DirectorySource


def run(root: Path, check: bool, only: tuple[str, ...] = ()) -> int:
    estate, diags = check_estate(DirectorySource(root), generated_check=False)
    if estate is None:
        click.echo(render(diags, "text"))
        return 1
    chosen: list[Generated] = [g for g in GENERATED if not only or g.path in only]
    stale = 0
    source = DirectorySource(root)
    for gen in chosen:
        text = gen.render(estate)
        target = root / gen.path
        if source.is_link(gen.path):  # a link could point anywhere: never write through it
            click.echo(f"{gen.path}: a symbolic link; replace it with the file itself", err=True)
            stale += 1
            continue
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if check:
            if current != text:
                stale += 1
                click.echo(f"{gen.path} is out of date; run: schoolmdm generate", err=True)
            continue
        if current == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)  # never half-written
        click.echo(f"wrote {gen.path}", err=True)
    if check and not stale:
        click.echo("generated files are up to date", err=True)
    return 1 if stale else 0
