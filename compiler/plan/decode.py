"""An artifact's bytes as the values a person reads: property lists (also signed, also wrapped
as base64 inside a Graph body, or as XML text inside a Jamf Pro object), JSON, CSV rows,
certificates.

Generic over artifact kinds: the format is recognised from the content (and the file name for
JSON and CSV), so a new kind of artifact plans sensibly without a change here. Ownership
markers are removed from text: their hash follows the content and says nothing new.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import plistlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.parsers.expat import ExpatError

from compiler.plan.cms import CmsError, is_signed_data, signed_content

MARKER = re.compile(r"\s*\[schoolmdm:[^\]\s]*#[0-9a-f]+\]")
BASE64 = re.compile(r"[A-Za-z0-9+/\r\n]+={0,2}")
MIN_BASE64 = 24  # shorter strings are ordinary values, never decoded
# what reading damaged or hostile bytes raises (plistlib alone raises most of these)
UNREADABLE = (
    CmsError,
    plistlib.InvalidFileException,
    ExpatError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
)


@dataclass(frozen=True)
class Embedded:
    """A value that was wrapped (base64, a signature) and is shown decoded."""

    kind: str  # plist | signed plist | json | certificate
    value: Any


@dataclass(frozen=True)
class Opaque:
    """Bytes we do not read further: shown by size and hash, never by content."""

    size: int
    sha256: str


@dataclass(frozen=True)
class Decoded:
    format: str  # plist | signed plist | json | csv | text | binary
    value: Any


def _plist_bytes(data: bytes) -> bool:
    head = data[:512].lstrip()
    return data.startswith(b"bplist00") or (head.startswith(b"<") and b"<plist" in head)


def _certificate(data: bytes) -> Embedded | None:
    if data[:1] != b"\x30":
        return None
    from cryptography import x509  # only when a certificate is met

    try:
        cert = x509.load_der_x509_certificate(data)
        subject = cert.subject.rfc4514_string()
        expires = cert.not_valid_after_utc.date().isoformat()
    except ValueError:
        return None
    fingerprint = hashlib.sha256(data).hexdigest()
    summary = {"subject": subject, "valid_until": expires, "sha256": fingerprint}
    return Embedded("certificate", summary)


def pem_certificate(text: str) -> Embedded | None:
    """A PEM certificate (as profile parameters hold them) as a certificate summary."""
    body = text.strip()
    if not body.startswith("-----BEGIN CERTIFICATE-----"):
        return None
    inner = body.removeprefix("-----BEGIN CERTIFICATE-----").split("-----END CERTIFICATE-----")[0]
    try:
        der = base64.b64decode("".join(inner.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return _certificate(der)


def embedded(data: bytes) -> Embedded | None:
    """Bytes that hold a profile, a certificate or a JSON document, decoded; else None."""
    try:
        if _plist_bytes(data):
            return Embedded("plist", _plain(plistlib.loads(data)))
        if is_signed_data(data):
            inner = embedded(signed_content(data))
            return Embedded(f"signed {inner.kind}", inner.value) if inner else None
    except UNREADABLE:
        return None
    cert = _certificate(data)
    if cert is not None:
        return cert
    if data[:1] in (b"{", b"["):
        try:
            return Embedded("json", _plain(json.loads(data.decode("utf-8"))))
        except UNREADABLE:
            return None
    return None


def _from_base64(text: str) -> Embedded | None:
    if len(text) < MIN_BASE64 or not BASE64.fullmatch(text):
        return None
    try:
        data = base64.b64decode(text.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return None
    return embedded(data)


def _from_xml_text(text: str) -> Embedded | None:
    """A property list kept as text (a Jamf Pro profile's payloads, an app configuration's
    bare <dict>)."""
    head = text[:200].lstrip()
    if not head.startswith("<"):
        return None
    if "<plist" not in head and head.startswith("<dict"):
        text = f'<?xml version="1.0" encoding="UTF-8"?><plist version="1.0">{text}</plist>'
    elif "<plist" not in head:
        return None
    try:
        return Embedded("plist", _plain(plistlib.loads(text.encode("utf-8"))))
    except UNREADABLE:
        return None


def _plain(value: Any) -> Any:
    """Values ready to compare and show: wrapped documents decoded, markers removed."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        if "[schoolmdm:" in value:
            value = MARKER.sub("", value)
        return _from_base64(value) or pem_certificate(value) or _from_xml_text(value) or value
    if isinstance(value, bytes):
        return embedded(value) or Opaque(len(value), hashlib.sha256(value).hexdigest())
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _csv(text: str) -> Any:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return {}
    header, body = rows[0], rows[1:]
    if len(header) == 1:  # a list of values (serial numbers)
        return [r[0] if r else "" for r in body]
    keys = [r[0] if r else "" for r in body]
    if len(set(keys)) != len(keys):  # no unique first column: compare rows as lines
        return [",".join(r) for r in body]
    return {r[0]: dict(zip(header[1:], r[1:], strict=False)) for r in body if r}


def decode(path: str, content: bytes) -> Decoded:
    """The artifact at `path` (its name tells JSON and CSV apart) as comparable values."""
    wrapped = embedded(content) if not path.endswith((".json", ".csv")) else None
    if wrapped is not None:
        return Decoded(wrapped.kind, wrapped.value)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return Decoded("binary", Opaque(len(content), hashlib.sha256(content).hexdigest()))
    if path.endswith(".json"):
        try:
            return Decoded("json", _plain(json.loads(text)))
        except UNREADABLE:
            pass
    if path.endswith(".csv"):
        return Decoded("csv", _csv(text))
    return Decoded("text", text)
