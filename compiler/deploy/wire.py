"""What goes over the wire to the MDM: requests, responses, failures, and the retry policy."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

RETRYABLE = {500, 502, 503, 504}


class TokenSource(Protocol):
    def token(self) -> str: ...

    def refresh(self) -> str | None:
        """A new token, or None when this source cannot make one."""


@dataclass
class Request:
    method: str
    path: str  # "<version>/<resource>[?query]", e.g. "beta/deviceManagement/deviceConfigurations"
    body: Any = None
    service: str = "other"  # the pacing bucket
    idempotent: bool = True  # safe to send again after an unclear failure

    @property
    def version(self) -> str:
        return self.path.split("/", 1)[0]

    @property
    def write(self) -> bool:
        return self.method != "GET"


@dataclass
class Response:
    status: int
    body: Any
    request_id: str | None = None


class GraphFailure(Exception):
    """A final answer that is not a success; `status` 0 when no answer came at all."""

    def __init__(self, status: int, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.request_id = request_id


class Ambiguous(GraphFailure):
    """A write that may or may not have been carried out (5xx, timeout, lost connection)."""


class AuthFailure(GraphFailure):
    """The service refused the credentials: nothing more can be done in this run."""


@dataclass
class RetryPolicy:
    attempts: int = 6  # sends per request, including the first
    base: float = 0.5  # seconds, doubled per attempt, full jitter
    cap: float = 30.0
    max_retry_after: float = 120.0
    deadline: float = 3600.0  # seconds for the whole run
    sleep: Callable[[float], None] = time.sleep
    jitter: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        return self.jitter.uniform(0, min(self.cap, self.base * 2**attempt))


def message_of(body: Any, status: int) -> str:
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        code, msg = str(err.get("code", "")), str(err.get("message", ""))[:300]
        return f"HTTP {status} {code}: {msg}".strip()
    return f"HTTP {status}"


def retry_after(headers: Mapping[str, str]) -> float | None:
    for k, v in headers.items():
        if k.lower() == "retry-after":
            try:
                return max(0.0, float(v))
            except ValueError:
                return None
    return None
