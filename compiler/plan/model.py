"""What a plan says: changes per school, shared and estate-wide changes, findings.

Plain data, built by `planner.py` and read by the text, Markdown and JSON renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.plan.diff import Change


@dataclass
class ArtifactDiff:
    key: str
    path: str
    school: str
    kind: str
    name: str
    status: str  # added | removed | changed
    format: str
    category: str  # settings | apps | devices
    changes: list[Change] = field(default_factory=list)
    origins: list[str] = field(
        default_factory=list
    )  # per change: the parameter it came from, or ""
    # changes under a decoded wrapper that repeat another artifact of the school: prefix -> path
    same_as: dict[tuple[str, ...], str] = field(default_factory=dict)

    def shown(self) -> list[tuple[Change, str]]:
        """Changes with their origins, without those that repeat another artifact."""
        return [
            (c, o)
            for c, o in zip(self.changes, self.origins, strict=True)
            if not any(c.path[: len(p)] == p for p in self.same_as)
        ]


@dataclass
class ParamChange:
    change: Change  # path: (profile id, parameter, ...)
    locked: bool = False
    default: bool = False  # the new value is the profile's default (the school does not set it)

    @property
    def label(self) -> str:
        return dotted(self.change.path)


@dataclass
class AppChange:
    app: str
    op: str  # add | remove | change
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    changes: list[Change] = field(default_factory=list)


@dataclass
class DeviceChanges:
    added: list[dict[str, str]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    moved_in: list[tuple[str, str]] = field(default_factory=list)  # (serial, from school)
    moved_out: list[tuple[str, str]] = field(default_factory=list)  # (serial, to school)
    changed: list[tuple[str, list[Change]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.added)
            + len(self.removed)
            + len(self.moved_in)
            + len(self.moved_out)
            + len(self.changed)
        )


@dataclass
class SchoolPlan:
    id: str
    name: str
    platform: str
    status: str  # added | removed | changed
    devices_total: int
    inputs: list[str] = field(default_factory=list)  # changed input files that reach the school
    params: list[ParamChange] = field(default_factory=list)
    apps: list[AppChange] = field(default_factory=list)
    devices: DeviceChanges = field(default_factory=DeviceChanges)
    artifacts: list[ArtifactDiff] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def settings_count(self) -> int:
        """Changed keys, plus one per profile or object added or removed (a profile and its
        wrapped copy for the MDM count once)."""
        settings = [a for a in self.artifacts if a.category == "settings"]
        whole = {a.name for a in settings if a.status != "changed"}
        return sum(len(a.shown()) for a in settings) + len(whole)

    @property
    def apps_count(self) -> int:
        return len(self.apps) or sum(1 for a in self.artifacts if a.category == "apps")

    @property
    def empty(self) -> bool:
        """Nothing the school's devices get changes (a parameter alone, e.g. an Apple-only
        one on a Windows school, changes nothing)."""
        return not (self.apps or self.devices.count or self.artifacts)


@dataclass
class FileChange:
    path: str
    status: str  # added | removed | changed
    kind: str  # estate | secrets | profile | template | app | other
    changes: list[Change] = field(default_factory=list)
    schools: list[str] = field(default_factory=list)  # every school it reaches
    effective: list[str] = field(default_factory=list)  # of those, schools whose plan changes


@dataclass
class LockedChange:
    profile: str
    parameter: str
    old: Any
    new: Any
    note: str  # "default changed" | "now locked" | "no longer locked"
    schools: list[str] = field(default_factory=list)


@dataclass
class Side:
    rev: str  # what the user named ("working tree" for the files on disk)
    commit: str | None
    built_with: str = "this compiler"
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class Plan:
    base: Side
    head: Side
    estate_files: list[FileChange] = field(default_factory=list)
    estate_artifacts: list[ArtifactDiff] = field(default_factory=list)
    locked: list[LockedChange] = field(default_factory=list)
    shared: list[FileChange] = field(default_factory=list)
    schools: list[SchoolPlan] = field(default_factory=list)
    no_effect: list[str] = field(default_factory=list)  # changed inputs that change nothing built
    rendered: list[str] = field(default_factory=list)  # schools rendered on both sides
    schools_total: int = 0  # schools in either revision
    notes: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.estate_files or self.estate_artifacts or self.locked or self.shared or self.schools
        )

    @property
    def blocked(self) -> bool:
        return bool(self.head.diagnostics)

    @property
    def coverage(self) -> str:
        """How much was built: the render cache's honesty, said in one line."""
        n, total = len(self.rendered), self.schools_total
        if n and n == total:
            return f"Built all {total} schools on both sides."
        return (
            f"Built {n} of {total} schools on both sides; the inputs of the others are unchanged."
        )


def dotted(path: tuple[str, ...]) -> str:
    """('wifi', 'eap', 'method') -> 'wifi.eap.method'; list labels attach without a dot."""
    out, sep = "", ""
    for part in path:
        if part.startswith("("):  # a decoded wrapper, a list's order, a rename
            out, sep = f"{out} {part}" if out else part, " > "
        elif part.startswith("[") and out and not sep:
            out += part
        else:
            out, sep = out + (sep or ("." if out else "")) + part, ""
    return out
