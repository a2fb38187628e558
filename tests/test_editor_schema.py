"""The generated editor schema: this estate's profiles, apps and secrets for completion."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from compiler.editor_schema import PATH
from tests.helpers import REPO, edit, findings, run_cli


def schema_of(root: Path) -> Draft202012Validator:
    data = json.loads((root / PATH).read_text())
    Draft202012Validator.check_schema(data)
    return Draft202012Validator(data)


def test_every_example_school_fits_the_repositorys_editor_schema() -> None:
    validator = schema_of(REPO)
    for path in sorted((REPO / "schools").glob("*/school.yaml")):
        assert path.read_text().startswith(
            "# yaml-language-server: $schema=../../schemas/school.estate.schema.json\n"
        )
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
        assert errors == [], path


def test_it_knows_profile_values_apps_and_secrets() -> None:
    validator = schema_of(REPO)
    school = yaml.safe_load(next((REPO / "schools").glob("*/school.yaml")).read_text())
    for broken in (
        {"profiles": {"wifi": {"ssid": 5}}},
        {"profiles": {"wifi": {"ssid": "x", "password": "plain-text"}}},
        {"profiles": {"wifi": {"ssid": "x", "password": {"secret": "NOT_DECLARED"}}}},
        {"profiles": {"wlan": {}}},
        {"profiles": {"it-baseline": {"allow_erase_content": True}}},  # locked: not offered
        {"apps": ["not-in-the-catalogue"]},
        {"apps": [{"id": "not-in-the-catalogue"}]},
    ):
        assert not validator.is_valid({**school, **broken}), broken
    assert validator.is_valid({**school, "profiles": {"restrictions": {"allow_camera": False}}})


def test_generate_writes_and_validate_notices_a_stale_copy(example_copy: Path) -> None:
    (example_copy / "schemas").mkdir()
    shutil.copy2(REPO / PATH, example_copy / PATH)
    assert findings(example_copy) == []
    edit(example_copy, "profiles/wifi.yaml", "maxLength: 32", "maxLength: 30")
    [diag] = findings(example_copy)
    assert (diag.path, diag.code) == (PATH, "editor-schema-out-of-date")
    assert run_cli(["generate", "--check"], example_copy).exit_code == 1
    assert run_cli(["generate"], example_copy).exit_code == 0
    assert findings(example_copy) == []
    assert run_cli(["generate", "--check"], example_copy).exit_code == 0
