"""Build: render every school (or a selection) into artifacts plus the manifest."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from compiler.artifact import Artifact, canonical_json
from compiler.diagnostics import Diagnostic
from compiler.model import Estate, School
from compiler.render import apple, inventory
from compiler.render.context import FILTERS
from compiler.resolve import SchoolConfig, resolve_school
from compiler.templating import Engine, TemplateFailure

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BuildOptions:
    schools: tuple[str, ...] = ()  # empty: all
    binary_plist: bool = False
    secret_values: dict[str, str] | None = None


SchoolRenderer = Callable[[Estate, SchoolConfig, Engine, BuildOptions], list[Artifact]]
EstateRenderer = Callable[[Estate, list[SchoolConfig], Engine], list[Artifact]]


def _apple(estate: Estate, cfg: SchoolConfig, engine: Engine, options: BuildOptions) -> list[Artifact]:
    return apple.render_school(estate, cfg, engine, options.binary_plist)


SCHOOL_RENDERERS: dict[str, list[SchoolRenderer]] = {"apple": [_apple], "windows": []}
ESTATE_RENDERERS: list[EstateRenderer] = []


def selected(estate: Estate, names: Iterable[str]) -> list[School]:
    wanted = set(names)
    return [estate.schools[s] for s in sorted(estate.schools) if not wanted or s in wanted]


def build(estate: Estate, options: BuildOptions) -> tuple[list[Artifact], list[Diagnostic]]:
    engine = Engine(FILTERS)
    artifacts: list[Artifact] = []
    diags: list[Diagnostic] = []
    configs = []
    for school in selected(estate, options.schools):
        cfg = resolve_school(estate, school, options.secret_values)
        configs.append(cfg)
        try:
            for renderer in SCHOOL_RENDERERS[school.platform]:
                artifacts.extend(renderer(estate, cfg, engine, options))
            artifacts.extend(inventory.render_school(cfg))
        except TemplateFailure as exc:
            msg = f"{exc.message} (rendering for school '{school.id}')"
            diags.append(Diagnostic(exc.path, exc.line, exc.col, "template-error", msg, "the template belongs to the IT centre; tell them, with this message"))
    for estate_renderer in ESTATE_RENDERERS:
        try:
            artifacts.extend(estate_renderer(estate, configs, engine))
        except TemplateFailure as exc:
            diags.append(Diagnostic(exc.path, exc.line, exc.col, "template-error", exc.message))
    artifacts.sort(key=lambda a: a.path)
    return artifacts, sorted(set(diags))


def manifest(estate: Estate, artifacts: list[Artifact], secrets_filled: bool) -> bytes:
    rows: list[dict[str, Any]] = [
        {
            "key": a.key, "path": a.path, "school": a.school, "platform": a.platform, "kind": a.kind,
            "name": a.name, "sha256": a.sha256, "sources": list(a.sources), "secrets": list(a.secrets),
        }
        for a in artifacts
    ]
    return canonical_json({
        "version": 1,
        "organisation": estate.settings.organisation,
        "secrets": "filled-from-environment" if secrets_filled else "placeholders",
        "artifacts": rows,
    })
