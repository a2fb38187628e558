"""`schoolmdm validate`: check the estate and report findings."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from compiler.diagnostics import Diagnostic
from compiler.pipeline import check_estate
from compiler.report import render
from compiler.source import DirectorySource


def _selected(diags: list[Diagnostic], root: Path, paths: tuple[Path, ...]) -> list[Diagnostic]:
    """Only findings in or below the given paths (the whole estate is still checked)."""
    if not paths:
        return diags
    prefixes = []
    for p in paths:
        try:
            rel = p.resolve().relative_to(root).as_posix()
        except ValueError:
            raise click.BadParameter(
                f"{p} is not inside the estate {root}", param_hint="PATH"
            ) from None
        prefixes.append("" if rel == "." else rel)
    return [
        d
        for d in diags
        if any(not pre or d.path == pre or d.path.startswith(pre + "/") for pre in prefixes)
    ]


def run(root: Path, fmt: str, paths: tuple[Path, ...]) -> int:
    estate, diags = check_estate(DirectorySource(root))
    shown = _selected(diags, root, paths)
    if shown:
        click.echo(render(shown, fmt))
    if fmt == "text":
        if shown:
            files = len({d.path for d in shown})
            click.echo(f"{len(shown)} finding(s) in {files} file(s)", err=True)
        elif estate is not None:
            devices = sum(len(v) for v in estate.inventories.values())
            click.echo(
                f"ok: {len(estate.schools)} schools, {devices} devices, {len(estate.apps)} apps, {len(estate.profiles)} profiles",
                err=True,
            )
        else:
            click.echo("ok: no findings in the selected paths", err=True)
    elif fmt == "json" and not shown:
        click.echo(render([], fmt))
    sys.stdout.flush()
    return 1 if shown else 0
