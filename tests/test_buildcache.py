"""Rebuilds take unchanged schools from the previous build, with exactly the same result."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import cli
from tests.render.conftest import copy_example


def build(root: Path, out: str, *args: str) -> str:
    result = CliRunner().invoke(
        cli, ["build", "--root", str(root), "--out", str(root / out), *args]
    )
    assert result.exit_code == 0, result.output
    return result.stderr


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_rebuild_reuses_unchanged_schools_and_equals_a_fresh_build(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "e")
    count = len(list((root / "schools").iterdir()))
    assert "unchanged)" not in build(root, "build")
    first = files(root / "build")
    assert f"({count} unchanged)" in build(root, "build")
    assert files(root / "build") == first

    # one school changes: only it is rendered again, and the result is what a fresh build gives
    school = sorted((root / "schools").glob("*/school.yaml"))[0]
    school.write_text(school.read_text().replace("name: ", "name: Neu ", 1))
    assert f"({count - 1} unchanged)" in build(root, "build")
    build(root, "fresh")
    assert files(root / "build") == files(root / "fresh")

    # a template changes: every school that uses it is rendered again
    template = root / "templates" / "apple" / "it-baseline.yaml.j2"
    template.write_text(
        template.read_text().replace(
            "allowDeviceNameModification: false", "allowDeviceNameModification: true"
        )
    )
    apple = sum(
        1 for p in (root / "schools").glob("*/school.yaml") if "platform: apple" in p.read_text()
    )
    assert f"({count - apple} unchanged)" in build(root, "build")
    build(root, "fresh2")
    assert files(root / "build") == files(root / "fresh2")


def test_a_hand_edited_build_is_rendered_again(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "e")
    build(root, "build")
    first = files(root / "build")
    victim = sorted((root / "build" / "schools").glob("*/apple/wifi.mobileconfig"))[0]
    victim.write_bytes(victim.read_bytes().replace(b"<true/>", b"<false/>", 1))
    count = len(list((root / "schools").iterdir()))
    assert f"({count - 1} unchanged)" in build(root, "build")
    assert files(root / "build") == first


def test_build_never_takes_secret_values(tmp_path: Path) -> None:
    """`build --secrets-from-env` is gone: build/ never holds a secret value (deploy fills them
    in memory; `deploy --target directory` exports them)."""
    root = copy_example(tmp_path / "e")
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--secrets-from-env"])
    assert result.exit_code == 2 and "No such option" in result.output
    assert not (root / "build").exists()


def test_a_manifest_pointing_outside_the_build_is_not_trusted(tmp_path: Path) -> None:
    import json

    root = copy_example(tmp_path / "e")
    build(root, "build")
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    row = next(a for a in manifest["artifacts"] if a["school"] != "_estate")
    outside = tmp_path / "outside.bin"
    outside.write_bytes((root / "build" / row["path"]).read_bytes())
    row["path"] = "../../outside.bin"
    (root / "build" / "manifest.json").write_text(json.dumps(manifest))
    count = len(list((root / "schools").iterdir()))
    assert f"({count - 1} unchanged)" in build(root, "build")


def _manifest(root: Path) -> dict:  # type: ignore[type-arg]
    import json

    return json.loads((root / "build" / "manifest.json").read_text())


def _save(root: Path, manifest: dict) -> None:  # type: ignore[type-arg]
    import json

    (root / "build" / "manifest.json").write_text(json.dumps(manifest))


def test_a_deleted_manifest_row_makes_its_school_render_again(tmp_path: Path) -> None:
    # the old cache said "47 unchanged" and the policy was gone from every later build
    root = copy_example(tmp_path / "e")
    build(root, "build")
    first = files(root / "build")
    manifest = _manifest(root)
    victim = next(a for a in manifest["artifacts"] if a["kind"] == "policy")
    manifest["artifacts"].remove(victim)
    _save(root, manifest)
    count = len(list((root / "schools").iterdir()))
    assert f"({count - 1} unchanged)" in build(root, "build")
    assert files(root / "build") == first


@pytest.mark.parametrize("field", ["secrets", "sources", "kind", "name"])
def test_an_edited_manifest_row_makes_its_school_render_again(tmp_path: Path, field: str) -> None:
    root = copy_example(tmp_path / "e")
    build(root, "build")
    first = files(root / "build")
    manifest = _manifest(root)
    victim = next(a for a in manifest["artifacts"] if a["secrets"])
    victim[field] = [] if isinstance(victim[field], list) else victim[field] + "x"
    _save(root, manifest)
    count = len(list((root / "schools").iterdir()))
    assert f"({count - 1} unchanged)" in build(root, "build")
    assert files(root / "build") == first


def test_missing_and_extra_files_make_their_school_render_again(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "e")
    build(root, "build")
    first = files(root / "build")
    schools = sorted((root / "build" / "schools").iterdir())
    (schools[0] / "inventory" / "macs.csv").unlink()
    (schools[1] / "apple" / "extra.mobileconfig").parent.mkdir(parents=True, exist_ok=True)
    (schools[1] / "apple" / "extra.mobileconfig").write_bytes(b"<plist/>")
    count = len(list((root / "schools").iterdir()))
    assert f"({count - 2} unchanged)" in build(root, "build")
    assert files(root / "build") == first


def test_a_manifest_without_output_digests_is_not_trusted(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "e")
    build(root, "build")
    manifest = _manifest(root)
    del manifest["outputs"]
    _save(root, manifest)
    assert "unchanged)" not in build(root, "build")
