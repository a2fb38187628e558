"""Property: after any sequence of injected faults and re-runs, one clean run leaves the tenant
holding exactly the desired managed objects, each once, with hand-made objects unchanged; and
the run after that writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.deploy.test_engine import desired_keys
from tests.support.deploy_fixtures import TOKEN, deploy, owned, seed_tenant
from tests.support.graph_emulator import Fault, GraphEmulator, Limits

KINDS = ("500", "503", "500-after", "drop", "drop-after", "429", "401")
PATHS = (
    r"deviceConfigurations$",
    r"^groups$",
    r"/assign$",
    r"mobileApps$",
    r"/import$",
    r"\$ref$",
    r"deviceConfigurations/[^/]+$",
    None,
)
faults = st.builds(
    Fault,
    kind=st.sampled_from(KINDS),
    method=st.sampled_from(("POST", "PATCH", "DELETE", "GET", None)),
    path=st.sampled_from(PATHS),
    times=st.integers(1, 3),
    retry_after=st.just(0.0),
)
runs = st.lists(
    st.tuples(
        st.lists(faults, max_size=4), st.floats(0, 0.3), st.integers(0, 2**16), st.booleans()
    ),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=runs)
def test_any_faults_then_a_clean_run_converge(
    mini_build: Path, plan: list[tuple[list[Fault], float, int, bool]]
) -> None:
    with GraphEmulator(limits=Limits(), token=TOKEN) as emu:
        emu.tenant.import_polls_to_finish = 1
        hand_made = seed_tenant(emu, mini_build)
        foreign = {
            c: emu.tenant.all(c)
            for c in emu.tenant.objects
            if c != "deviceAppManagement/mobileApps"
        }
        for injected, rate, seed, prune in plan:
            emu.faults.clear()
            emu.inject(*injected)
            emu.set_chaos(seed, rate, KINDS)
            result = deploy(mini_build, emu, prune=prune, max_deletions=50)
            assert result.code in (0, 1)
            assert "Traceback" not in result.err
        emu.faults.clear()
        emu.set_chaos(0, 0, KINDS)
        final = deploy(mini_build, emu, prune=True, max_deletions=50)
        assert final.code == 0, json.dumps(final.ops(status="failed"))
        got = owned(emu)
        assert set(got) == desired_keys(mini_build)
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
        assert deploy(mini_build, emu).code == 0
        assert emu.stats.writes == 0
