"""Which schools a change reaches, from git blob ids: only those are rendered on both sides.

A school's inputs are every file in its folder, the estate settings, the profiles it gets with
their templates, and the catalogue entries it chooses. A changed file the plan cannot place
(an input kind it does not know) reaches every school: unproven means rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from compiler.generated import GENERATED
from compiler.load import ESTATE_FILE, SECRETS_FILE
from compiler.model import Estate
from compiler.plan.gitsource import blob_id
from compiler.resolve import applied_profiles


class Snapshot(Protocol):
    seen: set[str]

    def blob_id(self, rel: str) -> str | None: ...


def school_inputs(estate: Estate, src: Snapshot) -> dict[str, set[str]]:
    """Per school, the files its artifacts are made from (of its own folder: those read)."""
    folders: dict[str, set[str]] = {}
    for path in src.seen:
        parts = path.split("/")
        if parts[0] == "schools" and len(parts) > 2:
            folders.setdefault(parts[1], set()).add(path)
    out = {}
    for sid, school in estate.schools.items():
        files = {ESTATE_FILE, *folders.get(sid, ())}
        for profile in applied_profiles(estate, school):
            files.add(profile.path)
            files.update(profile.templates.values())
        files.update(estate.apps[c.app_id].path for c in school.apps if c.app_id in estate.apps)
        out[sid] = files
    return out


def shared_files(estate: Estate) -> set[str]:
    """Files that are inputs only through the schools that use them."""
    return {
        *(p.path for p in estate.profiles.values()),
        *(t for p in estate.profiles.values() for t in p.templates.values()),
        *estate.templates,
        *(a.path for a in estate.apps.values()),
    }


# read by validate only: they change findings, never what a school's artifacts hold
VALIDATION_ONLY = frozenset({SECRETS_FILE, *(g.path for g in GENERATED)})


@dataclass(frozen=True)
class Scope:
    changed_files: list[str]  # inputs whose blob differs (or exist on one side only)
    schools: set[str]  # schools to render on both sides
    reach: dict[str, list[str]]  # changed file -> schools whose inputs hold it
    everything: bool  # a change that reaches every school (estate settings, unknown input)


def changed_inputs(base: Snapshot, head: Snapshot) -> list[str]:
    return sorted(p for p in base.seen | head.seen if base.blob_id(p) != head.blob_id(p))


def scope(
    changed: list[str],
    base: tuple[Estate | None, Snapshot],
    head: tuple[Estate | None, Snapshot],
) -> Scope:
    inputs: dict[str, set[str]] = {}
    known = set(VALIDATION_ONLY)
    for estate, src in (base, head):
        if estate is None:
            continue
        for sid, files in school_inputs(estate, src).items():
            inputs.setdefault(sid, set()).update(files)
        known |= shared_files(estate)
    reach = {path: sorted(s for s, files in inputs.items() if path in files) for path in changed}
    schools = {s for path in changed for s in reach[path]}
    for path in changed:
        if path.startswith("schools/"):
            sid = path.split("/")[1]
            if sid in inputs:
                schools.add(sid)
                if sid not in reach[path]:
                    reach[path].append(sid)
    placed = {p for p in changed if reach[p] or p in known}
    everything = ESTATE_FILE in changed or bool(set(changed) - placed)
    if everything:
        schools = set(inputs)
    return Scope(changed, schools, reach, everything)


def code_identity(files: dict[str, str]) -> dict[str, str]:
    """The compiler's own files (path -> blob id): its package, schemas included (an estate's
    schemas/ are generated copies for editors; the compiler never reads them)."""
    return {
        p: b
        for p, b in files.items()
        if p.startswith("compiler/") and "__pycache__" not in p and not p.endswith(".pyc")
    }


@cache
def running_compiler() -> dict[str, str]:
    """The identity of the compiler running this plan, from the files it was loaded from."""
    package = Path(__file__).resolve().parent.parent
    files = {}
    for path in package.rglob("*"):
        rel = path.relative_to(package)
        if path.is_file() and not rel.name.startswith("."):
            files[f"compiler/{rel.as_posix()}"] = blob_id(path.read_bytes())
    return code_identity(files)
