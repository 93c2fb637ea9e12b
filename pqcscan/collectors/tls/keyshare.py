"""Client key shares for TLS 1.3 groups, and the shared secret from the server's share.

Groups: X25519, X448, P-256/384/521 and the brainpool TLS 1.3 curves (``cryptography``), the
RFC 7919 ffdhe groups, pure ML-KEM-512/768/1024 (draft-ietf-tls-mlkem) and the hybrids
X25519MLKEM768, SecP256r1MLKEM768 and SecP384r1MLKEM1024 (draft-ietf-tls-ecdhe-mlkem) with
kyber-py. Layouts: X25519MLKEM768 sends the ML-KEM encapsulation key then the X25519 share,
and its secret is the ML-KEM secret then the X25519 secret; the SecP hybrids put the ECDH part
first in both. Limits: curveSM2MLKEM768, GOST curves and the pre-standard Kyber drafts are
probed (HelloRetryRequest) but cannot be used for a full handshake here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, x448, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from kyber_py.ml_kem import ML_KEM_512, ML_KEM_768, ML_KEM_1024

X25519 = 0x001D
X448 = 0x001E
SECP256R1 = 0x0017
SECP384R1 = 0x0018
SECP521R1 = 0x0019
FFDHE = {0x0100: 2048, 0x0101: 3072, 0x0102: 4096, 0x0103: 6144, 0x0104: 8192}
MLKEM512 = 0x0200
MLKEM768 = 0x0201
MLKEM1024 = 0x0202
SECP256R1MLKEM768 = 0x11EB
X25519MLKEM768 = 0x11EC
SECP384R1MLKEM1024 = 0x11ED

_EC_CURVES: dict[int, Callable[[], ec.EllipticCurve]] = {
    SECP256R1: ec.SECP256R1,
    SECP384R1: ec.SECP384R1,
    SECP521R1: ec.SECP521R1,
    0x001F: ec.BrainpoolP256R1,
    0x0020: ec.BrainpoolP384R1,
    0x0021: ec.BrainpoolP512R1,
}
_ML_KEM: dict[int, Any] = {MLKEM512: ML_KEM_512, MLKEM768: ML_KEM_768, MLKEM1024: ML_KEM_1024}
#: hybrid group -> (ECDH group, ML-KEM group, ML-KEM part first)
_HYBRIDS: dict[int, tuple[int, int, bool]] = {
    X25519MLKEM768: (X25519, MLKEM768, True),
    SECP256R1MLKEM768: (SECP256R1, MLKEM768, False),
    SECP384R1MLKEM1024: (SECP384R1, MLKEM1024, False),
}
#: ML-KEM sizes: (encapsulation key, ciphertext).
_ML_KEM_SIZES = {MLKEM512: (800, 768), MLKEM768: (1184, 1088), MLKEM1024: (1568, 1568)}
_EC_SHARE_SIZES = {
    X25519: 32,
    X448: 56,
    SECP256R1: 65,
    SECP384R1: 97,
    SECP521R1: 133,
    0x001F: 65,
    0x0020: 97,
    0x0021: 129,
}


class KeyShareError(Exception):
    """The server's share is malformed, or the group cannot be computed here."""


def _e_times_2_to(bits: int) -> int:
    """floor(e * 2**bits), by summing 1/k! in fixed point with 64 guard bits."""
    one = 1 << (bits + 64)
    total, term, k = 0, one, 0
    while term:
        total += term
        k += 1
        term //= k
    return total >> 64


#: RFC 7919 Appendix A: X for p = 2^b - 2^(b-64) + (floor(2^(b-130) e) + X) * 2^64 - 1.
_FFDHE_X = {2048: 560316, 3072: 2625351, 4096: 5736041, 6144: 15705020, 8192: 10965728}


@cache
def ffdhe_prime(bits: int) -> int:
    """The RFC 7919 ffdhe prime of ``bits`` bits (generator 2), derived from its formula."""
    x = _FFDHE_X[bits]
    p: int = 2**bits - 2 ** (bits - 64) + ((_e_times_2_to(bits - 130) + x) << 64) - 1
    return p


def ffdhe_name(p: int) -> str | None:
    """``"ffdhe2048"`` when ``p`` is one of the RFC 7919 primes, else None."""
    bits = p.bit_length()
    if bits in _FFDHE_X and ffdhe_prime(bits) == p:
        return f"ffdhe{bits}"
    return None


def computable_groups() -> frozenset[int]:
    """Groups this module can complete a TLS 1.3 key exchange with."""
    return frozenset({X25519, X448, *_EC_CURVES, *FFDHE, *_ML_KEM, *_HYBRIDS})


