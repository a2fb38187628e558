"""Shared helpers for the tests: a small estate in a folder, editing its files, running the CLI.

The fixtures in conftest.py use these; tests import them directly (`from tests.helpers import ...`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from compiler.cli import cli
from compiler.diagnostics import Diagnostic
from compiler.pipeline import check_estate
from compiler.source import DirectorySource

REPO = Path(__file__).resolve().parent.parent

# what a mini estate copies from the repository (reviewer-owned, shared files)
SHARED = ("schoolmdm.yaml", "profiles", "templates", "catalog")

SECRETS_YAML = """\
# yaml-language-server: $schema=schemas/secrets.schema.json
secrets:
  WIFI_PSK_GYM_A:
    description: WPA2 passphrase of Gymnasium A's pupils' network
    schools: [gym-a]
  WIFI_EAP_BBZ_B:
    description: Password of BBZ B's 802.1X device account
    schools: [bbz-b]
"""

GYM_A_SCHOOL = """\
# yaml-language-server: $schema=../../schemas/school.schema.json
id: gym-a
name: Gymnasium A
type: gymnasium
platform: apple
maintainers:
  - "@example-org/gym-a"
profiles:
  wifi:
    ssid: GymA-Schule
    security: wpa2-personal
    password: {secret: WIFI_PSK_GYM_A}
  restrictions:
    allow_camera: true
    allow_airdrop: false
  webclips:
    clips:
      - label: Schulportal
        url: https://gym-a.schulen.example.org/
  home-screen:
    dock: [com.apple.mobilesafari, pages]
    pages:
      - [keynote, goodnotes]
apps:
  - pages
  - keynote
  - id: goodnotes
    install: available
"""

GYM_A_DEVICES = """\
serial,mac,asset_tag,model
DMPA00000001,02:4b:00:00:00:01,GA-0001,iPad (10th generation)
DMPA00000002,02:4b:00:00:00:02,GA-0002,iPad (10th generation)
DMPA00000003,02:4b:00:00:00:03,GA-0003,iPad (9th generation)
"""

BBZ_B_SCHOOL = """\
# yaml-language-server: $schema=../../schemas/school.schema.json
id: bbz-b
name: Berufsbildungszentrum B
type: berufsbildungszentrum
platform: windows
maintainers: ["@example-org/bbz-b"]
profiles:
  wifi:
    ssid: BBZ-B
    security: wpa2-enterprise
    eap:
      trusted_server_names: [radius.example.org]
      username: wlan-bbz-b
      password: {secret: WIFI_EAP_BBZ_B}
  browser-home:
    home_page: https://bbz-b.schulen.example.org/
  windows-updates:
    quality_deferral_days: 5
apps:
  - microsoft-teams
  - python-3-12
  - id: vlc
    install: available
"""

BBZ_B_DEVICES = """\
serial,mac,asset_tag,model,hardware_hash,product_id
5CG0000001,0a:4b:00:00:00:01,BB-0001,Lenovo 300w Yoga Gen 4,,
5CG0000002,0a:4b:00:00:00:02,BB-0002,Lenovo 300w Yoga Gen 4,SGVsbG8gV29ybGQ=,
5CG0000003,0a:4b:00:00:00:03,BB-0003,Dell Latitude 3140,,00330-80000-00000-AA123
"""

MINI_FILES = {
    "secrets.yaml": SECRETS_YAML,
    "schools/gym-a/school.yaml": GYM_A_SCHOOL,
    "schools/gym-a/devices.csv": GYM_A_DEVICES,
    "schools/bbz-b/school.yaml": BBZ_B_SCHOOL,
    "schools/bbz-b/devices.csv": BBZ_B_DEVICES,
}


def make_mini_estate(root: Path) -> Path:
    """Copy the shared files from the repository into `root` and add two small schools."""
    root.mkdir(parents=True, exist_ok=True)
    for name in SHARED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, root / name)
    for rel, text in MINI_FILES.items():
        write(root, rel, text)
    return root


def write(root: Path, rel: str, content: str | bytes) -> Path:
    """Write (or overwrite) one file of an estate; text is written as UTF-8."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a file by `new` (fails loudly if not exactly one)."""
    text = read(root, rel)
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    write(root, rel, text.replace(old, new))


def append(root: Path, rel: str, text: str) -> None:
    write(root, rel, read(root, rel) + text)


def line_of(root: Path, rel: str, needle: str) -> int:
    """1-based number of the one line of a file that contains `needle`."""
    lines = [i for i, line in enumerate(read(root, rel).splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines} of {rel}"
    return lines[0]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def findings(root: Path) -> list[Diagnostic]:
    """Load and validate an estate in-process; the sorted findings."""
    _, diags = check_estate(DirectorySource(root))
    return diags


def codes(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


def only(diags: list[Diagnostic], code: str) -> Diagnostic:
    """The one finding with `code` (fails with the whole list if there is not exactly one)."""
    hits = [d for d in diags if d.code == code]
    assert len(hits) == 1, f"expected one {code}, got: {diags}"
    return hits[0]


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(args: list[str], cwd: Path) -> CliResult:
    """Run `schoolmdm ARGS` in-process (click's CliRunner) with `cwd` as working directory.

    An exception other than SystemExit (a crash) is re-raised, so it never passes for exit 1.
    """
    runner = CliRunner()
    with contextlib.chdir(cwd):
        result = runner.invoke(cli, args, prog_name="schoolmdm", catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliResult(result.exit_code, result.stdout, result.stderr)


def run_module(args: list[str], cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run `python -m compiler ARGS` in a subprocess (for crash-proofing and the real entry)."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "PYTHONFAULTHANDLER": "1"}
    return subprocess.run(
        [sys.executable, "-m", "compiler", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
