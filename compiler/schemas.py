"""The JSON Schemas every input file is checked against.

They live in the repository's `schemas/` folder (editors read them from there); an installed
wheel carries a copy as `compiler/_schemas`. The compiler always uses its own copy, so a change to
an estate's files cannot loosen the checks.
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


def schema_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "_schemas"
    return packaged if packaged.is_dir() else here.parent / "schemas"


@cache
def schema(kind: str) -> dict[str, Any]:
    path = schema_dir() / f"{kind}.schema.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def schema_text(kind: str) -> str:
    return (schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8")
