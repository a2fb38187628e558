"""Values as a reviewer reads them: short, quoted, secrets by name only.

A secret is never more than its name: build output holds `${secret:NAME}` placeholders and the
plan shows `secret NAME`; it has no value to show, so "value changed" cannot be said either.
"""

from __future__ import annotations

import json
import re
from typing import Any

from compiler.plan.decode import Embedded, Opaque, pem_certificate
from compiler.plan.diff import MISSING

SECRET = re.compile(r"\$\{secret:([A-Za-z0-9_]+)\}")
LIMIT = 160


# control characters, and invisible ones that could make two different values look alike or
# reorder what a reviewer reads (bidirectional overrides, zero-width characters)
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def visible(text: str) -> str:
    """One line of output, with every invisible or control character written as an escape."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}… ({len(text)} characters)"


def jsonable(value: Any) -> Any:
    """Decoded values as JSON: wrappers say what they were, bytes are a size and a hash."""
    if isinstance(value, Embedded):
        return {"$decoded": value.kind, "value": jsonable(value.value)}
    if isinstance(value, Opaque):
        return {"$data": {"bytes": value.size, "sha256": value.sha256}}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _secrets(text: str) -> str:
    return SECRET.sub(lambda m: f"⟨secret {m.group(1)}⟩", text)


def show(value: Any, limit: int = LIMIT) -> str:
    if value is MISSING:
        return "(none)"
    if isinstance(value, str):
        whole = SECRET.fullmatch(value)
        if whole:
            return f"secret {whole.group(1)}"
        cert = pem_certificate(value) if "-----BEGIN CERTIFICATE" in value else None
        if cert is not None:
            return show(cert)
        return _cut(_secrets(json.dumps(value, ensure_ascii=False)), limit)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Opaque):
        return f"<data: {value.size} bytes, sha256 {value.sha256[:12]}>"
    if isinstance(value, Embedded) and value.kind == "certificate":
        v = value.value
        return f"certificate {v['subject']} (valid until {v['valid_until']}, sha256 {v['sha256'][:16]})"
    text = json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return _cut(_secrets(text), limit)
