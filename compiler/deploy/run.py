"""One deploy or drift run, wired together: build, scope, secrets, credentials, client, adapter,
engine, report. The CLI commands call `run` and turn its result into an exit code."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from compiler.deploy.auth import token_source
from compiler.deploy.buildread import load_build
from compiler.deploy.engine import Engine, Options
from compiler.deploy.errors import DeployError
from compiler.deploy.http import GraphClient, GraphFailure, RetryPolicy
from compiler.deploy.intune import LIMITS, IntuneAdapter
from compiler.deploy.pacing import Limit, Pacer
from compiler.deploy.plan import Scope
from compiler.deploy.report import Progress, Report, progress_for
from compiler.deploy.secrets import Redactor, read_secrets

if TYPE_CHECKING:
    from compiler.signing import Signer

SECRETS_JSON = "SCHOOLMDM_SECRETS_JSON"
SCHOOL_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class UsageProblem(Exception):
    """Wrong arguments: exit code 2."""


@dataclass(frozen=True)
class RunArgs:
    build: Path
    mode: str  # "deploy" | "drift"
    dry_run: bool
    prune: bool
    max_deletions: int
    schools: tuple[str, ...]
    report: Path | None
    graph_url: str
    signer: Signer | None = None


@dataclass(frozen=True)
class Tuning:
    """Pace limits, retry timing and import polling; tests and the benchmark scale them."""

    limits: Mapping[str, Limit] = field(default_factory=lambda: dict(LIMITS))
    policy: Callable[[], RetryPolicy] = RetryPolicy
    poll_interval: float = 10.0


def scope_for(build_scope: tuple[str, ...] | None, schools: tuple[str, ...]) -> Scope:
    for s in schools:
        if not SCHOOL_ID.fullmatch(s):
            raise UsageProblem(
                f"--school {s!r} is not a school id (lowercase letters, digits, '-')"
            )
    if build_scope is not None:
        outside = sorted(set(schools) - set(build_scope))
        if outside:
            raise UsageProblem(
                f"the build covers only {', '.join(build_scope)}; it cannot deploy {', '.join(outside)} "
                "(build the whole estate, or those schools)"
            )
        return Scope(frozenset(schools or build_scope))
    return Scope(frozenset(schools) if schools else None)


def run(
    args: RunArgs, env: Mapping[str, str], out: TextIO, err: TextIO, tuning: Tuning | None = None
) -> int:
    tuning = tuning or Tuning()
    redactor = Redactor()
    drift = args.mode == "drift"
    plain = drift or args.dry_run
    report = Report(redactor, Progress(err) if plain else progress_for(err, dict(env)))
    meta: dict[str, Any] = {
        "target": "intune",
        "mode": "drift" if drift else ("dry-run" if args.dry_run else "deploy"),
        "build": str(args.build),
    }
    code = 0
    client = None
    try:
        build = load_build(args.build)
        scope = scope_for(build.scope, args.schools)
        meta["schools"] = sorted(scope.schools) if scope.schools is not None else "all"
        desired = [d for d in build.desired if scope.covers(d.key)]
        needed = {n for d in desired for n in d.secrets}
        secrets, missing = read_secrets(
            needed, with_secrets_json(env), redactor, required=not plain
        )
        if missing:
            report.note("secret fingerprints not compared (not set: " + ", ".join(missing) + ")")
        tokens = token_source(env, args.graph_url, redactor)
        pacer = Pacer(tuning.limits)
        client = GraphClient(args.graph_url, tokens, pacer, tuning.policy(), redact=redactor)
        client.batching = not plain  # $batch is a POST: a dry run sends none at all
        adapter = IntuneAdapter(client, args.signer, tuning.poll_interval)
        options = Options(
            dry_run=plain,
            prune=args.prune,
            max_deletions=args.max_deletions,
            check_fingerprints=not missing,
        )
        Engine(adapter, secrets, report, options).run(desired, scope)
        meta["requests"] = client.round_trips
        meta["paced_seconds"] = round(pacer.waited, 1)
    except UsageProblem:
        raise
    except (DeployError, GraphFailure) as exc:
        message = redactor(str(exc))
        report.note(f"stopped: {message}")
        print(f"error: {message}", file=err)
        code = 1
    finally:
        if client is not None:
            client.close()
        report.progress.close()
    if report.failed:
        code = 1
    changes = [e for e in report.entries if e.status in ("planned", "skipped", "warning", "failed")]
    if plain:
        for e in changes:
            detail = "; ".join(e.changes[:5]) or (e.error or "")
            print(
                redactor(f"{_label(e.action, drift)} {e.key}" + (f": {detail}" if detail else "")),
                file=out,
            )
        if drift and any(e.status == "planned" for e in changes):
            code = 1
    summary = (
        ", ".join(f"{n} {s}" for s, n in sorted(report.as_json({})["summary"].items()))
        or "nothing to do"
    )
    print(f"{meta['mode']}: {summary}", file=err)
    if args.report is not None:
        report.write_json(args.report, meta)
    step_summary = env.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        title = {
            "deploy": "Deploy to Intune",
            "dry-run": "Deploy to Intune (dry run)",
            "drift": "Drift between git and Intune",
        }[str(meta["mode"])]
        with open(step_summary, "a", encoding="utf-8") as fh:
            fh.write(report.markdown(title))
    return code


def with_secrets_json(env: Mapping[str, str]) -> dict[str, str]:
    """The environment, plus `SCHOOLMDM_SECRETS_JSON` (a JSON object of name -> value, for CI
    systems that hand over secrets as one value) for names the environment does not set itself."""
    raw = env.get(SECRETS_JSON)
    if not raw:
        return dict(env)
    try:
        data = json.loads(raw)
    except ValueError:
        raise DeployError(f"{SECRETS_JSON} is not a JSON object") from None
    if not isinstance(data, dict):
        raise DeployError(f"{SECRETS_JSON} is not a JSON object")
    return {**{str(k): v for k, v in data.items() if isinstance(v, str)}, **env}


def _label(action: str, drift: bool) -> str:
    if not drift:
        return f"would {action}:"
    return {
        "create": "missing in Intune:",
        "update": "changed in Intune:",
        "replace": "changed in Intune (type):",
        "orphan": "no longer in git:",
        "delete": "no longer in git:",
        "duplicate": "duplicate in Intune:",
        "assign": "assignments differ:",
        "link": "link missing:",
        "unlink": "extra link:",
        "import": "devices not registered:",
        "lookup": "not found:",
    }.get(action, f"{action}:")


def stream() -> TextIO:
    return sys.stderr
