"""Microsoft Graph artifacts: one JSON file per Graph object, with its ownership marker.

Each file holds the collection it is POSTed to, the API version, the request body and, where the
object is assigned, the `/assign` body. Group ids are unknown until deploy, so assignments name
the group by its artifact key: `${group:<key>}`; the deployer resolves it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from compiler.artifact import Artifact, canonical_json

MARKER_PREFIX = "schoolmdm:"
MODELS = {
    "groups": "group",
    "deviceManagement/deviceConfigurations": "deviceConfiguration",
    "deviceManagement/configurationPolicies": "deviceManagementConfigurationPolicy",
    "deviceAppManagement/mobileApps": "mobileApp",
    "deviceManagement/importedWindowsAutopilotDeviceIdentities": "importedWindowsAutopilotDeviceIdentity",
}
# the name property differs: Settings Catalog policies use `name`, everything else `displayName`
NAME_PROPERTY = {"deviceManagement/configurationPolicies": "name"}
MAIL_NICKNAME = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}$")


def group_ref(key: str) -> str:
    return f"${{group:{key}}}"


def marker(key: str, content_sha: str) -> str:
    """The ownership marker: the deployer matches objects by it, never by display name."""
    return f"[{MARKER_PREFIX}{key}#{content_sha[:16]}]"


def body_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def with_marker(body: dict[str, Any], key: str, description: str) -> dict[str, Any]:
    """Adds `description` = human text + marker over everything else in the body."""
    out = dict(body)
    out.pop("description", None)
    sha = body_hash(out)
    out["description"] = f"{description} {marker(key, sha)}".strip()
    return out


def group_assign(
    action_key: str,
    groups: list[tuple[str, str]],
    app: bool = False,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `/assign` body for a list of (group key, intent)."""
    items: list[dict[str, Any]] = []
    for key, intent in groups:
        target = {
            "@odata.type": "#microsoft.graph.groupAssignmentTarget",
            "groupId": group_ref(key),
        }
        if app:
            item = {
                "@odata.type": "#microsoft.graph.mobileAppAssignment",
                "intent": intent,
                "target": target,
            }
            if settings:
                item["settings"] = settings
            items.append(item)
        else:
            items.append({"target": target})
    return {action_key: items}


def graph_artifact(
    *,
    path: str,
    school: str,
    platform: str,
    kind: str,
    name: str,
    collection: str,
    api: str,
    body: dict[str, Any],
    assign: dict[str, Any] | None,
    sources: tuple[str, ...],
    secrets: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
) -> Artifact:
    key = f"{school}/{platform}/{kind}/{name}"
    doc: dict[str, Any] = {
        "key": key,
        "collection": collection,
        "api": api,
        "model": MODELS.get(collection, ""),
        "body": body,
    }
    if assign is not None:
        doc["assign"] = {"action": "assign", "body": assign}
    if secrets:
        doc["secrets"] = list(secrets)
    if extra:
        doc.update(extra)
    return Artifact(path, school, platform, kind, name, canonical_json(doc), sources, secrets)
