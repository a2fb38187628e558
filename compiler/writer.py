"""Write the build folder atomically: a failed or interrupted build leaves the old one intact."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from compiler.artifact import Artifact


def write_build(out: Path, artifacts: list[Artifact], files: dict[str, bytes]) -> None:
    """Write everything into a sibling temp folder, then swap it in with renames."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    try:
        made: set[Path] = set()
        for rel, content in [*((a.path, a.content) for a in artifacts), *files.items()]:
            target = tmp / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
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
