"""What the engine and the adapters exchange: objects as the MDM holds them, abstract writes,
and their outcomes. Nothing here knows an MDM."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.deploy.buildread import Desired


@dataclass
class LiveObject:
    collection: str
    id: str
    body: dict[str, Any]  # as read: server fields included, secrets masked
    key: str | None = None  # from the ownership marker; None: not ours
    assignments: list[dict[str, Any]] | None = None  # None: not read
    links: dict[str, list[str]] = field(default_factory=dict)  # property -> target ids
    created: str = ""


@dataclass
class LiveState:
    owned: list[LiveObject] = field(default_factory=list)  # every object with a marker
    found: dict[str, LiveObject] = field(default_factory=dict)  # looked-up objects by key
    problems: dict[str, str] = field(default_factory=dict)  # key -> why the lookup failed
    # import collection -> record key (a serial) -> "registered" | "pending" | "rejected: ..."
    records: dict[str, dict[str, str]] = field(default_factory=dict)
    # key -> why the object cannot be written (its name is taken by an object we do not own)
    blocked: dict[str, str] = field(default_factory=dict)
    # (key, action, text): worth saying, not a failure (e.g. iPads the MDM does not know yet)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Write:
    action: str  # create | update | delete | assign | link | unlink | import
    key: str
    collection: str
    api: str
    target: str | None = None  # the object's id (all but create and import)
    body: Any = None
    method: str | None = None  # update: PATCH or PUT, the adapter's choice
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    ok: bool
    id: str | None = None
    request_id: str | None = None
    error: str | None = None
    ambiguous: bool = False  # a create/import/link that may have happened: look before retrying
    conflict: bool = False  # a create refused because its name is taken: look once, never retry
    detail: dict[str, Any] = field(default_factory=dict)


__all__ = ["Desired", "LiveObject", "LiveState", "Outcome", "Write"]
