"""The Jamf Pro server behind the Jamf emulator: objects of the Classic API as XML trees, and
what Jamf Pro does with them, written from its public documentation and the behaviour people
report (kept independent of compiler/deploy: it parses and writes XML on its own).

* ids are assigned by the server, counting upwards; list answers carry ids and names only;
* names are unique per kind, regardless of case: a second one is 409 Conflict with an HTML page
  ("Error: Duplicate name"); a scope naming a group that does not exist is 409 too;
* a static group's members must be iPads Jamf knows (by id or serial number);
* a PUT changes only the elements it carries (a list it carries replaces the stored one);
* a profile's payloads are rewritten on ingest (deploymenttheory/terraform-provider-jamfpro#539,
  #1164): a new profile gets a PayloadUUID and PayloadIdentifier minted by Jamf, the XML is
  re-indented, PayloadEnabled is added and the top-level PayloadDisplayName becomes the profile's
  name; an update keeps the identifiers it is sent, so an update that sends different ones
  changes the profile's identity on every iPad: recorded in `identifier_changes`.
"""

from __future__ import annotations

import copy
import plistlib
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

# collection -> (element of one object, root of the list answer)
COLLECTIONS = {
    "mobiledeviceconfigurationprofiles": ("configuration_profile", "configuration_profiles"),
    "mobiledevicegroups": ("mobile_device_group", "mobile_device_groups"),
    "mobiledeviceapplications": ("mobile_device_application", "mobile_device_applications"),
    "mobiledevices": ("mobile_device", "mobile_devices"),
    "vppaccounts": ("vpp_account", "vpp_accounts"),
}
NAME_PATH = {
    "mobiledeviceconfigurationprofiles": "general/name",
    "mobiledeviceapplications": "general/name",
    "mobiledevicegroups": "name",
    "mobiledevices": "general/name",
    "vppaccounts": "name",
}
WRITABLE = ("mobiledeviceconfigurationprofiles", "mobiledevicegroups", "mobiledeviceapplications")
DEVICE_FIELDS = ("id", "name", "udid", "serial_number", "wifi_mac_address")


class JamfError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    elem = ET.SubElement(parent, tag)
    if text is not None:
        elem.text = text
    return elem


def to_dict(elem: ET.Element) -> Any:
    """A plain view of an element for tests: repeated children become lists."""
    children = list(elem)
    if not children:
        return elem.text or ""
    out: dict[str, Any] = {}
    for child in children:
        value = to_dict(child)
        if child.tag in out:
            prev = out[child.tag]
            out[child.tag] = [*(prev if isinstance(prev, list) else [prev]), value]
        else:
            out[child.tag] = value
    return out


def _rewrite_plist(text: str, mint: bool, name: str) -> tuple[str, str, str]:
    """Jamf's ingest of a profile: (new XML, PayloadUUID, PayloadIdentifier)."""
    try:
        data = plistlib.loads(text.encode("utf-8"))
    except Exception as exc:
        raise JamfError(400, f"Error: Unable to parse the configuration profile ({exc})") from None
    if not isinstance(data, dict):
        raise JamfError(400, "Error: Unable to parse the configuration profile")
    if mint:
        minted = str(uuid.uuid4()).upper()
        data["PayloadUUID"] = minted
        data["PayloadIdentifier"] = minted
    data.setdefault("PayloadEnabled", True)
    data["PayloadDisplayName"] = name
    for item in data.get("PayloadContent") or []:
        if isinstance(item, dict):
            item.setdefault("PayloadEnabled", True)
    out = plistlib.dumps(data, fmt=plistlib.FMT_XML, sort_keys=False).decode("utf-8")
    out = out.replace("\t", "    ")  # Jamf's own indentation
    return out, str(data.get("PayloadUUID", "")), str(data.get("PayloadIdentifier", ""))


