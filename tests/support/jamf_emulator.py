"""A Jamf Pro emulator for the deployer's tests: a real HTTP server on 127.0.0.1 speaking the
Classic API's XML (see jamf_store.py for what the server does with objects) and, like Jamf Pro:

* `POST /api/oauth/token` (form-encoded client credentials) answers `access_token` and
  `expires_in`; tokens expire, and an expired or unknown token is 401 (an HTML page);
* `/JSSResource/<collection>` lists ids and names; `/JSSResource/<collection>/id/<id>` reads,
  updates (PUT), deletes; `POST .../id/0` creates and answers the new id;
* errors are HTML pages with the message in a paragraph (409 Conflict: "Error: Duplicate name");
* pace limits: at most `concurrent` requests at once and `writes`/`requests` per window, beyond
  which it answers 429 with Retry-After (Jamf Cloud's gateway does the same under load);
* faults on request: 401, 429, 5xx before or after performing a write, dropped connections before
  or after, 409, latency; and random faults on writes (`set_chaos`).

Counters (`stats`) tell tests how many reads, writes and 409s reached the server.
Only loopback is ever bound; every loop is bounded.
"""

from __future__ import annotations

import collections
import json
import math
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.support.jamf_store import COLLECTIONS, JamfError, JamfServer

WRITE_METHODS = {"POST", "PUT", "DELETE"}
REASONS = {401: "Unauthorized", 404: "Not Found", 409: "Conflict", 400: "Bad Request"}


class Drop(Exception):
    """Close the connection without an answer."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # connections are accepted at once; the pace limit answers 429


@dataclass
class Fault:
    # "401" | "429" | "409" | "500" | "503" | "500-after" | "drop" | "drop-after" | "latency" |
    # "garbage" (a 200 whose body is not XML)
    kind: str
    method: str | None = None
    path: str | None = None  # regex searched in the path (after /JSSResource/)
    times: int = 1
    retry_after: float = 1
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and (self.method is None or self.method == method)
            and (self.path is None or re.search(self.path, path) is not None)
        )


@dataclass
class Limits:
    window: float = 10.0  # seconds
    writes: int = 100  # POST/PUT/DELETE per window
    requests: int = 600  # any request per window
    concurrent: int = 5  # requests in progress at once (Jamf's guidance: at most 5)
    token_lifetime: float = 1200.0  # seconds an OAuth token lives


@dataclass
class Stats:
    requests: int = 0
    reads: int = 0
    writes: int = 0  # write requests answered, performed or not
    performed_writes: int = 0
    conflicts: int = 0  # 409 answers
    throttled: int = 0
    unauthorized: int = 0
    tokens_issued: int = 0
    by_method: collections.Counter[str] = field(default_factory=collections.Counter)
    write_log: list[tuple[float, str, str, int]] = field(default_factory=list)


def page(status: int, message: str) -> bytes:
    """An error page as Jamf Pro's Classic API sends it."""
    reason = REASONS.get(status, "Error")
    return (
        "<html>\n<head>\n   <title>Status page</title>\n</head>\n"
        '<body style="font-family: sans-serif;">\n'
        f'<p style="font-size: 1.2em;font-weight: bold;margin: 1em 0px;">{reason}</p>\n'
        f'<p style="font-size: 1.2em;">{message}</p>\n'
        '<p>You can get technical details <a href="https://httpstatuses.com">here</a>.<br>\n'
        'Please continue your visit at our <a href="/">home page</a>.\n</p>\n</body>\n</html>\n'
    ).encode()


