"""The plan between two revisions: read both from git, render what changed, compare.

head defaults to the working tree. Only schools whose inputs differ (by git blob id) are
rendered; when the compiler itself differs between the revisions, a side whose compiler is
not the running one is built by its own compiler (foreign.py) and the plan says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compiler.artifact import ESTATE, Artifact
from compiler.build import BuildOptions, build, render_estate, selected
from compiler.diagnostics import Diagnostic
from compiler.generated import GENERATED
from compiler.load import Memo
from compiler.model import Estate
from compiler.pipeline import check_estate
from compiler.plan import artifacts as arts
from compiler.plan import school as per_school
from compiler.plan.gitsource import GitTreeSource, Repository, WorkingTreeSource
from compiler.plan.model import Plan, SchoolPlan, Side
from compiler.plan.scope import Scope, changed_inputs, code_identity, running_compiler, scope
from compiler.plan.shared import file_change, kind_of, locked_changes
from compiler.render.context import FILTERS
from compiler.resolve import resolve_school
from compiler.templating import Engine

Source = GitTreeSource | WorkingTreeSource
ORDER = ("settings", "apps", "devices")


@dataclass
class Loaded:
    side: Side
    src: Source
    estate: Estate | None  # read by this compiler (None if it has findings here)
    foreign: bool  # built by the revision's own compiler
    artifacts: list[Artifact] | None = None


def _render(
    estate: Estate, schools: set[str], engine: Engine
) -> tuple[list[Artifact], list[Diagnostic]]:
    wanted = tuple(sorted(schools & estate.schools.keys()))
    if wanted:
        result = build(estate, BuildOptions(schools=wanted), engine)
        return result.artifacts, result.diagnostics
    configs = [resolve_school(estate, s) for s in selected(estate, ())]
    return render_estate(estate, configs), []


def _code(src: Source) -> dict[str, str] | None:
    """The compiler a revision holds (None: it holds none, so the running one builds it)."""
    if isinstance(src, WorkingTreeSource) or not src.exists("compiler/__init__.py"):
        return None
    return code_identity({p: e.sha for p, e in src.entries.items() if e.kind == "blob"})


def _load(
    repo: Repository, rev: str | None, root: Path, prefix: str, head: bool, memo: Memo
) -> Loaded:
    if rev is None:
        src: Source = WorkingTreeSource(root)
        side = Side("working tree", None)
    else:
        commit = repo.commit(rev)
        src = GitTreeSource(repo, repo.listing(commit), prefix)
        side = Side(rev, commit)
    code = _code(src)
    foreign = code is not None and code != running_compiler()
    estate, diags = check_estate(src, generated_check=head and not foreign, memo=memo)
    loaded = Loaded(side, src, estate, foreign)
    if foreign:
        from compiler.plan.foreign import build_revision  # subprocess, tar: only when needed

        assert side.commit is not None
        built = build_revision(repo, side.commit, prefix)
        loaded.artifacts = built.artifacts
        side.diagnostics = built.diagnostics
        side.built_with = f"its own compiler ({side.commit[:12]})"
    else:
        side.diagnostics = diags
    return loaded


def _school_plan(sid: str, base: Loaded, head: Loaded, found: Scope) -> SchoolPlan:
    b, h = base.estate, head.estate
    school = (h.schools.get(sid) if h else None) or (b.schools.get(sid) if b else None)
    in_base = b is not None and sid in b.schools
    in_head = h is not None and sid in h.schools
    status = "changed" if in_base and in_head else "added" if in_head else "removed"
    holder = h if in_head else b
    inventory = holder.inventories.get(sid, []) if holder is not None else []
    plan = SchoolPlan(
        sid,
        school.name if school else sid,
        school.platform if school else "",
        status,
        len(inventory),
        inputs=sorted(p for p, schools in found.reach.items() if sid in schools),
    )
    if (b is None and base.foreign) or (h is None and head.foreign):
        plan.notes.append("parameters and apps not compared: this compiler cannot read one side")
    plan.params = per_school.param_changes(b, h, sid)
    plan.apps = per_school.app_changes(b, h, sid)
    return plan


def make_plan(root: Path, base_rev: str, head_rev: str | None) -> Plan:
    repo = Repository(root)
    try:
        rel = root.resolve().relative_to(repo.workdir).as_posix()
        prefix = "" if rel == "." else rel
        memo: Memo = {}  # the two revisions share most files: each is parsed once
        base = _load(repo, base_rev, root, prefix, False, memo)
        head = _load(repo, head_rev, root, prefix, True, memo)
        return _compare(base, head)
    finally:
        repo.close()


def _compare(base: Loaded, head: Loaded) -> Plan:
    plan = Plan(base.side, head.side)
    if head.side.diagnostics:
        return plan  # the head has findings: nothing to plan until they are fixed
    found = scope(
        changed_inputs(base.src, head.src), (base.estate, base.src), (head.estate, head.src)
    )
    if base.foreign or head.foreign:
        found = Scope(found.changed_files, set(), found.reach, True)
        plan.notes.append(
            f"The compiler differs between the revisions: the base was built with "
            f"{base.side.built_with}, the head with {head.side.built_with}."
        )
    everything = found.everything or base.foreign or head.foreign
    rendered: dict[str, list[Artifact]] = {}
    engine = Engine(FILTERS)  # compiled template expressions are shared by both sides
    for name, loaded in (("base", base), ("head", head)):
        if loaded.artifacts is not None:
            rendered[name] = loaded.artifacts
        elif loaded.estate is not None:
            wanted = set(loaded.estate.schools) if everything else found.schools
            out, diags = _render(loaded.estate, wanted, engine)
            rendered[name] = out
            loaded.side.diagnostics.extend(diags)
        else:
            rendered[name] = []
    if head.side.diagnostics:
        return plan
    if base.side.diagnostics and not rendered["base"]:
        plan.notes.append(
            "The base has findings and cannot be built: what the change reaches shows as added."
        )
    schools = (
        {a.school for a in rendered["base"] + rendered["head"]} - {ESTATE}
        if everything
        else set(found.schools)
    )
    plan.rendered = sorted(schools)
    plan.schools_total = len(
        set(base.estate.schools if base.estate else ())
        | set(head.estate.schools if head.estate else ())
        | schools
    )
    keep = schools | {ESTATE}
    diffs = arts.compare_all(
        [a for a in rendered["base"] if a.school in keep],
        [a for a in rendered["head"] if a.school in keep],
    )
    plan.estate_artifacts = [d for d in diffs if d.school == ESTATE]
    devices = per_school.device_changes(base.estate, head.estate, schools)
    for sid in sorted(schools | devices.keys()):
        sp = _school_plan(sid, base, head, found)
        sp.artifacts = [d for d in diffs if d.school == sid]
        sp.devices = devices.get(sid, sp.devices)
        arts.collapse_copies(sp.artifacts)
        sp.artifacts.sort(key=lambda d: (ORDER.index(d.category), bool(d.same_as), d.path))
        arts.attach_origins(sp.artifacts, sp.params)
        if not sp.empty:
            plan.schools.append(sp)
    _files(plan, base, head, found)
    return plan


def _files(plan: Plan, base: Loaded, head: Loaded, found: Scope) -> None:
    changed = {s.id for s in plan.schools}
    generated = {g.path for g in GENERATED}  # follow the estate; validate checks them
    for path in found.changed_files:
        if path in generated:
            plan.no_effect.append(path)
            continue
        if path.startswith("schools/"):
            if not set(found.reach.get(path, [])) & changed:
                plan.no_effect.append(path)
            continue
        fc = file_change(
            path, found.reach.get(path, []), (base.estate, base.src), (head.estate, head.src)
        )
        fc.effective = [s for s in fc.schools if s in changed]
        if not fc.changes and fc.status == "changed":
            plan.no_effect.append(path)  # the same data: comments or formatting
        elif kind_of(path) in ("estate", "secrets"):
            plan.estate_files.append(fc)
        else:
            plan.shared.append(fc)
    plan.locked = locked_changes(base.estate, head.estate, found.reach)
