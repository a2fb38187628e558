"""The committed example estate is exactly what its generator writes."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import REPO


def test_committed_estate_matches_the_generator() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "tools" / "generate_example_estate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
