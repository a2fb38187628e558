"""The Microsoft Graph client: the shared retrying client (client.py) plus Graph's paging
(`@odata.nextLink`) and JSON batching.

`send_many` packs independent requests into `$batch` calls of up to 20 (one per API version and
service), each item counted by the pacer, and retries the items that failed, not the batch.
A server without `$batch` gets plain requests.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from compiler.deploy.client import HttpClient
from compiler.deploy.wire import (
    RETRYABLE,
    Ambiguous,
    AuthFailure,
    GraphFailure,
    Request,
    Response,
    RetryPolicy,
    message_of,
    retry_after,
)

__all__ = [
    "Ambiguous",
    "AuthFailure",
    "GraphClient",
    "GraphFailure",
    "Request",
    "Response",
    "RetryPolicy",
]
BATCH_MAX = 20


class GraphClient(HttpClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batching = True

    def get_all(self, path: str, service: str, max_pages: int = 10_000) -> list[dict[str, Any]]:
        """Every item of a collection, following `@odata.nextLink`."""
        out: list[dict[str, Any]] = []
        next_path: str | None = path
        for _ in range(max_pages):
            if next_path is None:
                return out
            page = self.send(Request("GET", next_path, service=service)).body or {}
            out.extend(v for v in page.get("value", []) if isinstance(v, dict))
            link = page.get("@odata.nextLink")
            next_path = link if isinstance(link, str) and link else None
        raise GraphFailure(0, f"more than {max_pages} pages in {path}")

    # ---- many independent requests --------------------------------------------------------
    def send_many(self, reqs: list[Request]) -> list[Response | GraphFailure]:
        """Every request's response or failure, in order; batched where that saves round trips."""
        if not reqs:
            return []
        if len(reqs) == 1 or not self.batching:
            return super().send_many(reqs)
        chunks: dict[tuple[str, str], list[int]] = {}
        for i, r in enumerate(reqs):
            chunks.setdefault((r.version, r.service), []).append(i)
        per_service = [
            [idx[j : j + BATCH_MAX] for j in range(0, len(idx), BATCH_MAX)]
            for idx in chunks.values()
        ]
        # round robin over services: a service waiting for its pace keeps no other one waiting
        jobs = [c for row in itertools.zip_longest(*per_service) for c in row if c is not None]
        results: list[Response | GraphFailure | None] = [None] * len(reqs)

        def run(job: list[int]) -> None:
            for i, res in zip(job, self._batch([reqs[i] for i in job]), strict=True):
                results[i] = res

        list(self.pool.map(run, jobs))
        return [r if r is not None else GraphFailure(0, "no answer") for r in results]

    def _batch(self, reqs: list[Request]) -> list[Response | GraphFailure]:
        """`$batch` calls until every item has a final answer; items that failed transiently go
        again in a later call, each at most `attempts` times."""
        results: list[Response | GraphFailure | None] = [None] * len(reqs)
        tries = [0] * len(reqs)
        pending = list(range(len(reqs)))
        version, service = reqs[0].version, reqs[0].service
        for _ in range(self.policy.attempts * (len(reqs) + 1)):  # bounded
            pending = [i for i in pending if results[i] is None]
            for i in pending:
                if tries[i] >= self.policy.attempts:
                    results[i] = GraphFailure(0, f"gave up after {tries[i]} attempts")
            pending = [i for i in pending if results[i] is None]
            if not pending:
                break
            try:
                fit, ticket = self.pacer.acquire_some(
                    service, [reqs[i].write for i in pending], self.end
                )
            except TimeoutError as exc:
                raise GraphFailure(0, str(exc)) from None
            sending, rest = pending[:fit], pending[fit:]
            for i in sending:
                tries[i] += 1
            try:
                waits, retry = self._batch_round(version, sending, reqs, results)
            finally:
                self.pacer.settle(ticket)
            pending = retry + rest
            if retry and waits:
                self._sleep(min(max(waits), self.policy.max_retry_after))
        return [r if r is not None else GraphFailure(0, "no answer") for r in results]

    def _batch_round(
        self,
        version: str,
        sending: list[int],
        reqs: list[Request],
        results: list[Response | GraphFailure | None],
    ) -> tuple[list[float], list[int]]:
        """One `$batch` call: fills `results`; returns waits and the items to send again."""
        attempt = max(1, min(6, len(sending)))
        items = []
        for i in sending:
            item: dict[str, Any] = {
                "id": str(i),
                "method": reqs[i].method,
                "url": "/" + reqs[i].path.split("/", 1)[1],
            }
            if reqs[i].body is not None:
                item["body"] = reqs[i].body
                item["headers"] = {"Content-Type": "application/json"}
            items.append(item)
        try:
            status, data, headers, used, _ = self._raw(
                "POST", f"{version}/$batch", {"requests": items}
            )
        except httpx.TransportError as exc:
            sent = not isinstance(exc, httpx.ConnectError)
            for i in sending:
                if sent and not reqs[i].idempotent:
                    results[i] = Ambiguous(0, f"no answer: {type(exc).__name__}")
            return [self.policy.backoff(attempt)], [i for i in sending if results[i] is None]
        if status == 401:
            self._reauth(used)
            return [], sending
        if status in (404, 405, 501) and self.batching:
            self.batching = False  # the server has no $batch: plain requests
        if not self.batching:
            for i in sending:
                results[i] = self._safe_send(reqs[i])
            return [], []
        if status >= 400 or not isinstance(data, dict):
            message = self.redact(message_of(data, status))
            if status == 429:
                wait = retry_after(headers)
                return [wait if wait is not None else self.policy.backoff(attempt)], sending
            for i in sending:
                if status in RETRYABLE and reqs[i].idempotent:
                    continue
                cls = Ambiguous if status in RETRYABLE else GraphFailure
                results[i] = cls(status, message)
            return [self.policy.backoff(attempt)], [i for i in sending if results[i] is None]
        waits: list[float] = []
        reauth = False
        for item in data.get("responses", []):
            try:
                i = int(item["id"])
                st = int(item.get("status", 0))
            except (TypeError, ValueError, KeyError):
                continue
            if i not in sending or results[i] is not None:
                continue
            body = item.get("body")
            raw_headers = item.get("headers")
            hdrs: dict[str, str] = raw_headers if isinstance(raw_headers, dict) else {}
            rid = hdrs.get("request-id")
            if st < 400:
                results[i] = Response(st, body, rid)
            elif st == 401:
                reauth = True
            elif st == 429:
                ra = retry_after(hdrs)
                waits.append(ra if ra is not None else self.policy.backoff(attempt))
            elif st in RETRYABLE and reqs[i].idempotent:
                waits.append(self.policy.backoff(attempt))
            elif st in RETRYABLE:
                results[i] = Ambiguous(st, self.redact(message_of(body, st)), rid)
            else:
                results[i] = GraphFailure(st, self.redact(message_of(body, st)), rid)
        if reauth:
            self._reauth(used)
        # an item the batch did not answer is sent again, like a lost one
        return waits, [i for i in sending if results[i] is None]
