"""The Microsoft Intune adapter (Microsoft Graph). Object kinds are data: one descriptor per
collection says where it lives, which Intune service throttles it, how it is read (`$select`,
`$expand`) and updated (PATCH, or PUT for Settings Catalog policies, whose settings only change
as a whole). The ownership marker lives in `description` everywhere.

Reads never trust the server to honour `$filter` or `$expand`: objects are recognised by their
marker client-side, and an expansion the server left out is fetched per object (batched).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from compiler.deploy import marker, mobileconfig
from compiler.deploy.buildread import Desired
from compiler.deploy.http import Ambiguous, GraphClient, GraphFailure, Request, Response
from compiler.deploy.intune_autopilot import Autopilot
from compiler.deploy.model import LiveObject, LiveState, Outcome, Write
from compiler.deploy.pacing import INTUNE, Limit
from compiler.deploy.refs import has_secret, substitute

if TYPE_CHECKING:
    from compiler.signing import Signer


@dataclass(frozen=True)
class Kind:
    collection: str
    service: str  # the Intune service whose throttling limits apply
    read_api: str = "beta"  # beta reads every type, including beta-only ones
    select: tuple[str, ...] = ()  # only for collections of one type ($select cannot name
    #                               properties of derived types)
    expand: tuple[str, ...] = ("assignments",)
    update: str = "PATCH"
    top: int | None = None
    marker: str = "description"


KINDS = {
    k.collection: k
    for k in (
        Kind(
            "groups",
            "directory",
            read_api="v1.0",
            select=(
                "id",
                "displayName",
                "description",
                "groupTypes",
                "mailEnabled",
                "mailNickname",
                "securityEnabled",
                "membershipRule",
                "membershipRuleProcessingState",
                "createdDateTime",
            ),
            expand=(),
            top=999,
        ),
        Kind("deviceManagement/deviceConfigurations", "deviceConfiguration"),
        Kind(
            "deviceManagement/configurationPolicies",
            "deviceConfigV2",
            expand=("assignments", "settings"),
            update="PUT",
        ),
        Kind("deviceAppManagement/mobileApps", "applications"),
        Kind("deviceAppManagement/mobileAppConfigurations", "applications"),
    )
}
SERVICES = {
    **{k.collection: k.service for k in KINDS.values()},
    "deviceManagement/importedWindowsAutopilotDeviceIdentities": "enrollment",
    "deviceManagement/windowsAutopilotDeviceIdentities": "enrollment",
}
# documented per app and tenant (https://learn.microsoft.com/graph/throttling-limits); groups are
# Entra ID objects: 3,000 writes per 150 s for an app and tenant
LIMITS = {
    "deviceConfiguration": INTUNE,
    "deviceConfigV2": INTUNE,
    "applications": INTUNE,
    "enrollment": INTUNE,
    "directory": Limit(writes=3000, requests=35_000, window=150.0),
}
ASSIGNMENT_SERVER_FIELDS = ("id", "source", "sourceId", "@odata.context")
VPP_TOKEN_FIELDS = (
    "vppTokenAppleId",
    "vppTokenOrganizationName",
    "vppTokenId",
    "vppTokenDisplayName",
)
_EQ = re.compile(r"(\w+) eq '((?:[^']|'')*)'")


class IntuneAdapter:
    name = "intune"

    def __init__(
        self, client: GraphClient, signer: Signer | None = None, poll_interval: float = 10.0
    ) -> None:
        self.client = client
        self.signer = signer
        self.autopilot = Autopilot(client, poll_interval)
        self.no_expand: set[str] = set()

    # ---- reading ----------------------------------------------------------------------------
    def _list_path(self, kind: Kind, minimal: bool = False) -> str:
        params: dict[str, str] = {}
        if minimal:
            params["$select"] = f"id,{kind.marker},createdDateTime"
        elif kind.select:
            params["$select"] = ",".join(kind.select)
        if kind.expand and not minimal and kind.collection not in self.no_expand:
            params["$expand"] = ",".join(kind.expand)
        if kind.top:
            params["$top"] = str(kind.top)
        query = f"?{urlencode(params, safe='$,')}" if params else ""
        return f"{kind.read_api}/{kind.collection}{query}"

    def _list(self, kind: Kind, minimal: bool = False) -> list[dict[str, Any]]:
        try:
            return self.client.get_all(self._list_path(kind, minimal), kind.service)
        except GraphFailure as exc:
            if exc.status != 400 or minimal or not kind.expand or kind.collection in self.no_expand:
                raise
            self.no_expand.add(kind.collection)  # the server cannot expand here: per object
            return self.client.get_all(self._list_path(kind), kind.service)

    def _owned(self, kind: Kind, items: list[dict[str, Any]]) -> list[LiveObject]:
        out = []
        for item in items:
            found = marker.parse(item.get(kind.marker))
            if found is None or not isinstance(item.get("id"), str):
                continue
            body = {k: v for k, v in item.items() if k != "assignments"}
            assignments = (
                item.get("assignments") if isinstance(item.get("assignments"), list) else None
            )
            out.append(
                LiveObject(
                    kind.collection,
                    item["id"],
                    body,
                    found[0],
                    assignments,
                    {},
                    str(item.get("createdDateTime", "")),
                )
            )
        return out

    def find(self, collection: str) -> list[LiveObject]:
        kind = KINDS[collection]
        return self._owned(kind, self._list(kind, minimal=True))

    def read(self, desired: Sequence[Desired]) -> LiveState:
        state = LiveState()
        with ThreadPoolExecutor(max_workers=4) as pool:
            lists = dict(zip(KINDS, pool.map(self._list, KINDS.values()), strict=True))
        for collection, items in lists.items():
            state.owned.extend(self._owned(KINDS[collection], items))
        self._lookups(desired, lists["deviceAppManagement/mobileApps"], state)
        objects = [*state.owned, *state.found.values()]
        self._expansions(objects)
        by_key = {d.key: d for d in desired}
        self._links(state.owned, by_key)
        self._oma_plaintext(state.owned, by_key)
        imports = [d for d in desired if d.action == "import"]
        if imports:
            state.records.update(self.autopilot.records({d.collection for d in imports}))
        return state

    def _get_many(self, paths: list[tuple[str, str]]) -> list[Response | GraphFailure]:
        return self.client.send_many([Request("GET", p, service=s) for p, s in paths])

    def _values(self, res: Response | GraphFailure, service: str) -> list[dict[str, Any]]:
        if isinstance(res, GraphFailure):
            raise res
        body = res.body if isinstance(res.body, dict) else {}
        out = [v for v in body.get("value", []) if isinstance(v, dict)]
        link = body.get("@odata.nextLink")
        if isinstance(link, str) and link:
            out += self.client.get_all(link, service)
        return out

    def _expansions(self, objects: list[LiveObject]) -> None:
        """Assignments (and Settings Catalog settings) the list did not carry, per object."""
        jobs: list[tuple[LiveObject, str]] = []
        for obj in objects:
            kind = KINDS[obj.collection]
            if obj.assignments is None and "assignments" in kind.expand:
                jobs.append((obj, "assignments"))
            if "settings" in kind.expand and not isinstance(obj.body.get("settings"), list):
                jobs.append((obj, "settings"))
        paths = [
            (
                f"{KINDS[o.collection].read_api}/{o.collection}/{o.id}/{what}",
                KINDS[o.collection].service,
            )
            for o, what in jobs
        ]
        for (obj, what), res in zip(jobs, self._get_many(paths), strict=True):
            values = self._values(res, KINDS[obj.collection].service)
            if what == "assignments":
                obj.assignments = values
            else:
                obj.body["settings"] = values

    def _links(self, owned: list[LiveObject], by_key: dict[str, Desired]) -> None:
        jobs = [
            (o, prop)
            for o in owned
            if o.key is not None and o.key in by_key
            for prop in sorted(by_key[o.key].links)
        ]
        paths = [
            (
                self._nav(o.collection, by_key[str(o.key)].api, o.id, o.body.get("@odata.type"), p)
                + "?$select=id",
                KINDS[o.collection].service,
            )
            for o, p in jobs
        ]
        for (obj, prop), res in zip(jobs, self._get_many(paths), strict=True):
            obj.links[prop] = [str(v["id"]) for v in self._values(res, "") if "id" in v]

    def links_of(self, obj: LiveObject, prop: str, desired: Desired) -> list[str]:
        path = self._nav(obj.collection, desired.api, obj.id, desired.body.get("@odata.type"), prop)
        values = self.client.get_all(path + "?$select=id", SERVICES[obj.collection])
        return [str(v["id"]) for v in values if "id" in v]

    @staticmethod
    def _nav(collection: str, api: str, oid: str, odata_type: Any, prop: str) -> str:
        cast = f"/{odata_type.lstrip('#')}" if isinstance(odata_type, str) else ""
        return f"{api}/{collection}/{oid}{cast}/{prop}"

    def _oma_plaintext(self, owned: list[LiveObject], by_key: dict[str, Desired]) -> None:
        """Encrypted OMA-URI strings read as `****`: fetch the plain value to compare it, as the
        Intune portal does, except for values that are our secrets (never read back)."""
        jobs: list[tuple[dict[str, Any], str]] = []
        for obj in owned:
            d = by_key.get(obj.key or "")
            live_items, want_items = (
                obj.body.get("omaSettings"),
                (d.body.get("omaSettings") if d else None),
            )
            if not isinstance(live_items, list) or not isinstance(want_items, list):
                continue
            for have, want in zip(live_items, want_items, strict=False):
                ref = have.get("secretReferenceValueId") if isinstance(have, dict) else None
                if (
                    have.get("isEncrypted")
                    and ref
                    and isinstance(want, dict)
                    and not has_secret(want.get("value"))
                ):
                    jobs.append(
                        (
                            have,
                            f"beta/{obj.collection}/{obj.id}/getOmaSettingPlainTextValue(secretReferenceValueId='{ref}')",
                        )
                    )
        service = SERVICES["deviceManagement/deviceConfigurations"]
        for (item, _), res in zip(
            jobs, self._get_many([(p, service) for _, p in jobs]), strict=True
        ):
            if isinstance(res, Response) and isinstance(res.body, dict) and "value" in res.body:
                item["value"] = res.body["value"]

    def _lookups(
        self, desired: Sequence[Desired], apps: list[dict[str, Any]], state: LiveState
    ) -> None:
        for d in desired:
            if d.lookup is None:
                continue
            wanted = dict(
                (p, v.replace("''", "'")) for p, v in _EQ.findall(str(d.lookup.get("filter", "")))
            )
            odata_type = d.lookup.get("odataType")
            hits = [
                a
                for a in apps
                if (odata_type is None or a.get("@odata.type") == odata_type)
                and all(a.get(p) == v for p, v in wanted.items())
            ]
            token = d.lookup.get("vppToken")
            if token:
                hits = [a for a in hits if token in {str(a.get(f)) for f in VPP_TOKEN_FIELDS}]
            what = ", ".join(f"{p} {v}" for p, v in wanted.items())
            if not hits:
                state.problems[d.key] = (
                    f"no app with {what} in Intune: sync the App Store licence token (VPP) that holds '{d.key.rsplit('/', 1)[-1]}', or remove the app"
                )
            elif len(hits) > 1:
                tokens = sorted(
                    {str(a.get("vppTokenAppleId") or a.get("vppTokenId") or "?") for a in hits}
                )
                state.problems[d.key] = (
                    f"{len(hits)} apps with {what} (licence tokens {', '.join(tokens)}): name the token in schoolmdm.yaml (apple: vpp_token)"
                )
            else:
                app = hits[0]
                body = {k: v for k, v in app.items() if k != "assignments"}
                assignments = (
                    app.get("assignments") if isinstance(app.get("assignments"), list) else None
                )
                state.found[d.key] = LiveObject(
                    d.collection, str(app["id"]), body, None, assignments
                )

    # ---- comparing --------------------------------------------------------------------------
    def views(self, body: dict[str, Any], live: dict[str, Any]) -> tuple[Any, Any]:
        want, have = copy.deepcopy(body), copy.deepcopy(live)
        if isinstance(want.get("payload"), str):  # a .mobileconfig: compare its content
            parsed = mobileconfig.parse(want["payload"])
            if parsed is not None:
                want["payload"] = parsed
                live_parsed = mobileconfig.parse(have.get("payload"))
                have["payload"] = parsed if live_parsed is None else live_parsed
        return want, have

    def replaces(self, body: dict[str, Any], live: LiveObject) -> bool:
        a, b = body.get("@odata.type"), live.body.get("@odata.type")
        return isinstance(a, str) and isinstance(b, str) and a != b

    def update(
        self, desired: Desired, body: dict[str, Any], live: LiveObject, diffs: list[str]
    ) -> Write:
        kind = KINDS[desired.collection]
        if kind.update == "PUT":
            return Write(
                "update", desired.key, desired.collection, desired.api, live.id, body, "PUT"
            )
        props = {re.split(r"[.\[:]", d, maxsplit=1)[0] for d in diffs} | {
            "description",
            "@odata.type",
        }
        props |= {p for p, v in desired.body.items() if has_secret(v)}
        patch = {p: body[p] for p in sorted(props) if p in body}
        return Write(
            "update", desired.key, desired.collection, desired.api, live.id, patch, "PATCH"
        )

    def fill_secrets(
        self, desired: Desired, body: dict[str, Any], values: dict[str, str]
    ) -> dict[str, Any]:
        out = dict(body)
        if isinstance(out.get("payload"), str) and mobileconfig.parse(out["payload"]) is not None:
            out["payload"] = mobileconfig.fill(out["payload"], values, self.signer, desired.key)
        filled: dict[str, Any] = substitute(out, lambda _k, n: values.get(n), ("secret",))
        return filled

    def assignment_group(self, item: dict[str, Any]) -> str | None:
        target = item.get("target")
        group = target.get("groupId") if isinstance(target, dict) else None
        return group if isinstance(group, str) else None

    def writable_assignment(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in item.items() if k not in ASSIGNMENT_SERVER_FIELDS}

    def import_items(self, desired: Desired) -> list[tuple[str, dict[str, Any]]]:
        items = desired.body.get("importedWindowsAutopilotDeviceIdentities", [])
        return [(str(i.get("serialNumber")), i) for i in items if isinstance(i, dict)]

    # ---- writing ----------------------------------------------------------------------------
    def _request(self, w: Write) -> Request:
        api = w.api or KINDS[w.collection].read_api
        service = SERVICES.get(w.collection, "other")
        base = f"{api}/{w.collection}"
        if w.action == "create":
            return Request("POST", base, w.body, service, idempotent=False)
        if w.action == "update":
            return Request(w.method or "PATCH", f"{base}/{w.target}", w.body, service)
        if w.action == "delete":
            return Request("DELETE", f"{base}/{w.target}", None, service)
        if w.action == "assign":
            return Request("POST", f"{base}/{w.target}/assign", w.body, service)
        nav = self._nav(w.collection, api, str(w.target), w.extra.get("type"), w.extra["prop"])
        if w.action == "link":
            ref = {"@odata.id": f"{self.client.base}/{api}/{w.collection}/{w.extra['ref']}"}
            return Request("POST", f"{nav}/$ref", ref, service, idempotent=False)
        if w.action == "unlink":
            return Request("DELETE", f"{nav}/{w.extra['ref']}/$ref", None, service)
        raise ValueError(f"unknown write {w.action}")

    def execute(self, writes: Sequence[Write]) -> list[Outcome]:
        plain = [i for i, w in enumerate(writes) if w.action != "import"]
        results: list[Outcome | None] = [None] * len(writes)
        responses = self.client.send_many([self._request(writes[i]) for i in plain])
        for i, res in zip(plain, responses, strict=True):
            results[i] = _outcome(writes[i], res)
        imports = [i for i, w in enumerate(writes) if w.action == "import"]
        for i, out in zip(imports, self.autopilot.run([writes[i] for i in imports]), strict=True):
            results[i] = out
        return [r if r is not None else Outcome(False, error="not carried out") for r in results]


def _outcome(w: Write, res: Response | GraphFailure) -> Outcome:
    if isinstance(res, Response):
        new_id = res.body.get("id") if w.action == "create" and isinstance(res.body, dict) else None
        if w.action == "create" and not isinstance(new_id, str):
            return Outcome(
                False,
                request_id=res.request_id,
                error="the service answered a create without an id",
                ambiguous=True,
            )
        return Outcome(True, new_id, res.request_id)
    if res.status == 404 and w.action in ("delete", "unlink"):
        return Outcome(True, request_id=res.request_id, detail={"notes": ["already gone"]})
    return Outcome(
        False, request_id=res.request_id, error=res.message, ambiguous=isinstance(res, Ambiguous)
    )
