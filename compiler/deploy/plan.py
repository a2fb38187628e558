"""The diff: desired objects (from the build) against managed objects (from the MDM), by key and
content. Pure functions; `deploy --dry-run`, `deploy` and `drift` share them.

An object is ours only if it carries our marker; objects are matched by the marker's key, never
by display name. Within a run's scope (the schools it covers) a desired object is created when
no object of its key exists, updated when the live one differs (content, description with the
marker's hash and secret fingerprint), and an object of ours whose key is no longer desired is
an orphan, deleted only with --prune.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.artifact import ESTATE
from compiler.deploy.adapter import Adapter
from compiler.deploy.buildread import Desired
from compiler.deploy.compare import differences
from compiler.deploy.marker import FINGERPRINT, with_fingerprint
from compiler.deploy.model import LiveObject, LiveState
from compiler.deploy.refs import ID_KINDS, REF, substitute


@dataclass
class Step:
    action: str  # create update replace unchanged orphan delete duplicate lookup missing blocked
    key: str
    collection: str
    desired: Desired | None = None
    live: LiveObject | None = None
    changes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """The schools a run may touch; None: the whole estate (estate-wide objects included)."""

    schools: frozenset[str] | None

    def covers(self, key: str) -> bool:
        school = key.split("/", 1)[0]
        if self.schools is None:
            return True
        return school == ESTATE or school in self.schools

    def owns(self, key: str) -> bool:
        """A group (or assignment to it) of a school the run covers."""
        return self.schools is None or key.split("/", 1)[0] in self.schools

    def may_delete(self, key: str) -> bool:
        school = key.split("/", 1)[0]
        return self.schools is None or (school != ESTATE and school in self.schools)


def resolver(ids: Mapping[str, str]) -> Callable[[str, str], str | None]:
    return lambda _kind, name: ids.get(name)


def desired_body(
    d: Desired, ids: Mapping[str, str], fingerprint: str | None, strict: bool
) -> dict[str, Any]:
    """The body to write or compare: references resolved (left as they are when unknown and not
    `strict`), the secrets' fingerprint in the description. Secrets stay placeholders here."""
    lookup = resolver(ids)
    if strict:
        body = substitute(d.body, lookup, ID_KINDS)
    else:
        body = substitute(d.body, lambda k, n: lookup(k, n) or f"${{{k}:{n}}}", ID_KINDS)
    out: dict[str, Any] = body
    for holder in descriptions(out):
        holder["description"] = with_fingerprint(holder["description"], fingerprint)
    return out


def descriptions(value: Any) -> list[dict[str, Any]]:
    """The mappings whose `description` may carry the marker (top level for Graph, `general`
    for Jamf Pro): where the secrets' fingerprint goes."""
    out: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("description"), str):
                out.append(item)
            stack.extend(v for v in item.values() if isinstance(v, dict))
    return out


def compare(
    adapter: Adapter, body: dict[str, Any], live: LiveObject, check_fingerprint: bool
) -> list[str]:
    want, have = adapter.views(body, live)
    if not check_fingerprint:
        for holder in [*descriptions(want), *descriptions(have)]:
            holder["description"] = FINGERPRINT.sub("", holder["description"])
    diffs = differences(want, have)
    if (
        isinstance(want, dict)
        and "description" in want
        and have.get("description") != want["description"]
    ) and not any(d.startswith("description") for d in diffs):
        diffs.append("description: marker or secret fingerprint differs")
    return diffs


def diff_objects(
    adapter: Adapter,
    desired: Iterable[Desired],
    live: LiveState,
    scope: Scope,
    fingerprints: Mapping[str, str | None],
    check_fingerprints: bool,
) -> tuple[list[Step], dict[str, str]]:
    """Steps for every desired object in scope and every orphan; and the ids known now."""
    owned: dict[tuple[str, str], list[LiveObject]] = {}
    for obj in live.owned:
        if obj.key is not None:
            owned.setdefault((obj.collection, obj.key), []).append(obj)
    ids: dict[str, str] = {}
    for (_, key), objs in owned.items():
        ids.setdefault(key, min(objs, key=lambda o: (o.created, o.id)).id)
    ids.update({k: o.id for k, o in live.found.items()})
    steps: list[Step] = []
    wanted: set[tuple[str, str]] = set()
    for d in desired:
        if not scope.covers(d.key):
            continue
        wanted.add((d.collection, d.key))
        if d.lookup is not None:
            if d.key in live.found:
                steps.append(Step("lookup", d.key, d.collection, d, live.found[d.key]))
            else:
                problem = live.problems.get(d.key, "not found")
                steps.append(Step("missing", d.key, d.collection, d, changes=[problem]))
            continue
        if d.action == "import":
            continue
        body = desired_body(d, ids, fingerprints.get(d.key), strict=False)
        candidates = owned.get((d.collection, d.key), [])
        blocked = live.blocked.get(d.key)
        if not candidates:
            if blocked:
                steps.append(Step("blocked", d.key, d.collection, d, None, [blocked]))
            else:
                steps.append(Step("create", d.key, d.collection, d))
            continue
        scored = sorted(
            ((compare(adapter, body, o, check_fingerprints), o) for o in candidates),
            key=lambda t: (len(t[0]), t[1].created, t[1].id),
        )
        diffs, primary = scored[0]
        ids[d.key] = primary.id
        if blocked and diffs:
            steps.append(Step("blocked", d.key, d.collection, d, primary, [blocked]))
        elif adapter.replaces(body, primary):
            steps.append(
                Step("replace", d.key, d.collection, d, primary, ["the object's type changed"])
            )
        elif diffs:
            steps.append(Step("update", d.key, d.collection, d, primary, diffs))
        else:
            steps.append(Step("unchanged", d.key, d.collection, d, primary))
        for _, extra in scored[1:]:
            steps.append(
                Step(
                    "duplicate",
                    d.key,
                    d.collection,
                    None,
                    extra,
                    ["another object has the same marker"],
                )
            )
    for (collection, key), objs in sorted(owned.items()):
        if (collection, key) in wanted or not scope.may_delete(key):
            continue
        for obj in objs:
            steps.append(Step("orphan", key, collection, None, obj, ["no longer in the build"]))
    return steps, ids


def dependency_levels(steps: list[Step]) -> list[list[Step]]:
    """Creates/updates in order: an object whose body names another (`${object:}`, `${app:}`)
    comes after it. Groups are written first by the engine anyway."""
    pending = {s.key: s for s in steps}
    levels: list[list[Step]] = []
    done: set[str] = set()
    for _ in range(len(steps) + 1):
        if not pending:
            return levels
        ready = []
        for key, s in pending.items():
            assert s.desired is not None
            needs = {n for k, n in REF.findall(repr(s.desired.body)) if k in ID_KINDS}
            if not (needs & (set(pending) - {key})):
                ready.append(s)
        if not ready:
            raise ValueError(
                "objects reference each other in a cycle: " + ", ".join(sorted(pending))
            )
        levels.append(ready)
        for s in ready:
            done.add(s.key)
            del pending[s.key]
    return levels
