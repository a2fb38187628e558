"""`schoolmdm check-paths`: changed files that CODEOWNERS does not give to an owner.

For set-ups without branch protection: CI fails a school's pull request that touches files
outside the school's folder. CODEOWNERS is read from the base revision, as GitHub does for
pull requests, so a change cannot grant itself ownership.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from compiler.diagnostics import Diagnostic
from compiler.ownership import LOCATIONS, owned_by, owners_of, parse
from compiler.plan.gitsource import Repository, RevisionError
from compiler.report import render


def run(root: Path, base: str, head: str | None, owners: tuple[str, ...], fmt: str) -> int:
    try:
        repo = Repository(root)
        base_commit = repo.commit(base)
        head_commit = repo.commit(head) if head is not None else None
    except RevisionError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        listing = repo.listing(base_commit)
        where = next((p for p in LOCATIONS if p in listing and listing[p].kind == "blob"), None)
        text = repo.read(listing[where].sha).decode("utf-8", "replace") if where else ""
        changed = repo.changed_files(base_commit, head_commit)
    finally:
        repo.close()
    rules, errors = parse(text)
    diags = [
        Diagnostic(
            where or "",
            line,
            1,
            "codeowners-pattern",
            f"{msg}; GitHub ignores this line",
            severity="warning",
        )
        for line, msg in errors
    ]
    who = " or ".join(owners)
    outside = 0
    for path in changed:
        if owned_by(rules, path, owners):
            continue
        outside += 1
        rule, found = owners_of(rules, path)
        if rule is None or not found:
            message = f"{path} has no code owner, so it is not {who}'s to change"
        else:
            message = (
                f"{path} belongs to {' '.join(found)} ({where} line {rule.line}), not to {who}"
            )
        hint = "leave this file to its owners, or ask one of them to approve this change"
        diags.append(Diagnostic(path, 1, 1, "not-owner", message, hint))
    if where is None:
        diags.insert(
            0,
            Diagnostic(
                LOCATIONS[0],
                1,
                1,
                "no-codeowners",
                f"the base revision {base} has no CODEOWNERS file",
                "run: schoolmdm generate",
            ),
        )
    if diags:
        click.echo(render(diags, fmt))
    elif fmt == "json":
        click.echo(render([], fmt))
    sys.stdout.flush()
    if fmt == "text":
        if outside:
            click.echo(f"{outside} of {len(changed)} changed file(s) are not {who}'s", err=True)
        else:
            click.echo(f"ok: all {len(changed)} changed file(s) belong to {who}", err=True)
    return 1 if outside else 0
