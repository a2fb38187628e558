"""Scopes and the order of dependent objects."""

from __future__ import annotations

import pytest

from compiler.deploy.buildread import Desired
from compiler.deploy.plan import Scope, Step, dependency_levels


def test_scope_of_a_school_run() -> None:
    some = Scope(frozenset({"gym-a"}))
    assert some.covers("gym-a/apple/group/devices") and some.covers("_estate/windows/app/vlc")
    assert not some.covers("bbz-b/windows/group/devices")
    assert some.may_delete("gym-a/apple/group/devices") and not some.may_delete(
        "_estate/windows/app/vlc"
    )
    everything = Scope(None)
    assert everything.may_delete("_estate/windows/app/vlc") and everything.owns(
        "x/windows/group/devices"
    )


def step(key: str, body: dict[str, object]) -> Step:
    return Step("create", key, "c", Desired(key, "c", "beta", body))


def test_an_object_comes_after_the_objects_its_body_names() -> None:
    a = step("s/apple/app-config/a", {"targetedMobileApps": ["${app:s/apple/x/b}"]})
    b = step("s/apple/x/b", {"n": 1})
    c = step("s/apple/x/c", {"n": "${group:s/apple/group/devices}"})  # not in this list: ready
    levels = dependency_levels([a, b, c])
    assert [[s.key for s in level] for level in levels] == [
        ["s/apple/x/b", "s/apple/x/c"],
        ["s/apple/app-config/a"],
    ]


def test_a_cycle_is_an_error() -> None:
    a = step("s/p/k/a", {"x": "${object:s/p/k/b}"})
    b = step("s/p/k/b", {"x": "${object:s/p/k/a}"})
    with pytest.raises(ValueError, match="cycle"):
        dependency_levels([a, b])
