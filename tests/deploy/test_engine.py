"""The reconcile engine against the Graph emulator: create, no-op, restore, prune, scope,
assignment merging, lost answers, rotated secrets, type changes, rollback."""

from __future__ import annotations

import base64
import hashlib
import json
import plistlib
import shutil
from pathlib import Path

from tests.helpers import edit
from tests.support.deploy_fixtures import DEPLOY_KEY, SECRET, base_env, build_estate, deploy, owned
from tests.support.graph_emulator import Fault, GraphEmulator

GROUP = "groups"
CONFIGS = "deviceManagement/deviceConfigurations"
APPS = "deviceAppManagement/mobileApps"


def desired_keys(build: Path) -> set[str]:
    out = set()
    for row in json.loads((build / "manifest.json").read_text())["artifacts"]:
        if row["path"].endswith(".json"):
            doc = json.loads((build / row["path"]).read_text())
            if "collection" in doc and "lookup" not in doc and doc.get("action") != "import":
                out.add(doc["key"])
    return out


def test_first_deploy_creates_every_object_once_and_leaves_hand_made_alone(
    mini_build: Path, emu: GraphEmulator
) -> None:
    before = {c: emu.tenant.all(c) for c in (CONFIGS, GROUP)}
    r = deploy(mini_build, emu)
    assert r.code == 0, r.err
    got = owned(emu)
    assert set(got) == desired_keys(mini_build)
    assert all(len(v) == 1 for v in got.values())
    for c, objs in before.items():
        for obj in objs:
            assert emu.tenant.raw(c, obj["id"]) == obj  # unmarked: never changed
    # assignments point at the real group ids
    group_id = got["bbz-b/windows/group/devices"][0]["id"]
    policy = got["bbz-b/windows/policy/it-baseline.baseline"][0]
    assert [a["target"]["groupId"] for a in emu.tenant.assignments[(CONFIGS, policy["id"])]] == [
        group_id
    ]
    # the VPP apps were looked up (never created) and assigned with device licensing
    vpp = [a for a in emu.tenant.all(APPS) if a["@odata.type"] == "#microsoft.graph.iosVppApp"]
    assert len(vpp) == 3
    for app in vpp:
        items = emu.tenant.assignments[(APPS, app["id"])]
        assert items and all(i["settings"]["useDeviceLicensing"] for i in items)
    # the enterprise Wi-Fi links the school's root certificate
    wifi = got["bbz-b/windows/policy/wifi.wifi"][0]
    cert = got["bbz-b/windows/policy/certificates.cert-musterkreis-root-ca"][0]
    assert emu.tenant.links[(CONFIGS, wifi["id"], "rootCertificatesForServerValidation")] == [
        cert["id"]
    ]
    assert {o["status"] for o in r.report["operations"]} <= {"ok", "unchanged"}


def test_a_second_run_writes_nothing(mini_build: Path, emu: GraphEmulator) -> None:
    assert deploy(mini_build, emu).code == 0
    emu.reset_stats()
    r = deploy(mini_build, emu)
    assert r.code == 0, r.err
    assert emu.stats.writes == 0
    assert {o["status"] for o in r.report["operations"]} == {"unchanged"}


def test_a_hand_edit_that_kept_the_description_is_restored(
    mini_build: Path, emu: GraphEmulator
) -> None:
    deploy(mini_build, emu)
    obj = owned(emu)["bbz-b/windows/policy/it-baseline.baseline"][0]
    emu.tenant.update(
        CONFIGS, obj["id"], {"@odata.type": obj["@odata.type"], "omaSettings": []}, replace=False
    )
    drift = deploy(mini_build, emu, mode="drift")
    assert drift.code == 1
    assert "changed in Intune: bbz-b/windows/policy/it-baseline.baseline: omaSettings" in drift.out
    r = deploy(mini_build, emu)
    assert r.code == 0
    assert [o["key"] for o in r.ops("update")] == ["bbz-b/windows/policy/it-baseline.baseline"]
    assert len(emu.tenant.raw(CONFIGS, obj["id"])["omaSettings"]) == len(obj["omaSettings"])
    assert deploy(mini_build, emu, mode="drift").code == 0