@dataclass
class JamfServer:
    """Every object by collection and id, as XML elements."""

    objects: dict[str, dict[int, ET.Element]] = field(
        default_factory=lambda: {c: {} for c in COLLECTIONS}
    )
    next_id: int = 1
    identifier_changes: list[tuple[int, str, str]] = field(default_factory=list)
    # variations some servers show (the client must cope with either)
    whole_scope: bool = False  # a PUT's <scope> replaces the stored scope whole
    list_serials: bool = True  # the list of mobile devices carries serial numbers
    forget: tuple[str, ...] = ()  # element paths a simpler server does not keep, e.g. "vpp"
    lock: threading.RLock = field(default_factory=threading.RLock)

    # ---- seeding and inspection (tests) -------------------------------------------------
    def seed_device(self, serial: str, name: str = "") -> int:
        """An iPad Jamf knows (enrolled)."""
        elem = ET.Element("mobile_device")
        general = _sub(elem, "general")
        with self.lock:
            oid = self._new_id()
            for tag, text in (
                ("id", str(oid)),
                ("name", name or f"iPad {serial}"),
                ("device_name", name or f"iPad {serial}"),
                ("udid", uuid.uuid5(uuid.NAMESPACE_OID, serial).hex),
                ("serial_number", serial),
                ("wifi_mac_address", ""),
                ("managed", "true"),
                ("supervised", "true"),
                ("model", "iPad"),
            ):
                _sub(general, tag, text)
            self.objects["mobiledevices"][oid] = elem
            return oid

    def seed_vpp_account(self, name: str) -> int:
        elem = ET.Element("vpp_account")
        with self.lock:
            oid = self._new_id()
            _sub(elem, "id", str(oid))
            _sub(elem, "name", name)
            self.objects["vppaccounts"][oid] = elem
            return oid

    def seed(self, collection: str, xml: str | bytes) -> int:
        """A hand-made object (no marker), made the way the API makes one."""
        return self.create(collection, xml.encode() if isinstance(xml, str) else xml)

    def raw(self, collection: str, oid: int) -> bytes:
        with self.lock:
            return ET.tostring(self.objects[collection][oid])

    def obj(self, collection: str, oid: int) -> dict[str, Any]:
        with self.lock:
            value = to_dict(self.objects[collection][oid])
            return value if isinstance(value, dict) else {}

    def ids(self, collection: str) -> list[int]:
        with self.lock:
            return sorted(self.objects[collection])

    # ---- the API ------------------------------------------------------------------------
    def _new_id(self) -> int:
        oid = self.next_id
        self.next_id += 1
        return oid

    def _name(self, collection: str, elem: ET.Element) -> str:
        return (elem.findtext(NAME_PATH[collection]) or "").strip()

    def _unique(self, collection: str, name: str, oid: int | None) -> None:
        if not name:
            raise JamfError(409, "Error: Name is required")
        for other_id, other in self.objects[collection].items():
            if other_id != oid and self._name(collection, other).casefold() == name.casefold():
                raise JamfError(409, "Error: Duplicate name")

    def list(self, collection: str) -> bytes:
        element, plural = COLLECTIONS[collection]
        root = ET.Element(plural)
        with self.lock:
            objs = sorted(self.objects[collection].items())
            _sub(root, "size", str(len(objs)))
            for oid, elem in objs:
                item = _sub(root, element)
                if collection == "mobiledevices":
                    general = elem.find("general")
                    for tag in (*DEVICE_FIELDS, "managed", "supervised", "model"):
                        if tag == "serial_number" and not self.list_serials:
                            continue
                        _sub(item, tag, general.findtext(tag) if general is not None else "")
                    continue
                _sub(item, "id", str(oid))
                _sub(item, "name", self._name(collection, elem))
                if collection == "mobiledevicegroups":
                    _sub(item, "is_smart", elem.findtext("is_smart") or "false")
        return ET.tostring(root, encoding="UTF-8", xml_declaration=True)

    def get(self, collection: str, oid: int) -> bytes:
        with self.lock:
            elem = self.objects[collection].get(oid)
            if elem is None:
                raise JamfError(404, "The server has not found anything matching the request URI")
            return ET.tostring(elem, encoding="UTF-8", xml_declaration=True)

    def _parse(self, collection: str, data: bytes) -> ET.Element:
        try:
            elem = ET.fromstring(data)
        except ET.ParseError as exc:
            raise JamfError(400, f"Error: XML parse error ({exc})") from None
        if collection not in WRITABLE:
            raise JamfError(405, "Error: not writable")
        if elem.tag != COLLECTIONS[collection][0]:
            raise JamfError(400, f"Error: the root element must be {COLLECTIONS[collection][0]}")
        return elem

    def create(self, collection: str, data: bytes) -> int:
        given = self._parse(collection, data)
        with self.lock:
            name = self._name(collection, given)
            self._unique(collection, name, None)
            oid = self._new_id()
            stored = self._blank(collection, oid)
            self._merge(collection, oid, stored, given, creating=True)
            self.objects[collection][oid] = stored
            return oid

    def update(self, collection: str, oid: int, data: bytes) -> None:
        given = self._parse(collection, data)
        with self.lock:
            stored = self.objects[collection].get(oid)
            if stored is None:
                raise JamfError(404, "The server has not found anything matching the request URI")
            name = self._name(collection, given)
            if name:
                self._unique(collection, name, oid)
            candidate = copy.deepcopy(stored)
            self._merge(collection, oid, candidate, given, creating=False)
            self.objects[collection][oid] = candidate

    def delete(self, collection: str, oid: int) -> None:
        with self.lock:
            if collection not in WRITABLE:
                raise JamfError(405, "Error: not writable")
            if self.objects[collection].pop(oid, None) is None:
                raise JamfError(404, "The server has not found anything matching the request URI")
            if collection == "mobiledevicegroups":  # Jamf drops a deleted group from scopes
                for kind in ("mobiledeviceconfigurationprofiles", "mobiledeviceapplications"):
                    for elem in self.objects[kind].values():
                        groups = elem.find("scope/mobile_device_groups")
                        for g in list(groups) if groups is not None else []:
                            if g.findtext("id") == str(oid):
                                groups.remove(g)

    # ---- what an object holds -----------------------------------------------------------
    def _blank(self, collection: str, oid: int) -> ET.Element:
        root = ET.Element(COLLECTIONS[collection][0])
        if collection == "mobiledevicegroups":
            _sub(root, "id", str(oid))
            _sub(root, "name", "")
            _sub(root, "is_smart", "false")
            site = _sub(root, "site")
            _sub(site, "id", "-1")
            _sub(site, "name", "None")
            _sub(root, "criteria")
            _sub(root, "mobile_devices")
            return root
        general = _sub(root, "general")
        _sub(general, "id", str(oid))
        _sub(general, "name", "")
        _sub(general, "description", "")
        site = _sub(general, "site")
        _sub(site, "id", "-1")
        _sub(site, "name", "None")
        category = _sub(general, "category")
        _sub(category, "id", "-1")
        _sub(category, "name", "No category assigned")
        if collection == "mobiledeviceconfigurationprofiles":
            _sub(general, "uuid", "")
            _sub(general, "deployment_method", "Install Automatically")
            _sub(general, "redeploy_on_update", "Newly Assigned")
            _sub(general, "payloads", "")
        else:
            _sub(general, "version", "1.0")
            _sub(general, "internal_app", "false")
            _sub(general, "os_type", "iOS")
        scope = _sub(root, "scope")
        for tag in ("all_mobile_devices", "all_jss_users"):
            _sub(scope, tag, "false")
        for tag in ("mobile_devices", "buildings", "departments", "mobile_device_groups"):
            _sub(scope, tag)
        _sub(root, "self_service")
        if collection == "mobiledeviceapplications":
            vpp = _sub(root, "vpp")
            _sub(vpp, "assign_vpp_device_based_licenses", "false")
            _sub(vpp, "vpp_admin_account_id", "-1")
        return root

    def _merge(
        self, collection: str, oid: int, stored: ET.Element, given: ET.Element, creating: bool
    ) -> None:
        """The elements `given` carries replace the stored ones (a PUT changes only those)."""
        before = self._identifier(stored.findtext("general/payloads") or "") or ""
        for section in given:
            if section.tag == "id":
                continue
            if collection == "mobiledevicegroups":
                if section.tag == "mobile_devices":
                    self._members(stored, section)
                else:
                    _replace(stored, section)
                continue
            target = stored.find(section.tag)
            if section.tag == "scope" and self.whole_scope and target is not None:
                stored.remove(target)
                target = None
            if target is None:
                target = _sub(stored, section.tag)
            for child in section:
                if child.tag == "id":
                    continue
                if section.tag == "scope" and child.tag == "mobile_device_groups":
                    self._check_groups(child)
                _replace(target, child)
        if collection == "mobiledeviceconfigurationprofiles":
            self._ingest(oid, stored, given, creating, before)
        for where in self.forget:
            parent_path, _, tag = where.rpartition("/")
            parent = stored.find(parent_path) if parent_path else stored
            found = parent.find(tag) if parent is not None else None
            if parent is not None and found is not None:
                parent.remove(found)

    def _members(self, stored: ET.Element, given: ET.Element) -> None:
        devices = self.objects["mobiledevices"]
        by_serial = {
            (d.findtext("general/serial_number") or "").upper(): i for i, d in devices.items()
        }
        members = ET.Element("mobile_devices")
        for item in given:
            did = (item.findtext("id") or "").strip()
            serial = (item.findtext("serial_number") or "").strip().upper()
            oid = int(did) if did.isdigit() else by_serial.get(serial)
            if oid is None or oid not in devices:
                raise JamfError(409, "Error: Problem with mobile device in group membership")
            general = devices[oid].find("general")
            entry = _sub(members, "mobile_device")
            for tag in DEVICE_FIELDS:
                _sub(entry, tag, general.findtext(tag) if general is not None else "")
        _replace(stored, members)

    def _check_groups(self, groups: ET.Element) -> None:
        for g in groups:
            gid = (g.findtext("id") or "").strip()
            if not gid.isdigit() or int(gid) not in self.objects["mobiledevicegroups"]:
                raise JamfError(409, "Error: Problem with mobile device group in scope")
            name = g.find("name")
            if name is None:
                name = _sub(g, "name")
            name.text = self.objects["mobiledevicegroups"][int(gid)].findtext("name")

    def _ingest(
        self, oid: int, stored: ET.Element, given: ET.Element, creating: bool, before: str
    ) -> None:
        sent = given.find("general/payloads")
        payloads = stored.find("general/payloads")
        if sent is None or payloads is None:
            return
        name = self._name("mobiledeviceconfigurationprofiles", stored)
        text, puuid, ident = _rewrite_plist(sent.text or "", creating, name)
        payloads.text = text
        uuid_elem = stored.find("general/uuid")
        if uuid_elem is not None and (creating or not uuid_elem.text):
            uuid_elem.text = puuid
        if not creating and before and ident != before:
            self.identifier_changes.append((oid, before, ident))

    @staticmethod
    def _identifier(text: str) -> str | None:
        try:
            data = plistlib.loads(text.encode("utf-8"))
        except Exception:
            return None
        return str(data.get("PayloadIdentifier")) if isinstance(data, dict) else None


def _replace(parent: ET.Element, new: ET.Element) -> None:
    old = parent.find(new.tag)
    if old is None:
        parent.append(copy.deepcopy(new))
        return
    index = list(parent).index(old)
    parent.remove(old)
    parent.insert(index, copy.deepcopy(new))
