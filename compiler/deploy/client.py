"""One HTTP client for any MDM: auth header, retries, pacing, bounded concurrency. What the
service speaks (JSON for Graph, XML for Jamf Pro's Classic API) is a subclass's `_encode`,
`_decode` and `_message`; Graph adds `$batch` on top (http.py).

Retry rules (bounded attempts, and an overall deadline for the run):
* 429: wait what `Retry-After` says (else back off), then send again; the request was not done;
* 5xx, timeouts, dropped connections: exponential backoff with full jitter (at least what a
  `Retry-After` says, as a 503 under load may); but a request that
  is not idempotent (a create, an import, adding a link) may have been done, so it is never sent
  again blindly: it fails with `Ambiguous` and the engine looks for its result first;
* a connection that could not be made at all is retried like a 5xx of an idempotent request;
* 401: the token is refreshed once and the request sent again; a 401 with a token that was just
  refreshed, or a token that cannot be refreshed, stops the run (`AuthFailure`);
* any other 4xx is final (`GraphFailure` with the service's message).
Tokens that expire (`stale()`) are renewed before they are used, not after a 401.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from compiler.deploy.pacing import Pacer
from compiler.deploy.wire import (
    RETRYABLE,
    Ambiguous,
    AuthFailure,
    GraphFailure,
    Request,
    Response,
    RetryPolicy,
    TokenSource,
    message_of,
    retry_after,
)


class HttpClient:
    accept = "application/json"

    def __init__(
        self,
        base_url: str,
        tokens: TokenSource,
        pacer: Pacer,
        policy: RetryPolicy | None = None,
        concurrency: int = 4,
        redact: Callable[[str], str] = lambda s: s,
        timeout: float = 60.0,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.tokens = tokens
        self.pacer = pacer
        self.policy = policy or RetryPolicy()
        self.concurrency = concurrency
        self.redact = redact
        self.end = time.monotonic() + self.policy.deadline
        self.http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=10.0),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            headers={"Accept": self.accept},
        )
        self.pool = ThreadPoolExecutor(max_workers=concurrency)
        self._token = ""
        self._refreshed = ""  # the token a 401 made us fetch: a 401 with it is final
        self._auth_lock = threading.Lock()
        self.round_trips = 0

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.http.close()

    # ---- what the service speaks ----------------------------------------------------------
    def _encode(self, body: Any) -> dict[str, Any]:
        """httpx keyword arguments that carry `body` (JSON here; `headers` are merged)."""
        return {} if body is None else {"json": body}

    def _decode(self, resp: httpx.Response) -> Any:
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            return None

    def _message(self, data: Any, status: int, resp: httpx.Response | None) -> str:
        return message_of(data, status)

    # ---- auth ---------------------------------------------------------------------------
    def _auth(self) -> str:
        with self._auth_lock:  # one sign-in, however many threads start at once
            stale = getattr(self.tokens, "stale", None)
            if not self._token or (stale is not None and stale()):
                self._token = self.tokens.token()
            return self._token

    def _reauth(self, used: str) -> None:
        """After a 401: fetch a new token once (another thread may have done it already)."""
        with self._auth_lock:
            if self._token != used:
                return  # another thread has refreshed it already
            new = None if used == self._refreshed else self.tokens.refresh()
            if new is None:
                hint = getattr(self.tokens, "hint", "")
                raise AuthFailure(
                    401,
                    "the service refused the access token (401) and it cannot be refreshed"
                    + (f" ({hint})" if hint else "")
                    + "; check the API client's permissions and the credentials",
                )
            self._refreshed = new
            self._token = new

    # ---- one round trip -----------------------------------------------------------------
    def _remaining(self) -> float:
        return self.end - time.monotonic()

    def _sleep(self, seconds: float) -> None:
        if seconds > self._remaining():
            raise GraphFailure(0, "the run's deadline passed while waiting to retry")
        if seconds > 0:
            self.policy.sleep(seconds)

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base}/{path}"

    def _raw(
        self, method: str, path: str, body: Any
    ) -> tuple[int, Any, Mapping[str, str], str, httpx.Response]:
        """One HTTP exchange; raises httpx errors as they come."""
        token = self._auth()
        kwargs = self._encode(body)
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {token}"}
        self.round_trips += 1
        resp = self.http.request(method, self._url(path), headers=headers, **kwargs)
        return resp.status_code, self._decode(resp), resp.headers, token, resp

    def _request_id(self, headers: Mapping[str, str]) -> str | None:
        return headers.get("request-id") or headers.get("client-request-id")

    def send(self, req: Request) -> Response:
        """One request with the retry rules above."""
        last = ""
        for attempt in range(self.policy.attempts):
            ticket = self.pacer.acquire(req.service, int(req.write), 1, self.end)
            try:
                status, data, headers, used, resp = self._raw(req.method, req.path, req.body)
            except httpx.ConnectError as exc:  # nothing was sent
                self.pacer.settle(ticket)
                last = f"cannot connect: {type(exc).__name__}"
                self._sleep(self.policy.backoff(attempt))
                continue
            except httpx.TransportError as exc:  # sent, no (complete) answer
                self.pacer.settle(ticket)
                last = f"no answer: {type(exc).__name__}"
                if not req.idempotent:
                    raise Ambiguous(0, self.redact(last)) from None
                self._sleep(self.policy.backoff(attempt))
                continue
            self.pacer.settle(ticket)
            rid = self._request_id(headers)
            if status < 400:
                return Response(status, data, rid)
            last = self.redact(self._message(data, status, resp))
            if status == 401:
                self._reauth(used)
                continue
            if status == 429:
                wait = retry_after(headers)
                wait = self.policy.backoff(attempt) if wait is None else wait
                self._sleep(min(wait, self.policy.max_retry_after))
                continue
            if status in RETRYABLE:
                if not req.idempotent:
                    raise Ambiguous(status, last, rid)
                wait = max(self.policy.backoff(attempt), retry_after(headers) or 0.0)
                self._sleep(min(wait, self.policy.max_retry_after))  # a 503 may say how long
                continue
            raise GraphFailure(status, last, rid)
        raise GraphFailure(0, f"gave up after {self.policy.attempts} attempts: {last}")

    def _safe_send(self, req: Request) -> Response | GraphFailure:
        try:
            return self.send(req)
        except AuthFailure:
            raise
        except GraphFailure as exc:
            return exc

    def send_many(self, reqs: list[Request]) -> list[Response | GraphFailure]:
        """Every request's response or failure, in order, at most `concurrency` at a time."""
        return list(self.pool.map(self._safe_send, reqs))
