"""The ownership marker in an object's description: `[schoolmdm:<key>#<hash16>]`.

The build writes it; the deployer adds a keyed fingerprint of the object's secret values just
before it, `[schoolmdm-secrets:<fp16>]`, so the description still ends with the marker and a
rotated secret changes the description without any secret ever being read back.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"\[schoolmdm:(?P<key>[^\]\[#\s]+)#(?P<hash>[0-9a-f]{16})\]")
FINGERPRINT = re.compile(r" ?\[schoolmdm-secrets:[0-9a-f]{16}\]")
KEY = re.compile(r"(?:_estate|[a-z0-9][a-z0-9-]*)/[a-z0-9-]+/[a-z0-9-]+/[^/\s\]\[#]+")


def parse(text: object) -> tuple[str, str] | None:
    """(key, hash) of the last marker in `text`, or None: the object is not ours."""
    if not isinstance(text, str):
        return None
    found = None
    for m in MARKER.finditer(text):
        if KEY.fullmatch(m["key"]):
            found = (m["key"], m["hash"])
    return found


def with_fingerprint(description: str, fingerprint: str | None) -> str:
    """The description to write: the build's, with the secrets' fingerprint before the marker."""
    text = FINGERPRINT.sub("", description)
    if not fingerprint:
        return text
    m = None
    for found in MARKER.finditer(text):
        m = found
    token = f"[schoolmdm-secrets:{fingerprint}]"
    if m is None:
        return f"{text} {token}".strip()
    head = text[: m.start()].rstrip()
    return f"{head} {token} {text[m.start() :]}".strip()
