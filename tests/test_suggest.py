"""'Did you mean' hints."""

from __future__ import annotations

from compiler.suggest import did_you_mean


def test_close_spelling() -> None:
    assert did_you_mean("platfrom", ["platform", "profiles"]) == "did you mean 'platform'?"


def test_short_name_for_a_longer_id() -> None:
    ids = ["geogebra-calculator-suite", "goodnotes", "microsoft-word"]
    assert did_you_mean("geogebra", ids) == "did you mean 'geogebra-calculator-suite'?"
    assert did_you_mean("Word", ids) == "did you mean 'microsoft-word'?"


def test_nothing_close() -> None:
    assert did_you_mean("zz", ["platform"]) == ""
    assert did_you_mean("xyzzy", ["platform"]) == ""
