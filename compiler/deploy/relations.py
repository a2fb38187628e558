"""What links between objects and assignments should be written: pure functions of the desired
objects, the live ones and the ids known so far.

`/assign` replaces an object's whole assignment list, so the list written is merged: live
assignments to groups the run does not own (hand-made groups, all devices, other schools' groups
in a `--school` run) are kept as they are; the build's assignments for the groups the run owns
replace the rest. Links to objects the estate does not own are kept too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from compiler.deploy.adapter import Adapter
from compiler.deploy.buildread import Desired
from compiler.deploy.compare import differences
from compiler.deploy.model import LiveState, Write
from compiler.deploy.plan import Scope
from compiler.deploy.refs import Unresolved, refs_in, substitute

Problems = list[tuple[str, str]]  # (key, why it cannot be written)


def link_writes(
    desired: Sequence[Desired],
    live: LiveState,
    ids: Mapping[str, str],
    owned_ids: set[str],
    failed: set[str],
) -> tuple[list[Write], Problems]:
    by_key = {o.key: o for o in live.owned if o.key is not None and o.id == ids.get(o.key)}
    writes: list[Write] = []
    problems: Problems = []
    for d in desired:
        if not d.links or d.key in failed or d.key not in ids:
            continue
        obj = by_key.get(d.key)
        for prop, refs in sorted(d.links.items()):
            try:
                want = {str(substitute(r, lambda _k, n: ids.get(n), ("object",))) for r in refs}
            except Unresolved as exc:
                problems.append((d.key, f"needs {exc}, which is not deployed"))
                continue
            have = set(obj.links.get(prop, [])) if obj is not None else set()
            extra = {"prop": prop, "type": d.body.get("@odata.type")}
            for action, targets in (("link", want - have), ("unlink", (have & owned_ids) - want)):
                for tid in sorted(targets):
                    target = ids[d.key]
                    more = {**extra, "ref": tid}
                    writes.append(Write(action, d.key, d.collection, d.api, target, extra=more))
    return writes, problems


def assignment_writes(
    adapter: Adapter,
    desired: Sequence[Desired],
    live: LiveState,
    ids: Mapping[str, str],
    scope: Scope,
    failed: set[str],
    created: Mapping[str, list[dict[str, Any]]] | None = None,
) -> tuple[list[Write], Problems]:
    """`created`: the assignments objects got with their create in this run (by key)."""
    objs = {o.id: o for o in [*live.owned, *live.found.values()]}
    groups = {o.key: o.id for o in live.owned if o.key is not None and _kind(o.key) == "group"}
    groups.update({k: v for k, v in ids.items() if _kind(k) == "group"})
    owned = {gid for gkey, gid in groups.items() if scope.owns(gkey)}
    writes: list[Write] = []
    problems: Problems = []
    for d in desired:
        if not d.assign or d.key in failed or d.key not in ids:
            continue
        (field_name, items), *_ = d.assign.items()
        obj = objs.get(ids[d.key])
        current = obj.assignments if obj is not None else None
        if obj is None or d.key in (created or {}):
            current = (created or {}).get(d.key, [])
        try:
            wanted = [
                substitute(i, lambda _k, n: ids.get(n), ("group", "app", "object"))
                for i in items
                if all(scope.owns(n) for _, n in refs_in(i, ("group",)))
            ]
        except Unresolved as exc:
            problems.append((d.key, f"needs {exc}, which is not deployed"))
            continue
        keep = [
            adapter.writable_assignment(a)
            for a in current or []
            if adapter.assignment_group(a) not in owned
        ]
        new = keep + wanted
        if current is not None and same(new, current):
            continue
        body = {field_name: new}
        writes.append(Write("assign", d.key, d.collection, d.api, ids[d.key], body=body))
    return writes, problems


def same(new: list[dict[str, Any]], current: list[dict[str, Any]]) -> bool:
    """The same assignments, in any order (each desired one matching a distinct live one)."""
    if len(new) != len(current):
        return False
    free = list(current)
    for item in new:
        match = next((c for c in free if not differences(item, c)), None)
        if match is None:
            return False
        free.remove(match)
    return True


def _kind(key: str) -> str:
    parts = key.split("/")
    return parts[2] if len(parts) > 2 else ""


def create_assignments(
    d: Desired, ids: Mapping[str, str], scope: Scope
) -> dict[str, list[dict[str, Any]]] | None:
    """The assignments a create carries (adapters whose create sets them, as Jamf Pro's scope):
    the build's, for the groups the run owns; None when some group is not deployed (they are
    written after the create then, or fail there with the reason)."""
    if not d.assign:
        return None
    (field_name, items), *_ = d.assign.items()
    try:
        wanted = [
            substitute(i, lambda _k, n: ids.get(n), ("group", "app", "object"))
            for i in items
            if all(scope.owns(n) for _, n in refs_in(i, ("group",)))
        ]
    except Unresolved:
        return None
    return {field_name: wanted}
