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


def _flat(value: Any) -> bool:
    return isinstance(value, dict) and not any(isinstance(v, (dict, list)) for v in value.values())


def _pretty(value: Any, indent: str) -> str:
    if isinstance(value, dict) and value:
        inner = indent + "  "
        items = (
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_pretty(value[k], inner)}"
            for k in sorted(value)
        )
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value:
        inner = indent + "  "
        if all(_flat(v) for v in value):
            # long lists of flat records (Autopilot devices) stay one record per line
            items = (
                inner + json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
                for v in value
            )
        else:
            items = (inner + _pretty(v, inner) for v in value)
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, trailing newline.

    Written by hand because json's indenting encoder is pure Python and slow on big lists."""
    return (_pretty(value, "") + "\n").encode("utf-8")
