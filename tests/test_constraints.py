"""constraints/lower-bounds.txt pins exactly the lower bounds pyproject.toml declares, so the CI
step that installs it proves every `>=` with a passing test run."""

from __future__ import annotations

import re
import tomllib

from tests.helpers import REPO


def _bounds() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    out = {}
    for req in requirements:
        m = re.fullmatch(
            r"([A-Za-z0-9._-]+)(?:\[[^\]]*\])?>=([0-9][0-9A-Za-z.]*)", req.replace(" ", "")
        )
        assert m, f"{req!r}: every dependency has a tested lower bound (name>=version)"
        out[m.group(1).lower()] = m.group(2)
    return out


def _pins() -> dict[str, str]:
    out = {}
    for line in (
        (REPO / "constraints" / "lower-bounds.txt").read_text(encoding="utf-8").splitlines()
    ):
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            out[name.strip().lower()] = version.strip()
    return out


def test_every_lower_bound_is_pinned_and_nothing_else() -> None:
    from packaging.version import Version  # pytest's own dependency

    bounds, pins = _bounds(), _pins()
    assert bounds
    assert set(pins) == set(bounds)
    for name, bound in bounds.items():
        assert Version(pins[name]) == Version(bound), (name, pins[name], bound)


def test_ci_installs_the_constraints_in_a_fresh_environment() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "-c constraints/lower-bounds.txt" in script
    assert "python3 -m venv" in script
