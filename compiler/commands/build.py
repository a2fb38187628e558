"""`schoolmdm build`: validate, render and write build/ with its manifest, atomically."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.artifact import MANIFEST
from compiler.build import BuildOptions, build, manifest
from compiler.buildcache import load_previous
from compiler.pipeline import check_estate
from compiler.report import render
from compiler.source import DirectorySource
from compiler.writer import UnsafeOutput, check_output, recover, write_build

if TYPE_CHECKING:
    from compiler.signing import Signer


def run(
    root: Path,
    out: Path,
    schools: tuple[str, ...],
    binary: bool,
    signer: Signer | None,
    fmt: str,
) -> int:
    for note in recover(out):  # an earlier build was interrupted: finish or undo it first
        click.echo(f"note: {note}", err=True)
    try:
        check_output(out, root)  # before any work: a build replaces its output folder whole
    except UnsafeOutput as exc:
        raise click.UsageError(str(exc)) from None
    estate, diags = check_estate(DirectorySource(root))
    if estate is None or diags:
        click.echo(render(diags, fmt))
        click.echo(f"{len(diags)} finding(s); nothing was written", err=True)
        return 1
    unknown = [s for s in schools if s not in estate.schools]
    if unknown:
        raise click.BadParameter("unknown school(s): " + ", ".join(unknown), param_hint="--school")
    previous = load_previous(out) if out.is_dir() else None
    result = build(estate, BuildOptions(schools, binary, signer, previous))
    if result.diagnostics:
        click.echo(render(result.diagnostics, fmt))
        click.echo(f"{len(result.diagnostics)} finding(s); nothing was written", err=True)
        return 1
    artifacts = result.artifacts
    files = {MANIFEST: manifest(estate, artifacts, result.inputs, schools)}
    known = {a.path: a.content for _, cached in (previous or {}).values() for a in cached}
    try:
        write_build(out, artifacts, files, known)
    except UnsafeOutput as exc:
        raise click.UsageError(str(exc)) from None
    count = len({a.school for a in artifacts if a.school in estate.schools})
    unchanged = f" ({result.reused} unchanged)" if result.reused else ""
    click.echo(
        f"built {len(artifacts)} artifacts for {count} schools{unchanged} into {out}", err=True
    )
    return 0
