"""Reading Jamf Pro: each collection's list (ids and names only, in the Classic API), then each
object whose marker cannot be seen in the list read on its own, concurrently within the pace;
the iPads Jamf knows (for static groups) and the volume purchasing locations (for apps).

An object is ours only with a marker (`jamf_kinds`). Objects without one are remembered by name:
Jamf Pro refuses a second object of a name (409), so a desired object whose name such an object
holds is blocked with an error naming it, before any write; it is never adopted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compiler.deploy import marker
from compiler.deploy.buildread import Desired
from compiler.deploy.jamf_client import JamfClient
from compiler.deploy.jamf_kinds import BASE, DEVICES, KINDS, SERVICE, VPP_ACCOUNTS, Kind, path
from compiler.deploy.jamf_xml import XmlProblem, from_xml, list_items
from compiler.deploy.model import LiveObject, LiveState
from compiler.deploy.wire import GraphFailure, Request


def dig(value: Any, where: tuple[str, ...]) -> Any:
    for part in where:
        value = value.get(part) if isinstance(value, dict) else None
    return value


class JamfReader:
    def __init__(self, client: JamfClient) -> None:
        self.client = client
        self.devices: dict[str, dict[str, Any]] = {}  # serial -> the device as listed
        self.vpp: list[dict[str, Any]] | None = None  # volume purchasing locations (None: unread)
        self.vpp_problem = ""
        self.foreign: dict[str, dict[str, str]] = {c: {} for c in KINDS}  # collection: id -> name
        self.ours: dict[str, dict[str, LiveObject]] = {
            c: {} for c in KINDS
        }  # collection: id -> obj

    # ---- requests -------------------------------------------------------------------------
    def _get(self, where: str) -> bytes:
        body = self.client.send(Request("GET", where, service=SERVICE)).body
        return body if isinstance(body, bytes) else b""

    def _items(self, where: str, element: str) -> list[dict[str, Any]]:
        try:
            return list_items(self._get(where), element)
        except XmlProblem as exc:
            raise GraphFailure(0, f"{where}: {exc}") from None

    def _list(self, kind: Kind) -> list[dict[str, Any]]:
        return self._items(path(kind), kind.element)

    def _each(self, label: str, paths: dict[str, str]) -> dict[str, dict[str, Any]]:
        """Each object (id -> path), read on its own, concurrently within the pace; an object
        deleted meanwhile is left out."""
        ids = list(paths)
        reqs = [Request("GET", paths[oid], service=SERVICE) for oid in ids]
        out: dict[str, dict[str, Any]] = {}
        for oid, res in zip(ids, self.client.send_many(reqs), strict=True):
            if isinstance(res, GraphFailure):
                if res.status == 404:
                    continue
                raise res
            try:
                _, body = from_xml(res.body if isinstance(res.body, bytes) else b"")
            except XmlProblem as exc:
                raise GraphFailure(0, f"{label} {oid}: {exc}") from None
            out[oid] = body
        return out

    def _details(self, kind: Kind, ids: list[str]) -> dict[str, dict[str, Any]]:
        return self._each(kind.collection, {oid: path(kind, oid) for oid in ids})

    # ---- objects --------------------------------------------------------------------------
    def _live(self, kind: Kind, oid: str, body: dict[str, Any]) -> LiveObject | None:
        found = marker.parse(dig(body, kind.marker))
        if found is None:
            return None
        groups = dig(body, ("scope", "mobile_device_groups"))
        assignments = (groups if isinstance(groups, list) else []) if kind.scoped else None
        created = f"{int(oid):012d}" if oid.isdigit() else oid  # Jamf counts ids upwards
        return LiveObject(kind.collection, oid, body, found[0], assignments, {}, created)

    def _collection(self, kind: Kind) -> list[LiveObject]:
        """Our objects of one kind as they are now: the list, and each object not read before
        (objects without a marker are remembered by name; ours from an earlier read are not
        read again: after an unclear create only the new ones are)."""
        items = self._list(kind)
        names = {str(i.get("id")): str(i.get("name", "")) for i in items if i.get("id")}
        ours, foreign = self.ours[kind.collection], self.foreign[kind.collection]
        if kind.marker_in_list:  # no need to read an object whose name has no marker
            foreign.update({o: n for o, n in names.items() if marker.parse(n) is None})
        wanted = [oid for oid in names if oid not in foreign and oid not in ours]
        for oid, body in self._details(kind, wanted).items():
            obj = self._live(kind, oid, body)
            if obj is None:
                foreign[oid] = str(dig(body, kind.name) or names[oid])
            else:
                ours[oid] = obj
        return [obj for oid, obj in ours.items() if oid in names]

    def find(self, collection: str) -> list[LiveObject]:
        """After an unclear create: our objects of the collection (new ones read)."""
        return self._collection(KINDS[collection])

    def read(self, desired: Sequence[Desired]) -> LiveState:
        state = LiveState()
        for kind in KINDS.values():
            state.owned.extend(self._collection(kind))
        groups = [d for d in desired if d.collection == "mobiledevicegroups"]
        if groups:
            self._devices()
            for d in groups:
                self._unknown_members(d, state)
        apps = [d for d in desired if d.collection == "mobiledeviceapplications"]
        if apps:
            self._vpp()
            self._licences(apps, state)
        self._blocked(desired, state)
        return state

    def account(self, d: Desired) -> str | None:
        """The id of the volume purchasing location whose licences an app uses: the one the
        estate names (apple.vpp_token), else the only one; None when that is not clear."""
        accounts = self.vpp or []
        wanted = d.options.get("vpp_location")
        if wanted:
            hits = [
                a
                for a in accounts
                if str(wanted).casefold()
                in {str(a.get(f, "")).casefold() for f in ("name", "apple_id", "account_name")}
            ]
        else:
            hits = accounts
        return str(hits[0].get("id")) if len(hits) == 1 and hits[0].get("id") else None

    def _licences(self, apps: list[Desired], state: LiveState) -> None:
        names = ", ".join(sorted(str(a.get("name", "?")) for a in self.vpp or []))
        for d in apps:
            if self.account(d) is not None:
                continue
            wanted = d.options.get("vpp_location")
            if wanted:
                known = f"; it has: {names}" if names else ""
                why = f" ({self.vpp_problem})" if self.vpp_problem else ""
                state.blocked[d.key] = (
                    f"no volume purchasing location '{wanted}' (apple.vpp_token) in Jamf Pro"
                    + (known or why)
                )
            elif self.vpp:
                state.blocked[d.key] = (
                    f"Jamf Pro has several volume purchasing locations ({names}): name the one "
                    "whose licences the apps use in schoolmdm.yaml (apple: vpp_token: <name>)"
                )
            else:
                state.warnings.append(
                    (
                        d.key,
                        "licences",
                        "no volume purchasing location in Jamf Pro"
                        + (f" ({self.vpp_problem})" if self.vpp_problem else "")
                        + ": the app is set to device licensing, but iPads get it only once a "
                        "location holds its licences",
                    )
                )

    def _devices(self) -> None:
        """The iPads Jamf Pro knows, by serial number (from the list; a server whose list
        leaves the serial number out is asked for each device)."""
        items = self._items(f"{BASE}/{DEVICES}", "mobile_device")
        if items and not any("serial_number" in i for i in items):
            paths = {str(i["id"]): f"{BASE}/{DEVICES}/id/{i['id']}" for i in items if i.get("id")}
            items = [
                {**body["general"], "id": oid}
                for oid, body in self._each(DEVICES, paths).items()
                if isinstance(body.get("general"), dict)
            ]
        for item in items:
            serial = str(item.get("serial_number", "")).strip().upper()
            if serial:
                self.devices[serial] = item

    def _unknown_members(self, d: Desired, state: LiveState) -> None:
        """A static group holds only iPads Jamf Pro knows (enrolled, or synced from Apple
        School Manager): the others are said, and join on a later run."""
        members = d.body.get("mobile_devices")
        serials = [str(m.get("serial_number")) for m in members or [] if isinstance(m, dict)]
        unknown = sorted(s for s in serials if s.upper() not in self.devices)
        if unknown:
            shown = ", ".join(unknown[:20]) + (
                f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
            )
            state.warnings.append(
                (
                    d.key,
                    "members",
                    f"{len(unknown)} of {len(serials)} iPads are not in Jamf Pro yet, so not in "
                    f"the group; they join on a later run: {shown}",
                )
            )

    def _vpp(self) -> None:
        try:
            self.vpp = self._items(f"{BASE}/{VPP_ACCOUNTS}", "vpp_account")
        except GraphFailure as exc:  # no such list (an older server), or no privilege to read it
            self.vpp = []
            self.vpp_problem = exc.message

    def _blocked(self, desired: Sequence[Desired], state: LiveState) -> None:
        ours = {(o.collection, o.key): o for o in state.owned}
        for d in desired:
            kind = KINDS.get(d.collection)
            name = dig(d.body, kind.name) if kind else None
            if kind is None or not isinstance(name, str):
                continue
            mine = ours.get((d.collection, d.key))
            if mine is not None and str(dig(mine.body, kind.name)).casefold() == name.casefold():
                continue  # it holds the name already
            for oid, other in self.foreign[d.collection].items():
                if other.casefold() == name.casefold():
                    state.blocked[d.key] = (
                        f"the name '{name}' is taken in Jamf Pro by a {kind.what} schoolmdm "
                        f"does not manage (id {oid}, without a [schoolmdm:…] marker); rename or "
                        "delete that one in Jamf Pro, or change naming in schoolmdm.yaml. "
                        "schoolmdm never adopts or overwrites it"
                    )
                    break
