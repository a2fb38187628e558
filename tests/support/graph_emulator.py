"""A Microsoft Graph emulator for the deployer's tests: a real HTTP server on 127.0.0.1.

It serves `/v1.0/...` and `/beta/...` for the collections the deployer touches (see
graph_store.py for the data semantics) and, like Graph:

* answers 401 to a missing or unknown bearer token;
* pages collections (`@odata.nextLink`), honours `$select`, `$expand`, `$top` and a `$filter`
  subset (or ignores `$filter`, to prove the client never relies on it);
* enforces Intune's per-service write limit (100 POST/PUT/PATCH/DELETE per 20 s per app and
  tenant, and 1,000 requests of any kind) with a sliding window, answering 429 + Retry-After;
  every item of a `$batch` counts, and an item over the limit gets its own 429 inside the batch;
* serves `$batch` (at most 20 requests; responses carry the request ids, in another order);
* injects faults on request: 401, 429, 5xx before or after performing a write, dropped
  connections before or after, latency.

Counters (`stats`) tell tests and the benchmark how many reads and writes reached the tenant.
Only loopback is ever bound; every loop is bounded.
"""

from __future__ import annotations

import collections
import json
import math
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.support.graph_store import COLLECTIONS, SERVICE, GraphError, Tenant

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# GET-like POSTs: functions that read (none of the deployer's); everything else POST is a write


class Drop(Exception):
    """Close the connection without an answer."""


@dataclass
class Fault:
    # "401" | "429" | "500" | "503" | "500-after" | "drop" | "drop-after" | "latency" |
    # "400-echo" (a validation error quoting the value of `prop`, as Graph's do)
    kind: str
    method: str | None = None
    path: str | None = None  # regex searched in the path (without /v1.0 or /beta)
    times: int = 1
    retry_after: float = 1
    delay: float = 0.0
    prop: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and (self.method is None or self.method == method)
            and (self.path is None or re.search(self.path, path) is not None)
        )


@dataclass
class Limits:
    window: float = 20.0  # seconds
    writes: int = 100  # POST/PUT/PATCH/DELETE per window, per service
    requests: int = 1000  # any request per window, per service
    page_size: int = 100
    # Intune pages device identities by 1,000
    page_sizes: dict[str, int] = field(
        default_factory=lambda: {
            "deviceManagement/windowsAutopilotDeviceIdentities": 1000,
            "deviceManagement/importedWindowsAutopilotDeviceIdentities": 1000,
        }
    )
    batch_max: int = 20


@dataclass
class Stats:
    requests: int = 0  # HTTP round trips (a $batch is one)
    batches: int = 0
    reads: int = 0  # GET requests, batch items included
    writes: int = 0  # write requests answered (batch items included), performed or not
    performed_writes: int = 0  # writes that changed the tenant
    throttled: int = 0
    by_method: collections.Counter[str] = field(default_factory=collections.Counter)
    write_log: list[tuple[float, str, str, int]] = field(default_factory=list)


class RateLimiter:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.lock = threading.Lock()
        self.log: dict[tuple[str, bool], collections.deque[float]] = collections.defaultdict(
            collections.deque
        )

    def admit(self, service: str, write: bool) -> float | None:
        """None if the request may go ahead (and counts it), else seconds to wait."""
        if service == "directory":  # Entra ID's own, far larger quota: not the deployer's limit
            return None
        now = time.monotonic()
        window = self.limits.window
        with self.lock:
            checks = [((service, False), self.limits.requests)]
            if write:
                checks.append(((service, True), self.limits.writes))
            for key, limit in checks:
                log = self.log[key]
                while log and log[0] <= now - window:
                    log.popleft()
                if len(log) >= limit:
                    return log[0] + window - now
            for key, _ in checks:
                self.log[key].append(now)
            return None


