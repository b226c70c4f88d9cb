"""The little DER (ASN.1) the CMS envelope needs: encode a few types, walk a parsed tree.

Only definite lengths and one-byte tags: enough for CMS EnvelopedData as this program and
`openssl cms -outform DER` write it.
"""

from __future__ import annotations

SEQUENCE, SET, INTEGER, OCTET_STRING, NULL, OID = 0x30, 0x31, 0x02, 0x04, 0x05, 0x06


def length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def header(tag: int, content_length: int) -> bytes:
    return bytes([tag]) + length(content_length)


def tlv(tag: int, *parts: bytes) -> bytes:
    content = b"".join(parts)
    return header(tag, len(content)) + content


def seq(*parts: bytes) -> bytes:
    return tlv(SEQUENCE, *parts)


def set_of(*parts: bytes) -> bytes:
    return tlv(SET, *sorted(parts))  # DER sorts the members of a SET OF


def integer(n: int) -> bytes:
    size = max(1, (n.bit_length() + 8) // 8)  # room for the sign bit
    return tlv(INTEGER, n.to_bytes(size, "big", signed=True))


def octets(data: bytes) -> bytes:
    return tlv(OCTET_STRING, data)


def null() -> bytes:
    return b"\x05\x00"


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return tlv(OID, bytes(out))


class Node:
    """One parsed element: its tag, its whole encoding and its content, as views of `data`."""

    __slots__ = ("content_start", "data", "end", "start", "tag")

    def __init__(self, data: bytes, pos: int = 0, limit: int | None = None) -> None:
        limit = len(data) if limit is None else limit
        if pos + 2 > limit:
            raise ValueError("truncated DER element")
        self.data, self.start, self.tag = data, pos, data[pos]
        if self.tag & 0x1F == 0x1F:
            raise ValueError("multi-byte DER tags are not supported")
        first = data[pos + 1]
        pos += 2
        if first < 0x80:
            size = first
        elif first == 0x80:
            raise ValueError("indefinite lengths are not supported: convert the file to DER")
        else:
            count = first & 0x7F
            if count > 8 or pos + count > limit:
                raise ValueError("bad DER length")
            size = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        self.content_start, self.end = pos, pos + size
        if self.end > limit:
            raise ValueError("truncated DER element")

    @property
    def content(self) -> bytes:
        return self.data[self.content_start : self.end]

    @property
    def encoded(self) -> bytes:
        return self.data[self.start : self.end]

    def children(self) -> list[Node]:
        out, pos = [], self.content_start
        while pos < self.end:
            child = Node(self.data, pos, self.end)
            out.append(child)
            pos = child.end
        return out

    def expect(self, tag: int, what: str) -> Node:
        if self.tag != tag:
            raise ValueError(f"{what}: expected tag {tag:#04x}, found {self.tag:#04x}")
        return self

    def as_int(self) -> int:
        return int.from_bytes(self.expect(INTEGER, "integer").content, "big", signed=True)
