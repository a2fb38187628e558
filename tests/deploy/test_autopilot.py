"""Autopilot devices: imported once, registered ones skipped, rejections reported, never pruned."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.deploy_fixtures import deploy
from tests.support.graph_emulator import Fault, GraphEmulator

IMPORTED = "deviceManagement/importedWindowsAutopilotDeviceIdentities"
REGISTERED = "deviceManagement/windowsAutopilotDeviceIdentities"


def serials(build: Path) -> list[str]:
    doc = json.loads((build / "schools/bbz-b/windows/autopilot.json").read_text())
    return [d["serialNumber"] for d in doc["body"]["importedWindowsAutopilotDeviceIdentities"]]


def test_devices_are_imported_once_and_registered_ones_skipped(
    mini_build: Path, emu: GraphEmulator
) -> None:
    wanted = serials(mini_build)
    emu.tenant.seed(REGISTERED, {"serialNumber": wanted[0], "groupTag": "bbz-b"})
    r = deploy(mini_build, emu)
    assert r.code == 0, r.err
    imported = [d["serialNumber"] for d in emu.tenant.all(IMPORTED)]
    assert sorted(imported) == sorted(wanted[1:])
    assert sorted(d["serialNumber"] for d in emu.tenant.all(REGISTERED)) == sorted(wanted)
    assert all(d["groupTag"] == "bbz-b" for d in emu.tenant.all(REGISTERED)[1:])
    emu.reset_stats()
    again = deploy(mini_build, emu, prune=True)
    assert again.code == 0 and emu.stats.writes == 0
    assert len(emu.tenant.all(REGISTERED)) == len(wanted)  # registrations are never pruned


def test_devices_the_service_rejects_are_reported(mini_build: Path, emu: GraphEmulator) -> None:
    bad = serials(mini_build)[1]
    emu.tenant.reject_serials[bad] = (806, "ZtdDeviceAssignedToOtherTenant")
    r = deploy(mini_build, emu)
    assert r.code == 1
    [op] = r.ops("import", "failed")
    assert bad in op["error"] and "ZtdDeviceAssignedToOtherTenant" in op["error"]
    emu.reset_stats()
    again = deploy(mini_build, emu)
    assert emu.stats.writes == 0  # not sent again: the import record says why
    [warn] = again.ops("import", "warning")
    assert bad in " ".join(warn["changes"])


def test_a_lost_import_answer_imports_nothing_twice(mini_build: Path, emu: GraphEmulator) -> None:
    emu.inject(Fault("500-after", "POST", r"/import$"))
    r = deploy(mini_build, emu)
    assert r.code == 0, r.err
    imported = [d["serialNumber"] for d in emu.tenant.all(IMPORTED)]
    assert sorted(imported) == sorted(serials(mini_build))