class GraphEmulator:
    def __init__(
        self,
        tenant: Tenant | None = None,
        limits: Limits | None = None,
        token: str = "test-token",
        honour_filter: bool = True,
        shuffle_batch: bool = True,
        list_expand: bool = True,
    ) -> None:
        self.tenant = tenant or Tenant()
        self.limits = limits or Limits()
        self.tokens = {token}
        self.honour_filter = honour_filter
        self.shuffle_batch = shuffle_batch
        self.list_expand = list_expand  # False: `$expand` on a collection is a 400
        self.faults: list[Fault] = []
        self.stats = Stats()
        self.limiter = RateLimiter(self.limits)
        self.lock = threading.Lock()
        self.chaos: tuple[random.Random, float, tuple[str, ...]] | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        # a short poll interval: shutting the server down is quick (tests start many)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> GraphEmulator:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
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

    # ---- one request (plain or a batch item) ----------------------------------------------
    def dispatch(
        self, method: str, target: str, body: Any, authorized: bool
    ) -> tuple[int, dict[str, str], Any]:
        split = urlsplit(target)
        path = split.path
        m = re.match(r"/(v1\.0|beta)(/.*)$", path)
        if m is None:
            return 404, {}, _error("NotFound", f"no such API version in {path}")
        version, path = m[1], m[2].strip("/")
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        write = method in WRITE_METHODS
        fault = self._fault(method, path)
        if fault is not None and fault.kind == "latency":
            time.sleep(fault.delay)
            fault = None
        if not authorized or (fault is not None and fault.kind == "401"):
            return (
                401,
                {},
                _error("InvalidAuthenticationToken", "Access token is empty or invalid."),
            )
        collection = _collection(path)
        service = SERVICE.get(collection or "", "other")
        wait = self.limiter.admit(service, write)
        if wait is not None or (fault is not None and fault.kind == "429"):
            seconds = fault.retry_after if fault is not None and fault.kind == "429" else wait
            with self.lock:
                self.stats.throttled += 1
            headers = {"Retry-After": str(max(1, math.ceil(seconds or 1)))}
            if fault is not None and fault.kind == "429" and fault.retry_after < 1:
                headers["Retry-After"] = "0"  # lets tests run fast; real Graph sends whole seconds
            return 429, headers, _error("TooManyRequests", "Too many requests.")
        if fault is not None and fault.kind == "400-echo":
            value = body.get(fault.prop or "") if isinstance(body, dict) else None
            message = f"Invalid value '{value}' for property '{fault.prop}'."
            return 400, {}, _error("BadRequest", message)
        if fault is not None and fault.kind in ("500", "503"):
            self._count(method, path, int(fault.kind), False)
            return int(fault.kind), {}, _error("InternalServerError", "An internal error occurred.")
        if fault is not None and fault.kind == "drop":
            self._count(method, path, 0, False)
            raise Drop
        try:
            status, answer = self._route(method, version, path, params, body)
        except GraphError as exc:
            status, answer = exc.status, _error(exc.code, exc.message)
        self._count(method, path, status, write and status < 400)
        if fault is not None and fault.kind == "500-after":
            return 500, {}, _error("InternalServerError", "An internal error occurred.")
        if fault is not None and fault.kind == "drop-after":
            raise Drop
        headers = {"request-id": _request_id()}
        return status, headers, answer

    def _count(self, method: str, path: str, status: int, performed: bool) -> None:
        with self.lock:
            self.stats.by_method[method] += 1
            if method in WRITE_METHODS:
                self.stats.writes += 1
                if performed:
                    self.stats.performed_writes += 1
                self.stats.write_log.append((time.monotonic(), method, path, status))
            else:
                self.stats.reads += 1

    def _route(
        self, method: str, version: str, path: str, params: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        t = self.tenant
        collection = _collection(path)
        if collection is None:
            raise GraphError(404, "NotFound", f"no such resource: {path}")
        rest = path[len(collection) :].strip("/")
        if not rest:
            if method == "GET":
                if params.get("$expand") and not self.list_expand:
                    raise GraphError(
                        400, "BadRequest", "$expand is not supported on this collection"
                    )
                return 200, self._page(version, collection, params)
            if method == "POST":
                if (
                    collection.endswith("windowsAutopilotDeviceIdentities")
                    and "imported" not in collection
                ):
                    raise GraphError(405, "MethodNotAllowed", "register devices through an import")
                return 201, t.create(collection, body)
            raise GraphError(405, "MethodNotAllowed", f"{method} on a collection")
        parts = rest.split("/")
        if parts == ["import"] and collection.endswith("importedWindowsAutopilotDeviceIdentities"):
            if method != "POST":
                raise GraphError(405, "MethodNotAllowed", "import is a POST action")
            return 200, {"value": t.autopilot_import(body)}
        oid = parts[0]
        if len(parts) == 1:
            if method == "GET":
                with t.lock:
                    obj = t.get(collection, oid)
                    if collection.endswith("importedWindowsAutopilotDeviceIdentities"):
                        t.advance_import(obj)
                    return 200, t.shape(collection, obj, params)
            if method in ("PATCH", "PUT"):
                if method == "PUT" and collection != "deviceManagement/configurationPolicies":
                    raise GraphError(
                        405, "MethodNotAllowed", "PUT is for Settings Catalog policies"
                    )
                t.update(collection, oid, body, replace=method == "PUT")
                return 204, None
            if method == "DELETE":
                t.delete(collection, oid)
                return 204, None
            raise GraphError(405, "MethodNotAllowed", method)
        sub = parts[1]
        if sub == "assign" and len(parts) == 2 and method == "POST":
            items = t.assign(collection, oid, body)
            if collection == "deviceAppManagement/mobileApps":
                return 204, None
            return 200, {"value": items}
        if sub == "assignments" and len(parts) == 2 and method == "GET":
            with t.lock:
                t.get(collection, oid)
                return 200, {"value": [dict(a) for a in t.assignments.get((collection, oid), [])]}
        if sub == "settings" and len(parts) == 2 and method == "GET":
            with t.lock:
                t.get(collection, oid)
                items = list(t.settings.get((collection, oid), []))
            return 200, {"value": items}
        fn = re.fullmatch(r"getOmaSettingPlainTextValue\(secretReferenceValueId='([^']*)'\)", sub)
        if fn and method == "GET":
            return 200, {"value": t.plaintext(oid, fn[1])}
        # navigation links: {id}/[cast/]{prop}[/$ref | /{target}/$ref]
        nav = parts[1:]
        if nav and nav[0].startswith("microsoft.graph."):
            nav = nav[1:]
        if len(nav) == 1 and method == "GET":
            return 200, {"value": t.linked(collection, oid, nav[0])}
        if len(nav) == 2 and nav[1] == "$ref" and method == "POST":
            url = body.get("@odata.id") if isinstance(body, dict) else None
            if not isinstance(url, str):
                raise GraphError(400, "BadRequest", "@odata.id is required")
            t.add_link(collection, oid, nav[0], url)
            return 204, None
        if len(nav) == 3 and nav[2] == "$ref" and method == "DELETE":
            t.remove_link(collection, oid, nav[0], nav[1])
            return 204, None
        raise GraphError(404, "NotFound", f"no such resource: {path}")

    def _page(self, version: str, collection: str, params: dict[str, str]) -> dict[str, Any]:
        size = self.limits.page_sizes.get(collection, self.limits.page_size)
        if params.get("$top", "").isdigit():
            size = min(int(params["$top"]), 999)
        skip = int(params.get("$skiptoken", "0") or 0)
        items, more = self.tenant.query(collection, params, self.honour_filter, skip, size)
        page: dict[str, Any] = {"value": items}
        if more:
            rest = {k: v for k, v in params.items() if k != "$skiptoken"}
            rest["$skiptoken"] = str(skip + size)
            page["@odata.nextLink"] = f"{self.url}/{version}/{collection}?{urlencode(rest)}"
        return page

    def batch(self, version: str, body: Any, authorized: bool) -> tuple[int, Any, bool]:
        """(status, body, drop the connection afterwards)."""
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return 400, _error("BadRequest", "a batch needs 'requests'"), False
        if len(requests) > self.limits.batch_max:
            return 400, _error("BadRequest", "a batch holds at most 20 requests"), False
        if not authorized:
            return (
                401,
                _error("InvalidAuthenticationToken", "Access token is empty or invalid."),
                False,
            )
        responses = []
        drop = False
        for item in requests:
            url = str(item.get("url", ""))
            target = f"/{version}/{url.lstrip('/')}"
            try:
                status, headers, answer = self.dispatch(
                    str(item.get("method", "GET")).upper(), target, item.get("body"), True
                )
            except Drop:
                drop = True
                status, headers, answer = 500, {}, _error("InternalServerError", "lost")
            entry: dict[str, Any] = {"id": item.get("id"), "status": status, "headers": headers}
            if answer is not None:
                entry["body"] = answer
            responses.append(entry)
        if self.shuffle_batch:
            responses.reverse()
        return 200, {"responses": responses}, drop


def _collection(path: str) -> str | None:
    for c in sorted(COLLECTIONS, key=len, reverse=True):
        if path == c or path.startswith(c + "/"):
            return c
    return None


def _error(code: str, message: str) -> dict[str, Any]:
    return {
        "error": {"code": code, "message": message, "innerError": {"request-id": _request_id()}}
    }


def _request_id() -> str:
    return f"{random.getrandbits(64):016x}"


def _handler(emu: GraphEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the client reuses connections

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not raw:
                return None
            try:
                return json.loads(raw)
            except ValueError:
                return {"__invalid__": True}

        def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
            data = b"" if body is None else json.dumps(body).encode("utf-8")
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            body = self._body()
            auth = self.headers.get("Authorization", "")
            authorized = auth.startswith("Bearer ") and auth[7:] in emu.tokens
            with emu.lock:
                emu.stats.requests += 1
            path = urlsplit(self.path).path
            m = re.fullmatch(r"/(v1\.0|beta)/\$batch", path)
            if m and self.command == "POST":
                with emu.lock:
                    emu.stats.batches += 1
                status, answer, drop = emu.batch(m[1], body, authorized)
                if drop:
                    self.close_connection = True
                    return
                self._send(status, {}, answer)
                return
            try:
                status, headers, answer = emu.dispatch(self.command, self.path, body, authorized)
            except Drop:
                self.close_connection = True
                return
            self._send(status, headers, answer)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

    return Handler
