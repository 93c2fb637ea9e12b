"""ML-KEM key generation (FIPS 203, Algorithms 13, 16 and helpers), in pure Python.

Only key generation is implemented: enough to write real ML-KEM public keys, seeds and expanded
decapsulation keys into certificates and PKCS#8 files. There is no encapsulation or
decapsulation. A key pair is derived from the 64-byte seed ``d || z`` that RFC 9935 stores in
the private key's ``seed [0]`` form.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

Q: Final = 3329
_ETA1: Final = {512: 3, 768: 2, 1024: 2}
_K: Final = {512: 2, 768: 3, 1024: 4}


def _bitrev7(i: int) -> int:
    return int(f"{i:07b}"[::-1], 2)


_ZETAS: Final = [pow(17, _bitrev7(i), Q) for i in range(128)]
_GAMMAS: Final = [pow(17, 2 * _bitrev7(i) + 1, Q) for i in range(128)]


def _sample_ntt(seed: bytes) -> list[int]:
    """Algorithm 7: rejection-sample a polynomial in NTT form from SHAKE-128(seed)."""
    size = 840
    while True:
        stream = hashlib.shake_128(seed).digest(size)
        out: list[int] = []
        for pos in range(0, size - 2, 3):
            c0, c1, c2 = stream[pos], stream[pos + 1], stream[pos + 2]
            d1 = c0 + 256 * (c1 % 16)
            d2 = c1 // 16 + 16 * c2
            if d1 < Q:
                out.append(d1)
            if d2 < Q and len(out) < 256:
                out.append(d2)
            if len(out) == 256:
                return out
        size *= 2


def _cbd(data: bytes, eta: int) -> list[int]:
    """Algorithm 8: centred binomial sampling from 64·eta bytes."""
    bitstream = [(byte >> j) & 1 for byte in data for j in range(8)]
    out = []
    for i in range(256):
        x = sum(bitstream[2 * i * eta + j] for j in range(eta))
        y = sum(bitstream[2 * i * eta + eta + j] for j in range(eta))
        out.append((x - y) % Q)
    return out


def _ntt(poly: list[int]) -> list[int]:
    """Algorithm 9."""
    f = list(poly)
    i = 1
    span = 128
    while span >= 2:
        for start in range(0, 256, 2 * span):
            zeta = _ZETAS[i]
            i += 1
            for j in range(start, start + span):
                t = zeta * f[j + span] % Q
                f[j + span] = (f[j] - t) % Q
                f[j] = (f[j] + t) % Q
        span //= 2
    return f


def _multiply_ntts(f: list[int], g: list[int]) -> list[int]:
    """Algorithms 11 and 12."""
    h = [0] * 256
    for i in range(128):
        a0, a1, b0, b1 = f[2 * i], f[2 * i + 1], g[2 * i], g[2 * i + 1]
        h[2 * i] = (a0 * b0 + a1 * b1 * _GAMMAS[i]) % Q
        h[2 * i + 1] = (a0 * b1 + a1 * b0) % Q
    return h


def _encode12(poly: list[int]) -> bytes:
    """ByteEncode_12: two 12-bit coefficients per three bytes, little-endian."""
    out = bytearray()
    for a, b in zip(poly[0::2], poly[1::2], strict=True):
        out += bytes([a & 0xFF, (a >> 8) | ((b & 0x0F) << 4), b >> 4])
    return bytes(out)


@dataclass(frozen=True)
class MLKEMKeyPair:
    """An ML-KEM key pair: encapsulation key, expanded decapsulation key and the seed."""

    level: int
    seed: bytes
    encapsulation_key: bytes
    decapsulation_key: bytes

    def __repr__(self) -> str:
        return f"MLKEMKeyPair(level={self.level}, ek=<{len(self.encapsulation_key)} bytes>)"


def mlkem_keygen(level: int, seed: bytes) -> MLKEMKeyPair:
    """ML-KEM.KeyGen_internal(d, z) with ``seed = d || z`` (64 bytes), level 512, 768 or 1024."""
    if level not in _K:
        raise ValueError(f"ML-KEM level must be 512, 768 or 1024, not {level}")
    if len(seed) != 64:
        raise ValueError("the ML-KEM seed is 64 bytes (d || z)")
    k, eta = _K[level], _ETA1[level]
    d, z = seed[:32], seed[32:]
    g = hashlib.sha3_512(d + bytes([k])).digest()
    rho, sigma = g[:32], g[32:]
    matrix = [[_sample_ntt(rho + bytes([j, i])) for j in range(k)] for i in range(k)]
    counter = 0
    secret: list[list[int]] = []
    error: list[list[int]] = []
    for target in (secret, error):
        for _ in range(k):
            prf = hashlib.shake_256(sigma + bytes([counter])).digest(64 * eta)
            target.append(_ntt(_cbd(prf, eta)))
            counter += 1
    t_hat = []
    for i in range(k):
        acc = list(error[i])
        for j in range(k):
            prod = _multiply_ntts(matrix[i][j], secret[j])
            acc = [(x + y) % Q for x, y in zip(acc, prod, strict=True)]
        t_hat.append(acc)
    ek = b"".join(_encode12(p) for p in t_hat) + rho
    dk_pke = b"".join(_encode12(p) for p in secret)
    dk = dk_pke + ek + hashlib.sha3_256(ek).digest() + z
    return MLKEMKeyPair(level, seed, ek, dk)


def is_well_formed_encapsulation_key(level: int, ek: bytes) -> bool:
    """FIPS 203 section 7.2 modulus check: every 12-bit coefficient is below q."""
    k = _K[level]
    if len(ek) != 384 * k + 32:
        return False
    packed = ek[: 384 * k]
    for pos in range(0, len(packed), 3):
        b0, b1, b2 = packed[pos], packed[pos + 1], packed[pos + 2]
        if b0 | ((b1 & 0x0F) << 8) >= Q or (b1 >> 4) | (b2 << 4) >= Q:
            return False
    return True