def test_a_removed_assignment_is_restored_and_foreign_assignments_are_kept(
    mini_build: Path, emu: GraphEmulator
) -> None:
    deploy(mini_build, emu)
    obj = owned(emu)["bbz-b/windows/policy/it-baseline.baseline"][0]
    foreign = emu.hand_made["group"]  # type: ignore[attr-defined]
    emu.tenant.assign(
        CONFIGS,
        obj["id"],
        {
            "assignments": [
                {
                    "target": {
                        "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                        "groupId": foreign,
                    }
                }
            ]
        },
    )
    r = deploy(mini_build, emu)
    assert [o["key"] for o in r.ops("assign")] == ["bbz-b/windows/policy/it-baseline.baseline"]
    groups = sorted(a["target"]["groupId"] for a in emu.tenant.assignments[(CONFIGS, obj["id"])])
    assert groups == sorted([foreign, owned(emu)["bbz-b/windows/group/devices"][0]["id"]])


def test_prune_deletes_only_marked_objects_no_longer_built(
    mini_build: Path, emu: GraphEmulator
) -> None:
    deploy(mini_build, emu)
    manifest = json.loads((mini_build / "manifest.json").read_text())
    manifest["artifacts"] = [
        a
        for a in manifest["artifacts"]
        if a["key"] != "bbz-b/windows/policy/browser-home.edge-home"
    ]
    (mini_build / "manifest.json").write_text(json.dumps(manifest))
    kept = deploy(mini_build, emu)
    assert [o["key"] for o in kept.ops("orphan", "skipped")] == [
        "bbz-b/windows/policy/browser-home.edge-home"
    ]
    assert "bbz-b/windows/policy/browser-home.edge-home" in owned(emu)
    r = deploy(mini_build, emu, prune=True)
    assert r.code == 0, r.err
    assert [o["key"] for o in r.ops("delete", "ok")] == [
        "bbz-b/windows/policy/browser-home.edge-home"
    ]
    assert "bbz-b/windows/policy/browser-home.edge-home" not in owned(emu)
    assert emu.tenant.raw(CONFIGS, emu.hand_made["config"])  # type: ignore[attr-defined]


def test_the_deletion_guard_stops_before_any_write(mini_build: Path, emu: GraphEmulator) -> None:
    deploy(mini_build, emu)
    manifest = json.loads((mini_build / "manifest.json").read_text())
    manifest["artifacts"] = [
        a for a in manifest["artifacts"] if not a["key"].startswith("bbz-b/windows/policy/")
    ]
    (mini_build / "manifest.json").write_text(json.dumps(manifest))
    emu.reset_stats()
    r = deploy(mini_build, emu, prune=True, max_deletions=2)
    assert r.code == 1
    assert "more than --max-deletions 2" in r.err
    assert emu.stats.writes == 0
    assert deploy(mini_build, emu, prune=True, max_deletions=10).code == 0
    assert not [k for k in owned(emu) if k.startswith("bbz-b/windows/policy/")]


def test_a_create_that_succeeded_but_answered_500_is_not_duplicated(
    mini_build: Path, emu: GraphEmulator
) -> None:
    emu.inject(
        Fault("500-after", "POST", r"deviceConfigurations$", times=3),
        Fault("drop-after", "POST", r"^groups$", times=1),
    )
    r = deploy(mini_build, emu)
    assert r.code == 0, r.err
    assert all(len(v) == 1 for v in owned(emu).values())
    assert any("found after an unclear answer" in " ".join(o["changes"]) for o in r.ops("create"))
    assert deploy(mini_build, emu).code == 0
    assert all(len(v) == 1 for v in owned(emu).values())


def test_a_create_that_failed_before_writing_is_tried_again(
    mini_build: Path, emu: GraphEmulator
) -> None:
    emu.inject(
        Fault("500", "POST", r"deviceConfigurations$", times=2),
        Fault("drop", "POST", r"^groups$", times=1),
    )
    r = deploy(mini_build, emu)
    assert r.code == 0, r.err
    assert set(owned(emu)) == desired_keys(mini_build)


def test_a_rotated_secret_deploys_without_reading_it_back(
    mini_build: Path, emu: GraphEmulator
) -> None:
    deploy(mini_build, emu)
    emu.reset_stats()
    env = base_env(WIFI_PSK_GYM_A="a-new-passphrase-2027")
    r = deploy(mini_build, emu, env=env)
    assert [o["key"] for o in r.ops("update")] == ["gym-a/apple/intune-profile/wifi"]
    assert deploy(mini_build, emu, env=env).ops("update") == []
    # a different deploy key is a different fingerprint, but never the value itself
    obj = owned(emu)["gym-a/apple/intune-profile/wifi"][0]
    assert "a-new-passphrase-2027" not in obj["description"]
    assert obj["description"].endswith("]") and "[schoolmdm-secrets:" in obj["description"]


