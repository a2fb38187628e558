"""Finding the estate: the nearest folder upwards that holds schoolmdm.yaml (as git finds .git)."""

from __future__ import annotations

from pathlib import Path

from compiler.load import ESTATE_FILE


def find_root(start: Path) -> Path | None:
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / ESTATE_FILE).is_file():
            return folder
    return None
