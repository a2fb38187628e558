"""Plans between real commits: each edit names exactly the schools and keys it reaches."""

from __future__ import annotations

import json
from pathlib import Path

import git

from compiler.plan.diff import MISSING
from compiler.plan.model import Plan, SchoolPlan, dotted
from compiler.plan.planner import make_plan
from compiler.plan.render_json import render_json
from compiler.plan.render_md import render_markdown
from compiler.plan.render_text import render_text
from tests.gitrepo import commit
from tests.helpers import append, edit, read, write


def schools(plan: Plan) -> list[str]:
    return [s.id for s in plan.schools]


def school(plan: Plan, sid: str) -> SchoolPlan:
    (found,) = [s for s in plan.schools if s.id == sid]
    return found


def keys(sp: SchoolPlan, kind: str = "") -> dict[str, tuple[object, object, str]]:
    """Changed keys of the school's artifacts (of one kind): dotted path -> (old, new, origin)."""
    return {
        dotted(c.path): (c.old, c.new, o)
        for a in sp.artifacts
        if not kind or a.kind == kind
        for c, o in a.shown()
    }


def params(sp: SchoolPlan) -> dict[str, tuple[object, object]]:
    return {p.label: (p.change.old, p.change.new) for p in sp.params}


def everything(plan: Plan) -> str:
    return render_text(plan) + render_markdown(plan) + render_json(plan)


def test_no_change_plans_nothing(estate_repo: Path) -> None:
    plan = make_plan(estate_repo, "base", None)
    assert not plan.has_changes and not plan.blocked
    assert plan.rendered == []
    assert "No changes" in render_text(plan)


def test_edit_to_one_school(estate_repo: Path) -> None:
    edit(estate_repo, "schools/gym-a/school.yaml", "ssid: GymA-Schule", "ssid: GymA-Neu")
    plan = make_plan(estate_repo, "base", None)
    assert schools(plan) == ["gym-a"]
    assert plan.rendered == ["gym-a"]  # the others are known unchanged, never rendered
    sp = school(plan, "gym-a")
    assert params(sp) == {"wifi.ssid": ("GymA-Schule", "GymA-Neu")}
    wifi = keys(sp, "profile")
    ssid = "PayloadContent[com.apple.wifi.managed · wifi].SSID_STR"
    assert wifi[ssid] == ("GymA-Schule", "GymA-Neu", "wifi.ssid")
    assert not any(k.endswith("PayloadUUID") for k in wifi)  # uuid churn is not news
    # the same profile inside Intune's base64 payload is decoded and said once, not twice
    (intune,) = [a for a in sp.artifacts if a.kind == "intune-profile"]
    assert intune.shown() == []
    assert list(intune.same_as.values()) == ["schools/gym-a/apple/wifi.mobileconfig"]
    assert not plan.estate_files and not plan.shared and not plan.locked
    text = render_text(plan)
    assert 'SSID_STR: "GymA-Schule" → "GymA-Neu"   (wifi.ssid)' in text
    assert "Built 1 of 3 schools on both sides" in text


def test_shared_profile_default_reaches_its_schools(estate_repo: Path) -> None:
    edit(
        estate_repo,
        "profiles/wifi.yaml",
        "does not broadcast its name.\n      type: boolean\n      default: false",
        "does not broadcast its name.\n      type: boolean\n      default: true",
    )
    plan = make_plan(estate_repo, "base", None)
    assert schools(plan) == ["bbz-b", "gym-a"]  # gym-c has no Wi-Fi
    (shared,) = plan.shared
    assert shared.path == "profiles/wifi.yaml"
    assert shared.schools == ["bbz-b", "gym-a"] and shared.effective == ["bbz-b", "gym-a"]
    assert [dotted(c.path) for c in shared.changes] == ["parameters.properties.hidden.default"]
    for sid in ("gym-a", "bbz-b"):
        sp = school(plan, sid)
        assert params(sp) == {"wifi.hidden": (False, True)}
        assert sp.params[0].default  # the school does not set it: the profile's default moved
    assert keys(school(plan, "gym-a"), "profile")[
        "PayloadContent[com.apple.wifi.managed · wifi].HIDDEN_NETWORK"
    ] == (False, True, "wifi.hidden")
    windows = keys(school(plan, "bbz-b"))
    assert windows["body.connectWhenNetworkNameIsHidden"] == (False, True, "wifi.hidden")


