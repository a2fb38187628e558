"""The command line as a whole: help texts, version, the module entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler import __version__
from tests.helpers import REPO, run_cli, run_module

COMMANDS = ["validate", "build", "new-school", "schema", "deploy", "drift"]


def test_group_help_lists_every_command(tmp_path: Path) -> None:
    result = run_cli(["--help"], tmp_path)
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.stdout
    assert "schoolmdm validate" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example(tmp_path: Path, command: str) -> None:
    result = run_cli([command, "--help"], tmp_path)
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"schoolmdm {command}" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_short_help_option(tmp_path: Path, command: str) -> None:
    assert (
        run_cli([command, "-h"], tmp_path).stdout == run_cli([command, "--help"], tmp_path).stdout
    )


def test_version(tmp_path: Path) -> None:
    result = run_cli(["--version"], tmp_path)
    assert result.exit_code == 0
    assert result.stdout == f"schoolmdm, version {__version__}\n"


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["valdate"], tmp_path)
    assert result.exit_code == 2
    assert "validate" in result.stderr  # click suggests the close name


def test_python_dash_m_compiler_help() -> None:
    proc = run_module(["--help"], REPO)
    assert proc.returncode == 0
    assert "Usage: " in proc.stdout
    assert "validate" in proc.stdout
    assert proc.stderr == ""


def test_python_dash_m_compiler_usage_error_exits_2(tmp_path: Path) -> None:
    proc = run_module(["validate", "--root", str(tmp_path)], tmp_path)
    assert proc.returncode == 2
    assert "schoolmdm.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_installed_console_script(tmp_path: Path) -> None:
    import shutil
    import subprocess

    exe = shutil.which("schoolmdm")
    assert exe is not None, "install the package: python3 -m pip install -e ."
    proc = subprocess.run(
        [exe, "--help"], capture_output=True, text=True, timeout=30, check=False, cwd=tmp_path
    )
    assert proc.returncode == 0
    assert "Usage: schoolmdm" in proc.stdout
