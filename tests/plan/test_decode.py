"""Artifacts decoded to what a person reads: plists wherever they are wrapped, JSON, CSV."""

from __future__ import annotations

import base64
import json
import plistlib
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from compiler.plan.decode import Embedded, Opaque, decode
from compiler.plan.values import show

PROFILE = {
    "PayloadType": "Configuration",
    "PayloadContent": [{"SSID_STR": "Schule", "Data": b"\x00\x01"}],
}


def test_xml_and_binary_plists() -> None:
    for fmt in (plistlib.FMT_XML, plistlib.FMT_BINARY):
        got = decode("a.mobileconfig", plistlib.dumps(PROFILE, fmt=fmt))
        assert got.format == "plist"
        assert got.value["PayloadContent"][0]["SSID_STR"] == "Schule"
        assert isinstance(got.value["PayloadContent"][0]["Data"], Opaque)


def test_profile_as_base64_inside_a_graph_body_is_decoded() -> None:
    payload = base64.b64encode(plistlib.dumps(PROFILE)).decode()
    body = {
        "body": {
            "payload": payload,
            "description": "Wi-Fi [schoolmdm:gym-a/apple/x/wifi#0123456789abcdef]",
        }
    }
    got = decode("wifi.json", json.dumps(body).encode())
    assert got.format == "json"
    inner = got.value["body"]["payload"]
    assert isinstance(inner, Embedded) and inner.kind == "plist"
    assert inner.value["PayloadContent"][0]["SSID_STR"] == "Schule"
    assert got.value["body"]["description"] == "Wi-Fi"  # the marker hash is not content


def test_short_or_plain_strings_stay_strings() -> None:
    body = {
        "ssid": "SchuleSchuleSchuleSchuleSchule",
        "b64ish": base64.b64encode(b"x" * 40).decode(),
    }
    got = decode("x.json", json.dumps(body).encode())
    assert got.value == body


def test_csv_rows_by_first_column_and_single_column_lists() -> None:
    macs = decode("macs.csv", b"mac,serial\n02:00,S1\n02:01,S2\n")
    assert macs.value == {"02:00": {"serial": "S1"}, "02:01": {"serial": "S2"}}
    serials = decode("asm.csv", b"Serial Number\nS1\nS2\n")
    assert serials.value == ["S1", "S2"]


def test_other_bytes() -> None:
    assert decode("x.bin", b"\xff\xfe\x00").format == "binary"
    assert decode("x.txt", b"hello").value == "hello"


@given(st.binary(max_size=300), st.sampled_from(["a.json", "a.csv", "a.mobileconfig", "a"]))
def test_decode_never_raises(data: bytes, name: str) -> None:
    decode(name, data)


def test_pem_certificates_are_summarised(example_root: Path) -> None:
    text = (example_root / "profiles/certificates.yaml").read_text(encoding="utf-8")
    block = re.search(
        r"-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----", text
    )
    assert block is not None
    pem = "\n".join(line.strip() for line in block.group(0).splitlines())
    got = decode("x.json", json.dumps({"pem": pem}).encode()).value["pem"]
    assert isinstance(got, Embedded) and got.kind == "certificate"
    assert "CN=" in got.value["subject"]
    assert show(pem).startswith("certificate ") and "BEGIN" not in show(pem)


def test_a_property_list_kept_as_text_is_read_as_one() -> None:
    profile = plistlib.dumps({"PayloadType": "Configuration", "allowCamera": False}).decode()
    config = "<dict>\n\t<key>server</key>\n\t<string>https://x</string>\n</dict>\n"
    doc = {"general": {"payloads": profile}, "app_configuration": {"preferences": config}}
    value = decode("x.json", json.dumps(doc).encode()).value
    assert value["general"]["payloads"].value == {
        "PayloadType": "Configuration",
        "allowCamera": False,
    }
    assert value["app_configuration"]["preferences"].value == {"server": "https://x"}
    # text that only looks like markup stays text
    assert decode("x.json", b'{"a": "<b>bold</b>"}').value == {"a": "<b>bold</b>"}
