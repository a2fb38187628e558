"""A build is deployed only as it was built: every file matches the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.deploy.buildread import load_build
from compiler.deploy.errors import DeployError


def rewrite(build: Path, change: object) -> None:
    manifest = json.loads((build / "manifest.json").read_text())
    change(manifest)  # type: ignore[operator]
    (build / "manifest.json").write_text(json.dumps(manifest))


def test_the_mini_build_reads(mini_build: Path) -> None:
    build = load_build(mini_build)
    assert build.scope is None and build.schools == {"gym-a", "bbz-b"}
    kinds = {d.kind for d in build.desired}
    assert kinds == {"group", "policy", "intune-profile", "app", "vpp-app", "autopilot"}
    wifi = next(d for d in build.desired if d.key == "gym-a/apple/intune-profile/wifi")
    assert wifi.secrets == ("WIFI_PSK_GYM_A",) and wifi.assign is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["artifacts"][0].update(path="../../etc/passwd"), "outside the build"),
        (lambda m: m["artifacts"][0].update(path="/etc/passwd"), "outside the build"),
        (lambda m: m["artifacts"][0].update(sha256="0" * 64), "does not match"),
        (lambda m: m["artifacts"][0].update(path="nope.json"), "missing"),
        (lambda m: m.update(secrets="filled-from-environment"), "deploy --target directory"),
        (lambda m: m.update(version=2), "version 1"),
        (lambda m: m.update(scope=3), "scope"),
    ],
)
def test_a_build_that_is_not_as_built_is_refused(
    mini_build: Path, change: object, message: str
) -> None:
    rewrite(mini_build, change)
    with pytest.raises(DeployError, match=message):
        load_build(mini_build)


def test_no_manifest_or_broken_json(tmp_path: Path) -> None:
    with pytest.raises(DeployError, match=r"holds no manifest\.json"):
        load_build(tmp_path)
    (tmp_path / "manifest.json").write_text("{")
    with pytest.raises(DeployError, match="not readable JSON"):
        load_build(tmp_path)


def test_a_partial_build_knows_its_schools(mini_build: Path) -> None:
    rewrite(mini_build, lambda m: m.update(scope=["gym-a"]))
    assert load_build(mini_build).scope == ("gym-a",)
