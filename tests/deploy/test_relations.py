"""Merging assignments: what the run owns is replaced, everything else kept."""

from __future__ import annotations

from compiler.deploy.buildread import Desired
from compiler.deploy.intune import IntuneAdapter
from compiler.deploy.model import LiveObject, LiveState
from compiler.deploy.plan import Scope
from compiler.deploy.relations import assignment_writes, same


def target(group: str) -> dict[str, object]:
    return {"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group}}


def test_same_ignores_order_and_server_fields() -> None:
    assert same(
        [target("a"), target("b")],
        [{**target("b"), "id": "x"}, {**target("a"), "source": "direct"}],
    )
    assert not same([target("a")], [target("a"), target("a")])


def test_a_school_run_keeps_other_schools_and_foreign_groups() -> None:
    adapter = IntuneAdapter.__new__(IntuneAdapter)
    app = Desired(
        "_estate/windows/app/vlc",
        "deviceAppManagement/mobileApps",
        "beta",
        {},
        assign={
            "mobileAppAssignments": [
                target("${group:a/windows/group/devices}"),
                target("${group:b/windows/group/devices}"),
            ]
        },
    )
    groups = [
        LiveObject("groups", gid, {}, f"{s}/windows/group/devices")
        for s, gid in (("a", "ga"), ("b", "gb"))
    ]
    live_app = LiveObject(
        "deviceAppManagement/mobileApps",
        "app",
        {},
        app.key,
        [{**target("gb"), "id": "1", "intent": "old"}, {**target("hand"), "id": "2"}],
    )
    live = LiveState(owned=[*groups, live_app])
    ids = {
        "ga": "ga",
        "a/windows/group/devices": "ga",
        "b/windows/group/devices": "gb",
        app.key: "app",
    }
    [write], problems = assignment_writes(adapter, [app], live, ids, Scope(frozenset({"a"})), set())
    assert not problems
    items = write.body["mobileAppAssignments"]
    assert {i["target"]["groupId"] for i in items} == {"ga", "gb", "hand"}
    assert next(i for i in items if i["target"]["groupId"] == "gb")["intent"] == "old"  # b's stays
    assert all("id" not in i for i in items)
