"""Build: render every school (or a selection) into artifacts plus the manifest."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from compiler import plaintext
from compiler.artifact import Artifact, canonical_json, manifest_row, outputs_digest
from compiler.diagnostics import Diagnostic
from compiler.inputs import InputHasher
from compiler.model import Estate, School
from compiler.paths import path_problem
from compiler.plaintext import TextError
from compiler.render import apple, intune_apple, inventory, jamf, windows
from compiler.render.context import FILTERS
from compiler.resolve import SchoolConfig, resolve_school
from compiler.templating import EmptyProfile, Engine, TemplateFailure

if TYPE_CHECKING:
    from compiler.signing import Signer  # cryptography loads only when a build signs


@dataclass(frozen=True)
class BuildOptions:
    schools: tuple[str, ...] = ()  # empty: all
    binary_plist: bool = False
    signer: Signer | None = None
    # a previous build's artifacts per school, with the input hash they were made from
    previous: Mapping[str, tuple[str, list[Artifact]]] | None = None

    @property
    def cacheable(self) -> bool:
        # signatures carry a signing time (build/ never holds a secret value: deploy fills them)
        return self.signer is None


@dataclass(frozen=True)
class BuildResult:
    artifacts: list[Artifact]
    diagnostics: list[Diagnostic]
    inputs: dict[str, str]  # school id -> input hash (cacheable builds only)
    reused: int  # schools taken from the previous build


def selected(estate: Estate, names: Iterable[str]) -> list[School]:
    wanted = set(names)
    return [estate.schools[s] for s in sorted(estate.schools) if not wanted or s in wanted]


def render_school(
    estate: Estate, cfg: SchoolConfig, engine: Engine, options: BuildOptions
) -> list[Artifact]:
    """Every artifact of one school; a pure function of the school's configuration."""
    if cfg.school.platform == "windows":
        return [*windows.render_school(estate, cfg, engine), *inventory.render_school(cfg)]
    mdm = estate.settings.mdm_apple  # intune | jamf | files (profiles only, exported as files)
    rendered = apple.render_school(estate, cfg, engine, options.binary_plist)
    # Jamf Pro takes the unsigned plist and signs it itself: made before any signing
    jamf_objects = jamf.render_school(estate, cfg, rendered) if mdm == "jamf" else []
    if options.signer is not None:
        signer = options.signer
        rendered = [
            dataclasses.replace(a, content=signer.sign(a.content)) if a.kind == "profile" else a
            for a in rendered
        ]
    out = [*rendered, *inventory.render_school(cfg), *jamf_objects]
    if mdm == "intune":
        out.extend(
            intune_apple.render_school(estate, cfg, [a for a in rendered if a.kind == "profile"])
        )
    return out


def render_estate(estate: Estate, configs: list[SchoolConfig]) -> list[Artifact]:
    """Tenant-wide objects (apps), always from every school so a partial build agrees with a full one."""
    out = windows.estate_apps(estate, configs)
    if estate.settings.mdm_apple == "intune":
        out.extend(intune_apple.estate_vpp_apps(estate, configs))
    return out


def build(estate: Estate, options: BuildOptions, engine: Engine | None = None) -> BuildResult:
    """`engine` may be shared by builds of the same templates (plan builds two revisions)."""
    engine = engine or Engine(FILTERS)
    artifacts: list[Artifact] = []
    diags: list[Diagnostic] = []
    inputs: dict[str, str] = {}
    previous = (options.previous or {}) if options.cacheable else {}
    hasher = InputHasher(estate, options.binary_plist)
    reused = 0
    wanted = {s.id for s in selected(estate, options.schools)}
    configs = [resolve_school(estate, school) for school in selected(estate, ())]
    for cfg in configs:
        if cfg.school.id not in wanted:
            continue
        if options.cacheable:
            inputs[cfg.school.id] = hasher.school(cfg)
            cached = previous.get(cfg.school.id)
            if cached is not None and cached[0] == inputs[cfg.school.id]:
                artifacts.extend(cached[1])
                reused += 1
                continue
        try:
            artifacts.extend(render_school(estate, cfg, engine, options))
        except EmptyProfile as exc:
            hint = "give the profile the values it needs on this platform (see the profile's parameters), or remove it"
            diags.append(
                Diagnostic(exc.path, exc.line, exc.col, "profile-empty", exc.message, hint)
            )
        except TextError as exc:  # validate checks every input; this is the last guard
            diags.append(
                Diagnostic(
                    cfg.school.path,
                    1,
                    1,
                    "invalid-text",
                    f"{exc} (rendering for school '{cfg.school.id}')",
                    "a template produced it from this school's values; tell the IT centre",
                )
            )
        except TemplateFailure as exc:
            msg = f"{exc.message} (rendering for school '{cfg.school.id}')"
            diags.append(
                Diagnostic(
                    exc.path,
                    exc.line,
                    exc.col,
                    "template-error",
                    msg,
                    "the template belongs to the IT centre; tell them, with this message",
                )
            )
    try:
        artifacts.extend(render_estate(estate, configs))
    except TextError as exc:
        diags.append(Diagnostic("catalog/apps", 1, 1, "invalid-text", str(exc), plaintext.HINT))
    artifacts.sort(key=lambda a: a.path)
    for art in artifacts:  # render checks its names; this holds for every artifact regardless
        problem = path_problem(art.path)
        if problem:
            source = art.sources[0] if art.sources else "schoolmdm.yaml"
            diags.append(Diagnostic(source, 1, 1, "unsafe-path", problem, UNSAFE_PATH_HINT))
    if estate.settings.mdm_apple == "jamf":
        diags.extend(jamf.name_clashes(estate, artifacts))
    return BuildResult(artifacts, sorted(set(diags)), inputs, reused)


UNSAFE_PATH_HINT = "an artifact may only be written inside the build folder; tell the IT centre"


def manifest(
    estate: Estate,
    artifacts: list[Artifact],
    inputs: dict[str, str] | None = None,
    scope: tuple[str, ...] = (),
) -> bytes:
    """`scope`: the schools a `--school` build covers (empty: the whole estate), so deploy
    --prune never reaches objects of schools the build does not hold."""
    rows = [manifest_row(a) for a in artifacts]
    by_school: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_school.setdefault(row["school"], []).append(row)
    cached = inputs or {}
    return canonical_json(
        {
            "version": 1,
            "organisation": estate.settings.organisation,
            "secrets": "placeholders",  # always: values are filled in by deploy, in memory
            "inputs": dict(sorted(cached.items())),
            # per cached school, a digest of its artifact rows: a rebuild reuses a school only
            # if its rows and files are exactly these
            "outputs": {s: outputs_digest(by_school.get(s, [])) for s in sorted(cached)},
            "scope": sorted(set(scope)) if scope else "estate",
            # which MDM serves which platform: deploy checks its target against it
            "mdm": {"apple": estate.settings.mdm_apple, "windows": estate.settings.mdm_windows},
            "artifacts": rows,
        }
    )