def test_template_change_reaches_schools_of_its_platform(estate_repo: Path) -> None:
    append(estate_repo, "templates/apple/restrictions.yaml.j2", "    allowBookstore: false\n")
    plan = make_plan(estate_repo, "base", None)
    assert schools(plan) == ["gym-a", "gym-c"]  # bbz-b uses the windows template
    (shared,) = plan.shared
    assert shared.kind == "template" and shared.schools == ["gym-a", "gym-c"]
    for sid in ("gym-a", "gym-c"):
        sp = school(plan, sid)
        assert sp.params == []
        changed = keys(sp, "profile")
        path = "PayloadContent[com.apple.applicationaccess · restrictions].allowBookstore"
        assert changed == {path: (MISSING, False, "")}


def test_catalogue_entry_reaches_schools_that_chose_it(estate_repo: Path) -> None:
    edit(estate_repo, "catalog/apps/pages.yaml", "adam_id: 361309726", "adam_id: 361309999")
    plan = make_plan(estate_repo, "base", None)
    assert schools(plan) == ["gym-a", "gym-c"]
    (shared,) = plan.shared
    assert shared.kind == "app" and shared.schools == ["gym-a", "gym-c"]
    for sid in ("gym-a", "gym-c"):
        sp = school(plan, sid)
        assert sp.apps == [] and sp.apps_count == 1
        assert keys(sp, "apps") == {"apps[pages].adamId": (361309726, 361309999, "")}


def test_device_moved_between_schools(estate_repo: Path) -> None:
    row = "DMPA00000003,02:4b:00:00:00:03,GA-0003,iPad (9th generation)\n"
    edit(estate_repo, "schools/gym-a/devices.csv", row, "")
    append(estate_repo, "schools/gym-c/devices.csv", row)
    append(
        estate_repo, "schools/gym-c/devices.csv", "DMPC00000009,02:4c:00:00:00:09,GC-0009,iPad\n"
    )
    plan = make_plan(estate_repo, "base", None)
    assert schools(plan) == ["gym-a", "gym-c"]
    a, c = school(plan, "gym-a").devices, school(plan, "gym-c").devices
    assert a.moved_out == [("DMPA00000003", "gym-c")] and a.count == 1
    assert c.moved_in == [("DMPA00000003", "gym-a")]
    assert [d["serial"] for d in c.added] == ["DMPC00000009"] and c.count == 2
    assert school(plan, "gym-c").devices_total == 4
    text = render_text(plan)
    assert "DMPA00000003   (moved to gym-c)" in text
    assert "DMPA00000003   (moved here from gym-a)" in text


def test_secret_renamed_shows_names_only(estate_repo: Path) -> None:
    for rel in ("secrets.yaml", "schools/gym-a/school.yaml"):
        edit(estate_repo, rel, "WIFI_PSK_GYM_A", "WIFI_PSK_GYM_A_2025")
    plan = make_plan(estate_repo, "base", None)
    assert schools(plan) == ["gym-a"]
    (secrets,) = plan.estate_files
    assert secrets.path == "secrets.yaml" and secrets.schools == ["gym-a"]
    renamed = [(dotted(c.path), c.old, c.new) for c in secrets.changes]
    assert renamed == [
        ("secrets (renamed)", "${secret:WIFI_PSK_GYM_A}", "${secret:WIFI_PSK_GYM_A_2025}")
    ]
    sp = school(plan, "gym-a")
    assert params(sp) == {
        "wifi.password": ("${secret:WIFI_PSK_GYM_A}", "${secret:WIFI_PSK_GYM_A_2025}")
    }
    password = keys(sp, "profile")["PayloadContent[com.apple.wifi.managed · wifi].Password"]
    assert password == (
        "${secret:WIFI_PSK_GYM_A}",
        "${secret:WIFI_PSK_GYM_A_2025}",
        "wifi.password",
    )
    text = render_text(plan)
    assert "Password: secret WIFI_PSK_GYM_A → secret WIFI_PSK_GYM_A_2025" in text
    assert "(renamed): secret WIFI_PSK_GYM_A → secret WIFI_PSK_GYM_A_2025" in text
    assert "value changed" not in everything(plan).lower()


