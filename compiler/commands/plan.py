"""`schoolmdm plan`: what a change between two revisions does, per school."""

from __future__ import annotations

import os
from pathlib import Path

import click

from compiler.plan.foreign import ForeignBuildError
from compiler.plan.gitsource import RevisionError
from compiler.plan.model import Plan
from compiler.plan.outline import totals
from compiler.plan.planner import make_plan
from compiler.plan.render_json import render_json
from compiler.plan.render_md import COMMENT_LIMIT, SUMMARY_LIMIT, render_markdown
from compiler.plan.render_text import render_text

EXIT_CHANGES = 3  # --detailed-exitcode: the plan has changes (0: none, 1: error, 2: usage)


def _write(out: Path, plan: Plan, link: str | None) -> None:
    """The full plan in every format, plus Markdown cut for a PR comment and a job summary."""
    files = {
        "plan.json": render_json(plan),
        "plan.txt": render_text(plan),
        "plan.md": render_markdown(plan),
        "comment.md": render_markdown(plan, COMMENT_LIMIT - 536, link),
        "summary.md": render_markdown(plan, SUMMARY_LIMIT - 48_576, link),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        tmp = out / f".{name}.tmp"  # complete files only: written aside, then renamed
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, out / name)


def run(
    root: Path,
    base: str,
    head: str | None,
    fmt: str,
    detailed: bool,
    limit: int | None,
    link: str | None,
    out: Path | None,
) -> int:
    try:
        plan = make_plan(root, base, head)
    except RevisionError as exc:
        raise click.UsageError(str(exc)) from None
    except ForeignBuildError as exc:
        click.echo(
            f"error: the base revision could not be built with its own compiler: {exc}", err=True
        )
        return 1
    if fmt == "json":
        click.echo(render_json(plan), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(plan, limit, link), nl=False)
    else:
        click.echo(render_text(plan), nl=False)
    if out is not None:
        _write(out, plan, link)
    if plan.blocked:
        click.echo(
            f"{len(plan.head.diagnostics)} finding(s) in the head; nothing planned", err=True
        )
        return 1
    t = totals(plan)
    click.echo(
        f"plan: {t['schools']} school(s) change" if plan.has_changes else "plan: no changes",
        err=True,
    )
    if detailed:
        return EXIT_CHANGES if plan.has_changes else 0
    return 0
