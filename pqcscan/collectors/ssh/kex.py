"""SSH key exchange methods, run just far enough to receive the server's host key.

Both ends of every single-round-trip method are here: the collector runs the client side
(:meth:`KexMethod.run`) and the lab's responder the server side (:meth:`KexMethod.respond`).
Each client side sends a valid ephemeral public value, reads the reply (host key ``K_S``,
server ephemeral, signature) and computes the exchange hash ``H`` so that the signature can
be checked. No keys are derived and NEWKEYS is never sent.

Methods (references are where the wire format and ``H`` are defined):

* ``curve25519-sha256`` (+ ``@libssh.org``), ``curve448-sha512``: RFC 8731;
  ``ecdh-sha2-nistp256/384/521``: RFC 5656 §4 (shared secret as an mpint);
* ``diffie-hellman-group{1,14,15,16,17,18}-*``: RFC 4253 §8, RFC 8268, the MODP groups of
  RFC 2409 §6.2 / RFC 3526, computed from their defining formula;
* ``diffie-hellman-group-exchange-sha{1,256}``: RFC 4419 (client side only);
* ``mlkem768x25519-sha256``: draft-ietf-sshm-mlkem-hybrid-kex (ML-KEM-768 from kyber-py
  and X25519; ``C_INIT = ek || X25519 share``, ``S_REPLY = ciphertext || X25519 share``,
  ``K = SHA-256(K_PQ || K_CL)`` encoded as a string).

Not implemented: ``sntrup761x25519-sha512`` (no Python Streamlined NTRU Prime here), the
ML-KEM/NIST-curve hybrids, GSS-API methods, ``rsa*-sha*`` (RFC 4432) and vendor variants.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, x448, x25519

from pqcscan.collectors.ssh import wire
from pqcscan.collectors.ssh.transport import Transport
from pqcscan.collectors.ssh.wire import Reader, SshProtocolError, mpint, string, uint32

#: Signs an exchange hash with the responder's host key: H -> signature blob.
Signer = Callable[[bytes], bytes]

#: Private DH exponent size: twice the 256-bit security of the largest groups.
DH_EXPONENT_BITS = 512
#: Group-exchange request (RFC 4419 §3; OpenSSH servers refuse minimums under 2048).
GEX_MIN, GEX_PREFERRED, GEX_MAX = 2048, 3072, 8192


@dataclass(frozen=True, slots=True)
class KexReply:
    """What the server's key-exchange reply revealed."""

    method: str
    host_key: bytes  # K_S: the host key blob (or OpenSSH certificate blob)
    signature: bytes  # the signature blob over H: string name, string data
    exchange_hash: bytes  # H, as the server should have signed it
    #: Size of the finite-field group in bits (DH methods; learned from the server for GEX).
    group_bits: int | None = None


class KexMethod(ABC):
    """One key exchange method."""

    name: str
    hash_name: str

    def hash(self, data: bytes) -> bytes:
        return hashlib.new(self.hash_name, data).digest()

    @abstractmethod
    async def run(self, t: Transport, prefix: bytes) -> KexReply:
        """Client side: exchange ephemerals; ``prefix`` is V_C || V_S || I_C || I_S."""

    def respond(self, init: bytes, prefix: bytes, host_key: bytes, sign: Signer) -> bytes:
        """Server side: the reply payload to the client's init payload."""
        raise NotImplementedError(f"{self.name}: no server side")


