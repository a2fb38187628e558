"""The Jamf Pro client: the shared retrying client speaking the Classic API's XML, and its
access tokens.

Tokens, in this order:
1. `SCHOOLMDM_JAMF_TOKEN`: a ready bearer token (tests, a one-off run); it cannot be renewed, so
   a 401 stops the run with a clear error.
2. An API client's credentials, `JAMF_CLIENT_ID` and `JAMF_CLIENT_SECRET`: `POST
   /api/oauth/token` (form-encoded, `grant_type=client_credentials`) answers `access_token` and
   `expires_in`; a new token is fetched before the old one expires, and once after a 401.
"""

from __future__ import annotations

import contextlib
import ipaddress
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from compiler.deploy.auth import StaticToken
from compiler.deploy.client import HttpClient
from compiler.deploy.errors import DeployError
from compiler.deploy.jamf_xml import error_text
from compiler.deploy.secrets import Redactor

TOKEN_PATH = "api/oauth/token"
TOKEN_ATTEMPTS = 4


class JamfClient(HttpClient):
    accept = "application/xml"

    def _encode(self, body: Any) -> dict[str, Any]:
        if body is None:
            return {}
        return {"content": body, "headers": {"Content-Type": "application/xml"}}

    def _decode(self, resp: httpx.Response) -> Any:
        return resp.content  # XML: the adapter reads it (jamf_xml)

    def _message(self, data: Any, status: int, resp: httpx.Response | None) -> str:
        text = error_text(data) if isinstance(data, bytes) and data else ""
        return f"HTTP {status}" + (f": {text}" if text else "")

    def _request_id(self, headers: Mapping[str, str]) -> str | None:
        return headers.get("x-request-id")


class JamfToken:
    """OAuth client credentials of a Jamf Pro API client, renewed before they expire."""

    hint = "check the API client's credentials and that its API role is enabled"

    def __init__(
        self,
        url: str,
        client_id: str,
        secret: str,
        redact: Redactor,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = f"{url.rstrip('/')}/{TOKEN_PATH}"
        self.form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        }
        self.redact = redact
        self.clock = clock
        self.sleep = sleep
        self.value = ""
        self.renew_at = 0.0
        self.fetched = 0  # tokens fetched, for tests and the report
        self.lock = threading.Lock()

    def stale(self) -> bool:
        return not self.value or self.clock() >= self.renew_at

    def token(self) -> str:
        with self.lock:
            if self.stale():
                self._fetch()
            return self.value

    def refresh(self) -> str | None:
        with self.lock:
            self._fetch()
            return self.value

    def _fetch(self) -> None:
        last = ""
        for attempt in range(TOKEN_ATTEMPTS):
            try:
                resp = httpx.post(self.url, data=self.form, timeout=30)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}"
                self.sleep(0.5 * 2**attempt)
                continue
            if resp.status_code >= 500 or resp.status_code == 429:
                last = f"HTTP {resp.status_code}"
                self.sleep(0.5 * 2**attempt)
                continue
            data: Any = None
            with contextlib.suppress(ValueError):
                data = resp.json()
            token = data.get("access_token") if isinstance(data, dict) else None
            if resp.status_code >= 400 or not isinstance(token, str) or not token:
                why = data.get("error") if isinstance(data, dict) else None
                raise DeployError(
                    self.redact(
                        f"Jamf Pro refused the API client's credentials (HTTP {resp.status_code}"
                        + (f", {why}" if why else "")
                        + "): check JAMF_CLIENT_ID and JAMF_CLIENT_SECRET and that the API "
                        "client is enabled"
                    )
                )
            self.redact.add(token)
            try:
                lifetime = max(1.0, float(data.get("expires_in", 300)))
            except (TypeError, ValueError):
                lifetime = 300.0
            # renew with a fifth of the lifetime left (at most a minute): never send an old one
            self.renew_at = self.clock() + lifetime - min(60.0, lifetime / 5)
            self.value = token
            self.fetched += 1
            return
        raise DeployError(f"cannot get an access token from Jamf Pro ({last})")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """The Jamf Pro URL, refused unless https (or a loopback test server): tokens and the
    client secret travel with every request."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DeployError(f"--jamf-url {url!r} is not an http(s) URL")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise DeployError(
            f"--jamf-url {url!r} is not https: the access token would travel in clear text"
        )
    return url.rstrip("/")


def jamf_tokens(env: Mapping[str, str], url: str, redact: Redactor) -> StaticToken | JamfToken:
    ready = env.get("SCHOOLMDM_JAMF_TOKEN")
    if ready:
        redact.add(ready)
        return StaticToken(
            ready,
            "SCHOOLMDM_JAMF_TOKEN is a fixed token; give a fresh one, or JAMF_CLIENT_ID and "
            "JAMF_CLIENT_SECRET",
        )
    client, secret = env.get("JAMF_CLIENT_ID"), env.get("JAMF_CLIENT_SECRET")
    if client and secret:
        redact.add(secret)
        return JamfToken(url, client, secret, redact)
    raise DeployError(
        "no credentials for Jamf Pro: set JAMF_CLIENT_ID and JAMF_CLIENT_SECRET (an API "
        "client, see docs/deploy.md), or SCHOOLMDM_JAMF_TOKEN"
    )