def test_locked_setting_comes_first_and_reaches_every_school(estate_repo: Path) -> None:
    edit(
        estate_repo,
        "profiles/it-baseline.yaml",
        'erase all content and settings?"\n      type: boolean\n      default: false',
        'erase all content and settings?"\n      type: boolean\n      default: true',
    )
    plan = make_plan(estate_repo, "base", None)
    (locked,) = plan.locked
    assert (locked.profile, locked.parameter, locked.old, locked.new) == (
        "it-baseline",
        "allow_erase_content",
        False,
        True,
    )
    assert locked.schools == ["bbz-b", "gym-a", "gym-c"]
    # bbz-b is reached, but the parameter is an Apple key: nothing its devices get changes
    assert schools(plan) == ["gym-a", "gym-c"]
    assert plan.shared[0].schools == ["bbz-b", "gym-a", "gym-c"]
    assert plan.shared[0].effective == ["gym-a", "gym-c"]
    for sid in ("gym-a", "gym-c"):
        sp = school(plan, sid)
        assert sp.params[0].locked
        key = "PayloadContent[com.apple.applicationaccess · restrictions].allowEraseContentAndSettings"
        assert keys(sp, "profile")[key] == (False, True, "it-baseline.allow_erase_content")
    text = render_text(plan)
    assert text.index("Locked settings") < text.index("Shared profiles") < text.index("gym-a —")
    md = render_markdown(plan)
    assert md.index("Locked settings") < md.index("<details>")


def test_estate_settings_come_first_and_reach_everything(estate_repo: Path) -> None:
    edit(
        estate_repo, "schoolmdm.yaml", 'object: "{school} | {name}"', 'object: "{school} - {name}"'
    )
    plan = make_plan(estate_repo, "base", None)
    (estate,) = plan.estate_files
    assert estate.path == "schoolmdm.yaml"
    assert [(dotted(c.path), c.old, c.new) for c in estate.changes] == [
        ("naming.object", "{school} | {name}", "{school} - {name}")
    ]
    assert plan.rendered == ["bbz-b", "gym-a", "gym-c"]
    assert plan.coverage == "Built all 3 schools on both sides."
    assert schools(plan) == ["bbz-b", "gym-a", "gym-c"]  # display names of Graph objects
    text = render_text(plan)
    assert text.index("Estate-wide changes") < text.index("bbz-b —")


def test_apps_added_removed_and_intent(estate_repo: Path) -> None:
    edit(estate_repo, "schools/gym-a/school.yaml", "  - pages\n", "")
    edit(
        estate_repo,
        "schools/gym-a/school.yaml",
        "[keynote, goodnotes]",
        "[keynote, goodnotes, pages]",
    )
    edit(estate_repo, "schools/gym-a/school.yaml", "install: available", "install: required")
    append(estate_repo, "schools/gym-a/school.yaml", "  - numbers\n")
    edit(
        estate_repo,
        "schools/gym-a/school.yaml",
        "  - keynote\n",
        "  - keynote\n  - id: pages\n    install: available\n",
    )
    plan = make_plan(estate_repo, "base", None)
    sp = school(plan, "gym-a")
    got = {(a.app, a.op) for a in sp.apps}
    assert got == {("goodnotes", "change"), ("numbers", "add"), ("pages", "change")}
    estate_apps = {a.path for a in plan.estate_artifacts}
    assert "estate/apple/apps/numbers.json" in estate_apps  # the tenant-wide assignment too


def test_comment_only_edit_has_no_effect(estate_repo: Path) -> None:
    append(estate_repo, "schools/gym-a/school.yaml", "# a comment\n")
    append(estate_repo, "profiles/wifi.yaml", "# a comment\n")
    plan = make_plan(estate_repo, "base", None)
    assert not plan.has_changes
    assert plan.no_effect == ["profiles/wifi.yaml", "schools/gym-a/school.yaml"]