class _SingleExchange(KexMethod):
    """A method with one init and one reply message (ECDH-style or fixed-group DH)."""

    #: Ephemeral public values are mpints (DH) rather than strings (ECDH, hybrids).
    mpint_publics = False

    @abstractmethod
    def _keypair(self) -> tuple[Any, bytes | int]:
        """A private state and our public value."""

    @abstractmethod
    def _client_secret(self, private: Any, server_public: bytes | int) -> bytes:
        """The encoded shared secret K (as it enters H), from the server's public value."""

    @abstractmethod
    def _server_secret(self, client_public: bytes | int) -> tuple[bytes | int, bytes]:
        """Server side: our public value and the encoded shared secret."""

    def _encode(self, value: bytes | int) -> bytes:
        if isinstance(value, int):
            return mpint(value)
        return string(value)

    def _read(self, r: Reader) -> bytes | int:
        return r.mpint() if self.mpint_publics else r.string()

    def _h(
        self, prefix: bytes, k_s: bytes, client: bytes | int, server: bytes | int, k: bytes
    ) -> bytes:
        return self.hash(prefix + string(k_s) + self._encode(client) + self._encode(server) + k)

    async def run(self, t: Transport, prefix: bytes) -> KexReply:
        private, public = self._keypair()
        await t.send_packet(bytes([wire.MSG_KEX_ECDH_INIT]) + self._encode(public))
        t.stage = f"the {self.name} key exchange reply"
        r = Reader(await t.read_message(wire.MSG_KEX_ECDH_REPLY), f"{self.name} reply")
        r.byte()
        k_s = r.string()
        server_public = self._read(r)
        signature = r.string()
        k = self._client_secret(private, server_public)
        return KexReply(
            self.name,
            k_s,
            signature,
            self._h(prefix, k_s, public, server_public, k),
            self._group_bits(),
        )

    def respond(self, init: bytes, prefix: bytes, host_key: bytes, sign: Signer) -> bytes:
        r = Reader(init, f"{self.name} init")
        if r.byte() != wire.MSG_KEX_ECDH_INIT:
            raise SshProtocolError(f"{self.name}: expected the key exchange init message")
        client_public = self._read(r)
        server_public, k = self._server_secret(client_public)
        h = self._h(prefix, host_key, client_public, server_public, k)
        return (
            bytes([wire.MSG_KEX_ECDH_REPLY])
            + string(host_key)
            + self._encode(server_public)
            + string(sign(h))
        )

    def _group_bits(self) -> int | None:
        return None


def _as_bytes(value: bytes | int, what: str) -> bytes:
    if not isinstance(value, bytes):
        raise SshProtocolError(f"{what}: expected a string")
    return value


def _mpint_secret(secret: bytes) -> bytes:
    """RFC 8731 §3.1 / RFC 5656 §4: the raw shared secret read as an unsigned integer."""
    return mpint(int.from_bytes(secret, "big"))


class _Montgomery(_SingleExchange):
    """curve25519-sha256 and curve448-sha512 (RFC 8731)."""

    def __init__(self, name: str, hash_name: str, size: int, curve: str) -> None:
        self.name, self.hash_name, self.size, self.curve = name, hash_name, size, curve

    def _generate(self) -> Any:
        return (
            x25519.X25519PrivateKey if self.curve == "x25519" else x448.X448PrivateKey
        ).generate()

    def _load(self, data: bytes | int) -> Any:
        raw = _as_bytes(data, self.name)
        if len(raw) != self.size:
            raise SshProtocolError(
                f"{self.name}: public value of {len(raw)} bytes, not {self.size}"
            )
        cls = x25519.X25519PublicKey if self.curve == "x25519" else x448.X448PublicKey
        return cls.from_public_bytes(raw)

    def _exchange(self, private: Any, peer: bytes | int) -> bytes:
        try:
            secret: bytes = private.exchange(self._load(peer))
        except ValueError as exc:  # an all-zero shared secret (low-order point)
            raise SshProtocolError(f"{self.name}: invalid public value ({exc})") from None
        if not any(secret):
            raise SshProtocolError(f"{self.name}: all-zero shared secret")
        return secret

    def _keypair(self) -> tuple[Any, bytes]:
        private = self._generate()
        return private, private.public_key().public_bytes_raw()

    def _client_secret(self, private: Any, server_public: bytes | int) -> bytes:
        return _mpint_secret(self._exchange(private, server_public))

    def _server_secret(self, client_public: bytes | int) -> tuple[bytes, bytes]:
        private, public = self._keypair()
        return public, _mpint_secret(self._exchange(private, client_public))


class _NistEcdh(_SingleExchange):
    """ecdh-sha2-nistp256/384/521 (RFC 5656 §4; points uncompressed, SEC 1 §2.3.3)."""

    def __init__(self, name: str, hash_name: str, curve: ec.EllipticCurve) -> None:
        self.name, self.hash_name, self.curve = name, hash_name, curve

    def _point(self, data: bytes | int) -> ec.EllipticCurvePublicKey:
        raw = _as_bytes(data, self.name)
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(self.curve, raw)
        except ValueError:
            raise SshProtocolError(
                f"{self.name}: public value is not a point on the curve"
            ) from None

    def _keypair(self) -> tuple[Any, bytes]:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        private = ec.generate_private_key(self.curve)
        public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return private, public

    def _client_secret(self, private: Any, server_public: bytes | int) -> bytes:
        return _mpint_secret(private.exchange(ec.ECDH(), self._point(server_public)))

    def _server_secret(self, client_public: bytes | int) -> tuple[bytes, bytes]:
        private, public = self._keypair()
        return public, _mpint_secret(private.exchange(ec.ECDH(), self._point(client_public)))


