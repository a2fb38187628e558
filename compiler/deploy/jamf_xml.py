"""Jamf Pro's Classic API speaks XML; the deployer works on mappings. This module converts
between the two, the same way for every object kind:

* an element with children is a mapping of child name -> value;
* a list is a plural container of singular items (`<mobile_device_groups><mobile_device_group>`);
  which containers are lists is data (LISTS), since a list of one looks like a mapping;
* text is a string, except for the elements the API documents as booleans (`true`/`false`);
* an empty element is "" (an empty list, for a list container).

Server XML is parsed with defusedxml (no entity expansion, no external entities): a hostile
or broken server cannot make the deployer read files or exhaust memory. Errors in an answer
are HTML or XML pages with the message in a paragraph (`<p>Error: Duplicate name</p>`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # building only; parsing goes through defusedxml
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

# plural container -> singular item
LISTS = {
    "mobile_device_groups": "mobile_device_group",
    "mobile_devices": "mobile_device",
    "buildings": "building",
    "departments": "department",
    "jss_users": "user",
    "jss_user_groups": "user_group",
    "users": "user",
    "user_groups": "user_group",
    "network_segments": "network_segment",
    "ibeacons": "ibeacon",
    "criteria": "criterion",
    "self_service_categories": "category",
    "mobile_device_additions": "mobile_device",
    "mobile_device_deletions": "mobile_device",
}
BOOLEANS = frozenset(
    {
        "all_mobile_devices",
        "all_jss_users",
        "is_smart",
        "deploy_automatically",
        "deploy_as_managed_app",
        "remove_app_when_mdm_profile_is_removed",
        "prevent_backup_of_app_data",
        "keep_description_and_icon_up_to_date",
        "take_over_management",
        "make_available_after_install",
        "assign_vpp_device_based_licenses",
        "internal_app",
        "free",
        "host_externally",
        "managed",
        "supervised",
        "feature_on_main_page",
        "notification",
    }
)
_TAG = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


class XmlProblem(ValueError):
    """The server's answer is not XML the deployer can read."""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _fill(elem: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            if not _TAG.match(key):
                raise ValueError(f"not an XML element name: {key!r}")
            child = ET.SubElement(elem, key)
            if isinstance(sub, list):
                item = LISTS.get(key)
                if item is None:
                    raise ValueError(f"{key} is not a list in the Classic API")
                for entry in sub:
                    _fill(ET.SubElement(child, item), entry)
            else:
                _fill(child, sub)
    else:
        elem.text = _text(value)


def to_xml(root: str, body: dict[str, Any]) -> bytes:
    """The request body of a create or update: `<root>...</root>` with an XML declaration."""
    elem = ET.Element(root)
    _fill(elem, body)
    data: bytes = ET.tostring(elem, encoding="UTF-8", xml_declaration=True)
    return data


def _value(elem: ET.Element) -> Any:
    children = list(elem)
    if elem.tag in LISTS:
        return [_value(c) for c in children if c.tag != "size"]
    if not children:
        text = elem.text or ""
        if elem.tag in BOOLEANS and text.strip().lower() in ("true", "false"):
            return text.strip().lower() == "true"
        return text
    out: dict[str, Any] = {}
    for child in children:
        if child.tag in out:  # a repeated element outside a known list: keep all of them
            prev = out[child.tag]
            out[child.tag] = [*(prev if isinstance(prev, list) else [prev]), _value(child)]
        else:
            out[child.tag] = _value(child)
    return out


def parse(data: bytes) -> ET.Element:
    try:
        elem: ET.Element = SafeET.fromstring(data)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise XmlProblem(f"the answer is not readable XML ({type(exc).__name__})") from None
    return elem


def from_xml(data: bytes) -> tuple[str, dict[str, Any]]:
    """(root element name, its content as a mapping)."""
    elem = parse(data)
    value = _value(elem)
    return elem.tag, value if isinstance(value, dict) else {}


def list_items(data: bytes, item: str) -> list[dict[str, Any]]:
    """The items of a Classic API list answer (`<plural><size/><item>…</item>…</plural>`)."""
    elem = parse(data)
    out = []
    for child in elem:
        if child.tag == item:
            value = _value(child)
            if isinstance(value, dict):
                out.append(value)
    return out


def error_text(data: bytes) -> str:
    """The message in a Classic API error page (HTML or XML), e.g. 'Error: Duplicate name'."""
    text = data.decode("utf-8", "replace")
    found = re.search(r"<p[^>]*>\s*(Error[^<]{0,300})</p>", text)
    if found:
        return " ".join(found[1].split())
    plain = re.sub(r"<[^>]+>", " ", text)
    return " ".join(plain.split())[:300]
