"""What render produces: named, hashed files with their provenance."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

ESTATE = "_estate"  # the `school` of estate-wide artifacts (tenant-wide apps)


@dataclass(frozen=True)
class Artifact:
    path: str  # relative to the build folder, POSIX
    school: str
    platform: str
    kind: str
    name: str
    content: bytes
    sources: tuple[str, ...]
    secrets: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Stable identity across builds: what the deployer matches MDM objects by."""
        return f"{self.school}/{self.platform}/{self.kind}/{self.name}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, trailing newline."""
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
