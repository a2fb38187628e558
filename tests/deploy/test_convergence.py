"""Property, for every target (Intune and Jamf Pro): after any sequence of injected faults and
re-runs, one clean run leaves the MDM holding exactly the desired managed objects, each once,
with hand-made objects unchanged; and the run after that writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.deploy.test_engine import desired_keys
from tests.support import graph_emulator, jamf_emulator
from tests.support.deploy_fixtures import TOKEN, deploy, owned, seed_tenant
from tests.support.graph_emulator import GraphEmulator, Limits
from tests.support.jamf_emulator import JamfEmulator
from tests.support.jamf_fixtures import (
    GROUPS,
    JAMF_TOKEN,
    WRITABLE,
    deploy_jamf,
    jamf_desired_keys,
    owned_jamf,
    scope_groups,
    seed_jamf,
)

KINDS = {
    "intune": ("500", "503", "500-after", "drop", "drop-after", "429", "401"),
    "jamf": ("500", "503", "500-after", "drop", "drop-after", "429", "401", "409"),
}
PATHS = {
    "intune": (
        r"deviceConfigurations$",
        r"^groups$",
        r"/assign$",
        r"mobileApps$",
        r"/import$",
        r"\$ref$",
        r"deviceConfigurations/[^/]+$",
        None,
    ),
    "jamf": (
        r"mobiledeviceconfigurationprofiles/id/0$",
        r"mobiledevicegroups",
        r"mobiledeviceapplications",
        r"/id/[1-9][0-9]*$",
        r"^mobiledevices$",
        None,
    ),
}


def runs(target: str) -> st.SearchStrategy[list[tuple[list[object], float, int, bool]]]:
    module = graph_emulator if target == "intune" else jamf_emulator
    faults = st.builds(
        module.Fault,
        kind=st.sampled_from(KINDS[target]),
        method=st.sampled_from(("POST", "PUT", "PATCH", "DELETE", "GET", None)),
        path=st.sampled_from(PATHS[target]),
        times=st.integers(1, 3),
        retry_after=st.just(0.0),
    )
    return st.lists(
        st.tuples(
            st.lists(faults, max_size=4), st.floats(0, 0.3), st.integers(0, 2**16), st.booleans()
        ),
        min_size=1,
        max_size=3,
    )


def intune_converges(build: Path, plan: list[tuple[list[object], float, int, bool]]) -> None:
    with GraphEmulator(limits=Limits(), token=TOKEN) as emu:
        emu.tenant.import_polls_to_finish = 1
        hand_made = seed_tenant(emu, build)
        foreign = {
            c: emu.tenant.all(c)
            for c in emu.tenant.objects
            if c != "deviceAppManagement/mobileApps"
        }
        for injected, rate, seed, prune in plan:
            emu.faults.clear()
            emu.inject(*injected)  # type: ignore[arg-type]
            emu.set_chaos(seed, rate, KINDS["intune"])
            result = deploy(build, emu, prune=prune, max_deletions=50)
            assert result.code in (0, 1)
            assert "Traceback" not in result.err
        emu.faults.clear()
        emu.set_chaos(0, 0, KINDS["intune"])
        final = deploy(build, emu, prune=True, max_deletions=50)
        assert final.code == 0, json.dumps(final.ops(status="failed"))
        got = owned(emu)
        assert set(got) == desired_keys(build)
        assert all(len(objs) == 1 for objs in got.values()), {
            k: len(v) for k, v in got.items() if len(v) > 1
        }
        for collection, objs in foreign.items():
            for obj in objs:
                assert emu.tenant.raw(collection, obj["id"]) == obj
        assert emu.tenant.raw("groups", hand_made["group"])["displayName"] == "SMDM-bbz-b-devices"
        serials = [
            d["serialNumber"]
            for d in emu.tenant.all("deviceManagement/windowsAutopilotDeviceIdentities")
        ]
        assert len(serials) == len(set(serials))
        emu.reset_stats()
        assert deploy(build, emu).code == 0
        assert emu.stats.writes == 0


def jamf_converges(build: Path, plan: list[tuple[list[object], float, int, bool]]) -> None:
    with JamfEmulator(token=JAMF_TOKEN) as emu:
        seed_jamf(emu)
        foreign = {
            (c, oid): emu.server.raw(c, oid)
            for c in (*WRITABLE, "mobiledevices")
            for oid in emu.server.ids(c)
        }
        for injected, rate, seed, prune in plan:
            emu.faults.clear()
            emu.inject(*injected)  # type: ignore[arg-type]
            emu.set_chaos(seed, rate, KINDS["jamf"])
            result = deploy_jamf(build, emu, prune=prune, max_deletions=50)
            assert result.code in (0, 1)
            assert "Traceback" not in result.err
        emu.faults.clear()
        emu.set_chaos(0, 0, KINDS["jamf"])
        emu.reset_stats()
        final = deploy_jamf(build, emu, prune=True, max_deletions=50)
        assert final.code == 0, json.dumps(final.ops(status="failed"))
        assert emu.stats.conflicts == 0  # a clean run never meets a 409
        got = owned_jamf(emu)
        assert set(got) == jamf_desired_keys(build)
        assert all(len(objs) == 1 for objs in got.values()), {
            k: len(v) for k, v in got.items() if len(v) > 1
        }
        [(_, group_id, _)] = got["gym-a/apple/group/devices"]
        for key, [(collection, _, obj)] in got.items():
            if collection != GROUPS:
                assert scope_groups(obj) == [str(group_id)], key
                assert obj["scope"]["all_mobile_devices"] == "false", key
        for (collection, oid), raw in foreign.items():
            assert emu.server.raw(collection, oid) == raw
        assert emu.server.identifier_changes == []  # no update ever changed a profile's identity
        emu.reset_stats()
        assert deploy_jamf(build, emu).code == 0
        assert emu.stats.writes == 0


@pytest.mark.parametrize("target", ["intune", "jamf"])
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_faults_then_a_clean_run_converge(
    target: str, mini_build: Path, jamf_build: Path, data: st.DataObject
) -> None:
    plan = data.draw(runs(target), label="runs")
    if target == "intune":
        intune_converges(mini_build, plan)
    else:
        jamf_converges(jamf_build, plan)
