"""Benchmark: `schoolmdm plan` for a one-school change on the example estate, fresh processes.

Copies the example estate into a temporary git repository, commits it, changes one school
(its Wi-Fi name), and times `schoolmdm plan --base HEAD` against the working tree and
`--head` a commit (target: under 2 s each, interpreter start included). Then a shared change
(a profile default every Wi-Fi school uses) for comparison, and the phases inside one process.

    python benchmarks/bench_plan.py [--root DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INPUTS = ("schoolmdm.yaml", "secrets.yaml", "schools", "catalog", "profiles", "templates", ".github")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def timed(cmd: list[str], cwd: Path, runs: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 3):
            raise SystemExit(proc.stdout + proc.stderr)
        out = proc.stdout
    return statistics.median(times), out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "estate"
        repo.mkdir()
        for name in INPUTS:
            src = args.root / name
            if src.is_dir():
                shutil.copytree(src, repo / name, ignore=shutil.ignore_patterns("workflows"))
            elif src.exists():
                shutil.copy2(src, repo / name)
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "-c", "user.name=b", "-c", "user.email=b@example.org", "commit", "-qm", "base")
        school = sorted(p for p in (repo / "schools").iterdir() if p.is_dir())[0]
        text = (school / "school.yaml").read_text(encoding="utf-8")
        (school / "school.yaml").write_text(text.replace("ssid: ", "ssid: Neu-", 1), encoding="utf-8")
        plan = [sys.executable, "-m", "compiler", "plan", "--base", "HEAD", "--root", str(repo)]
        worktree, out = timed(plan, args.root, args.runs)
        lines = len(out.splitlines())
        git(repo, "add", "-A")
        git(repo, "-c", "user.name=b", "-c", "user.email=b@example.org", "commit", "-qm", "one school")
        commits = [*plan[:-4], "--base", "HEAD~1", "--head", "HEAD", "--root", str(repo)]
        two_commits, _ = timed(commits, args.root, args.runs)
        wifi = repo / "profiles/wifi.yaml"
        wifi.write_text(
            wifi.read_text(encoding="utf-8").replace("default: false", "default: true", 1),
            encoding="utf-8",
        )
        shared, out_shared = timed(plan, args.root, max(1, args.runs // 2))
        print(f"estate: {args.root} ({school.name} changed)")
        print(f"plan, one school, against the working tree (median of {args.runs}): {worktree:.3f} s   target < 2.000 s")
        print(f"plan, one school, between two commits (median of {args.runs}): {two_commits:.3f} s   target < 2.000 s")
        print(f"plan, a shared profile default (every Wi-Fi school): {shared:.3f} s ({len(out_shared.splitlines())} lines of plan)")
        print(f"one-school plan: {lines} lines")
        git(repo, "checkout", "-q", "--", ".")
        phases(repo)
    return 0


def phases(repo: Path) -> None:
    from compiler.pipeline import check_estate
    from compiler.plan.gitsource import GitTreeSource, Repository

    t0 = time.perf_counter()
    r = Repository(repo)
    src = GitTreeSource(r, r.listing(r.commit("HEAD")))
    t1 = time.perf_counter()
    estate, _ = check_estate(src)
    t2 = time.perf_counter()
    r.close()
    assert estate is not None
    print(f"in one process: list a revision {t1 - t0:.3f} s, read + validate it from git {t2 - t1:.3f} s")


if __name__ == "__main__":
    sys.exit(main())
