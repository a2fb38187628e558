"""One deploy or drift run, wired together: build, scope, secrets, credentials, client, adapter,
engine, report. The CLI commands call `run` and turn its result into an exit code. The target
(Intune or Jamf Pro) decides the client and the adapter; everything else is the same."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from compiler.deploy.adapter import Adapter
from compiler.deploy.auth import token_source
from compiler.deploy.buildread import Build, load_build
from compiler.deploy.client import HttpClient
from compiler.deploy.directory import export
from compiler.deploy.engine import Engine, Options
from compiler.deploy.errors import DeployError
from compiler.deploy.http import GraphClient, GraphFailure, RetryPolicy
from compiler.deploy.intune import LIMITS, IntuneAdapter
from compiler.deploy.jamf import JamfAdapter
from compiler.deploy.jamf_client import JamfClient, check_url, jamf_tokens
from compiler.deploy.jamf_kinds import CONCURRENCY as JAMF_CONCURRENCY
from compiler.deploy.jamf_kinds import LIMITS as JAMF_LIMITS
from compiler.deploy.pacing import Limit, Pacer
from compiler.deploy.plan import Scope
from compiler.deploy.report import Entry, Progress, Report, progress_for
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
    target: str = "intune"  # intune | jamf | directory
    jamf_url: str = ""
    out: Path | None = None  # --target directory: where the export goes


@dataclass(frozen=True)
class Tuning:
    """Pace limits, retry timing and import polling; tests and the benchmark scale them."""

    limits: Mapping[str, Limit] | None = None  # None: the target's own
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


TITLES = {"intune": "Intune", "jamf": "Jamf Pro"}
HANDLES = {"intune": IntuneAdapter.handles, "jamf": JamfAdapter.handles}


def check_target(build: Build, target: str) -> None:
    """A build serves iPads through one MDM (mdm.apple): a Jamf deploy needs a Jamf build."""
    apple = build.mdm.get("apple")
    if target == "jamf" and apple not in (None, "jamf"):
        raise DeployError(
            f"this build serves iPads through '{apple}' (mdm.apple in schoolmdm.yaml): set "
            "mdm.apple: jamf and build again to deploy to Jamf Pro"
        )


def connect(
    args: RunArgs,
    env: Mapping[str, str],
    redactor: Redactor,
    tuning: Tuning,
    plain: bool,
) -> tuple[HttpClient, Adapter, Pacer]:
    if args.target == "jamf":
        if not args.jamf_url:
            raise UsageProblem("--jamf-url is needed for --target jamf (or SCHOOLMDM_JAMF_URL)")
        url = check_url(args.jamf_url)
        pacer = Pacer(tuning.limits if tuning.limits is not None else JAMF_LIMITS)
        tokens = jamf_tokens(env, url, redactor)
        jamf = JamfClient(
            url, tokens, pacer, tuning.policy(), concurrency=JAMF_CONCURRENCY, redact=redactor
        )
        return jamf, JamfAdapter(jamf), pacer
    pacer = Pacer(tuning.limits if tuning.limits is not None else LIMITS)
    graph_tokens = token_source(env, args.graph_url, redactor)
    graph = GraphClient(args.graph_url, graph_tokens, pacer, tuning.policy(), redact=redactor)
    graph.batching = not plain  # $batch is a POST: a dry run sends none at all
    return graph, IntuneAdapter(graph, args.signer, tuning.poll_interval), pacer


def run_export(args: RunArgs, env: Mapping[str, str], err: TextIO) -> int:
    """`--target directory`: the build's files with secrets filled in (and signed), in --out."""
    if args.dry_run or args.prune or args.out is None:
        raise UsageProblem("--target directory takes --out DIR, and neither --dry-run nor --prune")
    redactor = Redactor()
    try:
        build = load_build(args.build)
        scope = scope_for(build.scope, args.schools)
        rows = [r for r in build.rows if scope.covers(str(r.get("key", "")))]
        done = export(
            args.build,
            rows,
            build.manifest,
            args.out,
            with_secrets_json(env),
            args.signer,
            redactor,
        )
    except DeployError as exc:
        print(f"error: {redactor(str(exc))}", file=err)
        return 1
    for note in done.notes:
        print(f"note: {note}", file=err)
    print(
        f"exported {done.files} files into {args.out} ({done.filled} with secret values, "
        f"{done.signed} profiles signed); it holds secret values: keep it private, never "
        "commit it",
        file=err,
    )
    return 0


def run(
    args: RunArgs, env: Mapping[str, str], out: TextIO, err: TextIO, tuning: Tuning | None = None
) -> int:
    if args.target == "directory":
        return run_export(args, env, err)
    tuning = tuning or Tuning()
    redactor = Redactor()
    drift = args.mode == "drift"
    plain = drift or args.dry_run
    title = TITLES[args.target]
    report = Report(redactor, Progress(err) if plain else progress_for(err, dict(env)))
    meta: dict[str, Any] = {
        "target": args.target,
        "mode": "drift" if drift else ("dry-run" if args.dry_run else "deploy"),
        "build": str(args.build),
    }
    code = 0
    client: HttpClient | None = None
    try:
        build = load_build(args.build)
        check_target(build, args.target)
        scope = scope_for(build.scope, args.schools)
        meta["schools"] = sorted(scope.schools) if scope.schools is not None else "all"
        handles = HANDLES[args.target]
        desired = [d for d in build.desired if scope.covers(d.key) and handles(d)]
        needed = {n for d in desired for n in d.secrets}
        secrets, missing = read_secrets(
            needed, with_secrets_json(env), redactor, required=not plain
        )
        if missing:
            report.note("secret fingerprints not compared (not set: " + ", ".join(missing) + ")")
        client, adapter, pacer = connect(args, env, redactor, tuning, plain)
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
                redactor(f"{_label(e, drift, title)} {e.key}" + (f": {detail}" if detail else "")),
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
        heading = {
            "deploy": f"Deploy to {title}",
            "dry-run": f"Deploy to {title} (dry run)",
            "drift": f"Drift between git and {title}",
        }[str(meta["mode"])]
        with open(step_summary, "a", encoding="utf-8") as fh:
            fh.write(report.markdown(heading))
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


def _label(e: Entry, drift: bool, title: str) -> str:
    if e.status == "warning":
        return "note:"
    if e.status == "failed" and e.action in ("create", "update"):
        return "cannot deploy:"
    if not drift:
        return f"would {e.action}:"
    return {
        "create": f"missing in {title}:",
        "update": f"changed in {title}:",
        "replace": f"changed in {title} (type):",
        "orphan": "no longer in git:",
        "delete": "no longer in git:",
        "duplicate": f"duplicate in {title}:",
        "assign": "assignments differ:",
        "link": "link missing:",
        "unlink": "extra link:",
        "import": "devices not registered:",
        "lookup": "not found:",
    }.get(e.action, f"{e.action}:")


def stream() -> TextIO:
    return sys.stderr
