"""Artifacts of two builds compared by key: added, removed, or changed setting by setting."""

from __future__ import annotations

import re
from typing import Any

from compiler.artifact import Artifact
from compiler.plan.decode import decode
from compiler.plan.diff import MISSING, Change, diff
from compiler.plan.model import ArtifactDiff, ParamChange


def category(art: Artifact) -> str:
    """settings, apps or devices: what a reviewer counts the artifact's changes as."""
    profiled = any(s.startswith("profiles/") for s in art.sources)
    if not profiled and any(s.endswith("/devices.csv") for s in art.sources):
        return "devices"
    if not profiled and ("app" in art.kind or any(s.startswith("catalog/") for s in art.sources)):
        return "apps"
    return "settings"


def compare(old: Artifact | None, new: Artifact | None) -> ArtifactDiff | None:
    """None when both sides hold the same bytes."""
    art = new or old
    assert art is not None
    if old is not None and new is not None and old.content == new.content:
        return None
    before = decode(old.path, old.content) if old is not None else None
    after = decode(new.path, new.content) if new is not None else None
    either = after or before
    fmt = either.format if either is not None else "binary"
    status = "added" if old is None else "removed" if new is None else "changed"
    changes: list[Change] = []
    if before is not None and after is not None:
        changes = diff(before.value, after.value)
        if not changes:
            return None  # only a marker hash or a wrapper's encoding differs
    result = ArtifactDiff(
        art.key, art.path, art.school, art.kind, art.name, status, fmt, category(art)
    )
    result.changes = changes
    result.origins = [""] * len(changes)
    return result


def compare_all(old: list[Artifact], new: list[Artifact]) -> list[ArtifactDiff]:
    before = {a.key: a for a in old}
    after = {a.key: a for a in new}
    out = []
    for key in sorted(before.keys() | after.keys()):
        found = compare(before.get(key), after.get(key))
        if found is not None:
            out.append(found)
    return out


def collapse_copies(arts: list[ArtifactDiff]) -> None:
    """A profile wrapped inside another artifact (an Intune body's base64 payload) changes in
    the same way as the profile itself: say so once instead of repeating every key."""
    signatures = {repr(a.changes): a.path for a in arts if a.status == "changed"}
    for art in arts:
        for change in art.changes:
            cut = next((i for i, p in enumerate(change.path) if p.startswith("(")), None)
            if cut is None or change.path[: cut + 1] in art.same_as:
                continue
            prefix = change.path[: cut + 1]
            inner = repr(
                [
                    Change(c.path[cut + 1 :], c.old, c.new)
                    for c in art.changes
                    if c.path[: cut + 1] == prefix
                ]
            )
            other = signatures.get(inner)
            if other is not None and other != art.path:
                art.same_as[prefix] = other


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _scalar(value: Any) -> bool:
    return value is MISSING or isinstance(value, (str, int, float, bool)) or value is None


def _fits(param: Any, value: Any) -> bool:
    if param is MISSING or value is MISSING:
        return param is value
    if type(param) is type(value) and param == value:
        return True
    return isinstance(param, str) and isinstance(value, str) and len(param) >= 2 and param in value


def attach_origins(arts: list[ArtifactDiff], params: list[ParamChange]) -> None:
    """Name the parameter a changed key came from, where the values show it."""
    candidates = [p for p in params if _scalar(p.change.old) and _scalar(p.change.new)]
    for art in arts:
        for i, change in enumerate(art.changes):
            if not (_scalar(change.old) and _scalar(change.new)):
                continue
            hits = [
                p
                for p in candidates
                if _fits(p.change.old, change.old) and _fits(p.change.new, change.new)
            ]
            if len(hits) > 1:  # several parameters moved alike: prefer the one named like the key
                key = _norm(change.path[-1]) if change.path else ""
                named = [p for p in hits if _norm(p.change.path[-1]) in key]
                hits = named or hits
            art.origins[i] = ", ".join(p.label for p in hits)