def test_between_two_commits_without_touching_the_working_tree(estate_repo: Path) -> None:
    edit(
        estate_repo,
        "schools/bbz-b/school.yaml",
        "quality_deferral_days: 5",
        "quality_deferral_days: 7",
    )
    head = commit(estate_repo, "defer longer")
    write(estate_repo, "schools/bbz-b/school.yaml", "garbage: [")  # not committed: not read
    repo = git.Repo(estate_repo)
    status = repo.git.status("--porcelain")
    plan = make_plan(estate_repo, "base", head)
    assert not plan.blocked and schools(plan) == ["bbz-b"]
    assert params(school(plan, "bbz-b")) == {"windows-updates.quality_deferral_days": (5, 7)}
    assert repo.git.status("--porcelain") == status  # no checkout happened
    assert len(repo.git.worktree("list").splitlines()) == 1  # no second working tree


def test_head_findings_block_base_findings_are_shown(estate_repo: Path) -> None:
    edit(estate_repo, "schools/gym-a/school.yaml", "platform: apple", "platform: ipad")
    plan = make_plan(estate_repo, "base", None)
    assert plan.blocked and not plan.schools
    assert "Findings in the head" in render_text(plan)
    broken = commit(estate_repo, "broken")
    edit(estate_repo, "schools/gym-a/school.yaml", "platform: ipad", "platform: apple")
    plan = make_plan(estate_repo, broken, None)
    assert not plan.blocked and plan.base.diagnostics
    assert "Findings in the base" in render_text(plan)


def test_symlink_in_tree_is_a_finding(estate_repo: Path) -> None:
    (estate_repo / "schools/gym-a/devices.csv").unlink()
    (estate_repo / "schools/gym-a/devices.csv").symlink_to("/etc/passwd")
    head = commit(estate_repo, "link")
    plan = make_plan(estate_repo, "base", head)
    assert plan.blocked
    assert [d.code for d in plan.head.diagnostics] == ["symlink"]
    assert "root:" not in render_text(plan)


def test_json_output_is_complete_and_parses(estate_repo: Path) -> None:
    edit(estate_repo, "schools/gym-a/school.yaml", "allow_camera: true", "allow_camera: false")
    data = json.loads(render_json(make_plan(estate_repo, "base", None)))
    assert data["totals"]["schools"] == 1
    (sp,) = data["schools"]
    assert sp["parameters"][0]["at"] == "restrictions.allow_camera"
    changes = [c for a in sp["artifacts"] for c in a["changes"]]
    camera = [c for c in changes if c["at"].endswith("allowCamera")]
    assert camera[0]["old"] is True and camera[0]["new"] is False
    assert camera[0]["from"] == "restrictions.allow_camera"
    assert read(estate_repo, "schools/gym-a/school.yaml")  # untouched by the plan


def test_parameter_without_effect_on_the_platform(estate_repo: Path) -> None:
    # Windows devices sign in with the user's own account: the EAP user name is for iPads only
    edit(estate_repo, "schools/bbz-b/school.yaml", "username: wlan-bbz-b", "username: wlan-bbz-b2")
    plan = make_plan(estate_repo, "base", None)
    assert not plan.has_changes
    assert plan.no_effect == ["schools/bbz-b/school.yaml"]


def test_a_jamf_estate_plans_profiles_and_groups_by_their_content(estate_repo: Path) -> None:
    edit(estate_repo, "schoolmdm.yaml", "  apple: intune\n", "  apple: jamf\n")
    commit(estate_repo, "iPads move to Jamf Pro")
    git.Repo(estate_repo).git.tag("jamf")
    edit(estate_repo, "schools/gym-a/school.yaml", "allow_camera: true", "allow_camera: false")
    append(
        estate_repo, "schools/gym-a/devices.csv", "DMPA00000004,02:4b:00:00:00:04,GA-0004,iPad\n"
    )
    plan = make_plan(estate_repo, "jamf", None)
    assert schools(plan) == ["gym-a"]
    text = render_text(plan)
    # the payload inside the Jamf object is read as a property list, not compared as text
    assert (
        "body.general.payloads (plist): the same changes as "
        "schools/gym-a/apple/restrictions.mobileconfig" in text
    ), text
    group = keys(school(plan, "gym-a"), "group")
    assert any("DMPA00000004" in str(new) for _, new, _ in group.values()), group
    assert "[schoolmdm:" not in text
