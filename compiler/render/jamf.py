"""Apple schools served by Jamf Pro (`mdm.apple: jamf`): per school a static mobile device group
of its iPads (by serial number, from devices.csv), each configuration profile as a mobile device
configuration profile, and each App Store app the school chose as a mobile device app with
device licensing; profiles and apps are scoped to the school's group, never to all devices.

Each file holds the Classic API collection, the object as a mapping of its XML elements, and
the scope to give it (`assign`, naming the group by its artifact key). Jamf Pro signs profiles
itself, so the payload is always the unsigned XML plist, whatever `--plist` or signing the build
used. Where the ownership marker lives (see docs/deploy.md): in `general/description` of
profiles and apps; in the name of groups, which have no other text field.
"""

from __future__ import annotations

import hashlib
import json
import plistlib
from typing import Any

from compiler.artifact import Artifact, canonical_json
from compiler.diagnostics import Diagnostic
from compiler.load import ESTATE_FILE
from compiler.model import Estate
from compiler.params import secrets_in
from compiler.render.graph import group_ref, marker
from compiler.render.windows import display_name, group_key
from compiler.resolve import SchoolConfig

API = "classic"
GROUPS = "mobiledevicegroups"
PROFILES = "mobiledeviceconfigurationprofiles"
APPS = "mobiledeviceapplications"
# never to all devices or users: profiles and apps reach only the groups in their scope
NOT_EVERYONE = {"all_mobile_devices": False, "all_jss_users": False}
DEPLOYMENT = {
    "required": "Install Automatically/Prompt Users to Install",
    "available": "Make Available in Self Service",
}


def _hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _artifact(
    cfg: SchoolConfig,
    path: str,
    kind: str,
    name: str,
    collection: str,
    body: dict[str, Any],
    sources: tuple[str, ...],
    secrets: tuple[str, ...] = (),
    options: dict[str, Any] | None = None,
) -> Artifact:
    sid = cfg.school.id
    doc: dict[str, Any] = {
        "key": f"{sid}/apple/{kind}/{name}",
        "collection": collection,
        "api": API,
        "body": body,
    }
    if kind != "group":
        doc["assign"] = {
            "action": "scope",
            "body": {"mobile_device_groups": [{"id": group_ref(group_key(sid, "apple"))}]},
        }
    if secrets:
        doc["secrets"] = list(secrets)
    if options:
        doc["options"] = options
    return Artifact(path, sid, "apple", kind, name, canonical_json(doc), sources, secrets)


def _described(body: dict[str, Any], key: str, text: str) -> dict[str, Any]:
    """`general.description` = text + the marker over everything else in the body."""
    general = {k: v for k, v in body["general"].items() if k != "description"}
    sha = _hash({**body, "general": general})
    general["description"] = f"{text} {marker(key, sha)}".strip()
    return {**body, "general": general}


def group(estate: Estate, cfg: SchoolConfig) -> Artifact:
    """The school's static group: its iPads by serial number. The marker is in the name (a
    Classic API group has no description); its hash covers the group's definition, not its
    members, so a new iPad never renames the group."""
    s = cfg.school
    key = group_key(s.id, "apple")
    name = estate.settings.naming_group.format(school=s.id, school_name=s.name, platform="apple")
    definition = {"name": name, "is_smart": False}
    body = {
        "name": f"{name} {marker(key, _hash(definition))}",
        "is_smart": False,
        "mobile_devices": [{"serial_number": d.serial} for d in cfg.devices],
    }
    return _artifact(
        cfg,
        f"schools/{s.id}/apple/jamf/group.json",
        "group",
        "devices",
        GROUPS,
        body,
        (s.path, f"schools/{s.id}/devices.csv"),
    )


def xml_plist(content: bytes) -> str:
    """A built profile (XML or binary plist, unsigned) as the XML plist Jamf Pro takes."""
    data = plistlib.loads(content)
    return plistlib.dumps(data, fmt=plistlib.FMT_XML, sort_keys=True).decode("utf-8")


