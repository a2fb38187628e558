"""The reconcile engine with the Jamf Pro adapter, against the Jamf emulator: a first deploy,
no-op re-runs, Jamf's rewriting of profiles, updates that keep Jamf's identifiers, hand edits,
scopes, names taken by hand-made objects, lost answers, prune, secrets."""

from __future__ import annotations

import json
import plistlib
import shutil
from pathlib import Path

from tests.helpers import edit
from tests.support.deploy_fixtures import SECRET, build_estate
from tests.support.graph_emulator import GraphEmulator
from tests.support.jamf_emulator import Fault, JamfEmulator
from tests.support.jamf_fixtures import (
    APPS,
    GROUPS,
    PROFILES,
    deploy_jamf,
    jamf_desired_keys,
    jamf_env,
    owned_jamf,
    scope_groups,
)

WIFI = "gym-a/apple/jamf-profile/wifi"
GROUP = "gym-a/apple/group/devices"


def payload(emu: JamfEmulator, oid: int) -> dict[str, object]:
    text = emu.server.obj(PROFILES, oid)["general"]["payloads"]
    data = plistlib.loads(text.encode("utf-8"))
    assert isinstance(data, dict)
    return data


def the(emu: JamfEmulator, key: str) -> tuple[str, int, dict[str, object]]:
    [found] = owned_jamf(emu)[key]
    return found


