"""What the Intune adapter knows: App Store apps looked up from the licence sync, encrypted
OMA-URI values, navigation links, servers that do not expand lists."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.helpers import edit
from tests.support.deploy_fixtures import TOKEN, build_estate, deploy, owned, seed_tenant
from tests.support.graph_emulator import GraphEmulator, Limits

APPS = "deviceAppManagement/mobileApps"
CONFIGS = "deviceManagement/deviceConfigurations"
EDGE = "bbz-b/windows/policy/browser-home.edge-home"


def vpp_apps(emu: GraphEmulator) -> list[dict[str, object]]:
    return [a for a in emu.tenant.all(APPS) if a["@odata.type"] == "#microsoft.graph.iosVppApp"]


def test_a_missing_app_store_app_is_a_clear_error_and_the_rest_deploys(
    mini_build: Path, emu: GraphEmulator
) -> None:
    pages = next(a for a in vpp_apps(emu) if a["displayName"] == "pages")
    emu.tenant.delete(APPS, str(pages["id"]))
    r = deploy(mini_build, emu)
    assert r.code == 1
    [failed] = r.ops(status="failed")
    assert failed["key"] == "_estate/apple/vpp-app/pages"
    assert "com.apple.Pages" in failed["error"] and "licence token" in failed["error"]
    assert "bbz-b/windows/group/devices" in owned(emu)
    assert "Traceback" not in r.err


def test_several_licence_tokens_need_the_estate_to_name_one(
    mini_root: Path, mini_build: Path, emu: GraphEmulator, tmp_path: Path
) -> None:
    emu.tenant.seed(
        APPS,
        {
            "@odata.type": "#microsoft.graph.iosVppApp",
            "displayName": "pages",
            "bundleId": "com.apple.Pages",
            "vppTokenAppleId": "other@schulen.example",
        },
    )
    r = deploy(mini_build, emu)
    assert r.code == 1
    [failed] = r.ops(status="failed")
    assert "other@schulen.example" in failed["error"] and "vpp_token" in failed["error"]
    estate = tmp_path / "estate"
    shutil.copytree(mini_root, estate, ignore=shutil.ignore_patterns("build"))
    edit(
        estate,
        "schoolmdm.yaml",
        "  supervised: true\n",
        "  supervised: true\n  vpp_token: vpp@schulen.example\n",
    )
    build = build_estate(estate)
    lookup = json.loads((build / "estate/apple/apps/pages.json").read_text())["lookup"]
    assert lookup["vppToken"] == "vpp@schulen.example"
    assert deploy(build, emu).code == 0
    chosen = next(
        a
        for a in emu.tenant.all(APPS)
        if a.get("vppTokenAppleId") == "vpp@schulen.example" and a["bundleId"] == "com.apple.Pages"
    )
    assert emu.tenant.assignments[(APPS, chosen["id"])]


def test_encrypted_oma_values_are_compared_in_plain_text_without_perpetual_updates(
    mini_build: Path, emu: GraphEmulator
) -> None:
    assert deploy(mini_build, emu).code == 0
    obj = owned(emu)[EDGE][0]
    strings = [
        s for s in obj["omaSettings"] if s["@odata.type"] == "#microsoft.graph.omaSettingString"
    ]
    assert strings and all(s["value"] == "****" for s in strings)  # as Graph returns them
    emu.reset_stats()
    assert deploy(mini_build, emu).ops("update") == []
    assert emu.stats.writes == 0
    emu.tenant.plain_oma[strings[0]["secretReferenceValueId"]] = "https://changed.example/"
    r = deploy(mini_build, emu)
    assert [o["key"] for o in r.ops("update")] == [EDGE]
    assert deploy(mini_build, emu).ops("update") == []


def test_a_removed_link_is_restored_and_a_foreign_one_kept(
    mini_build: Path, emu: GraphEmulator
) -> None:
    deploy(mini_build, emu)
    wifi = owned(emu)["bbz-b/windows/policy/wifi.wifi"][0]["id"]
    cert = owned(emu)["bbz-b/windows/policy/certificates.cert-musterkreis-root-ca"][0]["id"]
    foreign = emu.tenant.seed(
        CONFIGS,
        {
            "@odata.type": "#microsoft.graph.windows81TrustedRootCertificate",
            "displayName": "hand-made CA",
        },
    )
    key = (CONFIGS, wifi, "rootCertificatesForServerValidation")
    emu.tenant.links[key] = [foreign]
    r = deploy(mini_build, emu)
    assert [o["action"] for o in r.ops() if o["action"] in ("link", "unlink")] == ["link"]
    assert sorted(emu.tenant.links[key]) == sorted([foreign, cert])


def test_a_server_that_cannot_expand_lists_is_read_per_object(mini_build: Path) -> None:
    with GraphEmulator(limits=Limits(), token=TOKEN, list_expand=False, honour_filter=False) as emu:
        emu.tenant.import_polls_to_finish = 1
        seed_tenant(emu, mini_build)
        assert deploy(mini_build, emu).code == 0
        emu.reset_stats()
        assert deploy(mini_build, emu).code == 0
        assert emu.stats.writes == 0


def test_settings_catalog_policies_are_replaced_whole_and_hand_edits_seen(
    mini_root: Path, emu: GraphEmulator, tmp_path: Path
) -> None:
    estate = tmp_path / "estate"
    shutil.copytree(mini_root, estate, ignore=shutil.ignore_patterns("build"))
    edit(
        estate,
        "schools/bbz-b/school.yaml",
        "profiles:\n",
        "profiles:\n  restrictions:\n    allow_camera: false\n",
    )
    build = build_estate(estate)
    assert deploy(build, emu).code == 0
    key = "bbz-b/windows/policy/restrictions.restrictions"
    [policy] = owned(emu)[key]
    settings = emu.tenant.settings[("deviceManagement/configurationPolicies", policy["id"])]
    assert settings and all("id" in s for s in settings)
    emu.reset_stats()
    assert deploy(build, emu).ops("update") == [] and emu.stats.writes == 0
    settings[0]["settingInstance"]["choiceSettingValue"]["value"] = "changed_by_hand"
    drift = deploy(build, emu, mode="drift")
    assert drift.code == 1 and f"changed in Intune: {key}: settings[0]" in drift.out
    edit(estate, "schools/bbz-b/school.yaml", "allow_camera: false", "allow_camera: true")
    build = build_estate(estate)
    r = deploy(build, emu)
    assert [o["key"] for o in r.ops("update")] == [key]
    assert emu.stats.by_method["PUT"] == 1
    assert owned(emu)[key][0]["id"] == policy["id"]
    assert deploy(build, emu, mode="drift").code == 0
