"""The Microsoft Intune adapter (Microsoft Graph): how Intune objects compare, how secrets are
filled in, and how the engine's abstract writes become Graph requests. The object kinds are data
(intune_kinds.py); reading is intune_read.py, Autopilot imports intune_autopilot.py.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from compiler.deploy import mobileconfig
from compiler.deploy.buildread import Desired
from compiler.deploy.http import Ambiguous, GraphClient, GraphFailure, Request, Response
from compiler.deploy.intune_autopilot import Autopilot
from compiler.deploy.intune_kinds import ASSIGNMENT_SERVER_FIELDS, KINDS, LIMITS, SERVICES
from compiler.deploy.intune_read import IntuneReader, nav
from compiler.deploy.model import LiveObject, LiveState, Outcome, Write
from compiler.deploy.refs import has_secret, substitute

__all__ = ["LIMITS", "IntuneAdapter"]

if TYPE_CHECKING:
    from compiler.signing import Signer


class IntuneAdapter:
    name = "intune"
    title = "Intune"
    assign_on_create = False  # `/assign` is its own request

    def __init__(
        self, client: GraphClient, signer: Signer | None = None, poll_interval: float = 10.0
    ) -> None:
        self.client = client
        self.signer = signer
        self.autopilot = Autopilot(client, poll_interval)
        self.reader = IntuneReader(client, self.autopilot)

    @staticmethod
    def handles(desired: Desired) -> bool:
        return desired.api in ("v1.0", "beta")

    def read(self, desired: Sequence[Desired]) -> LiveState:
        return self.reader.read(desired)

    def find(self, collection: str) -> list[LiveObject]:
        return self.reader.find(collection)

    def links_of(self, obj: LiveObject, prop: str, desired: Desired) -> list[str]:
        return self.reader.links_of(obj, prop, desired)

    # ---- comparing --------------------------------------------------------------------------
    def views(self, body: dict[str, Any], live: LiveObject) -> tuple[Any, Any]:
        want, have = copy.deepcopy(body), copy.deepcopy(live.body)
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
        path = nav(w.collection, api, str(w.target), w.extra.get("type"), w.extra["prop"])
        if w.action == "link":
            ref = {"@odata.id": f"{self.client.base}/{api}/{w.collection}/{w.extra['ref']}"}
            return Request("POST", f"{path}/$ref", ref, service, idempotent=False)
        if w.action == "unlink":
            return Request("DELETE", f"{path}/{w.extra['ref']}/$ref", None, service)
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