def test_first_deploy_makes_every_object_once_scoped_to_the_school_group(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    hand = jamf.hand_made  # type: ignore[attr-defined]
    before = {c: jamf.server.raw(c, hand[k]) for c, k in ((PROFILES, "profile"), (GROUPS, "group"))}
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 0, r.err
    got = owned_jamf(jamf)
    assert set(got) == jamf_desired_keys(jamf_build)
    assert all(len(v) == 1 for v in got.values())
    _, group_id, group = the(jamf, GROUP)
    members = group["mobile_devices"]["mobile_device"]
    assert sorted(m["serial_number"] for m in members) == [
        "DMPA00000001",
        "DMPA00000002",
        "DMPA00000003",
    ]
    for key, [(collection, _, obj)] in got.items():
        if collection == GROUPS:
            continue
        assert scope_groups(obj) == [str(group_id)], key
        assert obj["scope"]["all_mobile_devices"] == "false", key
    for collection, raw in before.items():  # hand-made objects: never touched
        oid = hand["profile" if collection == PROFILES else "group"]
        assert jamf.server.raw(collection, oid) == raw
    # the create carried the scope: one request per object, no separate scope write
    assert jamf.stats.writes == len(got)
    assert jamf.stats.conflicts == 0 and jamf.server.identifier_changes == []
    # device licensing from the only volume purchasing location
    _, _, app = the(jamf, "gym-a/apple/jamf-app/pages")
    assert app["vpp"]["assign_vpp_device_based_licenses"] == "true"
    assert app["vpp"]["vpp_admin_account_id"] != "-1"


def test_a_rerun_writes_nothing_although_jamf_rewrote_every_profile(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    assert deploy_jamf(jamf_build, jamf).code == 0
    _, oid, _ = the(jamf, WIFI)
    stored = payload(jamf, oid)
    built = json.loads((jamf_build / "schools/gym-a/apple/jamf/wifi.json").read_text())
    ours = plistlib.loads(built["body"]["general"]["payloads"].encode())
    assert stored["PayloadIdentifier"] != ours["PayloadIdentifier"]  # minted by Jamf
    assert stored["PayloadEnabled"] is True
    jamf.reset_stats()
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 0, r.err
    assert jamf.stats.writes == 0
    assert {o["status"] for o in r.report["operations"]} <= {"unchanged", "warning"}
    assert deploy_jamf(jamf_build, jamf, mode="drift").code == 0


def test_a_one_school_edit_updates_in_place_keeping_jamfs_identifiers(
    jamf_root: Path, jamf: JamfEmulator, tmp_path: Path
) -> None:
    root = tmp_path / "estate"
    shutil.copytree(jamf_root, root, ignore=shutil.ignore_patterns("build"))
    build = build_estate(root)
    assert deploy_jamf(build, jamf).code == 0
    _, oid, _ = the(jamf, "gym-a/apple/jamf-profile/restrictions")
    before = payload(jamf, oid)
    edit(root, "schools/gym-a/school.yaml", "allow_camera: true", "allow_camera: false")
    build = build_estate(root)
    jamf.reset_stats()
    r = deploy_jamf(build, jamf)
    assert r.code == 0, r.err
    assert [o["key"] for o in r.ops("update")] == ["gym-a/apple/jamf-profile/restrictions"]
    assert jamf.stats.writes == 1
    _, same_id, _ = the(jamf, "gym-a/apple/jamf-profile/restrictions")
    after = payload(jamf, same_id)
    assert same_id == oid
    assert after["PayloadIdentifier"] == before["PayloadIdentifier"]
    assert after["PayloadUUID"] == before["PayloadUUID"]
    assert jamf.server.identifier_changes == []
    [restrictions] = after["PayloadContent"]  # type: ignore[misc]
    assert restrictions["allowCamera"] is False
    assert deploy_jamf(build, jamf).ops("update") == []


def test_a_hand_edit_in_jamf_is_drift_and_the_next_deploy_restores_it(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    deploy_jamf(jamf_build, jamf)
    _, oid, _ = the(jamf, "gym-a/apple/jamf-profile/restrictions")
    data = payload(jamf, oid)
    data["PayloadContent"][0]["allowAirDrop"] = True  # type: ignore[index]
    text = plistlib.dumps(data).decode().replace("&", "&amp;").replace("<", "&lt;")
    jamf.server.update(
        PROFILES,
        oid,
        f"<configuration_profile><general><payloads>{text}</payloads></general>"
        "<scope><all_mobile_devices>true</all_mobile_devices></scope>"
        "</configuration_profile>".encode(),
    )
    drift = deploy_jamf(jamf_build, jamf, mode="drift")
    assert drift.code == 1
    assert "changed in Jamf Pro: gym-a/apple/jamf-profile/restrictions" in drift.out
    assert "allowAirDrop" in drift.out and "all_mobile_devices" in drift.out
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 0, r.err
    restored = payload(jamf, oid)
    assert restored["PayloadContent"][0]["allowAirDrop"] is False  # type: ignore[index]
    assert jamf.server.obj(PROFILES, oid)["scope"]["all_mobile_devices"] == "false"
    assert deploy_jamf(jamf_build, jamf, mode="drift").code == 0


def test_scope_groups_the_estate_does_not_own_are_kept_and_ours_restored(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    deploy_jamf(jamf_build, jamf)
    hand_group = jamf.hand_made["group"]  # type: ignore[attr-defined]
    _, oid, _ = the(jamf, WIFI)
    jamf.server.update(
        PROFILES,
        oid,
        (
            "<configuration_profile><scope><mobile_device_groups><mobile_device_group>"
            f"<id>{hand_group}</id></mobile_device_group></mobile_device_groups></scope>"
            "</configuration_profile>"
        ).encode(),
    )
    jamf.reset_stats()
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 0, r.err
    assert [o["key"] for o in r.ops("assign")] == [WIFI]
    _, group_id, _ = the(jamf, GROUP)
    assert sorted(scope_groups(jamf.server.obj(PROFILES, oid))) == sorted(
        [str(hand_group), str(group_id)]
    )
    jamf.reset_stats()
    assert deploy_jamf(jamf_build, jamf).code == 0 and jamf.stats.writes == 0


def test_a_name_taken_by_a_hand_made_object_is_an_error_naming_it_never_adopted(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    built = json.loads((jamf_build / "schools/gym-a/apple/jamf/wifi.json").read_text())
    name = built["body"]["general"]["name"]
    taken = jamf.server.seed(
        PROFILES,
        f"<configuration_profile><general><name>{name}</name></general></configuration_profile>",
    )
    raw = jamf.server.raw(PROFILES, taken)
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 1
    [failed] = r.ops(status="failed")
    assert failed["key"] == WIFI and f"'{name}'" in failed["error"]
    assert f"id {taken}" in failed["error"] and "never adopts" in failed["error"]
    assert jamf.server.raw(PROFILES, taken) == raw
    assert jamf.stats.conflicts == 0  # found before writing: not a single 409
    assert set(owned_jamf(jamf)) == jamf_desired_keys(jamf_build) - {WIFI}
    drift = deploy_jamf(jamf_build, jamf, mode="drift")
    assert drift.code == 1 and f"cannot deploy: {WIFI}" in drift.out


def test_a_409_on_create_is_looked_up_once_and_never_retried(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    jamf.inject(Fault("409", "POST", r"mobiledeviceconfigurationprofiles/id/0", times=1))
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 1
    [failed] = r.ops(status="failed")
    assert "409" in failed["error"] and "Duplicate name" in failed["error"]
    assert jamf.stats.conflicts == 1
    posts = [p for _, m, p, _ in jamf.stats.write_log if m == "POST" and PROFILES in p]
    assert len(posts) == len([k for k in jamf_desired_keys(jamf_build) if "jamf-profile" in k])
    assert deploy_jamf(jamf_build, jamf).code == 0
    assert set(owned_jamf(jamf)) == jamf_desired_keys(jamf_build)


def test_a_create_that_succeeded_but_answered_500_is_not_duplicated(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    jamf.inject(
        Fault("500-after", "POST", PROFILES, times=2),
        Fault("drop-after", "POST", GROUPS, times=1),
        Fault("500", "POST", APPS, times=1),
    )
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 0, r.err
    got = owned_jamf(jamf)
    assert set(got) == jamf_desired_keys(jamf_build)
    assert all(len(v) == 1 for v in got.values())
    assert any("found after an unclear answer" in " ".join(o["changes"]) for o in r.ops("create"))
    assert jamf.stats.conflicts == 0
    _, group_id, _ = the(jamf, GROUP)
    for collection, _, obj in (v[0] for v in got.values()):
        if collection != GROUPS:
            assert scope_groups(obj) == [str(group_id)]


def test_ipads_jamf_does_not_know_yet_are_reported_and_join_later(
    jamf_build: Path, tmp_path: Path
) -> None:
    from tests.support.jamf_fixtures import JAMF_TOKEN, seed_jamf

    with JamfEmulator(token=JAMF_TOKEN) as emu:
        seed_jamf(emu, serials=("DMPA00000001",))
        r = deploy_jamf(jamf_build, emu)
        assert r.code == 0, r.err
        [note] = r.ops("members", "warning")
        assert "2 of 3 iPads are not in Jamf Pro yet" in note["changes"][0]
        assert "DMPA00000002" in note["changes"][0]
        emu.reset_stats()
        assert deploy_jamf(jamf_build, emu).code == 0 and emu.stats.writes == 0
        emu.server.seed_device("DMPA00000002")
        r = deploy_jamf(jamf_build, emu)
        assert [o["key"] for o in r.ops("update")] == [GROUP]
        _, _, group = the(emu, GROUP)
        serials = sorted(m["serial_number"] for m in group["mobile_devices"]["mobile_device"])
        assert serials == ["DMPA00000001", "DMPA00000002"]


def test_prune_deletes_objects_no_longer_built_and_never_hand_made_ones(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    deploy_jamf(jamf_build, jamf)
    manifest = json.loads((jamf_build / "manifest.json").read_text())
    manifest["artifacts"] = [a for a in manifest["artifacts"] if a["key"] != WIFI]
    (jamf_build / "manifest.json").write_text(json.dumps(manifest))
    kept = deploy_jamf(jamf_build, jamf)
    assert [o["key"] for o in kept.ops("orphan", "skipped")] == [WIFI]
    r = deploy_jamf(jamf_build, jamf, prune=True)
    assert r.code == 0, r.err
    assert [o["key"] for o in r.ops("delete", "ok")] == [WIFI]
    assert WIFI not in owned_jamf(jamf)
    hand = jamf.hand_made  # type: ignore[attr-defined]
    assert hand["profile"] in jamf.server.ids(PROFILES) and hand["group"] in jamf.server.ids(GROUPS)
    manifest["artifacts"] = []
    (jamf_build / "manifest.json").write_text(json.dumps(manifest))
    jamf.reset_stats()
    guarded = deploy_jamf(jamf_build, jamf, prune=True, max_deletions=3)
    assert guarded.code == 1 and "more than --max-deletions 3" in guarded.err
    assert jamf.stats.writes == 0


def test_secrets_are_filled_in_the_payload_never_shown_and_a_rotation_deploys(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    r = deploy_jamf(jamf_build, jamf)
    _, oid, obj = the(jamf, WIFI)
    [wifi] = payload(jamf, oid)["PayloadContent"]  # type: ignore[misc]
    assert wifi["Password"] == SECRET  # a value with < & ' " survives as plist text
    assert "[schoolmdm-secrets:" in obj["general"]["description"]
    for text in (r.out, r.err, json.dumps(r.report)):
        assert SECRET not in text
    env = jamf_env(WIFI_PSK_GYM_A="a-new-passphrase-2027")
    rotated = deploy_jamf(jamf_build, jamf, env=env)
    assert [o["key"] for o in rotated.ops("update")] == [WIFI]
    [wifi] = payload(jamf, oid)["PayloadContent"]  # type: ignore[misc]
    assert wifi["Password"] == "a-new-passphrase-2027"
    assert jamf.server.identifier_changes == []
    missing = jamf_env()
    del missing["WIFI_PSK_GYM_A"]
    jamf.reset_stats()
    stopped = deploy_jamf(jamf_build, jamf, env=missing)
    assert stopped.code == 1 and "WIFI_PSK_GYM_A" in stopped.err
    assert jamf.stats.requests == 0


def test_a_dry_run_sends_no_write(jamf_build: Path, jamf: JamfEmulator) -> None:
    r = deploy_jamf(jamf_build, jamf, dry_run=True)
    assert r.code == 0, r.err
    assert jamf.stats.writes == 0
    assert f"would create: {WIFI}" in r.out
    assert "would assign" not in r.out  # the create carries the scope


def test_a_build_for_intune_is_refused(mini_build: Path, jamf: JamfEmulator) -> None:
    r = deploy_jamf(mini_build, jamf)
    assert r.code == 1 and "mdm.apple: jamf" in r.err
    assert jamf.stats.requests == 0


def test_several_purchasing_locations_need_the_estate_to_name_one(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    jamf.server.seed_vpp_account("Zweiter Standort")
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 1
    failed = {o["key"] for o in r.ops(status="failed")}
    assert failed == {k for k in jamf_desired_keys(jamf_build) if "/jamf-app/" in k}
    assert "apple: vpp_token" in r.ops(status="failed")[0]["error"]


def test_servers_that_replace_the_whole_scope_list_no_serials_or_keep_fewer_fields(
    jamf_root: Path, tmp_path: Path
) -> None:
    from tests.support.jamf_fixtures import JAMF_TOKEN, seed_jamf
    from tests.support.jamf_store import JamfServer

    root = tmp_path / "estate"
    shutil.copytree(jamf_root, root, ignore=shutil.ignore_patterns("build"))
    build = build_estate(root)
    forget = ("general/redeploy_on_update", "general/take_over_management", "vpp")
    server = JamfServer(whole_scope=True, list_serials=False, forget=forget)
    with JamfEmulator(server, token=JAMF_TOKEN) as emu:
        seed_jamf(emu)
        assert deploy_jamf(build, emu).code == 0
        edit(root, "schools/gym-a/school.yaml", "allow_camera: true", "allow_camera: false")
        build = build_estate(root)
        r = deploy_jamf(build, emu)
        assert r.code == 0, r.err
        _, group_id, group = the(emu, GROUP)
        assert len(group["mobile_devices"]["mobile_device"]) == 3
        _, _, profile = the(emu, "gym-a/apple/jamf-profile/restrictions")
        assert scope_groups(profile) == [str(group_id)]  # the update kept the scope's groups
        emu.reset_stats()
        assert deploy_jamf(build, emu).code == 0 and emu.stats.writes == 0


def test_an_answer_that_is_not_xml_stops_the_run_clearly(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    jamf.inject(Fault("garbage", "GET", r"^mobiledeviceconfigurationprofiles$", times=1))
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 1 and "not readable XML" in r.err and "Traceback" not in r.err
    assert jamf.stats.writes == 0
    assert deploy_jamf(jamf_build, jamf).code == 0


def test_intune_deploys_only_the_windows_part_of_a_jamf_build(
    jamf_build: Path, emu: GraphEmulator
) -> None:
    from tests.deploy.test_engine import desired_keys
    from tests.support.deploy_fixtures import deploy, owned

    r = deploy(jamf_build, emu)
    assert r.code == 0, r.err
    windows = desired_keys(jamf_build) - jamf_desired_keys(jamf_build)
    assert windows and all(k.split("/")[1] == "windows" for k in windows)
    assert set(owned(emu)) == windows
