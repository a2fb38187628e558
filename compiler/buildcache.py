"""Reading the previous build back as a render cache (the shell side of `build`).

Nothing in build/ is trusted. A school's artifacts are reused only when all of this holds:
the manifest recorded the input hash they were made from, and a digest of the school's whole
artifact list (every row: path, hash, kind, secrets, ...), so a deleted, added or edited row
shows; every file still has the bytes its row says; and the school's folder holds exactly those
files, no more. Anything else means: render that school again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from compiler.artifact import MANIFEST, ROW_FIELDS, Artifact, outputs_digest
from compiler.paths import path_problem
from compiler.writer import files_below


def _artifact(out: Path, row: Any) -> Artifact | None:
    """The artifact a manifest row describes, if the row is whole and the file matches it."""
    if not isinstance(row, dict) or set(row) != set(ROW_FIELDS) or path_problem(row["path"]):
        return None
    try:  # O_NOFOLLOW: a symbolic link put into build/ is never read through
        fd = os.open(os.path.join(out, row["path"]), os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            content = handle.read()
    except OSError:
        return None
    if hashlib.sha256(content).hexdigest() != row["sha256"]:
        return None
    try:
        art = Artifact(
            row["path"],
            row["school"],
            row["platform"],
            row["kind"],
            row["name"],
            content,
            tuple(row["sources"]),
            tuple(row["secrets"]),
        )
    except TypeError:
        return None
    return art if art.key == row["key"] else None


def load_previous(out: Path) -> dict[str, tuple[str, list[Artifact]]]:
    """school id -> (input hash, artifacts) for every school whose artifacts can be proven
    to be exactly what the previous build wrote."""
    try:
        data: Any = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("secrets") != "placeholders":
        return {}
    inputs, outputs, rows = data.get("inputs"), data.get("outputs"), data.get("artifacts")
    if not isinstance(inputs, dict) or not isinstance(outputs, dict) or not isinstance(rows, list):
        return {}
    by_school: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("school"), str):
            by_school.setdefault(row["school"], []).append(row)
    result: dict[str, tuple[str, list[Artifact]]] = {}
    for school, school_rows in by_school.items():
        if not isinstance(inputs.get(school), str) or outputs.get(school) != outputs_digest(
            school_rows
        ):
            continue
        arts = [_artifact(out, row) for row in school_rows]
        paths = {row["path"] for row in school_rows}
        if any(a is None or a.school != school for a in arts):
            continue
        # the school's folder holds exactly its artifacts: an extra file means tampering
        if any(not p.startswith(f"schools/{school}/") for p in paths):
            continue
        if files_below(out / "schools" / school, f"schools/{school}/") != paths:
            continue
        result[school] = (inputs[school], [a for a in arts if a is not None])
    return result
