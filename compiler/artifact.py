"""What render produces: named, hashed files with their provenance."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from compiler import plaintext

MANIFEST = "manifest.json"  # the build folder's index; its presence marks a folder as a build
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


ROW_FIELDS = ("key", "path", "school", "platform", "kind", "name", "sha256", "sources", "secrets")


def manifest_row(a: Artifact) -> dict[str, Any]:
    """An artifact as manifest.json lists it."""
    return {
        "key": a.key,
        "path": a.path,
        "school": a.school,
        "platform": a.platform,
        "kind": a.kind,
        "name": a.name,
        "sha256": a.sha256,
        "sources": list(a.sources),
        "secrets": list(a.secrets),
    }


def outputs_digest(rows: list[dict[str, Any]]) -> str:
    """What a school's artifacts are, as one hash over their manifest rows (in path order):
    the render cache reuses a school only if the previous manifest's rows still give it."""
    ordered = sorted(rows, key=lambda r: str(r.get("path")))
    text = json.dumps(ordered, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# built once: json.dumps with options constructs a new encoder on every call
_SCALAR = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_RECORD = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(", ", ": ")
).encode
_STRING = json.encoder.encode_basestring  # the C version where available: "..." with escapes


def _flat(value: Any) -> bool:
    return isinstance(value, dict) and not any(isinstance(v, (dict, list)) for v in value.values())


def _pretty(value: Any, indent: str) -> str:
    if isinstance(value, str):
        return _STRING(value)
    if isinstance(value, dict) and value:
        inner = indent + "  "
        items = (f"{inner}{_STRING(k)}: {_pretty(value[k], inner)}" for k in sorted(value))
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value:
        inner = indent + "  "
        if all(_flat(v) for v in value):
            # long lists of flat records (Autopilot devices) stay one record per line
            items = (inner + _RECORD(v) for v in value)
        else:
            items = (inner + _pretty(v, inner) for v in value)
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return _SCALAR(value)


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, trailing newline.

    Written by hand because json's indenting encoder is pure Python and slow on big lists.
    Raises TextError rather than write text Graph or a JSON reader would choke on (control
    characters are escaped by JSON; DEL, C1, noncharacters and lone surrogates would not be)."""
    try:
        text = _pretty(value, "") + "\n"
    except ValueError:  # allow_nan=False: JSON has no Infinity or NaN
        raise plaintext.TextError("the JSON holds a number that is not finite") from None
    bad = plaintext.first_bad(text)
    if bad >= 0:
        raise plaintext.TextError(f"the JSON holds {plaintext.describe(text[bad])}")
    escaped = _ESCAPED_CONTROL.search(text)
    if escaped is not None:  # JSON would carry it escaped; the text rule refuses it anyway
        raise plaintext.TextError(f"the JSON holds the control character {escaped.group(1)}")
    return text.encode("utf-8")


# a control character as the JSON encoder escapes it (an escape starts after an even number of
# backslashes); tab, LF and CR are allowed text
_ESCAPED_CONTROL = re.compile(r"(?<!\\)(?:\\\\)*(\\(?:u00(?:0[0-8bef]|1[0-9a-f])|[bf]))")
