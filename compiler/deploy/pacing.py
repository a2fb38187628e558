"""Pace requests to the MDM's documented per-service limits instead of provoking 429s.

Microsoft Graph throttles Intune per service, per app and tenant, over a sliding window: for
device configuration, Settings Catalog, apps and enrollment, 100 write requests (POST, PUT,
PATCH, DELETE) and 1,000 requests of any kind per 20 seconds; each request inside a `$batch`
counts. The pacer keeps a log of what it let through per service and makes a caller wait until
the next request fits. A request is counted from the moment it is let go, and once its answer
is in, from the moment of the answer instead: the server counts it when it arrives (a batch item
when it is processed), which is never later than the answer, so the client's window never frees
a slot before the server's does.
"""

from __future__ import annotations

import bisect
import collections
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Ticket:
    """Requests let go at `stamp`: `settle` moves them to the time of their answer."""

    service: str
    writes: int
    requests: int
    stamp: float


@dataclass(frozen=True)
class Limit:
    writes: int  # write requests per window
    requests: int  # requests of any kind per window
    window: float  # seconds


# https://learn.microsoft.com/graph/throttling-limits (Intune service limits, per app per tenant)
INTUNE = Limit(writes=100, requests=1000, window=20.0)


class Pacer:
    """A sliding-window log per service; `acquire` blocks until the requests fit."""

    def __init__(
        self,
        limits: Mapping[str, Limit],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        margin: float = 0.02,
    ) -> None:
        self.limits = dict(limits)
        self.clock = clock
        self.sleep = sleep
        self.margin = margin  # a fraction of the window, for transit time and clock skew
        self.lock = threading.Lock()
        # sorted times of the requests let go, per service
        self.writes: dict[str, list[float]] = collections.defaultdict(list)
        self.requests: dict[str, list[float]] = collections.defaultdict(list)
        self.waited = 0.0  # seconds spent waiting, for the report

    def _wait_for(self, service: str, writes: int, requests: int, now: float) -> float:
        limit = self.limits[service]
        window = limit.window * (1 + self.margin) + 0.02
        wait = 0.0
        for log, count, cap in (
            (self.writes[service], writes, limit.writes),
            (self.requests[service], requests, limit.requests),
        ):
            drop = bisect.bisect_right(log, now - window)
            if drop:
                del log[:drop]
            if count > cap:
                return float("inf")  # never fits, however long one waits
            if count and len(log) + count > cap:
                # the oldest entries that must leave the window before `count` more fit
                oldest = log[len(log) + count - cap - 1]
                wait = max(wait, oldest + window - now)
        return wait

    def acquire_some(
        self, service: str, writes: list[bool], deadline: float | None
    ) -> tuple[int, Ticket | None]:
        """Block until at least the first request fits; return how many of `writes` (flags:
        is a write) fit now, and count them. Batches shrink to what fits instead of waiting for
        a whole window when only part of it is used."""
        if service not in self.limits:
            return len(writes), None
        for _ in range(10_000):
            with self.lock:
                now = self.clock()
                fit = 0
                for n in range(len(writes), 0, -1):
                    w = sum(writes[:n])
                    if self._wait_for(service, w, n, now) <= 0:
                        fit = n
                        break
                if fit:
                    return fit, self._take(service, sum(writes[:fit]), fit, now)
                wait = self._wait_for(service, int(writes[0]), 1, now)
            if deadline is not None and self.clock() + wait > deadline:
                raise TimeoutError("the run's deadline passed while pacing requests")
            self.waited += wait
            self.sleep(max(wait, 0.001))
        raise TimeoutError("pacing did not converge")

    def _take(self, service: str, writes: int, requests: int, now: float) -> Ticket:
        self.writes[service].extend([now] * writes)  # `now` is the latest time: stays sorted
        self.requests[service].extend([now] * requests)
        return Ticket(service, writes, requests, now)

    def settle(self, ticket: Ticket | None) -> None:
        """The answer came: count the requests from now (see the module's docstring)."""
        if ticket is None:
            return
        with self.lock:
            now = self.clock()
            for log, count in (
                (self.writes[ticket.service], ticket.writes),
                (self.requests[ticket.service], ticket.requests),
            ):
                for _ in range(count):
                    i = bisect.bisect_left(log, ticket.stamp)
                    if i < len(log) and log[i] == ticket.stamp:
                        del log[i]
                        bisect.insort(log, now)

    def acquire(
        self, service: str, writes: int, requests: int, deadline: float | None
    ) -> Ticket | None:
        """Block until `writes` writes and `requests` requests fit into `service`'s limits."""
        if service not in self.limits:
            return None
        limit = self.limits[service]
        if writes > limit.writes or requests > limit.requests:
            raise ValueError(f"{requests} requests never fit into {service}'s limit")
        for _ in range(10_000):  # bounded: each round waits for the window to move
            with self.lock:
                now = self.clock()
                wait = self._wait_for(service, writes, requests, now)
                if wait <= 0:
                    return self._take(service, writes, requests, now)
            if deadline is not None and self.clock() + wait > deadline:
                raise TimeoutError("the run's deadline passed while pacing requests")
            self.waited += wait
            self.sleep(wait)
        raise TimeoutError("pacing did not converge")
