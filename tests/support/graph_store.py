"""The tenant behind the Graph emulator: collections of objects and what Graph does with them.

Follows Microsoft Graph's public API where the deployer meets it: server-assigned ids and
timestamps, `$select`, a small `$filter` grammar (`eq`, `and`, `startswith`, `isof`), `$expand`
of `assignments` and `settings`, `$top`, paging with `@odata.nextLink`, `/assign` replacing the
whole assignment list, navigation links through `$ref`, Autopilot imports that complete
asynchronously, and secrets masked on read (a Wi-Fi `preSharedKey` reads as null, encrypted
OMA-URI strings as `****` with a `secretReferenceValueId` for `getOmaSettingPlainTextValue`).

Both API versions (`v1.0`, `beta`) see the same data, as in Graph.
"""

from __future__ import annotations

import copy
import datetime
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

COLLECTIONS = (
    "groups",
    "deviceManagement/deviceConfigurations",
    "deviceManagement/configurationPolicies",
    "deviceAppManagement/mobileApps",
    "deviceAppManagement/mobileAppConfigurations",
    "deviceManagement/importedWindowsAutopilotDeviceIdentities",
    "deviceManagement/windowsAutopilotDeviceIdentities",
)
# the Intune service each collection belongs to (the unit of Graph's throttling limits)
SERVICE = {
    "groups": "directory",
    "deviceManagement/deviceConfigurations": "deviceConfiguration",
    "deviceManagement/configurationPolicies": "deviceConfigV2",
    "deviceAppManagement/mobileApps": "applications",
    "deviceAppManagement/mobileAppConfigurations": "applications",
    "deviceManagement/importedWindowsAutopilotDeviceIdentities": "enrollment",
    "deviceManagement/windowsAutopilotDeviceIdentities": "enrollment",
}
ASSIGN_KEYS = {
    "deviceAppManagement/mobileApps": "mobileAppAssignments",
}
MASKED = "****"


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Tenant:
    """Every object by collection and id; assignments, settings and links beside them."""

    objects: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {c: {} for c in COLLECTIONS}
    )
    assignments: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    settings: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    links: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    plain_oma: dict[str, str] = field(default_factory=dict)  # secretReferenceValueId -> value
    # serials the Autopilot service rejects on import (error code, name)
    reject_serials: dict[str, tuple[int, str]] = field(default_factory=dict)
    import_polls_to_finish: int = 2  # an import completes after this many reads of it
    encrypt_oma_strings: bool = True
    lock: threading.RLock = field(default_factory=threading.RLock)

    # ---- seeding and inspection (tests) -------------------------------------------------
    def seed(self, collection: str, body: dict[str, Any]) -> str:
        """A hand-made object (no marker); returns its id."""
        with self.lock:
            return self._create(collection, copy.deepcopy(body))["id"]

    def all(self, collection: str) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(o) for o in self.objects[collection].values()]

    def raw(self, collection: str, oid: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self.objects[collection][oid])

    # ---- Graph semantics ----------------------------------------------------------------
    def _create(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        oid = str(uuid.uuid4())
        stamp = now()
        settings = body.pop("settings", None)
        obj = {**body, "id": oid, "createdDateTime": stamp, "lastModifiedDateTime": stamp}
        if collection.startswith("deviceManagement/deviceConfigurations"):
            obj.setdefault("version", 1)
            obj.setdefault("roleScopeTagIds", ["0"])
            obj.setdefault("supportsScopeTags", True)
            self._encrypt_oma(obj)
        if collection == "deviceManagement/configurationPolicies":
            obj.setdefault("settingCount", len(settings or []))
            obj.setdefault("roleScopeTagIds", ["0"])
            self.settings[(collection, oid)] = [
                {**copy.deepcopy(s), "id": str(i)} for i, s in enumerate(settings or [])
            ]
        self.objects[collection][oid] = obj
        self.assignments[(collection, oid)] = []
        return obj

    def _encrypt_oma(self, obj: dict[str, Any]) -> None:
        if not self.encrypt_oma_strings:
            return
        for item in obj.get("omaSettings") or []:
            if (
                isinstance(item, dict)
                and item.get("@odata.type") == "#microsoft.graph.omaSettingString"
                and item.get("value") not in (None, MASKED)
            ):
                ref = str(uuid.uuid4())
                self.plain_oma[ref] = item["value"]
                item["value"] = MASKED
                item["isEncrypted"] = True
                item["secretReferenceValueId"] = ref

    def view(self, collection: str, obj: dict[str, Any]) -> dict[str, Any]:
        """What a read returns: secrets masked."""
        out = copy.deepcopy(obj)
        if "preSharedKey" in out:
            out["preSharedKey"] = None
        if "password" in out:
            out["password"] = None
        return out

    def get(self, collection: str, oid: str) -> dict[str, Any]:
        with self.lock:
            obj = self.objects[collection].get(oid)
            if obj is None:
                raise GraphError(404, "ResourceNotFound", f"{collection}/{oid} does not exist")
            return obj

    def create(self, collection: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise GraphError(400, "BadRequest", "the body must be a JSON object")
        if "id" in body:
            raise GraphError(400, "BadRequest", "id is assigned by the service")
        if collection == "groups":
            for prop in ("displayName", "mailNickname", "mailEnabled", "securityEnabled"):
                if prop not in body:
                    raise GraphError(400, "Request_BadRequest", f"{prop} is required")
        elif (
            collection
            not in (
                "deviceManagement/windowsAutopilotDeviceIdentities",
                "deviceManagement/configurationPolicies",
            )
            and "@odata.type" not in body
        ):
            raise GraphError(400, "BadRequest", "@odata.type is required")
        with self.lock:
            return self.view(collection, self._create(collection, copy.deepcopy(body)))

    def update(self, collection: str, oid: str, body: Any, replace: bool) -> None:
        if not isinstance(body, dict):
            raise GraphError(400, "BadRequest", "the body must be a JSON object")
        with self.lock:
            obj = self.get(collection, oid)
            if (
                "@odata.type" in body
                and "@odata.type" in obj
                and body["@odata.type"] != obj["@odata.type"]
            ):
                raise GraphError(400, "BadRequest", "the type of an object cannot change")
            if (
                collection.startswith("deviceManagement/deviceConfigurations")
                and "@odata.type" not in body
            ):
                raise GraphError(400, "BadRequest", "@odata.type is required in PATCH")
            body = copy.deepcopy(body)
            settings = body.pop("settings", None)
            keep = {k: obj[k] for k in ("id", "createdDateTime", "@odata.type") if k in obj}
            if replace:
                new = {
                    **{k: obj[k] for k in ("roleScopeTagIds", "settingCount") if k in obj},
                    **body,
                }
                obj.clear()
                obj.update(new)
            else:
                obj.update(body)
            obj.update(keep)
            obj["lastModifiedDateTime"] = now()
            if "version" in obj:
                obj["version"] += 1
            if collection.startswith("deviceManagement/deviceConfigurations"):
                self._encrypt_oma(obj)
            if settings is not None:
                self.settings[(collection, oid)] = [
                    {**copy.deepcopy(s), "id": str(i)} for i, s in enumerate(settings)
                ]
                obj["settingCount"] = len(settings)
            elif replace and collection == "deviceManagement/configurationPolicies":
                raise GraphError(400, "BadRequest", "PUT needs the policy's settings")

    def delete(self, collection: str, oid: str) -> None:
        with self.lock:
            self.get(collection, oid)
            del self.objects[collection][oid]
            self.assignments.pop((collection, oid), None)
            self.settings.pop((collection, oid), None)
            for key in [k for k in self.links if k[:2] == (collection, oid)]:
                del self.links[key]

    def assign(self, collection: str, oid: str, body: Any) -> list[dict[str, Any]]:
        key = ASSIGN_KEYS.get(collection, "assignments")
        if not isinstance(body, dict) or not isinstance(body.get(key), list):
            raise GraphError(400, "BadRequest", f"the /assign body needs '{key}'")
        with self.lock:
            self.get(collection, oid)
            items = []
            for item in body[key]:
                if not isinstance(item, dict) or not isinstance(item.get("target"), dict):
                    raise GraphError(400, "BadRequest", "every assignment needs a target")
                group = item["target"].get("groupId")
                if group is not None and group not in self.objects["groups"]:
                    raise GraphError(400, "BadRequest", f"group {group} does not exist")
                items.append({**copy.deepcopy(item), "id": f"{oid}_{uuid.uuid4().hex[:8]}"})
            self.assignments[(collection, oid)] = items
            return copy.deepcopy(items)

    def add_link(self, collection: str, oid: str, prop: str, target_url: str) -> None:
        with self.lock:
            self.get(collection, oid)
            target = target_url.rstrip("/").rsplit("/", 1)[-1]
            target = target.removeprefix("('").removesuffix("')")
            if target not in self.objects[collection]:
                raise GraphError(400, "BadRequest", f"the link target {target} does not exist")
            have = self.links.setdefault((collection, oid, prop), [])
            if target in have:
                raise GraphError(400, "BadRequest", "a link to this object already exists")
            have.append(target)

    def remove_link(self, collection: str, oid: str, prop: str, target: str) -> None:
        with self.lock:
            have = self.links.get((collection, oid, prop), [])
            if target not in have:
                raise GraphError(404, "ResourceNotFound", "no such link")
            have.remove(target)

    def linked(self, collection: str, oid: str, prop: str) -> list[dict[str, Any]]:
        with self.lock:
            self.get(collection, oid)
            return [
                {"id": t, "@odata.type": self.objects[collection][t].get("@odata.type")}
                for t in self.links.get((collection, oid, prop), [])
                if t in self.objects[collection]
            ]

    def plaintext(self, oid: str, ref: str) -> str:
        with self.lock:
            self.get("deviceManagement/deviceConfigurations", oid)
            if ref not in self.plain_oma:
                raise GraphError(404, "ResourceNotFound", "no such secret reference")
            return self.plain_oma[ref]

    # ---- Autopilot --------------------------------------------------------------------
    def autopilot_import(self, body: Any) -> list[dict[str, Any]]:
        items = (
            body.get("importedWindowsAutopilotDeviceIdentities") if isinstance(body, dict) else None
        )
        if not isinstance(items, list):
            raise GraphError(
                400, "BadRequest", "importedWindowsAutopilotDeviceIdentities is required"
            )
        out = []
        with self.lock:
            import_id = str(uuid.uuid4())
            for item in items:
                if not isinstance(item, dict) or not item.get("serialNumber"):
                    raise GraphError(400, "BadRequest", "every device needs a serialNumber")
                obj = self._create(
                    "deviceManagement/importedWindowsAutopilotDeviceIdentities",
                    {
                        **copy.deepcopy(item),
                        "importId": import_id,
                        "state": {"deviceImportStatus": "pending", "deviceErrorCode": 0},
                        "_polls": 0,
                    },
                )
                out.append(self._public(obj))
        return out

    @staticmethod
    def _public(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}

    def advance_import(self, obj: dict[str, Any]) -> None:
        """An import finishes after a few reads of it (the service works asynchronously)."""
        state = obj.get("state") or {}
        if state.get("deviceImportStatus") != "pending":
            return
        obj["_polls"] = obj.get("_polls", 0) + 1
        if obj["_polls"] < self.import_polls_to_finish:
            return
        serial = obj["serialNumber"]
        registered = {
            o["serialNumber"]
            for o in self.objects["deviceManagement/windowsAutopilotDeviceIdentities"].values()
        }
        if serial in self.reject_serials:
            code, name = self.reject_serials[serial]
            obj["state"] = {
                "deviceImportStatus": "error",
                "deviceErrorCode": code,
                "deviceErrorName": name,
            }
        elif serial in registered:
            obj["state"] = {
                "deviceImportStatus": "error",
                "deviceErrorCode": 806,
                "deviceErrorName": "ZtdDeviceAlreadyAssigned",
            }
        else:
            self._create(
                "deviceManagement/windowsAutopilotDeviceIdentities",
                {
                    "serialNumber": serial,
                    "groupTag": obj.get("groupTag", ""),
                    "enrollmentState": "notContacted",
                },
            )
            obj["state"] = {
                "deviceImportStatus": "complete",
                "deviceErrorCode": 0,
                "deviceRegistrationId": str(uuid.uuid4()),
            }

    # ---- queries ------------------------------------------------------------------------
    def query(
        self, collection: str, params: dict[str, str], honour_filter: bool, skip: int, size: int
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of the collection and whether more follow."""
        with self.lock:
            objs = list(self.objects[collection].values())
            if honour_filter and params.get("$filter"):
                pred = parse_filter(params["$filter"])
                objs = [o for o in objs if pred(o)]
            page = objs[skip : skip + size]
            if collection.endswith("importedWindowsAutopilotDeviceIdentities"):
                for obj in page:
                    self.advance_import(obj)
            return [self.shape(collection, o, params) for o in page], skip + size < len(objs)

    def shape(self, collection: str, obj: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        out = self._public(self.view(collection, obj))
        expand = [e.strip() for e in params.get("$expand", "").split(",") if e.strip()]
        for name in expand:
            if name == "assignments":
                out["assignments"] = copy.deepcopy(
                    self.assignments.get((collection, obj["id"]), [])
                )
            elif name == "settings" and collection == "deviceManagement/configurationPolicies":
                out["settings"] = copy.deepcopy(self.settings.get((collection, obj["id"]), []))
            else:
                raise GraphError(400, "BadRequest", f"cannot expand '{name}'")
        if params.get("$select"):
            wanted = {s.strip() for s in params["$select"].split(",")} | {"id", "@odata.type"}
            wanted |= set(expand)
            out = {k: v for k, v in out.items() if k in wanted}
        return out


_CLAUSE = re.compile(
    r"\s*(?:(?P<prop>[A-Za-z_][\w/]*)\s+eq\s+(?P<val>'(?:[^']|'')*'|true|false|null|-?\d+)"
    r"|startswith\((?P<sprop>[A-Za-z_]\w*),\s*'(?P<sval>(?:[^']|'')*)'\)"
    r"|isof\('(?P<type>[\w.]+)'\))\s*"
)


def parse_filter(text: str) -> Any:
    """A predicate for the `$filter` subset Intune collections support; 400 for anything else."""
    preds = []
    for part in re.split(r"\s+and\s+", text.strip()):
        m = _CLAUSE.fullmatch(part)
        if m is None:
            raise GraphError(400, "BadRequest", f"unsupported $filter: {text}")
        if m["prop"]:
            raw = m["val"]
            val: Any = (
                raw[1:-1].replace("''", "'")
                if raw.startswith("'")
                else {"true": True, "false": False, "null": None}.get(
                    raw, None if raw == "null" else raw
                )
            )
            if raw.lstrip("-").isdigit():
                val = int(raw)
            preds.append(lambda o, p=m["prop"], v=val: o.get(p) == v)
        elif m["sprop"]:
            sval = m["sval"].replace("''", "'").lower()
            preds.append(lambda o, p=m["sprop"], v=sval: str(o.get(p) or "").lower().startswith(v))
        else:
            t = "#" + m["type"]
            preds.append(lambda o, t=t: o.get("@odata.type") == t)
    return lambda o: all(p(o) for p in preds)
