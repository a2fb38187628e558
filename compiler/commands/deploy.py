"""`schoolmdm deploy` and `schoolmdm drift`: reconcile a build with the MDM (see compiler/deploy/)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from compiler.deploy.run import RunArgs, UsageProblem, run


def execute(args: RunArgs) -> int:
    try:
        return run(args, dict(os.environ), sys.stdout, sys.stderr)
    except UsageProblem as exc:
        raise click.UsageError(str(exc)) from None


def default_build(root: Path | None) -> Path:
    return (root / "build") if root is not None else Path("build")
