"""A DER peek: read tag/length headers without decoding, to recognise structures fast.

Full decoding is left to ``cryptography`` and ``pyasn1``; this module only answers "what
kind of DER object is this?" and "where does the first object end?" in microseconds, which
matters when thousands of files must be sniffed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

SEQUENCE = 0x30
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
OID = 0x06
CONTEXT_0 = 0xA0

#: ContentInfo type of PKCS#7 / CMS SignedData (1.2.840.113549.1.7.2), as DER content bytes.
SIGNED_DATA_OID = bytes.fromhex("2a864886f70d010702")


class DerError(ValueError):
    """Truncated or not DER."""


@dataclass(frozen=True, slots=True)
class Tlv:
    tag: int
    offset: int  # first header byte
    start: int  # first content byte
    end: int  # one past the last content byte

    def element(self, data: bytes) -> bytes:
        """The whole element: header and content."""
        return data[self.offset : self.end]


def read_tlv(data: bytes, offset: int = 0) -> Tlv:
    """Read the header at ``offset``; raise :class:`DerError` if it is truncated or invalid."""
    if offset + 2 > len(data):
        raise DerError("truncated header")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise DerError("multi-byte tags are not used by the structures pqcscan reads")
    first = data[offset + 1]
    pos = offset + 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise DerError("indefinite length (BER, not DER)")
    else:
        count = first & 0x7F
        if count > 4 or pos + count > len(data):
            raise DerError("bad length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise DerError(f"truncated: {length} bytes announced, {len(data) - pos} present")
    return Tlv(tag, offset, pos, pos + length)


def _bounds(data: bytes, offset: int) -> tuple[int, int]:
    """(content start, end) of the element at ``offset``: :func:`read_tlv` without objects."""
    first = data[offset + 1]
    if first < 0x80:
        start, length = offset + 2, first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise DerError("bad length")
        start = offset + 2 + count
        length = int.from_bytes(data[offset + 2 : start], "big")
    end = start + length
    if end > len(data):
        raise DerError("truncated")
    return start, end


def field_at(data: bytes, index: int) -> tuple[int, bytes]:
    """(tag, whole element) of field ``index`` of the SEQUENCE ``data`` (hot path)."""
    try:
        pos, end = _bounds(data, 0)
        for _ in range(index):
            pos = _bounds(data, pos)[1]
        if pos >= end:
            raise DerError("too few fields")
        return data[pos], data[pos : _bounds(data, pos)[1]]
    except IndexError as exc:
        raise DerError("truncated") from exc


def declared_size(data: bytes) -> int | None:
    """Total size that the first header announces (even if the data is shorter), or None."""
    if len(data) < 2:
        return None
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if first == 0x80 or count > 4 or len(data) < 2 + count:
        return None
    return 2 + count + int.from_bytes(data[2 : 2 + count], "big")


def children(data: bytes, parent: Tlv) -> Iterator[Tlv]:
    """The direct children of a constructed element."""
    pos = parent.start
    while pos < parent.end:
        child = read_tlv(data, pos)
        if child.end > parent.end:
            raise DerError("child runs past its parent")
        yield child
        pos = child.end


class DerKind(StrEnum):
    CERTIFICATE = "certificate"
    CSR = "csr"
    CRL = "crl"
    PKCS7 = "pkcs7"
    PKCS12 = "pkcs12"
    PKCS8 = "pkcs8"
    ENCRYPTED_PKCS8 = "encrypted-pkcs8"
    SEC1 = "sec1"
    PKCS1_PRIVATE = "pkcs1"
    PKCS1_PUBLIC = "pkcs1-public"
    DSA_PRIVATE = "dsa"
    SPKI = "spki"


def _small_int(data: bytes, tlv: Tlv) -> int | None:
    if tlv.tag != INTEGER or tlv.end - tlv.start > 4:
        return None
    return int.from_bytes(data[tlv.start : tlv.end], "big", signed=True)


def der_kind(data: bytes) -> DerKind | None:
    """Recognise a DER object by its shape. None: not one pqcscan reads (or truncated)."""
    try:
        top = read_tlv(data)
        if top.tag != SEQUENCE:
            return None
        kids = []
        for kid in children(data, top):
            kids.append(kid)
            if len(kids) == 4:
                break
    except DerError:
        return None
    if not kids:
        return None
    tags = [k.tag for k in kids]
    first = kids[0]
    if first.tag == OID:
        if data[first.start : first.end] == SIGNED_DATA_OID:
            return DerKind.PKCS7
        return None
    if first.tag == INTEGER:
        value = _small_int(data, first)
        if value == 3 and tags[1:2] == [SEQUENCE]:
            return DerKind.PKCS12
        if value in (0, 1) and tags[1:3] == [SEQUENCE, OCTET_STRING]:
            return DerKind.PKCS8
        if value == 1 and tags[1:2] == [OCTET_STRING]:
            return DerKind.SEC1
        if value == 0 and tags[1:4] == [INTEGER, INTEGER, INTEGER]:
            return _pkcs1_or_dsa(data, top)
        if value is None and tags == [INTEGER, INTEGER]:
            return DerKind.PKCS1_PUBLIC
        return None
    if first.tag == SEQUENCE and len(kids) >= 2:
        if tags == [SEQUENCE, BIT_STRING]:
            return DerKind.SPKI
        if tags == [SEQUENCE, OCTET_STRING]:
            return DerKind.ENCRYPTED_PKCS8
        if tags == [SEQUENCE, SEQUENCE, BIT_STRING]:
            return _signed_kind(data, first)
    return None


def _pkcs1_or_dsa(data: bytes, top: Tlv) -> DerKind | None:
    try:
        count = sum(1 for _ in children(data, top))
    except DerError:  # a broken element after the first four
        return None
    return DerKind.DSA_PRIVATE if count == 6 else DerKind.PKCS1_PRIVATE


def _signed_kind(data: bytes, tbs: Tlv) -> DerKind | None:
    """Certificate, CSR or CRL, told apart by the shape of the signed part."""
    try:
        tags = [k.tag for k in children(data, tbs)]
    except DerError:
        return None
    if tags[:1] == [CONTEXT_0]:
        return DerKind.CERTIFICATE
    if tags[:4] == [INTEGER, SEQUENCE, SEQUENCE, CONTEXT_0] and len(tags) == 4:
        return DerKind.CSR
    if tags[:4] == [INTEGER, SEQUENCE, SEQUENCE, SEQUENCE]:
        return DerKind.CERTIFICATE  # v1: serial, signature, issuer, validity
    time_tags = (0x17, 0x18)
    if (tags[:1] == [SEQUENCE] and len(tags) > 2 and tags[2] in time_tags) or (
        len(tags) > 3 and tags[0] == INTEGER and tags[3] in time_tags
    ):
        return DerKind.CRL
    return None


def decode_oid(content: bytes) -> str:
    """Dotted form of an OBJECT IDENTIFIER's content bytes."""
    if not content:
        raise DerError("empty OID")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if byte & 0x80:
        raise DerError("truncated OID")
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(a) for a in (*head, *arcs[1:]))


def spki_algorithm_oid(spki: bytes) -> str:
    """The algorithm OID of a DER SubjectPublicKeyInfo."""
    top = read_tlv(spki)
    alg = read_tlv(spki, top.start)
    oid = read_tlv(spki, alg.start)
    if top.tag != SEQUENCE or alg.tag != SEQUENCE or oid.tag != OID:
        raise DerError("not a SubjectPublicKeyInfo")
    return decode_oid(spki[oid.start : oid.end])


def first_object(data: bytes) -> bytes:
    """The bytes of the first DER object (drops trailing data such as OpenSSL aux info)."""
    tlv = read_tlv(data)
    return data[: tlv.end]