def test_only_the_schools_deployed_are_touched_and_other_schools_assignments_stay(
    mini_build: Path, emu: GraphEmulator
) -> None:
    deploy(mini_build, emu)
    app = owned(emu)["_estate/windows/app/vlc"][0]
    before = emu.tenant.assignments[(APPS, app["id"])]
    obj = owned(emu)["gym-a/apple/intune-profile/restrictions"][0]
    emu.tenant.update(
        CONFIGS, obj["id"], {"@odata.type": obj["@odata.type"], "displayName": "x"}, replace=False
    )
    r = deploy(mini_build, emu, schools=("bbz-b",))
    assert r.code == 0
    assert not [o for o in r.report["operations"] if o["key"].startswith("gym-a/")]
    assert emu.tenant.raw(CONFIGS, obj["id"])["displayName"] == "x"
    assert emu.tenant.assignments[(APPS, app["id"])] == before


def test_rollback_is_deploying_an_older_build(
    mini_root: Path, tmp_path: Path, emu: GraphEmulator
) -> None:
    estate = tmp_path / "estate"
    shutil.copytree(mini_root, estate, ignore=shutil.ignore_patterns("build"))
    old = build_estate(estate)
    shutil.copytree(old, tmp_path / "old-build")
    assert deploy(tmp_path / "old-build", emu).code == 0
    before = {k: v[0] for k, v in owned(emu).items()}
    edit(estate, "schools/gym-a/school.yaml", "allow_camera: true", "allow_camera: false")
    new = build_estate(estate)
    assert deploy(new, emu).code == 0
    changed = owned(emu)["gym-a/apple/intune-profile/restrictions"][0]
    assert (
        changed["description"] != before["gym-a/apple/intune-profile/restrictions"]["description"]
    )
    r = deploy(tmp_path / "old-build", emu)  # the rollback
    assert [o["key"] for o in r.ops("update")] == ["gym-a/apple/intune-profile/restrictions"]
    after = owned(emu)["gym-a/apple/intune-profile/restrictions"][0]
    assert after["id"] == before["gym-a/apple/intune-profile/restrictions"]["id"]
    assert after["payload"] == before["gym-a/apple/intune-profile/restrictions"]["payload"]
    assert deploy(tmp_path / "old-build", emu, mode="drift").code == 0


def test_a_changed_type_replaces_the_object(mini_build: Path, emu: GraphEmulator) -> None:
    deploy(mini_build, emu)
    key = "bbz-b/windows/policy/it-baseline.baseline"
    old = owned(emu)[key][0]
    path = mini_build / "schools/bbz-b/windows/it-baseline.baseline.json"
    doc = json.loads(path.read_text())
    doc["body"]["@odata.type"] = "#microsoft.graph.windows10GeneralConfiguration"
    doc["body"].pop("omaSettings")
    path.write_text(json.dumps(doc))
    manifest = json.loads((mini_build / "manifest.json").read_text())
    for a in manifest["artifacts"]:
        if a["path"] == "schools/bbz-b/windows/it-baseline.baseline.json":
            a["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (mini_build / "manifest.json").write_text(json.dumps(manifest))
    r = deploy(mini_build, emu)
    assert r.code == 0, r.err
    [new] = owned(emu)[key]
    assert (
        new["id"] != old["id"]
        and new["@odata.type"] == "#microsoft.graph.windows10GeneralConfiguration"
    )
    assert emu.tenant.assignments[(CONFIGS, new["id"])]


def test_secrets_and_tokens_never_reach_output_or_report(
    mini_build: Path, emu: GraphEmulator
) -> None:
    emu.inject(Fault("500-after", "POST", r"deviceConfigurations$", times=1))
    r = deploy(mini_build, emu)
    stored = [o for o in emu.tenant.all(CONFIGS) if "wifi" in o.get("payloadFileName", "")]
    assert stored  # the secret reached Intune, filled into the plist
    plist = plistlib.loads(base64.b64decode(stored[0]["payload"]))
    assert [p["Password"] for p in plist["PayloadContent"] if "Password" in p] == [SECRET]
    for text in (r.out, r.err, json.dumps(r.report)):
        assert SECRET not in text and DEPLOY_KEY not in text and "test-token" not in text
