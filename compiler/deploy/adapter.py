"""What an MDM adapter provides to the engine. The engine knows no MDM: an adapter (Intune via
Microsoft Graph today, Jamf Pro next) says how to read its collections, where the ownership
marker lives, how an object compares, how assignments name their targets, and how to carry out
the engine's abstract writes (create, update, delete, assign, link, unlink, import).

Object kinds are data inside the adapter (a descriptor per collection), not code per kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from compiler.deploy.buildread import Desired
from compiler.deploy.model import LiveObject, LiveState, Outcome, Write


class Adapter(Protocol):
    name: str
    title: str  # as people call the MDM in messages ("Intune", "Jamf Pro")
    # True: a create carries the object's assignments (Jamf Pro's scope is part of the object),
    # so a new object is never without them; False: assignments are written after the create
    assign_on_create: bool

    def handles(self, desired: Desired) -> bool:
        """True for the build's objects this MDM holds (a build serves several MDMs)."""

    def read(self, desired: Sequence[Desired]) -> LiveState:
        """Every object with a marker in the collections the adapter manages (paged), their
        assignments and the links `desired` names, the lookups and the import records; desired
        objects whose name an object without our marker holds (where names are unique)."""

    def find(self, collection: str) -> list[LiveObject]:
        """Read one collection again and return the objects with a marker (after a create
        whose answer was lost, before trying it again)."""

    def links_of(self, obj: LiveObject, prop: str, desired: Desired) -> list[str]:
        """The ids an object's navigation property points at now (after a lost link write)."""

    def execute(self, writes: Sequence[Write]) -> list[Outcome]:
        """Carry out independent writes (the adapter may batch and must pace them)."""

    def views(self, body: dict[str, Any], live: LiveObject) -> tuple[Any, Any]:
        """Both sides in the form they are compared in (e.g. payloads decoded, keys the MDM
        owns left out)."""

    def replaces(self, body: dict[str, Any], live: LiveObject) -> bool:
        """True when the change cannot be made in place (the object's type changed)."""

    def update(
        self, desired: Desired, body: dict[str, Any], live: LiveObject, diffs: list[str]
    ) -> Write:
        """The write that brings `live` to `body` (whole or changed properties)."""

    def fill_secrets(
        self, desired: Desired, body: dict[str, Any], values: dict[str, str]
    ) -> dict[str, Any]:
        """`body` with the secret placeholders filled in, as the MDM expects them."""

    def assignment_group(self, item: dict[str, Any]) -> str | None:
        """The group id an assignment targets (None: not a group, e.g. all devices)."""

    def writable_assignment(self, item: dict[str, Any]) -> dict[str, Any]:
        """A live assignment as it is written back (server fields removed)."""

    def import_items(self, desired: Desired) -> list[tuple[str, dict[str, Any]]]:
        """(record key, record) of an import artifact (Autopilot: serial, identity)."""
