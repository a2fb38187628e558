"""Reading the previous build back as a render cache (the shell side of `build`).

A school's artifacts are reused only when the manifest recorded the input hash they were
made from and every file still has the bytes the manifest says (a hand-edited build/ is
re-rendered, never trusted).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from compiler.artifact import MANIFEST, Artifact


def load_previous(out: Path) -> dict[str, tuple[str, list[Artifact]]]:
    try:
        data: Any = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("secrets") != "placeholders":
        return {}
    inputs = data.get("inputs")
    rows = data.get("artifacts")
    if not isinstance(inputs, dict) or not isinstance(rows, list):
        return {}
    by_school: dict[str, list[Artifact]] = {}
    broken: set[str] = set()
    for row in rows:
        try:
            school = row["school"]
            if school not in inputs or school in broken:
                continue
            if Path(row["path"]).is_absolute() or ".." in Path(row["path"]).parts:
                broken.add(school)  # a manifest never points outside its build folder
                continue
            content = (out / row["path"]).read_bytes()
            if hashlib.sha256(content).hexdigest() != row["sha256"]:
                broken.add(school)
                continue
            art = Artifact(
                row["path"],
                school,
                row["platform"],
                row["kind"],
                row["name"],
                content,
                tuple(row["sources"]),
                tuple(row["secrets"]),
            )
        except (OSError, KeyError, TypeError):
            broken.add(str(row.get("school")) if isinstance(row, dict) else "")
            continue
        by_school.setdefault(school, []).append(art)
    return {s: (str(inputs[s]), arts) for s, arts in by_school.items() if s not in broken}