def _arctan_inverse(x: int, one: int) -> int:
    """arctan(1/x) in fixed point (``one`` = 1.0), by its Taylor series."""
    total = term = one // x
    square, n, sign = x * x, 1, -1
    while term:
        term //= square
        total += sign * (term // (2 * n + 1))
        sign, n = -sign, n + 1
    return total


@functools.cache
def _pi_fixed(bits: int) -> int:
    """floor(pi * 2**bits), by Machin's formula (with guard bits)."""
    guard = 64
    one = 1 << (bits + guard)
    return (4 * (4 * _arctan_inverse(5, one) - _arctan_inverse(239, one))) >> guard


#: The MODP groups: bits -> k in p = 2^n - 2^(n-64) - 1 + 2^64 * (floor(2^(n-130) pi) + k)
#: (RFC 2409 §6.2 for 1024 bits, RFC 3526 §2-7 for the others); the generator is 2.
MODP_K = {
    1024: 129093,
    1536: 741804,
    2048: 124476,
    3072: 1690314,
    4096: 240904,
    6144: 929484,
    8192: 4743158,
}


@functools.cache
def modp_prime(bits: int) -> int:
    """The MODP group prime of that size (a safe prime; the tests check it)."""
    return (1 << bits) - (1 << (bits - 64)) - 1 + ((_pi_fixed(bits - 130) + MODP_K[bits]) << 64)


def _check_dh_public(value: int, p: int, name: str) -> None:
    if not 1 < value < p - 1:
        raise SshProtocolError(f"{name}: DH public value out of range")


class _FixedDh(_SingleExchange):
    """diffie-hellman-groupN-* (RFC 4253 §8, RFC 8268)."""

    mpint_publics = True

    def __init__(self, name: str, hash_name: str, bits: int) -> None:
        self.name, self.hash_name, self.bits = name, hash_name, bits

    @property
    def p(self) -> int:
        return modp_prime(self.bits)

    def _keypair(self) -> tuple[int, int]:
        x = secrets.randbits(DH_EXPONENT_BITS) | (1 << (DH_EXPONENT_BITS - 1))
        return x, pow(2, x, self.p)

    def _peer(self, value: bytes | int) -> int:
        if not isinstance(value, int):
            raise SshProtocolError(f"{self.name}: expected an mpint")
        _check_dh_public(value, self.p, self.name)
        return value

    def _client_secret(self, private: Any, server_public: bytes | int) -> bytes:
        return mpint(pow(self._peer(server_public), private, self.p))

    def _server_secret(self, client_public: bytes | int) -> tuple[int, bytes]:
        x, public = self._keypair()
        return public, mpint(pow(self._peer(client_public), x, self.p))

    def _group_bits(self) -> int:
        return self.bits


class _MlKemX25519(_SingleExchange):
    """mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex)."""

    name = "mlkem768x25519-sha256"
    hash_name = "sha256"
    EK, CT, X = 1184, 1088, 32

    def __init__(self) -> None:
        self._x25519 = _Montgomery("mlkem768x25519-sha256", "sha256", 32, "x25519")

    @staticmethod
    def _kem() -> Any:
        from kyber_py.ml_kem import ML_KEM_768  # imported on first use: it builds tables

        return ML_KEM_768

    def _keypair(self) -> tuple[Any, bytes]:
        ek, dk = self._kem().keygen()
        x_private, x_public = self._x25519._keypair()
        return (dk, x_private), bytes(ek) + x_public

    def _combine(self, k_pq: bytes, k_cl: bytes) -> bytes:
        return string(hashlib.sha256(k_pq + k_cl).digest())

    def _client_secret(self, private: Any, server_public: bytes | int) -> bytes:
        reply = _as_bytes(server_public, self.name)
        if len(reply) != self.CT + self.X:
            raise SshProtocolError(f"{self.name}: S_REPLY of {len(reply)} bytes, not 1120")
        dk, x_private = private
        try:
            k_pq = bytes(self._kem().decaps(dk, reply[: self.CT]))
        except Exception as exc:  # kyber-py checks the ciphertext's encoding
            raise SshProtocolError(f"{self.name}: bad ML-KEM ciphertext ({exc})") from None
        return self._combine(k_pq, self._x25519._exchange(x_private, reply[self.CT :]))

    def _server_secret(self, client_public: bytes | int) -> tuple[bytes, bytes]:
        init = _as_bytes(client_public, self.name)
        if len(init) != self.EK + self.X:
            raise SshProtocolError(f"{self.name}: C_INIT of {len(init)} bytes, not 1216")
        try:
            k_pq, ciphertext = self._kem().encaps(init[: self.EK])
        except Exception as exc:  # FIPS 203 encapsulation-key check
            raise SshProtocolError(f"{self.name}: bad ML-KEM encapsulation key ({exc})") from None
        x_private, x_public = self._x25519._keypair()
        k_cl = self._x25519._exchange(x_private, init[self.EK :])
        return bytes(ciphertext) + x_public, self._combine(bytes(k_pq), k_cl)


class _GroupExchange(KexMethod):
    """diffie-hellman-group-exchange-sha1/sha256 (RFC 4419), client side."""

    def __init__(self, name: str, hash_name: str) -> None:
        self.name, self.hash_name = name, hash_name

    async def run(self, t: Transport, prefix: bytes) -> KexReply:
        request = uint32(GEX_MIN) + uint32(GEX_PREFERRED) + uint32(GEX_MAX)
        await t.send_packet(bytes([wire.MSG_KEX_DH_GEX_REQUEST]) + request)
        t.stage = f"the {self.name} group"
        r = Reader(await t.read_message(wire.MSG_KEX_ECDH_REPLY), f"{self.name} group")
        r.byte()
        p, g = r.mpint(), r.mpint()
        if not GEX_MIN <= p.bit_length() <= GEX_MAX or p % 2 == 0 or not 1 < g < p - 1:
            raise SshProtocolError(f"{self.name}: unacceptable group ({p.bit_length()} bits)")
        x = secrets.randbits(DH_EXPONENT_BITS) | (1 << (DH_EXPONENT_BITS - 1))
        e = pow(g, x, p)
        await t.send_packet(bytes([wire.MSG_KEX_DH_GEX_INIT]) + mpint(e))
        t.stage = f"the {self.name} key exchange reply"
        r = Reader(await t.read_message(wire.MSG_KEX_DH_GEX_REPLY), f"{self.name} reply")
        r.byte()
        k_s, f, signature = r.string(), r.mpint(), r.string()
        _check_dh_public(f, p, self.name)
        k = pow(f, x, p)
        h = self.hash(
            prefix + string(k_s) + request + mpint(p) + mpint(g) + mpint(e) + mpint(f) + mpint(k)
        )
        return KexReply(self.name, k_s, signature, h, p.bit_length())


def _methods() -> dict[str, KexMethod]:
    methods: list[KexMethod] = [
        _Montgomery("curve25519-sha256", "sha256", 32, "x25519"),
        _Montgomery("curve25519-sha256@libssh.org", "sha256", 32, "x25519"),
        _NistEcdh("ecdh-sha2-nistp256", "sha256", ec.SECP256R1()),
        _NistEcdh("ecdh-sha2-nistp384", "sha384", ec.SECP384R1()),
        _NistEcdh("ecdh-sha2-nistp521", "sha512", ec.SECP521R1()),
        _Montgomery("curve448-sha512", "sha512", 56, "x448"),
        _Montgomery("curve448-sha512@libssh.org", "sha512", 56, "x448"),
        _MlKemX25519(),
        _FixedDh("diffie-hellman-group14-sha256", "sha256", 2048),
        _FixedDh("diffie-hellman-group16-sha512", "sha512", 4096),
        _FixedDh("diffie-hellman-group18-sha512", "sha512", 8192),
        _FixedDh("diffie-hellman-group15-sha512", "sha512", 3072),
        _FixedDh("diffie-hellman-group17-sha512", "sha512", 6144),
        _FixedDh("diffie-hellman-group14-sha1", "sha1", 2048),
        _GroupExchange("diffie-hellman-group-exchange-sha256", "sha256"),
        _GroupExchange("diffie-hellman-group-exchange-sha1", "sha1"),
        _FixedDh("diffie-hellman-group1-sha1", "sha1", 1024),
    ]
    return {m.name: m for m in methods}


#: Every method this module can run, by name.
METHODS: dict[str, KexMethod] = _methods()
#: The methods whose server side is implemented too (all but group exchange).
SERVER_METHODS: frozenset[str] = frozenset(
    name for name, method in METHODS.items() if isinstance(method, _SingleExchange)
)
#: The client's preference: cheap and common first, then hybrids, then finite-field DH.
PREFERENCE: tuple[str, ...] = tuple(METHODS)


def choose(server_kex: Sequence[str]) -> KexMethod | None:
    """The method we prefer among those the server offers; None when we can do none."""
    offered = set(server_kex)
    for name in PREFERENCE:
        if name in offered:
            return METHODS[name]
    return None


def exchange_prefix(v_c: bytes, v_s: bytes, i_c: bytes, i_s: bytes) -> bytes:
    """The first four fields of every exchange hash: both identification lines (without
    CR LF) and both KEXINIT payloads."""
    return string(v_c) + string(v_s) + string(i_c) + string(i_s)
