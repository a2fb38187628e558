"""`schoolmdm schema`: prints the JSON Schemas editors and people read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from compiler.schemas import KINDS
from tests.helpers import REPO, run_cli


def test_schema_school_is_a_2020_12_schema(tmp_path: Path) -> None:
    result = run_cli(["schema", "school"], tmp_path)  # needs no estate
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(data)
    assert set(data["required"]) >= {"id", "name", "type", "platform", "maintainers"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_prints_the_schema_file(tmp_path: Path, kind: str) -> None:
    result = run_cli(["schema", kind], tmp_path)
    assert result.exit_code == 0
    expected = (REPO / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert result.stdout == expected
    Draft202012Validator.check_schema(json.loads(result.stdout))


def test_schema_without_kind_lists_the_kinds(tmp_path: Path) -> None:
    result = run_cli(["schema"], tmp_path)
    assert result.exit_code == 0
    assert result.stdout.split() == list(KINDS)


def test_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["schema", "schol"], tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_school_schema_accepts_the_mini_schools(mini_estate: Path) -> None:
    from compiler.yamlload import load_yaml

    schema = json.loads(run_cli(["schema", "school"], mini_estate).stdout)
    for sid in ("gym-a", "bbz-b"):
        path = mini_estate / "schools" / sid / "school.yaml"
        doc, diags = load_yaml(str(path), path.read_bytes(), 1 << 20)
        assert diags == []
        assert list(Draft202012Validator(schema).iter_errors(doc.data)) == []
