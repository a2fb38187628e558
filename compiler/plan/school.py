"""One school, two revisions: its effective parameters, its apps and its devices."""

from __future__ import annotations

from typing import Any

from compiler.inventory import Device
from compiler.model import Estate
from compiler.plan.diff import MISSING, Change, diff
from compiler.plan.model import AppChange, DeviceChanges, ParamChange
from compiler.resolve import resolve_school

DEVICE_FIELDS = ("mac", "asset_tag", "model", "hardware_hash", "product_id")


def _effective(estate: Estate | None, sid: str) -> dict[str, Any]:
    """profile id -> the school's effective values (defaults applied, secrets as placeholders)."""
    if estate is None or sid not in estate.schools:
        return {}
    cfg = resolve_school(estate, estate.schools[sid])
    return {a.profile.id: a.values for a in cfg.profiles}


def param_changes(base: Estate | None, head: Estate | None, sid: str) -> list[ParamChange]:
    out = []
    for change in diff(_effective(base, sid), _effective(head, sid)):
        pid = change.path[0]
        estate = head if head is not None and pid in head.profiles else base
        assert estate is not None
        profile = estate.profiles[pid]
        name = change.path[1] if len(change.path) > 1 else ""
        school = estate.schools.get(sid)
        own = school.profiles.get(pid, {}) if school is not None else {}
        default = bool(name) and change.new is not MISSING and name not in own
        out.append(ParamChange(change, locked=name in profile.locked, default=default))
    return out


def _app(choice: Any) -> dict[str, Any]:
    return {"install": choice.install, "config": choice.config}


def app_changes(base: Estate | None, head: Estate | None, sid: str) -> list[AppChange]:
    def chosen(estate: Estate | None) -> dict[str, dict[str, Any]]:
        school = estate.schools.get(sid) if estate is not None else None
        return {c.app_id: _app(c) for c in school.apps} if school is not None else {}

    before, after = chosen(base), chosen(head)
    out = []
    for app in sorted(before.keys() | after.keys()):
        old, new = before.get(app), after.get(app)
        if old == new:
            continue
        op = "add" if old is None else "remove" if new is None else "change"
        changes = diff(old, new) if old is not None and new is not None else []
        out.append(AppChange(app, op, old, new, changes))
    return out


def _owners(estate: Estate | None, schools: set[str]) -> dict[str, tuple[str, Device]]:
    if estate is None:
        return {}
    return {
        d.serial.upper(): (sid, d)
        for sid, devices in estate.inventories.items()
        if sid in schools
        for d in devices
    }


def _row(d: Device) -> dict[str, str]:
    return {"serial": d.serial, "asset_tag": d.asset_tag, "model": d.model, "mac": d.mac}


def device_changes(
    base: Estate | None, head: Estate | None, schools: set[str]
) -> dict[str, DeviceChanges]:
    """Devices added, removed, moved between schools (by serial) or changed, per school.

    Only `schools` (those whose inputs changed) can differ: a device that moves changes the
    inventory files of both schools."""
    before, after = _owners(base, schools), _owners(head, schools)
    out: dict[str, DeviceChanges] = {}

    def at(sid: str) -> DeviceChanges:
        return out.setdefault(sid, DeviceChanges())

    for serial in sorted(before.keys() | after.keys()):
        old, new = before.get(serial), after.get(serial)
        if old is not None and new is not None and old[0] == new[0]:
            fields_old = {f: getattr(old[1], f) for f in DEVICE_FIELDS}
            fields_new = {f: getattr(new[1], f) for f in DEVICE_FIELDS}
            changes = hidden_values(diff(fields_old, fields_new))
            if changes:
                at(new[0]).changed.append((new[1].serial, changes))
        elif old is None and new is not None:
            at(new[0]).added.append(_row(new[1]))
        elif new is None and old is not None:
            at(old[0]).removed.append(_row(old[1]))
        elif old is not None and new is not None:
            at(new[0]).moved_in.append((new[1].serial, old[0]))
            at(old[0]).moved_out.append((old[1].serial, new[0]))
    return out


def hidden_values(changes: list[Change]) -> list[Change]:
    """A hardware hash is long and says nothing to a reader: only whether it is there."""
    out = []
    for c in changes:
        if c.path and c.path[-1] == "hardware_hash":
            c = Change(c.path, "(set)" if c.old else "(none)", "(set)" if c.new else "(none)")
        out.append(c)
    return out