def profile(estate: Estate, cfg: SchoolConfig, art: Artifact) -> Artifact:
    """`art`: the school's rendered .mobileconfig, before any signing."""
    s = cfg.school
    applied = next(a for a in cfg.profiles if a.profile.id == art.name)
    key = f"{s.id}/apple/jamf-profile/{art.name}"
    body = {
        "general": {
            "name": display_name(estate, cfg, art.name, applied.profile.name),
            "deployment_method": "Install Automatically",
            # an update reaches every iPad in scope, not only newly added ones
            "redeploy_on_update": "All",
            "payloads": xml_plist(art.content),
        },
        "scope": dict(NOT_EVERYONE),
    }
    return _artifact(
        cfg,
        f"schools/{s.id}/apple/jamf/{art.name}.json",
        "jamf-profile",
        art.name,
        PROFILES,
        _described(body, key, applied.profile.description),
        art.sources,
        art.secrets,
    )


def preferences(config: dict[str, Any]) -> str:
    """Managed app configuration as Jamf Pro keeps it: the plist's <dict> without the header."""
    text = plistlib.dumps(config, fmt=plistlib.FMT_XML, sort_keys=True).decode("utf-8")
    start, end = text.index("<dict"), text.rindex("</plist>")
    return text[start:end].strip() + "\n"


def apps(estate: Estate, cfg: SchoolConfig, assignments: Artifact) -> list[Artifact]:
    """One mobile device app per app the school chose (`assignments`: its apps.json): install
    and managed configuration are per school, and Jamf Pro keeps them per app record."""
    s = cfg.school
    out = []
    for entry in json.loads(assignments.content)["apps"]:
        app = estate.apps[entry["id"]]
        key = f"{s.id}/apple/jamf-app/{app.id}"
        required = entry["install"] == "required"
        body: dict[str, Any] = {
            "general": {
                "name": display_name(estate, cfg, app.id, app.name),
                "bundle_id": entry["bundleId"],
                "itunes_store_url": f"https://apps.apple.com/app/id{entry['adamId']}",
                "deployment_type": DEPLOYMENT[entry["install"]],
                "deploy_automatically": required,
                "deploy_as_managed_app": True,
                "remove_app_when_mdm_profile_is_removed": True,
                "take_over_management": True,
                # Jamf would replace the description (and our marker) with the App Store's
                "keep_description_and_icon_up_to_date": False,
            },
            "scope": dict(NOT_EVERYONE),
            "vpp": {"assign_vpp_device_based_licenses": True},
        }
        config = entry.get("managedConfiguration")
        if config:
            body["app_configuration"] = {"preferences": preferences(config)}
        options = {"vpp_location": estate.settings.vpp_token} if estate.settings.vpp_token else None
        out.append(
            _artifact(
                cfg,
                f"schools/{s.id}/apple/jamf/apps/{app.id}.json",
                "jamf-app",
                app.id,
                APPS,
                _described(body, key, f"{app.name} ({app.publisher})"),
                (*assignments.sources, app.path),
                secrets_in(config) if config else (),
                options,
            )
        )
    return out


def render_school(estate: Estate, cfg: SchoolConfig, rendered: list[Artifact]) -> list[Artifact]:
    """`rendered`: the school's Apple artifacts before signing (profiles and apps.json)."""
    out = [group(estate, cfg)]
    out += [profile(estate, cfg, a) for a in rendered if a.kind == "profile"]
    for a in rendered:
        if a.kind == "apps":
            out += apps(estate, cfg, a)
    return out


def name_clashes(estate: Estate, artifacts: list[Artifact]) -> list[Diagnostic]:
    """Jamf Pro refuses a second profile or app of the same name: two that the naming would
    give the same name are a finding at `naming.object`, before anything reaches Jamf."""
    doc = estate.documents.get(ESTATE_FILE)
    line, col = doc.mark(("naming", "object")) if doc is not None else (1, 1)
    seen: dict[tuple[str, str], str] = {}
    out = []
    for art in artifacts:
        if art.kind not in ("jamf-profile", "jamf-app"):
            continue
        data = json.loads(art.content)
        name = str(data["body"]["general"]["name"])
        slot = (art.kind, name.casefold())
        if slot not in seen:
            seen[slot] = art.key
            continue
        what = "profiles" if art.kind == "jamf-profile" else "apps"
        out.append(
            Diagnostic(
                ESTATE_FILE,
                line,
                col,
                "jamf-name-clash",
                f"two Jamf Pro {what} would be named '{name}' ({seen[slot]} and {art.key}); "
                "Jamf Pro needs a name of its own for each",
                "make naming.object tell them apart, e.g. with {school} and {profile}",
            )
        )
    return out
