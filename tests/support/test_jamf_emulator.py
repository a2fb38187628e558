"""The Jamf emulator itself behaves as the Classic API is documented and reported to: tested with
a plain HTTP client, so the deployer's tests rest on a double that is right."""

from __future__ import annotations

import plistlib
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.jamf_emulator import Fault, JamfEmulator, Limits

PROFILE = (
    "<configuration_profile><general><name>{name}</name><payloads>{payload}</payloads>"
    "</general></configuration_profile>"
)


def payload(identifier: str) -> str:
    data = {"PayloadType": "Configuration", "PayloadIdentifier": identifier, "PayloadUUID": "X"}
    text = plistlib.dumps(data).decode()
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def client(emu: JamfEmulator, token: str = "t") -> httpx.Client:
    return httpx.Client(base_url=emu.url, headers={"Authorization": f"Bearer {token}"})


def test_ids_count_up_and_lists_carry_ids_and_names_only() -> None:
    with JamfEmulator(token="t") as emu, client(emu) as c:
        ids = []
        for name in ("a", "b"):
            body = PROFILE.format(name=name, payload=payload("x"))
            r = c.post("/JSSResource/mobiledeviceconfigurationprofiles/id/0", content=body)
            assert r.status_code == 201
            ids.append(int(ET.fromstring(r.content).findtext("id") or 0))
        assert ids[1] > ids[0]
        listed = ET.fromstring(c.get("/JSSResource/mobiledeviceconfigurationprofiles").content)
        items = listed.findall("configuration_profile")
        assert [sorted(child.tag for child in i) for i in items] == [["id", "name"]] * 2


def test_a_duplicate_name_is_409_with_an_html_page_whatever_its_case() -> None:
    with JamfEmulator(token="t") as emu, client(emu) as c:
        body = PROFILE.format(name="WLAN", payload=payload("x"))
        assert c.post(
            "/JSSResource/mobiledeviceconfigurationprofiles/id/0", content=body
        ).is_success
        again = PROFILE.format(name="wlan", payload=payload("y"))
        r = c.post("/JSSResource/mobiledeviceconfigurationprofiles/id/0", content=again)
        assert r.status_code == 409 and b"Error: Duplicate name" in r.content
        assert r.content.lstrip().startswith(b"<html>")


def test_ingest_mints_identifiers_and_an_update_keeps_what_it_is_sent() -> None:
    with JamfEmulator(token="t") as emu, client(emu) as c:
        body = PROFILE.format(name="p", payload=payload("ours.identifier"))
        r = c.post("/JSSResource/mobiledeviceconfigurationprofiles/id/0", content=body)
        oid = int(ET.fromstring(r.content).findtext("id") or 0)
        stored = plistlib.loads(
            emu.server.obj("mobiledeviceconfigurationprofiles", oid)["general"]["payloads"].encode()
        )
        assert stored["PayloadIdentifier"] != "ours.identifier" and stored["PayloadEnabled"]
        assert (
            "\t"
            not in emu.server.obj("mobiledeviceconfigurationprofiles", oid)["general"]["payloads"]
        )
        c.put(
            f"/JSSResource/mobiledeviceconfigurationprofiles/id/{oid}",
            content=PROFILE.format(name="p", payload=payload("changed")),
        )
        [(changed_id, before, after)] = emu.server.identifier_changes
        assert (changed_id, before, after) == (oid, stored["PayloadIdentifier"], "changed")


def test_a_put_changes_only_what_it_carries_and_scopes_need_real_groups() -> None:
    with JamfEmulator(token="t") as emu, client(emu) as c:
        body = PROFILE.format(name="p", payload=payload("x"))
        r = c.post("/JSSResource/mobiledeviceconfigurationprofiles/id/0", content=body)
        oid = int(ET.fromstring(r.content).findtext("id") or 0)
        c.put(
            f"/JSSResource/mobiledeviceconfigurationprofiles/id/{oid}",
            content="<configuration_profile><general><description>d</description></general>"
            "</configuration_profile>",
        )
        obj = emu.server.obj("mobiledeviceconfigurationprofiles", oid)
        assert obj["general"]["name"] == "p" and obj["general"]["description"] == "d"
        bad = (
            "<configuration_profile><scope><mobile_device_groups><mobile_device_group><id>999"
            "</id></mobile_device_group></mobile_device_groups></scope></configuration_profile>"
        )
        r = c.put(f"/JSSResource/mobiledeviceconfigurationprofiles/id/{oid}", content=bad)
        assert r.status_code == 409 and b"scope" in r.content


def test_tokens_expire_and_an_expired_one_is_401() -> None:
    limits = Limits(token_lifetime=0.5)
    with JamfEmulator(token=None, client=("id", "secret"), limits=limits) as emu:
        answer = httpx.post(
            f"{emu.url}/api/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "id", "client_secret": "secret"},
        ).json()
        assert answer["token_type"] == "Bearer" and answer["expires_in"] >= 1
        with client(emu, answer["access_token"]) as c:
            assert c.get("/JSSResource/mobiledevices").status_code == 200
            time.sleep(0.6)
            assert c.get("/JSSResource/mobiledevices").status_code == 401
        wrong = httpx.post(
            f"{emu.url}/api/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "id", "client_secret": "no"},
        )
        assert wrong.status_code == 401


def test_more_than_five_requests_at_once_are_429() -> None:
    with JamfEmulator(token="t") as emu:
        emu.inject(Fault("latency", "GET", None, times=20, delay=1.0))
        clients = [client(emu) for _ in range(8)]
        start = threading.Barrier(8)

        def get(c: httpx.Client) -> int:
            start.wait()
            return c.get("/JSSResource/mobiledevices").status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(get, clients))
        for c in clients:
            c.close()
        assert sorted(codes) == [200] * 5 + [429] * 3
