"""Changed files outside the school folders: estate settings, secrets, profiles, templates,
catalogue entries. Each is shown as a data diff with every school it reaches; changes to
locked parameters are pulled out, because they reach devices no school can opt out of."""

from __future__ import annotations

from typing import Any, Protocol

from compiler.load import DEFAULT_MAX_YAML, ESTATE_FILE, SECRETS_FILE
from compiler.model import Estate, Profile
from compiler.params import placeholder
from compiler.plan.diff import MISSING, Change, diff
from compiler.plan.model import FileChange, LockedChange
from compiler.plan.values import SECRET
from compiler.resolve import resolve_school
from compiler.yamlload import load_yaml


class Readable(Protocol):
    def exists(self, rel: str) -> bool: ...

    def read(self, rel: str) -> bytes: ...


def kind_of(path: str) -> str:
    if path == ESTATE_FILE:
        return "estate"
    if path == SECRETS_FILE:
        return "secrets"
    for prefix, kind in (("profiles/", "profile"), ("templates/", "template"), ("catalog/", "app")):
        if path.startswith(prefix):
            return kind
    return "other"


def _data(estate: Estate | None, src: Readable, path: str) -> Any:
    if estate is not None and path in estate.documents:
        return estate.documents[path].data
    if not src.exists(path):
        return MISSING
    doc, _ = load_yaml(path, src.read(path), DEFAULT_MAX_YAML)
    return doc.data if doc.data is not None else "(not readable YAML)"


def _secret_users(estate: Estate | None) -> dict[str, set[str]]:
    users: dict[str, set[str]] = {}
    if estate is None:
        return users
    for sid, school in estate.schools.items():
        for applied in resolve_school(estate, school).profiles:
            for name in applied.secrets:
                users.setdefault(name, set()).add(sid)
    return users


def file_change(
    path: str,
    reach: list[str],
    base: tuple[Estate | None, Readable],
    head: tuple[Estate | None, Readable],
) -> FileChange:
    old, new = _data(*base, path), _data(*head, path)
    status = "added" if old is MISSING else "removed" if new is MISSING else "changed"
    changes = diff(old, new) if status == "changed" else []
    schools = list(reach)
    if path == SECRETS_FILE:  # a secret's entry reaches the schools that use it
        changes = _renames(changes)
        names = {c.path[1] for c in changes if len(c.path) > 1 and c.path[0] == "secrets"}
        names |= {
            m.group(1)
            for c in changes
            for v in (c.old, c.new)
            if isinstance(v, str) and (m := SECRET.fullmatch(v))
        }
        users = [_secret_users(base[0]), _secret_users(head[0])]
        schools = sorted({s for u in users for n in names for s in u.get(n, ())})
    return FileChange(path, status, kind_of(path), changes, schools)


def _renames(changes: list[Change]) -> list[Change]:
    """A secret removed and one added with the same entry: a rename, said by name only."""
    added = {c.path[1]: c for c in changes if c.op == "add" and len(c.path) == 2}
    out = []
    for c in changes:
        if c.op == "remove" and len(c.path) == 2:
            twin = next((a for a in added.values() if a.new == c.old), None)
            if twin is not None:
                del added[twin.path[1]]
                out.append(
                    Change(
                        (c.path[0], "(renamed)"), placeholder(c.path[1]), placeholder(twin.path[1])
                    )
                )
                continue
        out.append(c)
    kept = {id(a) for a in added.values()}
    return [c for c in out if c.op != "add" or len(c.path) != 2 or id(c) in kept]


def _default(profile: Profile | None, name: str) -> Any:
    if profile is None:
        return MISSING
    sub = profile.parameters.get("properties", {}).get(name)
    return sub.get("default", MISSING) if isinstance(sub, dict) else MISSING


def locked_changes(
    base: Estate | None, head: Estate | None, reach: dict[str, list[str]]
) -> list[LockedChange]:
    out = []
    ids = set(base.profiles if base else ()) | set(head.profiles if head else ())
    for pid in sorted(ids):
        old = base.profiles.get(pid) if base else None
        new = head.profiles.get(pid) if head else None
        old_locked = set(old.locked) if old else set()
        new_locked = set(new.locked) if new else set()
        either = new or old
        path = either.path if either is not None else ""
        for name in sorted(old_locked | new_locked):
            before, after = _default(old, name), _default(new, name)
            if name not in old_locked:
                note = "now locked"
            elif name not in new_locked:
                note = "no longer locked"
            elif before != after or type(before) is not type(after):
                note = "default changed"
            else:
                continue
            out.append(LockedChange(pid, name, before, after, note, list(reach.get(path, []))))
    return out
