"""Reading Intune: every collection page by page, the objects with our marker, expansions the
server left out, navigation links, encrypted OMA-URI values, App Store app lookups.

Reads never trust the server to honour `$filter` or `$expand`: objects are recognised by their
marker client-side, and an expansion the server left out is fetched per object (batched).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

from compiler.deploy import marker
from compiler.deploy.buildread import Desired
from compiler.deploy.http import GraphClient, GraphFailure, Request, Response
from compiler.deploy.intune_autopilot import Autopilot
from compiler.deploy.intune_kinds import KINDS, SERVICES, VPP_TOKEN_FIELDS, Kind
from compiler.deploy.model import LiveObject, LiveState
from compiler.deploy.refs import has_secret

_EQ = re.compile(r"(\w+) eq '((?:[^']|'')*)'")


class IntuneReader:
    def __init__(self, client: GraphClient, autopilot: Autopilot) -> None:
        self.client = client
        self.autopilot = autopilot
        self.no_expand: set[str] = set()

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
                nav(o.collection, by_key[str(o.key)].api, o.id, o.body.get("@odata.type"), p)
                + "?$select=id",
                KINDS[o.collection].service,
            )
            for o, p in jobs
        ]
        for (obj, prop), res in zip(jobs, self._get_many(paths), strict=True):
            obj.links[prop] = [str(v["id"]) for v in self._values(res, "") if "id" in v]

    def links_of(self, obj: LiveObject, prop: str, desired: Desired) -> list[str]:
        path = nav(obj.collection, desired.api, obj.id, desired.body.get("@odata.type"), prop)
        values = self.client.get_all(path + "?$select=id", SERVICES[obj.collection])
        return [str(v["id"]) for v in values if "id" in v]

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


def nav(collection: str, api: str, oid: str, odata_type: Any, prop: str) -> str:
    """The path of a navigation property; the type cast segment names the derived type that
    defines it (an enterprise Wi-Fi's root certificates)."""
    cast = f"/{odata_type.lstrip('#')}" if isinstance(odata_type, str) else ""
    return f"{api}/{collection}/{oid}{cast}/{prop}"
