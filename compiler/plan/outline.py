"""The plan as an outline of blocks and lines, shared by the text and Markdown renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.plan.diff import MISSING, Change
from compiler.plan.model import ArtifactDiff, DeviceChanges, FileChange, Plan, SchoolPlan, dotted
from compiler.plan.values import show

EXPAND = 40  # an added or removed record is listed key by key up to this many keys
DEVICE_LINES = 10  # per kind of device change; the counts are always complete


@dataclass(frozen=True)
class Line:
    indent: int
    text: str = ""  # a heading or plain text (when op is "")
    op: str = ""  # add | remove | change
    label: str = ""
    old: str = ""
    new: str = ""
    note: str = ""  # where a value came from (a profile parameter)


@dataclass
class Block:
    title: str
    summary: str = ""
    lines: list[Line] = field(default_factory=list)


def _leaves(value: Any, path: tuple[str, ...], out: list[tuple[tuple[str, ...], Any]]) -> None:
    if isinstance(value, dict) and value:
        for k in sorted(value):
            _leaves(value[k], (*path, k), out)
    elif isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        for i, v in enumerate(value, 1):
            _leaves(v, (*path, f"[{i}]"), out)
    else:
        out.append((path, value))


def _expand(change: Change) -> list[tuple[tuple[str, ...], Change]]:
    """(heading, change) pairs: an added or removed record is listed key by key under its own
    heading, with paths relative to it."""
    value = change.new if change.op == "add" else change.old
    if change.op == "change" or not isinstance(value, (dict, list)):
        return [(change.path[:-1], Change(change.path[-1:], change.old, change.new))]
    leaves: list[tuple[tuple[str, ...], Any]] = []
    _leaves(value, (), leaves)
    if len(leaves) > EXPAND or len(leaves) <= 1:
        return [(change.path[:-1], Change(change.path[-1:], change.old, change.new))]
    if change.op == "add":
        return [(change.path, Change(p, MISSING, v)) for p, v in leaves]
    return [(change.path, Change(p, v, MISSING)) for p, v in leaves]


def change_lines(pairs: list[tuple[Change, str]], indent: int) -> list[Line]:
    out: list[Line] = []
    parent: tuple[str, ...] | None = None
    for change, origin in pairs:
        for head, c in _expand(change):
            if head != parent and head:
                out.append(Line(indent, text=dotted(head)))
            parent = head
            deep = indent + 2 if head else indent
            label = dotted(c.path) if c.path else "(value)"
            out.append(
                Line(deep, op=c.op, label=label, old=show(c.old), new=show(c.new), note=origin)
            )
    return out


def _counted(changes: list[Change]) -> str:
    ops = [c.op for c in changes]
    words = (("add", "added"), ("remove", "removed"), ("change", "changed"))
    return ", ".join(f"{ops.count(op)} {word}" for op, word in words if ops.count(op))


def _artifact(ad: ArtifactDiff, indent: int) -> list[Line]:
    op = {"added": "add", "removed": "remove"}.get(ad.status, "change")
    what = f"{ad.kind}, {ad.format}"
    if ad.status != "changed":
        return [Line(indent, op=op, label=ad.path, note=f"{what}, {ad.status}")]
    if ad.category == "devices":  # every device is listed once, in the devices section
        return [Line(indent, op="change", label=ad.path, note=f"{what}: {_counted(ad.changes)}")]
    out = [Line(indent, op="change", label=ad.path, note=what)]
    out += change_lines(ad.shown(), indent + 4)
    for prefix, other in sorted(ad.same_as.items()):
        out.append(Line(indent + 4, text=f"{dotted(prefix)}: the same changes as {other}"))
    return out


def _devices(dc: DeviceChanges, indent: int) -> list[Line]:
    counts = [
        (len(dc.added), "added"),
        (len(dc.removed), "removed"),
        (len(dc.moved_in), "moved in"),
        (len(dc.moved_out), "moved out"),
        (len(dc.changed), "changed"),
    ]
    out = [Line(indent, text="devices: " + ", ".join(f"{n} {w}" for n, w in counts if n))]
    rows: list[Line] = []

    def listed(items: list[Line]) -> None:
        rows.extend(items[:DEVICE_LINES])
        if len(items) > DEVICE_LINES:
            rows.append(Line(indent + 2, text=f"… and {len(items) - DEVICE_LINES} more"))

    def desc(d: dict[str, str]) -> str:
        return f"{d['serial']} ({d['asset_tag']}, {d['model']})"

    listed([Line(indent + 2, op="add", label=desc(d)) for d in dc.added])
    listed([Line(indent + 2, op="remove", label=desc(d)) for d in dc.removed])
    listed(
        [Line(indent + 2, op="add", label=s, note=f"moved here from {f}") for s, f in dc.moved_in]
    )
    listed([Line(indent + 2, op="remove", label=s, note=f"moved to {t}") for s, t in dc.moved_out])
    for serial, changes in dc.changed[:DEVICE_LINES]:
        rows.append(Line(indent + 2, text=serial))
        rows.extend(change_lines([(c, "") for c in changes], indent + 4))
    if len(dc.changed) > DEVICE_LINES:
        rows.append(Line(indent + 2, text=f"… and {len(dc.changed) - DEVICE_LINES} more changed"))
    return out + rows


def school_summary(sp: SchoolPlan) -> str:
    parts = []
    if sp.status != "changed":
        parts.append(f"school {sp.status}")
    for n, word in ((sp.settings_count, "setting"), (sp.apps_count, "app")):
        if n:
            parts.append(f"{n} {word}{'s' if n != 1 else ''}")
    if sp.devices.count:
        parts.append(f"{sp.devices.count} device change{'s' if sp.devices.count != 1 else ''}")
    return ", ".join(parts)


def school_block(sp: SchoolPlan) -> Block:
    title = f"{sp.id} — {sp.name} ({sp.platform}, {sp.devices_total} devices)"
    block = Block(title, school_summary(sp))
    lines = block.lines
    lines += [Line(2, text=n) for n in sp.notes]
    if sp.inputs:
        lines.append(Line(2, text="changed inputs: " + ", ".join(sp.inputs)))
    if sp.params:
        lines.append(Line(2, text="parameters (effective values)"))
        for p in sp.params:
            note = ", ".join(
                n for n, on in (("locked", p.locked), ("profile default", p.default)) if on
            )
            for head, e in _expand(p.change):
                label = dotted((*head, *e.path))
                lines.append(
                    Line(4, op=e.op, label=label, old=show(e.old), new=show(e.new), note=note)
                )
    if sp.apps:
        lines.append(Line(2, text="apps"))
        for a in sp.apps:
            if a.op == "change":
                lines.append(Line(4, text=a.app))
                lines += change_lines([(c, "") for c in a.changes], 6)
            else:
                chosen = a.new if a.op == "add" else a.old
                assert chosen is not None
                lines.append(Line(4, op=a.op, label=a.app, note=chosen["install"]))
    if sp.devices.count:
        lines += _devices(sp.devices, 2)
    for ad in sp.artifacts:
        lines += _artifact(ad, 2)
    return block


def file_lines(fc: FileChange) -> list[Line]:
    op = {"added": "add", "removed": "remove"}.get(fc.status, "change")
    if fc.kind == "estate":
        reach = "reaches every school"
    else:
        reach = f"reaches {len(fc.schools)} school{'s' if len(fc.schools) != 1 else ''}"
        if fc.schools:
            reach += f" ({len(fc.effective)} change): " + ", ".join(fc.schools)
    out = [Line(2, op=op, label=fc.path, note=reach)]
    return out + change_lines([(c, "") for c in fc.changes], 6)


def estate_block(plan: Plan) -> Block | None:
    if not (plan.estate_files or plan.estate_artifacts):
        return None
    block = Block("Estate-wide changes")
    for fc in plan.estate_files:
        block.lines += file_lines(fc)
    for ad in plan.estate_artifacts:
        block.lines += _artifact(ad, 2)
    return block


def locked_block(plan: Plan) -> Block | None:
    if not plan.locked:
        return None
    block = Block("Locked settings (no school can change them)")
    for lc in plan.locked:
        reach = f"{lc.note}; reaches {len(lc.schools)} schools"
        block.lines.append(
            Line(
                2,
                op="change",
                label=f"{lc.profile}.{lc.parameter}",
                old=show(lc.old),
                new=show(lc.new),
                note=reach,
            )
        )
    return block


def shared_block(plan: Plan) -> Block | None:
    if not plan.shared:
        return None
    block = Block("Shared profiles, templates and catalogue entries")
    for fc in plan.shared:
        block.lines += file_lines(fc)
    return block


def totals(plan: Plan) -> dict[str, int]:
    return {
        "schools": len(plan.schools),
        "settings": sum(s.settings_count for s in plan.schools),
        "apps": sum(s.apps_count for s in plan.schools),
        "devices": sum(s.devices.count for s in plan.schools),
        "devices_affected": sum(
            s.devices_total
            for s in plan.schools
            if (s.settings_count or s.apps_count) and s.status != "removed"
        ),
    }
