"""Write the build folder atomically: a failed or interrupted build leaves the old one intact.

Everything goes into a sibling temp folder (`.build-new-*`) that is then swapped in with two
renames (the old folder becomes `.build-old-*` first). A build killed between the renames leaves
no `build/`: the next build (or `recover`) puts the old one back before anything else, and
removes what an interrupted build left behind. Only a folder that is recognisably a previous
schoolmdm build is ever replaced. A file whose bytes equal the previous build's is hard-linked
instead of written: creating a file can cost a millisecond, linking a few microseconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from compiler.artifact import MANIFEST, Artifact
from compiler.paths import path_problem

FORMAT = 1  # manifest.json's "version"
TOP = ("schools", "estate")  # the folders a build holds besides its manifest


class UnsafeOutput(Exception):
    """The output folder holds something that is not a previous build: never replace it."""


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
        if not same or previous.is_symlink():
            return False
        os.link(previous, target)
    except OSError:
        return False
    return True


def _leftovers(out: Path, kind: str) -> list[Path]:
    """Folders an interrupted build of `out` left beside it (`kind`: 'new' or 'old')."""
    prefix = f".{out.name}-{kind}-"
    try:
        names = os.listdir(out.parent)
    except OSError:
        return []
    found = [out.parent / n for n in names if n.startswith(prefix)]
    return sorted((p for p in found if p.is_dir() and not p.is_symlink()), key=_age)


def _age(path: Path) -> float:
    return path.lstat().st_ctime  # a rename updates ctime: the newest swap comes last


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One build at a time per output folder's parent (a lock on the folder itself)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def recover(out: Path) -> list[str]:
    """Finish what an interrupted build left: put the previous build back if a swap stopped
    between its renames, and remove temp folders. Returns what was done, for the log."""
    out = out.resolve()
    if not out.parent.is_dir():
        return []
    notes = []
    with _locked(out.parent):
        olds = _leftovers(out, "old")
        if olds and not out.exists():
            # killed between the two renames: the newest old folder is the last complete build
            olds[-1].rename(out)
            notes.append(f"restored {out} from an interrupted build")
            olds = olds[:-1]
        for leftover in [*olds, *_leftovers(out, "new")]:
            shutil.rmtree(leftover, ignore_errors=True)
            notes.append(f"removed {leftover.name}, left by an interrupted build")
    return notes


def files_below(folder: Path, prefix: str = "") -> set[str] | None:
    """Every file below `folder`, as `prefix` + relative POSIX path; None if anything there is
    a symbolic link or neither a file nor a folder (a build never writes such things)."""
    found: set[str] = set()
    stack = [(str(folder), prefix)]
    while stack:
        here, rel = stack.pop()
        try:
            entries = list(os.scandir(here))
        except OSError:
            return None
        for entry in entries:
            name = f"{rel}{entry.name}"
            if entry.is_symlink():
                return None
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, name + "/"))
            elif entry.is_file(follow_symlinks=False):
                found.add(name)
            else:
                return None
    return found


def build_problem(out: Path) -> str:
    """Why the folder `out` is not recognisably a schoolmdm build, or ''."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"it holds no readable {MANIFEST}"
    if (
        not isinstance(manifest, dict)
        or manifest.get("version") != FORMAT
        or not isinstance(manifest.get("artifacts"), list)
    ):
        return f"its {MANIFEST} is not a schoolmdm build manifest"
    files = files_below(out)
    if files is None:
        return "it holds a symbolic link or a special file, which no build writes"
    for rel in sorted(files):
        if rel != MANIFEST and (rel.split("/", 1)[0] not in TOP or path_problem(rel)):
            return f"it holds {rel}, which no build writes"
    return ""


def check_output(out: Path, root: Path) -> None:
    """A build replaces its output folder whole, so that folder must be a previous build."""
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out):
        raise UnsafeOutput(
            f"{out} holds the estate itself; choose a folder of its own, e.g. {root / 'build'}"
        )
    if out.exists() and not out.is_dir():
        raise UnsafeOutput(f"{out} is a file")
    if out.is_dir() and any(out.iterdir()):
        problem = build_problem(out)
        if problem:
            raise UnsafeOutput(
                f"{out} is not a previous schoolmdm build ({problem}), so it is left alone; "
                "choose an empty or new folder"
            )


def write_build(
    out: Path,
    artifacts: list[Artifact],
    files: dict[str, bytes],
    known: Mapping[str, bytes] | None = None,
) -> None:
    """Write everything into a sibling temp folder, then swap it in with renames."""
    out = out.resolve()
    entries = [*((a.path, a.content) for a in artifacts), *files.items()]
    for rel, _ in entries:
        problem = path_problem(rel)
        if problem:  # the one check every artifact path passes before anything is written
            raise UnsafeOutput(f"refusing to write outside {out}: {problem}")
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    with _locked(out.parent):
        problem = build_problem(out) if out.is_dir() and any(out.iterdir()) else ""
        if problem:
            raise UnsafeOutput(f"{out} is not a previous schoolmdm build: {problem}")
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
        previous = out if out.is_dir() else None
        try:
            made: set[Path] = set()
            for rel, content in entries:
                target = tmp / rel
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if not target.parent.resolve().is_relative_to(tmp):
                        raise UnsafeOutput(f"refusing to write outside {out}: {rel}")
                    made.add(target.parent)
                if not _reuse(previous, rel, content, target, known or {}):
                    target.write_bytes(content)
            _swap(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _swap(new: Path, out: Path) -> None:
    """new -> out. Killed between the renames, `recover` puts the old folder back."""
    if not out.exists():
        new.rename(out)
        return
    old = out.parent / f".{out.name}-old-{uuid.uuid4().hex[:12]}"
    out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)