@dataclass(slots=True)
class ClientKeyShare:
    """One group's client share; :meth:`shared_secret` takes the server's share."""

    group: int
    public: bytes
    _derive: Callable[[bytes], bytes] = field(repr=False)

    def shared_secret(self, server_share: bytes) -> bytes:
        try:
            return self._derive(server_share)
        except KeyShareError:
            raise
        except Exception as exc:  # malformed point, wrong size, small subgroup...
            raise KeyShareError(f"server key share for group 0x{self.group:04x}: {exc}") from exc


def make_key_share(group: int) -> ClientKeyShare:
    """A fresh client share for ``group``; :class:`KeyShareError` if it is not computable."""
    if group in _HYBRIDS:
        return _hybrid(group)
    if group in _ML_KEM:
        return _ml_kem(group)
    if group == X25519:
        xk = x25519.X25519PrivateKey.generate()
        return ClientKeyShare(
            group,
            xk.public_key().public_bytes_raw(),
            lambda s: xk.exchange(x25519.X25519PublicKey.from_public_bytes(_exact(s, 32))),
        )
    if group == X448:
        xk448 = x448.X448PrivateKey.generate()
        return ClientKeyShare(
            group,
            xk448.public_key().public_bytes_raw(),
            lambda s: xk448.exchange(x448.X448PublicKey.from_public_bytes(_exact(s, 56))),
        )
    if group in _EC_CURVES:
        curve = _EC_CURVES[group]()
        ek = ec.generate_private_key(curve)
        public = ek.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

        def derive(s: bytes) -> bytes:
            if not s or s[0] != 4:
                raise KeyShareError("EC key share is not an uncompressed point")
            peer = ec.EllipticCurvePublicKey.from_encoded_point(curve, _exact(s, len(public)))
            return ek.exchange(ec.ECDH(), peer)

        return ClientKeyShare(group, public, derive)
    if group in FFDHE:
        return _ffdhe(group)
    raise KeyShareError(f"group 0x{group:04x} cannot be computed by this client")


def key_share_size(group: int) -> int | None:
    """Length of a client share for ``group`` (for building dummy hellos), or None."""
    if group in _EC_SHARE_SIZES:
        return _EC_SHARE_SIZES[group]
    if group in FFDHE:
        return FFDHE[group] // 8
    if group in _ML_KEM_SIZES:
        return _ML_KEM_SIZES[group][0]
    if group in _HYBRIDS:
        ecdh, kem, _ = _HYBRIDS[group]
        return _EC_SHARE_SIZES[ecdh] + _ML_KEM_SIZES[kem][0]
    return None


def _exact(data: bytes, size: int) -> bytes:
    if len(data) != size:
        raise KeyShareError(f"key share of {len(data)} bytes, expected {size}")
    return data


def _ffdhe(group: int) -> ClientKeyShare:
    bits = FFDHE[group]
    p = ffdhe_prime(bits)
    size = bits // 8
    # A 512-bit random exponent is over twice the strength of the largest group (RFC 7919
    # §5.2) and keeps ffdhe8192 fast.
    x = int.from_bytes(os.urandom(64), "big") | (1 << 511)
    y = pow(2, x, p)

    def derive(s: bytes) -> bytes:
        peer = int.from_bytes(_exact(s, size), "big")
        if not 1 < peer < p - 1:
            raise KeyShareError("ffdhe key share out of range")
        z = pow(peer, x, p)
        return z.to_bytes(size, "big")  # RFC 8446 §7.4.1: padded to the prime's size

    return ClientKeyShare(group, y.to_bytes(size, "big"), derive)


def _ml_kem(group: int) -> ClientKeyShare:
    kem = _ML_KEM[group]
    ek, dk = kem.keygen()
    ct_size = _ML_KEM_SIZES[group][1]

    def derive(s: bytes) -> bytes:
        secret: bytes = kem.decaps(dk, _exact(s, ct_size))
        return secret

    return ClientKeyShare(group, ek, derive)


def _hybrid(group: int) -> ClientKeyShare:
    ecdh_group, kem_group, kem_first = _HYBRIDS[group]
    classical = make_key_share(ecdh_group)
    pq = _ml_kem(kem_group)
    ct_size = _ML_KEM_SIZES[kem_group][1]
    ec_size = len(classical.public)
    public = pq.public + classical.public if kem_first else classical.public + pq.public

    def derive(s: bytes) -> bytes:
        _exact(s, ct_size + ec_size)
        if kem_first:
            return pq.shared_secret(s[:ct_size]) + classical.shared_secret(s[ct_size:])
        return classical.shared_secret(s[:ec_size]) + pq.shared_secret(s[ec_size:])

    return ClientKeyShare(group, public, derive)
