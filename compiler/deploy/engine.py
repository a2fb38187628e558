"""The reconcile engine: read, diff, order, apply. It knows no MDM (see adapter.py).

Order of writes: groups; objects (an object after the objects its body names); links between
objects; assignments; imports; deletes last (only with --prune, under the deletion guard).
A create whose answer was lost is looked for by its marker before it is tried again, so a
create that succeeded but answered 500 never makes a duplicate, in this run or the next. A create
the MDM refuses because the name is taken (Jamf Pro: 409) is looked for once (it may be ours,
made by a try whose answer was lost) and never sent again. An object whose name an object
without our marker holds is never written: that object is named in the error, never adopted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from compiler.deploy.adapter import Adapter
from compiler.deploy.buildread import Desired
from compiler.deploy.errors import DeployError
from compiler.deploy.model import LiveObject, LiveState, Outcome, Write
from compiler.deploy.plan import Scope, Step, dependency_levels, desired_body, diff_objects
from compiler.deploy.refs import Unresolved
from compiler.deploy.relations import assignment_writes, create_assignments, link_writes
from compiler.deploy.report import Report
from compiler.deploy.secrets import Secrets

CREATE_ROUNDS = 3  # a create is tried at most this often (each after looking for it)


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    prune: bool = False
    max_deletions: int = 5
    check_fingerprints: bool = True


@dataclass
class Engine:
    adapter: Adapter
    secrets: Secrets
    report: Report
    options: Options
    ids: dict[str, str] = field(default_factory=dict)
    owned_ids: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)  # secrets filled in
    prints: dict[str, str | None] = field(default_factory=dict)  # key -> secret fingerprint
    # assignments an object got with its create (adapters whose create carries them)
    assigned: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    scope: Scope = field(default_factory=lambda: Scope(None))

    # ---- planning -------------------------------------------------------------------------
    def run(self, desired: Sequence[Desired], scope: Scope) -> None:
        desired = [d for d in desired if scope.covers(d.key)]
        self.scope = scope
        self.report.phase(f"reading {self.adapter.title}")
        live = self.adapter.read(desired)
        prints = {d.key: self.secrets.fingerprint(d.secrets) for d in desired if d.secrets}
        steps, self.ids = diff_objects(
            self.adapter, desired, live, scope, prints, self.options.check_fingerprints
        )
        self.owned_ids = {o.id for o in live.owned}
        deletes = [s for s in steps if s.action in ("orphan", "duplicate")]
        if self.options.prune and len(deletes) > self.options.max_deletions:
            raise DeployError(
                f"{len(deletes)} objects would be deleted, more than --max-deletions "
                f"{self.options.max_deletions}; nothing was changed. Check the build (is it "
                "the whole estate?), then raise --max-deletions if this is intended: "
                + ", ".join(sorted({s.key for s in deletes})[:10])
            )
        self._prepare(steps, prints)  # fills every secret before the first write
        for s in steps:
            if s.action == "missing":
                self.report.add(
                    s.key, "lookup", "failed", error=f"not found in the MDM: {s.changes[0]}"
                )
                self.failed.add(s.key)
            elif s.action == "blocked":
                self._fail(s.key, "create" if s.live is None else "update", s.changes[0])
        for key, action, text in live.warnings:
            self.report.add(key, action, "warning", changes=[text])
        if self.options.dry_run:
            self._plan_only(steps, desired, live, scope)
            return
        self.report.phase("writing")
        # device imports depend on nothing else: they run (and are polled) meanwhile
        with ThreadPoolExecutor(max_workers=1) as side:
            imports = side.submit(self._imports, desired, live, True)
            self._apply_objects([s for s in steps if s.desired and s.desired.kind == "group"])
            others = [s for s in steps if s.desired and s.desired.kind != "group"]
            self._apply_objects([s for s in others if s.action != "lookup"])
            self._links(desired, live, apply=True)
            self._assignments(desired, live, scope, apply=True)
            imports.result()
        self._deletes(steps)

    def _prepare(self, steps: list[Step], prints: dict[str, str | None]) -> None:
        for s in steps:
            d = s.desired
            if d is None or s.action not in ("create", "update", "replace") or not d.secrets:
                continue
            values = {n: self.secrets.values[n] for n in d.secrets if n in self.secrets.values}
            if len(values) < len(d.secrets) and not self.options.dry_run:
                missing = sorted(set(d.secrets) - set(values))
                raise DeployError(f"{d.key}: secret values missing: {', '.join(missing)}")
            if not self.options.dry_run:
                self.bodies[d.key] = self.adapter.fill_secrets(d, d.body, values)
        self.prints = prints

    def _body(self, d: Desired) -> dict[str, Any]:
        filled = dataclasses.replace(d, body=self.bodies.get(d.key, d.body))
        return desired_body(filled, self.ids, self.prints.get(d.key), strict=True)

    def _plan_only(
        self, steps: list[Step], desired: Sequence[Desired], live: LiveState, scope: Scope
    ) -> None:
        for s in steps:
            if s.action == "create":
                self.ids[s.key] = f"(new {s.key})"
        for s in steps:
            if s.action in ("lookup", "missing", "blocked"):
                continue
            if s.action == "create" and s.desired is not None:
                items = self._create_assignments(s.desired)
                if items is not None:
                    self.assigned[s.key] = next(iter(items.values()))
            action = s.action
            if s.action in ("orphan", "duplicate"):
                action = "delete" if self.options.prune else s.action
            status = "unchanged" if s.action == "unchanged" else "planned"
            self.report.add(s.key, action, status, changes=s.changes)
        self._links(desired, live, apply=False)
        self._assignments(desired, live, scope, apply=False)
        self._imports(desired, live, apply=False)

    # ---- objects --------------------------------------------------------------------------
    def _apply_objects(self, steps: list[Step]) -> None:
        for s in steps:
            if s.action == "unchanged":
                self.report.add(s.key, "unchanged", "unchanged")
        todo = [s for s in steps if s.action in ("create", "update", "replace")]
        try:
            levels = dependency_levels(todo)
        except ValueError as exc:
            raise DeployError(str(exc)) from None
        for level in levels:
            writes: list[tuple[Step, Write]] = []
            for s in level:
                assert s.desired is not None
                try:
                    body = self._body(s.desired)
                except Unresolved as exc:
                    self._fail(s.key, s.action, f"needs {exc}, which is not deployed")
                    continue
                if s.action == "update" and s.live is not None:
                    writes.append((s, self.adapter.update(s.desired, body, s.live, s.changes)))
                else:
                    w = Write("create", s.key, s.collection, s.desired.api, body=body)
                    items = self._create_assignments(s.desired)
                    if items is not None:
                        w.extra["assign"] = items
                    writes.append((s, w))
            self._run_creates_updates(writes)

    def _create_assignments(self, d: Desired) -> dict[str, list[dict[str, Any]]] | None:
        if not self.adapter.assign_on_create:
            return None
        return create_assignments(d, self.ids, self.scope)

    def _run_creates_updates(self, writes: list[tuple[Step, Write]]) -> None:
        for round_ in range(CREATE_ROUNDS):
            if not writes:
                return
            outcomes = self.adapter.execute([w for _, w in writes])
            unclear: list[tuple[Step, Write, Outcome]] = []
            for (s, w), out in zip(writes, outcomes, strict=True):
                if out.ambiguous and w.action == "create":
                    unclear.append((s, w, out))
                elif out.ok:
                    self._done(s, w, out)
                else:
                    self._fail(s.key, s.action, out.error, out.request_id)
            writes = []
            for collection in sorted({w.collection for _, w, _ in unclear}):
                found = self.adapter.find(collection)
                for s, w, out in unclear:
                    if w.collection != collection:
                        continue
                    old = s.live.id if s.live is not None else None
                    match = [o for o in found if o.key == s.key and o.id != old]
                    if match:
                        note = {"found": True, "assignments": match[0].assignments}
                        self._done(s, w, Outcome(True, match[0].id, out.request_id, detail=note))
                    elif out.conflict:  # the name is someone else's: trying again cannot help
                        self._fail(s.key, s.action, out.error, out.request_id)
                    elif round_ + 1 < CREATE_ROUNDS:
                        writes.append((s, w))  # not there: the create did not happen
                    else:
                        self._fail(s.key, s.action, out.error, out.request_id)

    def _done(self, s: Step, w: Write, out: Outcome) -> None:
        if w.action == "create" and out.id:
            self.ids[s.key] = out.id
            self.owned_ids.add(out.id)
            got = out.detail.get("assignments")
            if got is None and "assign" in w.extra:
                got = next(iter(w.extra["assign"].values()))
            if got is not None:
                self.assigned[s.key] = got
        note = ["found after an unclear answer"] if out.detail.get("found") else []
        self.report.add(s.key, s.action, "ok", request_id=out.request_id, changes=s.changes + note)

    def _fail(
        self, key: str, action: str, error: str | None, request_id: str | None = None
    ) -> None:
        self.failed.add(key)
        self.report.add(key, action, "failed", request_id=request_id, error=error or "failed")

    # ---- links and assignments -------------------------------------------------------------
    def _links(self, desired: Sequence[Desired], live: LiveState, apply: bool) -> None:
        writes, problems = link_writes(desired, live, self.ids, self.owned_ids, self.failed)
        for key, message in problems:
            self._fail(key, "link", message)
        if not apply:
            for w in writes:
                change = f"{w.extra['prop']}: {w.extra['ref']}"
                self.report.add(w.key, w.action, "planned", changes=[change])
            return
        for w, out in zip(writes, self.adapter.execute(writes), strict=True):
            if out.ambiguous and w.action == "link":  # look before trying again
                obj = LiveObject(w.collection, str(w.target), {})
                d = next(x for x in desired if x.key == w.key)
                there = w.extra["ref"] in self.adapter.links_of(obj, w.extra["prop"], d)
                out = Outcome(there, request_id=out.request_id, error=out.error)
            if out.ok:
                changes = [w.extra["prop"]]
                self.report.add(w.key, w.action, "ok", request_id=out.request_id, changes=changes)
            else:
                self._fail(w.key, w.action, out.error, out.request_id)

    def _assignments(
        self, desired: Sequence[Desired], live: LiveState, scope: Scope, apply: bool
    ) -> None:
        writes, problems = assignment_writes(
            self.adapter, desired, live, self.ids, scope, self.failed, self.assigned
        )
        for key, message in problems:
            self._fail(key, "assign", message)
        if not apply:
            for w in writes:
                count = len(next(iter(w.body.values())))
                self.report.add(w.key, "assign", "planned", changes=[f"{count} assignments"])
            return
        for w, out in zip(writes, self.adapter.execute(writes), strict=True):
            if out.ok:
                self.report.add(w.key, "assign", "ok", request_id=out.request_id)
            else:
                self._fail(w.key, "assign", out.error, out.request_id)

    # ---- imports --------------------------------------------------------------------------
    def _imports(self, desired: Sequence[Desired], live: LiveState, apply: bool) -> None:
        writes: list[Write] = []
        for d in desired:
            if d.action != "import":
                continue
            records = live.records.get(d.collection, {})
            items = self.adapter.import_items(d)
            new = [item for k, item in items if k not in records]
            rejected = sorted(
                f"{k} ({records[k][10:]})"
                for k, _ in items
                if records.get(k, "").startswith("rejected")
            )
            if rejected:
                self.report.add(
                    d.key,
                    "import",
                    "warning",
                    changes=["rejected earlier: " + ", ".join(rejected[:20])],
                )
            if new:
                writes.append(Write("import", d.key, d.collection, d.api, body=new))
            elif not rejected:
                self.report.add(d.key, "import", "unchanged")
        if not apply:
            for w in writes:
                self.report.add(w.key, "import", "planned", changes=[f"{len(w.body)} devices"])
            return
        for w, out in zip(writes, self.adapter.execute(writes), strict=True):
            status = "ok" if out.ok else "failed"
            if not out.ok:
                self.failed.add(w.key)
            self.report.add(
                w.key,
                "import",
                status,
                request_id=out.request_id,
                error=out.error,
                changes=out.detail.get("notes", []),
            )

    # ---- deletes --------------------------------------------------------------------------
    def _deletes(self, steps: Iterable[Step]) -> None:
        old = [s for s in steps if s.action == "replace" and s.key not in self.failed]
        gone = [s for s in steps if s.action in ("orphan", "duplicate")]
        if not self.options.prune:
            for s in gone:
                self.report.add(
                    s.key, s.action, "skipped", changes=[*s.changes, "kept: --prune deletes it"]
                )
            gone = []
        for group_pass in (False, True):  # objects first, their groups last
            batch = [
                s
                for s in [*old, *gone]
                if (s.key.split("/")[2] == "group") == group_pass and s.live is not None
            ]
            writes = [
                Write("delete", s.key, s.collection, s.desired.api if s.desired else "", s.live.id)
                for s in batch
                if s.live
            ]
            for s, out in zip(batch, self.adapter.execute(writes), strict=True):
                if out.ok:
                    self.report.add(
                        s.key, "delete", "ok", request_id=out.request_id, changes=s.changes
                    )
                else:
                    self._fail(s.key, "delete", out.error, out.request_id)
