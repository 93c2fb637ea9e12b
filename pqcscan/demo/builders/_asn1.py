"""Small DER and PEM helpers shared by the builders.

Primitive values are encoded by pyasn1; constructed values are concatenations of already-DER
parts, which keeps structures that no installed library models (PQC private keys, Java key
protection, PKCS#12 bags) short and exact.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from pyasn1.codec.der import encoder
from pyasn1.type import char, univ

from pqcscan.demo.builders.entropy import random_bytes


def length(n: int) -> bytes:
    """DER length octets."""
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    """One DER element with a single-octet tag."""
    return bytes([tag]) + length(len(content)) + content


def seq(*parts: bytes) -> bytes:
    """SEQUENCE of already-encoded parts."""
    return tlv(0x30, b"".join(parts))


def set_of(*parts: bytes) -> bytes:
    """SET OF already-encoded parts, sorted as DER requires."""
    return tlv(0x31, b"".join(sorted(parts)))


def integer(n: int) -> bytes:
    return bytes(encoder.encode(univ.Integer(n)))


def oid(dotted: str) -> bytes:
    return bytes(encoder.encode(univ.ObjectIdentifier(dotted)))


def octets(data: bytes) -> bytes:
    return tlv(0x04, data)


def bits(data: bytes) -> bytes:
    """BIT STRING with no unused bits."""
    return tlv(0x03, b"\x00" + data)


def null() -> bytes:
    return b"\x05\x00"


def boolean(value: bool) -> bytes:
    return b"\x01\x01\xff" if value else b"\x01\x01\x00"


def bmp_string(text: str) -> bytes:
    return bytes(encoder.encode(char.BMPString(text)))


def explicit(number: int, content: bytes) -> bytes:
    """[number] EXPLICIT (constructed, context-specific)."""
    return tlv(0xA0 | number, content)


def implicit_primitive(number: int, content: bytes) -> bytes:
    """[number] IMPLICIT on a primitive type (e.g. the ML-DSA/ML-KEM ``seed [0]`` choice)."""
    return tlv(0x80 | number, content)


def algorithm_identifier(dotted: str, params: bytes | None = None) -> bytes:
    """AlgorithmIdentifier; ``params`` absent unless given (use :func:`null` for NULL)."""
    return seq(oid(dotted), params or b"")


def spki(dotted: str, public_key: bytes, params: bytes | None = None) -> bytes:
    """SubjectPublicKeyInfo with the raw key as the BIT STRING contents."""
    return seq(algorithm_identifier(dotted, params), bits(public_key))


def one_asymmetric_key(dotted: str, private_key: bytes, params: bytes | None = None) -> bytes:
    """PKCS#8 PrivateKeyInfo (version 0) whose privateKey OCTET STRING holds ``private_key``."""
    return seq(integer(0), algorithm_identifier(dotted, params), octets(private_key))


def key_identifier(public_key: bytes) -> bytes:
    """RFC 5280 section 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits."""
    return hashlib.sha1(public_key, usedforsecurity=False).digest()


def header_length(der: bytes) -> int:
    """Length of the tag and length octets of the first element of ``der``."""
    first = der[1]
    return 2 if first < 0x80 else 2 + (first & 0x7F)


def pem(label: str, der: bytes, headers: Iterable[tuple[str, str]] = (), eol: str = "\n") -> bytes:
    """RFC 7468 PEM text (64-column base64), with optional RFC 1421 headers."""
    body = base64.b64encode(der).decode("ascii")
    lines = [f"-----BEGIN {label}-----"]
    head = [f"{name}: {value}" for name, value in headers]
    if head:
        lines += [*head, ""]
    lines += [body[i : i + 64] for i in range(0, len(body), 64)]
    lines.append(f"-----END {label}-----")
    return (eol.join(lines) + eol).encode("ascii")


def derive_bytes(seed: bytes | None, label: str, n: int) -> bytes:
    """``n`` bytes from SHAKE-256(seed, label) when a seed is given, else random
    (:func:`~pqcscan.demo.builders.entropy.random_bytes`: the OS, or the seeded stream)."""
    if seed is None:
        return random_bytes(label, n)
    return hashlib.shake_256(seed + b"\x00" + label.encode()).digest(n)