class JamfEmulator:
    def __init__(
        self,
        server: JamfServer | None = None,
        limits: Limits | None = None,
        token: str | None = "test-jamf-token",
        client: tuple[str, str] | None = None,
    ) -> None:
        self.server = server or JamfServer()
        self.limits = limits or Limits()
        self.tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        if token:
            self.tokens[token] = math.inf
        self.client = client  # (client id, secret) the token endpoint accepts
        self.faults: list[Fault] = []
        self.stats = Stats()
        self.lock = threading.Lock()
        self.chaos: tuple[random.Random, float, tuple[str, ...]] | None = None
        self.log: dict[bool, collections.deque[float]] = collections.defaultdict(collections.deque)
        self.in_flight = 0
        self.http = _Server(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(
            target=self.http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.http.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> JamfEmulator:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.thread.join(timeout=5)

    # ---- test controls ------------------------------------------------------------------
    def inject(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def set_chaos(self, seed: int, rate: float, kinds: tuple[str, ...]) -> None:
        """Each write fails with probability `rate`, with a fault drawn from `kinds`."""
        self.chaos = (random.Random(seed), rate, kinds) if rate > 0 else None

    def reset_stats(self) -> None:
        with self.lock:
            self.stats = Stats()

    def expire_tokens(self) -> None:
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = time.monotonic() - 1

    def _fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.matches(method, path):
                    f.times -= 1
                    return f
            if self.chaos is not None and method in WRITE_METHODS:
                rng, rate, kinds = self.chaos
                if rng.random() < rate:
                    return Fault(rng.choice(kinds), retry_after=0.05)
        return None

    def _admit(self, write: bool) -> float | None:
        """None when the request may go ahead (counted), else seconds to wait."""
        now = time.monotonic()
        with self.lock:
            if self.in_flight > self.limits.concurrent:
                return 1.0
            checks = [(False, self.limits.requests)] + (
                [(True, self.limits.writes)] if write else []
            )
            for key, cap in checks:
                log = self.log[key]
                while log and log[0] <= now - self.limits.window:
                    log.popleft()
                if len(log) >= cap:
                    return log[0] + self.limits.window - now
            for key, _ in checks:
                self.log[key].append(now)
        return None

    def _count(self, method: str, path: str, status: int, performed: bool) -> None:
        with self.lock:
            self.stats.by_method[method] += 1
            if status == 409:
                self.stats.conflicts += 1
            if method in WRITE_METHODS:
                self.stats.writes += 1
                if performed:
                    self.stats.performed_writes += 1
                self.stats.write_log.append((time.monotonic(), method, path, status))
            else:
                self.stats.reads += 1

    # ---- the token endpoint ---------------------------------------------------------------
    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        wanted = (form.get("client_id"), form.get("client_secret"))
        if form.get("grant_type") != "client_credentials" or self.client is None:
            return 400, {"error": "unsupported_grant_type"}
        if wanted != self.client:
            return 401, {"error": "invalid_client"}
        value = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[value] = time.monotonic() + self.limits.token_lifetime
            self.stats.tokens_issued += 1
        lifetime = max(1, math.floor(self.limits.token_lifetime))
        return 200, {
            "access_token": value,
            "scope": "api-role:1",
            "token_type": "Bearer",
            "expires_in": lifetime,
        }

    def authorized(self, header: str) -> bool:
        if not header.startswith("Bearer "):
            return False
        with self.lock:
            expiry = self.tokens.get(header[7:])
        return expiry is not None and time.monotonic() < expiry

    # ---- one request --------------------------------------------------------------------
    def dispatch(
        self, method: str, target: str, body: bytes, authorized: bool
    ) -> tuple[int, dict[str, str], bytes]:
        path = unquote(urlsplit(target).path)
        m = re.fullmatch(r"/JSSResource/([a-z]+)(?:/(id|name)/([^/]+))?/?", path)
        if m is None or m[1] not in COLLECTIONS:
            return 404, {}, page(404, "The server has not found anything matching the request URI")
        rest = path[len("/JSSResource/") :]
        write = method in WRITE_METHODS
        fault = self._fault(method, rest)
        if not authorized or (fault is not None and fault.kind == "401"):
            with self.lock:
                self.stats.unauthorized += 1
            return 401, {}, page(401, "The request requires user authentication")
        wait = self._admit(write)
        if wait is not None or (fault is not None and fault.kind == "429"):
            seconds = fault.retry_after if fault is not None and fault.kind == "429" else wait
            with self.lock:
                self.stats.throttled += 1
            retry = (
                "0"
                if fault is not None and fault.retry_after < 1
                else str(max(1, math.ceil(seconds or 1)))
            )
            return 429, {"Retry-After": retry}, page(429, "Too many requests")
        if fault is not None and fault.kind == "latency":  # admitted, then slow to answer
            time.sleep(fault.delay)
            fault = None
        if fault is not None and fault.kind in ("500", "503"):
            self._count(method, rest, int(fault.kind), False)
            return int(fault.kind), {}, page(int(fault.kind), "Error: the server is busy")
        if fault is not None and fault.kind == "409":
            self._count(method, rest, 409, False)
            return 409, {}, page(409, "Error: Duplicate name")
        if fault is not None and fault.kind == "drop":
            self._count(method, rest, 0, False)
            raise Drop
        if fault is not None and fault.kind == "garbage":
            self._count(method, rest, 200, False)
            return 200, {"Content-Type": "text/xml"}, b"<?xml version='1.0'?><oops><unclosed>"
        try:
            status, answer = self._route(method, m[1], m[2], m[3], body)
        except JamfError as exc:
            status, answer = exc.status, page(exc.status, exc.message)
        self._count(method, rest, status, write and status < 400)
        if fault is not None and fault.kind == "500-after":
            return 500, {}, page(500, "Error: the server is busy")
        if fault is not None and fault.kind == "drop-after":
            raise Drop
        return status, {"Content-Type": "text/xml;charset=UTF-8"}, answer

    def _route(
        self, method: str, collection: str, by: str | None, ref: str | None, body: bytes
    ) -> tuple[int, bytes]:
        s = self.server
        element = COLLECTIONS[collection][0]
        if by is None:
            if method != "GET":
                raise JamfError(405, "Error: the method is not allowed here")
            return 200, s.list(collection)
        if by == "name":
            with s.lock:
                hits = [
                    i for i, e in s.objects[collection].items() if s._name(collection, e) == ref
                ]
            if method != "GET" or not hits:
                raise JamfError(404, "The server has not found anything matching the request URI")
            return 200, s.get(collection, hits[0])
        if ref is None or not ref.isdigit():
            raise JamfError(404, "The server has not found anything matching the request URI")
        oid = int(ref)
        if method == "GET":
            return 200, s.get(collection, oid)
        if method == "POST":  # Jamf creates whatever id the path names (0 by convention)
            new = s.create(collection, body)
            return (
                201,
                f'<?xml version="1.0" encoding="UTF-8"?><{element}><id>{new}</id></{element}>'.encode(),
            )
        if method == "PUT":
            s.update(collection, oid, body)
            return (
                201,
                f'<?xml version="1.0" encoding="UTF-8"?><{element}><id>{oid}</id></{element}>'.encode(),
            )
        if method == "DELETE":
            s.delete(collection, oid)
            return 200, (
                f'<?xml version="1.0" encoding="UTF-8"?><{element}><id>{oid}</id>'
                f"<successful>True</successful></{element}>"
            ).encode()
        raise JamfError(405, "Error: the method is not allowed here")


def _handler(emu: JamfEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if data and "Content-Type" not in headers:
                self.send_header("Content-Type", "text/html;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with emu.lock:
                emu.stats.requests += 1
                emu.in_flight += 1
            try:
                if urlsplit(self.path).path == "/api/oauth/token" and self.command == "POST":
                    form = dict(parse_qsl(body.decode("utf-8", "replace")))
                    status, answer = emu.token(form)
                    data = json.dumps(answer).encode()
                    self._send(status, {"Content-Type": "application/json"}, data)
                    return
                authorized = emu.authorized(self.headers.get("Authorization", ""))
                try:
                    status, headers, data = emu.dispatch(self.command, self.path, body, authorized)
                except Drop:
                    self.close_connection = True
                    return
                self._send(status, headers, data)
            finally:
                with emu.lock:
                    emu.in_flight -= 1

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return Handler
