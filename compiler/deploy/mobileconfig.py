"""Secrets inside an iPad profile served by Intune (`payload`: the .mobileconfig in base64).

Placeholders are filled by parsing the property list, replacing them in string values and
serialising it again (then signing, when signing is configured) — never by text replacement in
base64 or XML, so a value with `<`, `&` or quotes stays a valid plist. A signed profile from the
build is unwrapped first (its CMS SignedData embeds the plist) and must be signed again.
"""

from __future__ import annotations

import base64
import plistlib
from typing import TYPE_CHECKING, Any
from xml.parsers.expat import ExpatError

from compiler.deploy.errors import DeployError
from compiler.deploy.refs import substitute

if TYPE_CHECKING:
    from compiler.signing import Signer

SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")  # OID 1.2.840.113549.1.7.2


def _read(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at `pos`."""
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        if n == 0 or n > 4:
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[pos : pos + n], "big")
        pos += n
    if pos + length > len(data):
        raise ValueError("truncated DER")
    return tag, pos, pos + length


def signed_content(data: bytes) -> bytes | None:
    """The plist embedded in a CMS SignedData (DER), or None if `data` is not one."""
    try:
        tag, start, _ = _read(data, 0)  # ContentInfo SEQUENCE
        if tag != 0x30 or data[start : start + len(SIGNED_DATA)] != SIGNED_DATA:
            return None
        _, pos, _ = _read(data, start + len(SIGNED_DATA))  # [0] EXPLICIT
        tag, pos, _ = _read(data, pos)  # SignedData SEQUENCE
        for _ in range(2):  # version, digestAlgorithms
            _, _, pos = _read(data, pos)
        tag, pos, end = _read(data, pos)  # encapContentInfo SEQUENCE
        _, _, pos = _read(data, pos)  # eContentType
        if pos >= end:
            return None
        _, pos, _ = _read(data, pos)  # [0] EXPLICIT
        tag, start, stop = _read(data, pos)
        if tag == 0x04:  # OCTET STRING, primitive
            return data[start:stop]
        if tag == 0x24:  # constructed: concatenate the parts
            out, p = b"", start
            while p < stop:
                _, s, e = _read(data, p)
                out += data[s:e]
                p = e
            return out
    except (IndexError, ValueError):
        return None
    return None


def parse(b64: Any) -> Any:
    """The property list inside a `payload` value (signed or not), or None when unreadable."""
    if not isinstance(b64, str) or not b64 or set(b64) == {"*"}:
        return None
    try:
        raw = base64.b64decode(b64, validate=True)
        inner = signed_content(raw)
        return plistlib.loads(inner if inner is not None else raw)
    except (ValueError, TypeError, OverflowError, ExpatError):
        return None  # what the server holds is not a plist we can read: compare by marker


def fill(b64: str, values: dict[str, str], signer: Signer | None, key: str) -> str:
    """The payload with secret placeholders filled in, re-serialised (and signed)."""
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        raise DeployError(f"{key}: the profile in the build is not base64") from None
    inner = signed_content(raw)
    if inner is not None and signer is None:
        raise DeployError(
            f"{key}: the build's profile is signed and holds secrets; give the signing "
            "certificate and key (SCHOOLMDM_SIGN_CERT, SCHOOLMDM_SIGN_KEY) so it can be "
            "signed again after the secrets are filled in"
        )
    plain = inner if inner is not None else raw
    fmt = plistlib.FMT_BINARY if plain.startswith(b"bplist") else plistlib.FMT_XML
    try:
        data = plistlib.loads(plain)
    except (ValueError, ExpatError):
        raise DeployError(f"{key}: the profile in the build is not a property list") from None
    filled = substitute(data, lambda _k, name: values.get(name), ("secret",))
    out = plistlib.dumps(filled, fmt=fmt, sort_keys=True)
    if signer is not None:
        out = signer.sign(out)
    return base64.b64encode(out).decode("ascii")


def parse_xml(text: Any) -> Any:
    """An XML plist given as text (Jamf Pro's payloads), or None when unreadable."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return plistlib.loads(text.encode("utf-8"))
    except (ValueError, TypeError, OverflowError, ExpatError):
        return None


def dump_xml(data: Any) -> str:
    return plistlib.dumps(data, fmt=plistlib.FMT_XML, sort_keys=True).decode("utf-8")


def fill_xml(text: str, values: dict[str, str], key: str) -> str:
    """An XML plist given as text with its secret placeholders filled in, re-serialised
    (Jamf Pro signs profiles itself: never signed here)."""
    data = parse_xml(text)
    if data is None:
        raise DeployError(f"{key}: the profile in the build is not a property list")
    return dump_xml(substitute(data, lambda _k, name: values.get(name), ("secret",)))
