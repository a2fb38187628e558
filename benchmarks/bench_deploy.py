"""Benchmark: deploying the example estate to the Graph emulator (tests/support), which enforces
Intune's documented limit of 100 write requests per 20 s per service (each `$batch` item counts).

Prints, for the example estate:
1. a first deploy into an empty tenant: wall time against the minimum that limit allows (the
   busiest service's writes, n, need (ceil(n / 100) - 1) windows of 20 s); target <= 1.2x;
2. a no-op deploy right after: writes (target 0) and reads (requests and batched items);
3. a change in one school (a policy value, and one app less): which objects are written
   (target: only that school's, and its assignment on the estate-wide app).

    python benchmarks/bench_deploy.py [--scale N]

--scale N shortens every window N times, for the emulator and the deployer alike (100 writes
per 20/N s): the same counts and the same order of writes, the wall time N times smaller, so a
scaled run checks the ratio quickly. The default is the real limit (about two minutes).
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compiler.deploy.buildread import load_build  # noqa: E402
from compiler.deploy.http import RetryPolicy  # noqa: E402
from compiler.deploy.intune import LIMITS  # noqa: E402
from compiler.deploy.pacing import Limit  # noqa: E402
from compiler.deploy.run import RunArgs, Tuning, run  # noqa: E402
from tests.support.graph_emulator import GraphEmulator, Limits  # noqa: E402
from tests.support.graph_store import SERVICE  # noqa: E402

TOKEN = "bench-token"


def build(estate: Path) -> Path:
    proc = subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--root", str(estate)],
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        sys.exit(proc.stderr)
    return estate / "build"


def environment(build_dir: Path) -> dict[str, str]:
    env = {
        "SCHOOLMDM_GRAPH_TOKEN": TOKEN,
        "SCHOOLMDM_DEPLOY_KEY": "bench-deploy-key-0123456789",
        "CI": "true",
    }
    for d in load_build(build_dir).desired:
        env.update({name: f"value-of-{name.lower()}" for name in d.secrets})
    return env


def deploy(build_dir: Path, emu: GraphEmulator, tuning: Tuning) -> tuple[float, dict[str, object]]:
    report = build_dir.parent / "report.json"
    args = RunArgs(build_dir, "deploy", False, False, 5, (), report, emu.url)
    start = time.monotonic()
    code = run(args, environment(build_dir), io.StringIO(), io.StringIO(), tuning)
    elapsed = time.monotonic() - start
    data = json.loads(report.read_text())
    if code:
        failed = [o for o in data["operations"] if o["status"] == "failed"][:5]
        sys.exit(f"deploy failed: {failed}")
    return elapsed, data


def writes_by_service(emu: GraphEmulator) -> collections.Counter[str]:
    out: collections.Counter[str] = collections.Counter()
    for _, _, path, _ in emu.stats.write_log:
        collection = next(
            (c for c in sorted(SERVICE, key=len, reverse=True) if path.startswith(c)), ""
        )
        out[SERVICE.get(collection, "other")] += 1
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="shorten every window N times")
    args = parser.parse_args()
    window = 20.0 / args.scale
    limits = {k: Limit(v.writes, v.requests, v.window / args.scale) for k, v in LIMITS.items()}
    tuning = Tuning(limits=limits, policy=lambda: RetryPolicy(deadline=3600), poll_interval=1.0)
    with tempfile.TemporaryDirectory() as tmp:
        estate = Path(tmp) / "estate"
        shutil.copytree(
            ROOT,
            estate,
            ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__"),
        )
        build_dir = build(estate)
        with GraphEmulator(limits=Limits(window=window), token=TOKEN) as emu:
            for d in load_build(build_dir).desired:
                if d.lookup is not None:  # the licence sync brought the App Store apps
                    emu.tenant.seed(
                        "deviceAppManagement/mobileApps",
                        {
                            "@odata.type": "#microsoft.graph.iosVppApp",
                            "displayName": d.key,
                            "bundleId": d.body["bundleId"],
                        },
                    )
            emu.tenant.import_polls_to_finish = 1
            elapsed, _ = deploy(build_dir, emu, tuning)
            per_service = writes_by_service(emu)
            busiest, n = per_service.most_common(1)[0]
            minimum = max((math.ceil(n / 100) - 1) * window, 0.0)
            print(
                f"first deploy: {emu.stats.writes} writes in {elapsed:.1f} s ({emu.stats.throttled} answered 429)"
            )
            print(
                "  writes per service: "
                + ", ".join(f"{s} {c}" for s, c in per_service.most_common())
            )
            print(
                f"  minimum the limit allows ({busiest}, {n} writes, 100 per {window:g} s): {minimum:.1f} s"
            )
            print(
                f"  ratio: {elapsed / minimum if minimum else float('nan'):.2f}x (target <= 1.2x)"
            )

            emu.reset_stats()
            elapsed, data = deploy(build_dir, emu, tuning)
            print(f"no-op deploy: {emu.stats.writes} writes (target 0), {elapsed:.1f} s")
            print(
                f"  reads: {emu.stats.requests} round trips ({emu.stats.batches} of them $batch) carrying {emu.stats.reads} GET requests"
            )

            school = "gym-am-wall"
            path = estate / "schools" / school / "school.yaml"
            text = path.read_text()
            path.write_text(
                text.replace("quality_deferral_days: 5", "quality_deferral_days: 7").replace(
                    "  - id: vlc\n    install: available\n", ""
                )
            )
            build_dir = build(estate)
            emu.reset_stats()
            elapsed, data = deploy(build_dir, emu, tuning)
            written = [(o["action"], o["key"]) for o in data["operations"] if o["status"] == "ok"]
            print(f"one-school change ({school}): {emu.stats.writes} writes in {elapsed:.1f} s")
            for action, key in written:
                print(f"  {action} {key}")
            others = [k for _, k in written if not k.startswith((f"{school}/", "_estate/"))]
            print(f"  objects of other schools written: {len(others)} (target 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
