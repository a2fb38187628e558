"""The Jamf Pro adapter (Classic API): how Jamf objects compare, how secrets are filled in, and
how the engine's abstract writes become XML requests. The object kinds are data
(jamf_kinds.py); reading is jamf_read.py.

Jamf Pro rewrites what it is given: it mints its own top-level PayloadUUID and
PayloadIdentifier for a new profile, re-indents the XML and adds keys such as PayloadEnabled.
So payloads are compared as property lists without the keys Jamf owns (and the marker's hash
says whether the build changed), and every update is sent with the PayloadUUID and
PayloadIdentifier Jamf holds for that profile: an update never changes the identifier iPads know
the profile by (a new one would install a second profile on every iPad).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from compiler.deploy import mobileconfig
from compiler.deploy.buildread import Desired
from compiler.deploy.jamf_client import JamfClient
from compiler.deploy.jamf_kinds import JAMF_OWNED, KINDS, SERVICE, path
from compiler.deploy.jamf_read import JamfReader, dig
from compiler.deploy.jamf_xml import XmlProblem, from_xml, to_xml
from compiler.deploy.model import LiveObject, LiveState, Outcome, Write
from compiler.deploy.refs import substitute
from compiler.deploy.wire import Ambiguous, GraphFailure, Request, Response

GROUPS = "mobiledevicegroups"
NOT_EVERYONE = {"all_mobile_devices": False, "all_jss_users": False}
PLIST_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n'


def _serials(members: Any) -> list[str]:
    return sorted(
        str(m.get("serial_number", "")).strip().upper()
        for m in members or []
        if isinstance(m, dict) and m.get("serial_number")
    )


def _without_owned(value: Any) -> Any:
    """A profile's plist without the keys Jamf Pro owns, at the top and in each payload."""
    if not isinstance(value, dict):
        return value
    out = {k: v for k, v in value.items() if k not in JAMF_OWNED}
    if isinstance(out.get("PayloadContent"), list):
        out["PayloadContent"] = [_without_owned(p) for p in out["PayloadContent"]]
    return out


# compared whether or not the server reports them (the name, the marker, the profile), and
# compared whole (a key missing from Jamf's copy of a payload is a difference)
ESSENTIAL = frozenset({("general", "name"), ("general", "description"), ("general", "payloads")})
WHOLE = frozenset({("general", "payloads"), ("app_configuration", "preferences")})


def _reported(want: Any, have: Any, at: tuple[str, ...] = ()) -> Any:
    """`want` without the settings a server never reports (a server that does not return a
    field cannot show it changed, and writing it again would not make it appear)."""
    if not isinstance(want, dict) or not isinstance(have, dict) or at in WHOLE:
        return want
    return {
        k: _reported(v, have[k], (*at, k)) if k in have else v
        for k, v in want.items()
        if k in have or (*at, k) in ESSENTIAL
    }


def _preferences(text: Any) -> Any:
    """Managed app configuration (a bare <dict>) as a value."""
    if not isinstance(text, str) or "<dict" not in text:
        return text
    found = mobileconfig.parse_xml(f"{PLIST_HEAD}{text}</plist>")
    return text if found is None else found


def keep_identifiers(new_text: str, live_text: Any) -> str | None:
    """The profile to send: the build's, with the PayloadUUID and PayloadIdentifier Jamf Pro
    holds; None when Jamf's copy cannot be read (then the identifier cannot be kept)."""
    new, old = mobileconfig.parse_xml(new_text), mobileconfig.parse_xml(live_text)
    if not isinstance(new, dict) or not isinstance(old, dict):
        return None
    for key in ("PayloadUUID", "PayloadIdentifier"):
        if isinstance(old.get(key), str):
            new[key] = old[key]
    return mobileconfig.dump_xml(new)


