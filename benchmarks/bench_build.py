"""Benchmark: `schoolmdm build` of the example estate, in fresh processes.

Prints the median wall time (target: under 1 s) and artifacts per second, and where the time
goes inside one process (validate, render, write). On some sandboxed file systems creating a file
costs about a millisecond, which the write phase shows.

    python benchmarks/bench_build.py [--root DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"
        cmd = [
            sys.executable,
            "-m",
            "compiler",
            "build",
            "--root",
            str(args.root),
            "--out",
            str(out),
        ]
        for _ in range(args.runs):
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - start)
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr, file=sys.stderr)
                return 1
        count = len(json.loads((out / "manifest.json").read_text())["artifacts"])
    # the first run writes into an empty folder; later runs replace the previous build: schools
    # whose inputs did not change are taken from it (render cache) and their files hard-linked
    first, median = times[0], statistics.median(times[1:] or times)
    print(f"estate: {args.root}")
    print(f"build into an empty folder (fresh process): {first:.3f} s")
    print(f"rebuild (fresh process, median of {len(times) - 1}): {median:.3f} s   target < 1.000 s")
    print(f"artifacts: {count}   throughput: {count / median:.0f} artifacts/s")
    phases(args.root)
    return 0


def phases(root: Path) -> None:
    from compiler.build import BuildOptions, build, manifest
    from compiler.pipeline import check_estate
    from compiler.source import DirectorySource
    from compiler.writer import write_build

    t0 = time.perf_counter()
    estate, _ = check_estate(DirectorySource(root))
    assert estate is not None
    t1 = time.perf_counter()
    artifacts = build(estate, BuildOptions()).artifacts
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_build(
            Path(tmp) / "build", artifacts, {"manifest.json": manifest(estate, artifacts, False)}
        )
        t3 = time.perf_counter()
    print(
        f"in one process, nothing cached: validate {t1 - t0:.3f} s, render {t2 - t1:.3f} s "
        f"({len(artifacts) / (t2 - t1):.0f} artifacts/s), write {t3 - t2:.3f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
