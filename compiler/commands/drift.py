"""`schoolmdm drift`: what differs between the build and the MDM; changes nothing."""

from __future__ import annotations

from compiler.commands.deploy import execute
from compiler.deploy.run import RunArgs


def run(args: RunArgs) -> int:
    return execute(RunArgs(**{**args.__dict__, "mode": "drift", "dry_run": True, "prune": False}))