class JamfAdapter:
    name = "jamf"
    title = "Jamf Pro"
    assign_on_create = True  # the scope is part of the object: a new one is never unscoped

    def __init__(self, client: JamfClient) -> None:
        self.client = client
        self.reader = JamfReader(client)
        self.by_key: dict[str, Desired] = {}

    @staticmethod
    def handles(desired: Desired) -> bool:
        return desired.api == "classic"

    def read(self, desired: Sequence[Desired]) -> LiveState:
        self.by_key = {d.key: d for d in desired}
        return self.reader.read(desired)

    def find(self, collection: str) -> list[LiveObject]:
        return self.reader.find(collection)

    def links_of(self, obj: LiveObject, prop: str, desired: Desired) -> list[str]:
        return []  # no links between Jamf objects: scopes are assignments

    # ---- what is sent -----------------------------------------------------------------------
    def _wire(self, collection: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """The body as Jamf Pro takes it: group members by Jamf's device id (only iPads it
        knows), apps with the volume purchasing location's id."""
        out = copy.deepcopy(body)
        if collection == GROUPS:
            devices = self.reader.devices
            out["mobile_devices"] = [
                {"id": str(devices[s].get("id")), "serial_number": s}
                for s in _serials(body.get("mobile_devices"))
                if s in devices
            ]
        d = self.by_key.get(key)
        if isinstance(out.get("vpp"), dict) and d is not None:
            account = self.reader.account(d)
            if account is not None:
                out["vpp"]["vpp_admin_account_id"] = account
        return out

    # ---- comparing --------------------------------------------------------------------------
    def views(self, body: dict[str, Any], live: LiveObject) -> tuple[Any, Any]:
        key = live.key or ""
        if live.collection == GROUPS:
            known = set(self.reader.devices)
            want = {
                "name": body.get("name"),
                "is_smart": body.get("is_smart", False),
                "mobile_devices": [s for s in _serials(body.get("mobile_devices")) if s in known],
            }
            have = {
                "name": live.body.get("name"),
                "is_smart": live.body.get("is_smart", False),
                "mobile_devices": _serials(live.body.get("mobile_devices")),
            }
            return want, have
        want, have = self._wire(live.collection, key, body), copy.deepcopy(live.body)
        for side in (want, have):
            general = side.get("general")
            if isinstance(general, dict) and "payloads" in general:
                parsed = mobileconfig.parse_xml(general["payloads"])
                if parsed is not None:
                    general["payloads"] = _without_owned(parsed)
            config = side.get("app_configuration")
            if isinstance(config, dict) and "preferences" in config:
                config["preferences"] = _preferences(config["preferences"])
        return _reported(want, have), have

    def replaces(self, body: dict[str, Any], live: LiveObject) -> bool:
        return False  # a Jamf object's kind is its collection: always changed in place

    def update(
        self, desired: Desired, body: dict[str, Any], live: LiveObject, diffs: list[str]
    ) -> Write:
        wire = self._wire(desired.collection, desired.key, body)
        general = wire.get("general")
        if isinstance(general, dict) and isinstance(general.get("payloads"), str):
            kept = keep_identifiers(general["payloads"], dig(live.body, ("general", "payloads")))
            if kept is None:
                problem = (
                    "the profile Jamf Pro holds is not a readable property list, so its "
                    "PayloadIdentifier cannot be kept; it is not updated (a new identifier "
                    "would install a second profile on every iPad)"
                )
                return Write(
                    "update", desired.key, desired.collection, desired.api, live.id,
                    extra={"problem": problem},
                )  # fmt: skip
            general["payloads"] = kept
        if isinstance(wire.get("scope"), dict) and live.assignments is not None:
            # the scope's groups as they are (the assignments step changes them): a server
            # that replaces the whole <scope> then keeps them too
            groups = [self.writable_assignment(g) for g in live.assignments]
            wire["scope"] = {**wire["scope"], "mobile_device_groups": groups}
        return Write("update", desired.key, desired.collection, desired.api, live.id, wire, "PUT")

    def fill_secrets(
        self, desired: Desired, body: dict[str, Any], values: dict[str, str]
    ) -> dict[str, Any]:
        out = copy.deepcopy(body)
        general = out.get("general")
        if isinstance(general, dict) and isinstance(general.get("payloads"), str):
            general["payloads"] = mobileconfig.fill_xml(general["payloads"], values, desired.key)
        config = out.get("app_configuration")
        if isinstance(config, dict) and isinstance(config.get("preferences"), str):
            text = config["preferences"]
            filled = mobileconfig.fill_xml(f"{PLIST_HEAD}{text}</plist>", values, desired.key)
            start, end = filled.index("<dict"), filled.rindex("</plist>")
            config["preferences"] = filled[start:end].strip() + "\n"
        result: dict[str, Any] = substitute(out, lambda _k, n: values.get(n), ("secret",))
        return result

    def assignment_group(self, item: dict[str, Any]) -> str | None:
        gid = item.get("id")
        return str(gid) if gid not in (None, "") else None

    def writable_assignment(self, item: dict[str, Any]) -> dict[str, Any]:
        return {"id": str(item.get("id"))}

    def import_items(self, desired: Desired) -> list[tuple[str, dict[str, Any]]]:
        return []  # iPads arrive through Automated Device Enrollment, not imports

    # ---- writing ----------------------------------------------------------------------------
    def _request(self, w: Write) -> Request:
        kind = KINDS[w.collection]
        if w.action == "create":
            wire = self._wire(w.collection, w.key, w.body)
            if "assign" in w.extra:  # the scope travels with the create
                wire["scope"] = {**wire.get("scope", {}), **w.extra["assign"]}
            body = to_xml(kind.element, wire)
            return Request("POST", path(kind, "0"), body, SERVICE, idempotent=False)
        if w.action == "update":
            return Request("PUT", path(kind, w.target), to_xml(kind.element, w.body), SERVICE)
        if w.action == "assign":  # never to everyone, whatever the server keeps of <scope>
            body = to_xml(kind.element, {"scope": {**NOT_EVERYONE, **w.body}})
            return Request("PUT", path(kind, w.target), body, SERVICE)
        if w.action == "delete":
            return Request("DELETE", path(kind, w.target), None, SERVICE)
        raise ValueError(f"Jamf Pro has no {w.action} write")

    def execute(self, writes: Sequence[Write]) -> list[Outcome]:
        results: list[Outcome | None] = [None] * len(writes)
        todo = []
        for i, w in enumerate(writes):
            if "problem" in w.extra:
                results[i] = Outcome(False, error=str(w.extra["problem"]))
            else:
                todo.append(i)
        responses = self.client.send_many([self._request(writes[i]) for i in todo])
        for i, res in zip(todo, responses, strict=True):
            results[i] = _outcome(writes[i], res)
        return [r if r is not None else Outcome(False, error="not carried out") for r in results]


def _outcome(w: Write, res: Response | GraphFailure) -> Outcome:
    if isinstance(res, Response):
        if w.action != "create":
            return Outcome(True, w.target, res.request_id)
        try:
            _, body = from_xml(res.body if isinstance(res.body, bytes) else b"")
        except XmlProblem:
            body = {}
        new_id = body.get("id")
        if not isinstance(new_id, str) or not new_id.strip():
            return Outcome(
                False,
                request_id=res.request_id,
                error="Jamf Pro answered a create without an id",
                ambiguous=True,
            )
        return Outcome(True, new_id.strip(), res.request_id)
    if res.status == 404 and w.action == "delete":
        return Outcome(True, request_id=res.request_id, detail={"notes": ["already gone"]})
    if res.status == 409 and w.action == "create":
        # a name taken (or a scope Jamf refuses): sending it again cannot help; the engine looks
        # once whether the object is ours, made by an earlier try whose answer was lost
        kind = KINDS[w.collection]
        error = (
            f"Jamf Pro refused to create the {kind.what} '{dig(w.body, kind.name)}' ({res.message})"
        )
        if "name" in res.message.lower():
            error += (
                ": an object of that name exists that schoolmdm does not manage; rename or "
                "delete it in Jamf Pro. schoolmdm never adopts or overwrites it"
            )
        return Outcome(False, request_id=res.request_id, error=error, ambiguous=True, conflict=True)
    return Outcome(
        False, request_id=res.request_id, error=res.message, ambiguous=isinstance(res, Ambiguous)
    )
