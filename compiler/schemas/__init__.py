"""The JSON Schemas every input file is checked against: one canonical copy, in this package.

The compiler always validates with these (an editable install included), never with the
estate's `schemas/` folder: those files are generated from these for editors (`schoolmdm
generate`), and validate reports them when they differ, so editing them loosens nothing.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

KINDS = (
    "estate",
    "secrets",
    "school",
    "app",
    "profile",
    "device",
    "template-apple",
    "template-windows",
)
HERE = Path(__file__).resolve().parent


@cache
def schema_text(kind: str) -> str:
    return (HERE / f"{kind}.schema.json").read_text(encoding="utf-8")


@cache
def schema(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_text(kind))
    return data


def estate_path(kind: str) -> str:
    """Where an estate keeps its generated copy of a schema, for editors."""
    return f"schemas/{kind}.schema.json"
