"""The plan as JSON for tools: the same content as the text, values decoded, secrets by name."""

from __future__ import annotations

import json
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.plan.diff import MISSING, Change
from compiler.plan.model import ArtifactDiff, FileChange, Plan, SchoolPlan, Side, dotted
from compiler.plan.outline import totals
from compiler.plan.values import jsonable

VERSION = 1


def change(c: Change, origin: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"path": list(c.path), "at": dotted(c.path), "op": c.op}
    if c.old is not MISSING:
        out["old"] = jsonable(c.old)
    if c.new is not MISSING:
        out["new"] = jsonable(c.new)
    if origin:
        out["from"] = origin
    return out


def _diag(d: Diagnostic) -> dict[str, Any]:
    return {
        "file": d.path,
        "line": d.line,
        "col": d.col,
        "code": d.code,
        "message": d.message,
        "hint": d.hint,
    }


def _side(s: Side) -> dict[str, Any]:
    return {"rev": s.rev, "commit": s.commit, "built_with": s.built_with}


def _artifact(a: ArtifactDiff) -> dict[str, Any]:
    return {
        "key": a.key,
        "path": a.path,
        "kind": a.kind,
        "status": a.status,
        "format": a.format,
        "category": a.category,
        "changes": [change(c, o) for c, o in zip(a.changes, a.origins, strict=True)],
        "same_as": [{"at": dotted(p), "path": other} for p, other in sorted(a.same_as.items())],
    }


def _file(f: FileChange) -> dict[str, Any]:
    return {
        "path": f.path,
        "status": f.status,
        "kind": f.kind,
        "changes": [change(c) for c in f.changes],
        "schools": f.schools,
        "schools_changed": f.effective,
    }


def _school(s: SchoolPlan) -> dict[str, Any]:
    d = s.devices
    return {
        "id": s.id,
        "name": s.name,
        "platform": s.platform,
        "status": s.status,
        "devices_total": s.devices_total,
        "counts": {"settings": s.settings_count, "apps": s.apps_count, "devices": d.count},
        "inputs": s.inputs,
        "notes": s.notes,
        "parameters": [
            {**change(p.change), "locked": p.locked, "profile_default": p.default} for p in s.params
        ],
        "apps": [
            {
                "app": a.app,
                "op": a.op,
                "old": a.old,
                "new": a.new,
                "changes": [change(c) for c in a.changes],
            }
            for a in s.apps
        ],
        "devices": {
            "added": d.added,
            "removed": d.removed,
            "moved_in": [{"serial": s_, "from": f} for s_, f in d.moved_in],
            "moved_out": [{"serial": s_, "to": t} for s_, t in d.moved_out],
            "changed": [{"serial": s_, "changes": [change(c) for c in cs]} for s_, cs in d.changed],
        },
        "artifacts": [_artifact(a) for a in s.artifacts],
    }


def to_json(plan: Plan) -> dict[str, Any]:
    return {
        "version": VERSION,
        "base": _side(plan.base),
        "head": _side(plan.head),
        "blocked": plan.blocked,
        "has_changes": plan.has_changes,
        "notes": plan.notes,
        "findings": {
            "base": [_diag(d) for d in plan.base.diagnostics],
            "head": [_diag(d) for d in plan.head.diagnostics],
        },
        "totals": totals(plan),
        "estate": {
            "files": [_file(f) for f in plan.estate_files],
            "artifacts": [_artifact(a) for a in plan.estate_artifacts],
        },
        "locked": [
            {
                "profile": lc.profile,
                "parameter": lc.parameter,
                "old": jsonable(lc.old) if lc.old is not MISSING else None,
                "new": jsonable(lc.new) if lc.new is not MISSING else None,
                "note": lc.note,
                "schools": lc.schools,
            }
            for lc in plan.locked
        ],
        "shared": [_file(f) for f in plan.shared],
        "schools": [_school(s) for s in plan.schools],
        "no_effect": plan.no_effect,
        "rendered": plan.rendered,
        "schools_total": plan.schools_total,
    }


def render_json(plan: Plan) -> str:
    return json.dumps(to_json(plan), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
