"""Helpers shared by the SSH collector tests: host keys, blobs and signatures built here from
the RFCs with ``cryptography``, independently of the collector's own code."""

from __future__ import annotations

import base64
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HostPrivateKey = (
    ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | dsa.DSAPrivateKey
)


def sshstr(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def sshmpint(value: int) -> bytes:
    data = value.to_bytes((value.bit_length() + 8) // 8, "big") if value else b""
    return sshstr(data)


def public_blob(key: HostPrivateKey) -> bytes:
    line = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return base64.b64decode(line.split()[1])


def sign(key: HostPrivateKey, name: str, data: bytes) -> bytes:
    """An SSH signature blob (RFC 4253 §6.6, RFC 5656 §3.1.2, RFC 8332, RFC 8709)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.sign(data)
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        digest = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(digest[key.curve.key_size])))
        raw = sshmpint(r) + sshmpint(s)
    elif isinstance(key, rsa.RSAPrivateKey):
        digest = {"rsa-sha2-512": hashes.SHA512(), "rsa-sha2-256": hashes.SHA256()}
        raw = key.sign(data, padding.PKCS1v15(), digest.get(name, hashes.SHA1()))
    else:
        r, s = decode_dss_signature(key.sign(data, hashes.SHA1()))
        raw = r.to_bytes(20, "big") + s.to_bytes(20, "big")
    return sshstr(name.encode()) + sshstr(raw)
