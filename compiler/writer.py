"""Write the build folder atomically: a failed or interrupted build leaves the old one intact.

Everything goes into a sibling temp folder that is then swapped in with renames. A file whose
bytes equal the previous build's is hard-linked instead of written: on some file systems creating
a file costs a millisecond, linking a few microseconds, and most files of a rebuild are unchanged.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from compiler.artifact import MANIFEST, Artifact


def _reuse(
    old: Path | None, rel: str, content: bytes, target: Path, known: Mapping[str, bytes]
) -> bool:
    if old is None:
        return False
    previous = old / rel
    try:
        # `known`: bytes the caller already read from the old build (and checked); no re-read
        seen = known.get(rel)
        same = seen == content if seen is not None else previous.read_bytes() == content
        if not same:
            return False
        os.link(previous, target)
    except OSError:
        return False
    return True


class UnsafeOutput(Exception):
    """The output folder holds something that is not a previous build: never replace it."""


def check_output(out: Path, root: Path) -> None:
    """A build replaces its output folder whole, so that folder must be a previous build."""
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out):
        raise UnsafeOutput(
            f"{out} holds the estate itself; choose a folder of its own, e.g. {root / 'build'}"
        )
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UnsafeOutput(
            f"{out} is not empty and holds no {MANIFEST}: it is not a schoolmdm build, so it is left alone"
        )
    if out.exists() and not out.is_dir():
        raise UnsafeOutput(f"{out} is a file")


def write_build(
    out: Path,
    artifacts: list[Artifact],
    files: dict[str, bytes],
    known: Mapping[str, bytes] | None = None,
) -> None:
    """Write everything into a sibling temp folder, then swap it in with renames."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    previous = out if out.is_dir() else None
    try:
        made: set[Path] = set()
        for rel, content in [*((a.path, a.content) for a in artifacts), *files.items()]:
            target = tmp / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if not _reuse(previous, rel, content, target, known or {}):
                target.write_bytes(content)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}-old-{os.getpid()}"
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
