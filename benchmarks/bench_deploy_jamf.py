"""Benchmark: deploying the example estate's iPads (`mdm.apple: jamf`) to the Jamf Pro emulator
(tests/support), which enforces the pace the deployer keeps to (100 writes and 600 requests per
10 s, at most 5 requests at once) and rewrites profiles on ingest as Jamf Pro does. The emulator
is seeded like a real server: every apple school's iPads, one volume purchasing location, and a
hand-made profile.

Prints, for the example estate:
1. a first deploy: writes, wall time against the minimum the write pace allows, 429s;
2. a no-op deploy right after: writes (target 0) and reads (one list per kind and each profile
   and app read on its own: the Classic API lists only ids and names);
3. a change in one school (a restriction): which objects are written (target: only that
   school's profile, in place, Jamf's identifier kept).

    python benchmarks/bench_deploy_jamf.py [--scale N]

--scale N shortens the pace window N times for the emulator and the deployer alike.
"""

from __future__ import annotations

import argparse
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
from compiler.deploy.jamf_kinds import LIMITS  # noqa: E402
from compiler.deploy.pacing import Limit  # noqa: E402
from compiler.deploy.run import RunArgs, Tuning, run  # noqa: E402
from tests.support.jamf_emulator import JamfEmulator, Limits  # noqa: E402
from tests.support.jamf_fixtures import HAND_PROFILE, PROFILES  # noqa: E402

TOKEN = "bench-jamf-token"


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
        "SCHOOLMDM_JAMF_TOKEN": TOKEN,
        "SCHOOLMDM_DEPLOY_KEY": "bench-deploy-key-0123456789",
        "CI": "true",
    }
    for d in load_build(build_dir).desired:
        env.update({name: f"value-of-{name.lower()}" for name in d.secrets})
    return env


def deploy(build_dir: Path, emu: JamfEmulator, tuning: Tuning) -> tuple[float, dict[str, object]]:
    report = build_dir.parent / "report.json"
    args = RunArgs(build_dir, "deploy", False, False, 5, (), report, "", None, "jamf", emu.url)
    start = time.monotonic()
    code = run(args, environment(build_dir), io.StringIO(), io.StringIO(), tuning)
    elapsed = time.monotonic() - start
    data: dict[str, object] = json.loads(report.read_text())
    if code:
        ops = data["operations"]
        assert isinstance(ops, list)
        sys.exit(f"deploy failed: {[o for o in ops if o['status'] == 'failed'][:5]}")
    return elapsed, data


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="shorten the window N times")
    args = parser.parse_args()
    [(service, limit)] = LIMITS.items()
    window = limit.window / args.scale
    tuning = Tuning(
        limits={service: Limit(limit.writes, limit.requests, window)},
        policy=lambda: RetryPolicy(deadline=3600),
    )
    with tempfile.TemporaryDirectory() as tmp:
        estate = Path(tmp) / "estate"
        shutil.copytree(
            ROOT,
            estate,
            ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__"),
        )
        manifest = estate / "schoolmdm.yaml"
        manifest.write_text(manifest.read_text().replace("  apple: intune\n", "  apple: jamf\n"))
        build_dir = build(estate)
        limits = Limits(window=window, writes=limit.writes, requests=limit.requests)
        with JamfEmulator(limits=limits, token=TOKEN) as emu:
            ipads = 0
            for school in sorted((estate / "schools").iterdir()):
                if "platform: apple" not in (school / "school.yaml").read_text():
                    continue
                for line in (school / "devices.csv").read_text().splitlines()[1:]:
                    if line.strip():
                        emu.server.seed_device(line.split(",")[0].strip())
                        ipads += 1
            emu.server.seed_vpp_account("Schulträger Musterkreis")
            emu.server.seed(PROFILES, HAND_PROFILE)
            elapsed, _ = deploy(build_dir, emu, tuning)
            writes = emu.stats.writes
            minimum = max((math.ceil(writes / limit.writes) - 1) * window, 0.0)
            print(
                f"Jamf Pro emulator: {ipads} iPads enrolled, pace {limit.writes} writes / {window:g} s"
            )
            print(
                f"first deploy: {writes} writes in {elapsed:.1f} s "
                f"({emu.stats.throttled} answered 429, {emu.stats.conflicts} answered 409)"
            )
            ratio = f"{elapsed / minimum:.2f}x" if minimum else "n/a (under one window)"
            print(f"  minimum the write pace allows: {minimum:.1f} s; ratio {ratio}")

            emu.reset_stats()
            elapsed, _ = deploy(build_dir, emu, tuning)
            print(f"no-op deploy: {emu.stats.writes} writes (target 0), {elapsed:.1f} s")
            print(f"  reads: {emu.stats.reads} GET requests")

            school = "gym-lindenhof"
            path = estate / "schools" / school / "school.yaml"
            text = path.read_text()
            changed = text.replace("allow_camera: true", "allow_camera: false", 1)
            if changed == text:
                changed = text.replace("allow_camera: false", "allow_camera: true", 1)
            path.write_text(changed)
            build_dir = build(estate)
            before = list(emu.server.identifier_changes)
            emu.reset_stats()
            elapsed, data = deploy(build_dir, emu, tuning)
            ops = data["operations"]
            assert isinstance(ops, list)
            written = sorted(o["key"] for o in ops if o["status"] == "ok")
            print(f"one school changed ({school}): {emu.stats.writes} writes in {elapsed:.1f} s")
            print(f"  written: {', '.join(written)}")
            print(
                f"  profile identifiers changed by the update: "
                f"{len(emu.server.identifier_changes) - len(before)} (target 0)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
