"""Why a deploy cannot start: each is reported as one clear line, never a traceback."""

from __future__ import annotations


class DeployError(Exception):
    """The run cannot start or must stop (bad build, missing secret, credentials)."""
