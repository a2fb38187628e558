"""One canonical copy of the schemas, inside the package; the estate's schemas/ are generated
copies for editors, and editing them can never loosen a check."""

from __future__ import annotations

import glob
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from compiler import schemas
from compiler.schemas import KINDS, schema_text
from tests.helpers import REPO, edit, findings, only, run_cli


def test_the_compiler_reads_its_schemas_from_the_package() -> None:
    assert schemas.HERE == REPO / "compiler" / "schemas"
    for kind in KINDS:
        assert (schemas.HERE / f"{kind}.schema.json").is_file()


@pytest.mark.parametrize("kind", KINDS)
def test_the_repositorys_schemas_folder_is_the_generated_copy(kind: str) -> None:
    assert (REPO / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8") == schema_text(
        kind
    )


def test_loosening_the_estates_schema_changes_nothing_and_is_reported(mini_estate: Path) -> None:
    # the editors' copy says anything goes; the compiler still rejects a bad platform
    (mini_estate / "schemas").mkdir()
    loose = json.loads(schema_text("school"))
    loose["properties"]["platform"] = {}
    (mini_estate / "schemas" / "school.schema.json").write_text(json.dumps(loose))
    edit(mini_estate, "schools/gym-a/school.yaml", "platform: apple", "platform: ipad")
    diags = findings(mini_estate)
    assert "invalid-value" in {d.code for d in diags}
    edit(mini_estate, "schools/gym-a/school.yaml", "platform: ipad", "platform: apple")
    stale = only(findings(mini_estate), "schema-out-of-date")
    assert stale.path == "schemas/school.schema.json"
    assert run_cli(["generate"], mini_estate).exit_code == 0
    assert findings(mini_estate) == []
    assert run_cli(["generate", "--check"], mini_estate).exit_code == 0


def test_a_wheel_carries_the_schemas(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = glob.glob(str(tmp_path / "*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"compiler/schemas/{k}.schema.json" for k in KINDS} <= names


def test_generate_never_writes_through_a_symbolic_link(mini_estate: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (mini_estate / "schemas").symlink_to(outside)
    assert "symlink" in {d.code for d in findings(mini_estate)}
    result = run_cli(["generate"], mini_estate)
    assert result.exit_code == 1
    assert "symbolic link" in result.stderr
    assert list(outside.iterdir()) == []
