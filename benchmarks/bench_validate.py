"""Benchmark: `schoolmdm validate` on the example estate, in fresh processes.

Prints the median wall time of validate (the whole CLI, interpreter start included) and, as the
yardstick, the median wall time of a fresh process that only parses the same files with PyYAML's
CSafeLoader and the csv module. Targets (issue: foundation): validate < 0.5 s, and within 2x of
the parse-only time.

    python benchmarks/bench_validate.py [--root DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

PARSE_ONLY = r"""
import csv, io, sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
files = [root / "schoolmdm.yaml", root / "secrets.yaml"]
for pattern in ("schools/*/school.yaml", "catalog/apps/*.yaml", "profiles/*.yaml", "templates/*/*.yaml.j2"):
    files.extend(sorted(root.glob(pattern)))
for f in files:
    yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
rows = 0
for f in sorted(root.glob("schools/*/devices.csv")):
    rows += sum(1 for _ in csv.reader(io.StringIO(f.read_text(encoding="utf-8"))))
print(len(files), rows)
"""


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    validate_cmd = [sys.executable, "-m", "compiler", "validate", "--root", str(args.root)]
    parse_cmd = [sys.executable, "-c", PARSE_ONLY, str(args.root)]
    validate_times, parse_times = [], []
    for _ in range(args.runs):  # interleaved, so machine noise hits both alike
        t, proc = timed(validate_cmd)
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr, file=sys.stderr)
            return 1
        validate_times.append(t)
        t, proc = timed(parse_cmd)
        parse_times.append(t)
    v, p = statistics.median(validate_times), statistics.median(parse_times)
    files, rows = proc.stdout.split()
    print(f"estate: {args.root} ({files} YAML files, {rows} CSV rows)")
    print(f"validate (fresh process, median of {args.runs}): {v:.3f} s   target < 0.500 s")
    print(f"parse only, CSafeLoader + csv (fresh process):  {p:.3f} s")
    print(f"ratio validate / parse-only: {v / p:.2f}x   target <= 2x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
