"""The content of a CMS (PKCS#7) SignedData: a signed profile's plist, without the signature.

A small BER/DER reader, enough for ContentInfo -> SignedData -> encapContentInfo -> eContent.
It accepts definite and indefinite lengths and constructed OCTET STRINGs (some signers stream),
is bounded in depth, and never trusts a length beyond the data. The signature is not checked:
the plan shows what a profile says, the deployer and the device decide whom to trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")  # OID 1.2.840.113549.1.7.2, DER-encoded
MAX_DEPTH = 32


class CmsError(ValueError):
    pass


@dataclass
class Node:
    tag: int
    content: bytes = b""
    children: list[Node] = field(default_factory=list)

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)


def _length(data: bytes, pos: int) -> tuple[int | None, int]:
    if pos >= len(data):
        raise CmsError("truncated length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    if first == 0x80:
        return None, pos  # indefinite: ends at an end-of-contents marker
    count = first & 0x7F
    if count > 8 or pos + count > len(data):
        raise CmsError("bad length")
    return int.from_bytes(data[pos : pos + count], "big"), pos + count


def _node(data: bytes, pos: int, depth: int) -> tuple[Node, int]:
    if depth > MAX_DEPTH:
        raise CmsError("nested too deeply")
    if pos >= len(data):
        raise CmsError("truncated")
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:  # high tag numbers do not occur in the structures we read
        raise CmsError("unsupported tag")
    length, pos = _length(data, pos)
    node = Node(tag)
    if length is not None and pos + length > len(data):
        raise CmsError("length beyond the data")
    if not node.constructed:
        if length is None:
            raise CmsError("indefinite length on a primitive value")
        node.content = data[pos : pos + length]
        return node, pos + length
    end = len(data) if length is None else pos + length
    while pos < end:
        if length is None and data[pos : pos + 2] == b"\0\0":
            return node, pos + 2
        child, pos = _node(data, pos, depth + 1)
        node.children.append(child)
    if length is None:
        raise CmsError("missing end-of-contents")
    return node, pos


def _octets(node: Node) -> bytes:
    """An OCTET STRING's bytes, also when sent in pieces (constructed, BER)."""
    if node.tag == 0x04:
        return node.content
    if node.tag == 0x24:
        return b"".join(_octets(c) for c in node.children)
    raise CmsError("eContent is not an OCTET STRING")


def is_signed_data(data: bytes) -> bool:
    return data[:1] == b"\x30" and SIGNED_DATA in data[:24]


def signed_content(data: bytes) -> bytes:
    """The embedded content of a SignedData; CmsError if there is none or it is malformed."""
    root, _ = _node(data, 0, 0)
    if root.tag != 0x30 or len(root.children) < 2:
        raise CmsError("not a ContentInfo")
    oid, explicit = root.children[0], root.children[1]
    if bytes([oid.tag, len(oid.content)]) + oid.content != SIGNED_DATA or explicit.tag != 0xA0:
        raise CmsError("not SignedData")
    signed = explicit.children[0] if explicit.children else None
    if signed is None or signed.tag != 0x30 or len(signed.children) < 3:
        raise CmsError("malformed SignedData")
    encap = signed.children[2]
    if encap.tag != 0x30 or len(encap.children) < 2 or encap.children[1].tag != 0xA0:
        raise CmsError("the signature carries no content (detached)")
    wrapper = encap.children[1]
    if not wrapper.children:
        raise CmsError("empty eContent")
    return _octets(wrapper.children[0])
