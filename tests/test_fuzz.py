"""Property-based fuzzing: arbitrary text and bytes in school.yaml and devices.csv values.

Whatever a coordinator's file holds, `validate` exits 0 or 1 (never a traceback), every finding
names a file and a line, and whatever validates also builds. Hypothesis runs derandomized with a
fixed budget, so CI is repeatable and takes about twenty seconds.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import GYM_A_DEVICES, GYM_A_SCHOOL, make_mini_estate, run_cli

settings.register_profile(
    "schoolmdm",
    max_examples=40,
    database=None,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FUZZ = settings.get_profile("schoolmdm")

SCHOOL = "schools/gym-a/school.yaml"
DEVICES = "schools/gym-a/devices.csv"
ROW = "DMPA00000002,02:4b:00:00:00:02,GA-0002,iPad (10th generation)"


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield make_mini_estate(tmp_path_factory.mktemp("fuzz") / "estate")


def check(root: Path, school: bytes, devices: bytes) -> None:
    """Write the two files, validate, and build what validates; the properties hold."""
    (root / SCHOOL).write_bytes(school)
    (root / DEVICES).write_bytes(devices)
    result = run_cli(["validate", "--format", "json"], root)  # re-raises any crash
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    rows = json.loads(result.stdout)["diagnostics"]
    assert (result.exit_code == 0) == (not rows)
    for row in rows:
        assert row["file"] and row["line"] >= 1 and row["col"] >= 1, row
        assert (root / row["file"]).exists() or row["file"].startswith("schools/"), row
    if result.exit_code == 0:
        out = root.parent / "out"
        shutil.rmtree(out, ignore_errors=True)
        built = run_cli(["build", "--out", str(out)], root)
        assert built.exit_code == 0, built.stdout + built.stderr
        assert (out / "manifest.json").is_file()


def school_with(value: str) -> bytes:
    return GYM_A_SCHOOL.replace("name: Gymnasium A", value, 1).encode("utf-8", "surrogatepass")


CLEAN_DEVICES = GYM_A_DEVICES.encode()


QUOTED = {"name": "name: Gymnasium A", "ssid": "ssid: GymA-Schule", "label": "label: Schulportal"}


@FUZZ
@given(st.sampled_from(sorted(QUOTED)), st.text(max_size=80))
def test_any_text_as_a_quoted_school_value(estate: Path, key: str, text: str) -> None:
    # JSON strings are YAML double-quoted scalars: every character reaches the value itself
    line = QUOTED[key]
    school = GYM_A_SCHOOL.replace(line, line.split(":")[0] + ": " + json.dumps(text), 1)
    check(estate, school.encode("utf-8", "surrogatepass"), CLEAN_DEVICES)


@FUZZ
@given(st.text(max_size=80))
def test_any_text_written_plainly_into_school_yaml(estate: Path, text: str) -> None:
    check(estate, school_with("name: " + text), CLEAN_DEVICES)


@FUZZ
@given(st.binary(max_size=80))
def test_any_bytes_in_school_yaml(estate: Path, data: bytes) -> None:
    check(estate, GYM_A_SCHOOL.encode().replace(b"Gymnasium A", data, 1), CLEAN_DEVICES)


@FUZZ
@given(st.sampled_from([0, 1, 2, 3]), st.text(max_size=60))
def test_any_text_in_a_devices_csv_cell(estate: Path, column: int, text: str) -> None:
    cells = ROW.split(",")
    cells[column] = text
    devices = GYM_A_DEVICES.replace(ROW, ",".join(cells), 1)
    check(estate, GYM_A_SCHOOL.encode(), devices.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=80))
def test_any_bytes_in_devices_csv(estate: Path, data: bytes) -> None:
    check(estate, GYM_A_SCHOOL.encode(), CLEAN_DEVICES.replace(b"GA-0002", data, 1))
