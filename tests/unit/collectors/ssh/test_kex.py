"""Key exchange methods, client side, against servers written in this test from the RFCs.

The test servers compute the exchange hash H themselves (RFC 8731, RFC 5656, RFC 4253 §8,
RFC 4419, draft-ietf-sshm-mlkem-hybrid-kex) and sign it with an Ed25519 host key; the client's
H must verify. Against Debian's sshd the same methods are checked in test_lab_sshd.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import struct
from collections.abc import Callable
from typing import cast

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x448, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pqcscan.collectors.ssh import hostkeys, kex, wire
from pqcscan.collectors.ssh.transport import Transport
from pqcscan.collectors.ssh.wire import Reader, SshProtocolError
from pqcscan.results import Support
from tests.unit.collectors.ssh.conftest import public_blob, sign, sshmpint, sshstr

HOST = ed25519.Ed25519PrivateKey.generate()
HOST_BLOB = public_blob(HOST)
PREFIX = sshstr(b"SSH-2.0-client") + sshstr(b"SSH-2.0-server") + sshstr(b"IC") + sshstr(b"IS")

#: A server: client payload -> reply payloads (RFC-written, or the lab's respond()).
Server = Callable[[bytes], list[bytes]]


class _Pipe:
    """A StreamWriter stand-in: each complete packet goes to ``server``, whose replies are
    fed to the client's reader."""

    def __init__(self, reader: asyncio.StreamReader, server: Server) -> None:
        self.reader, self.server, self.buf = reader, server, bytearray()

    def write(self, data: bytes) -> None:
        self.buf += data
        while len(self.buf) >= 4:
            (length,) = struct.unpack(">I", self.buf[:4])
            if len(self.buf) < 4 + length:
                return
            body = bytes(self.buf[4 : 4 + length])
            del self.buf[: 4 + length]
            for reply in self.server(wire.packet_payload(body)):
                self.reader.feed_data(wire.frame(reply))

    async def drain(self) -> None:
        return None

    def close(self) -> None:
        return None

    async def wait_closed(self) -> None:
        return None


def run_client(method: kex.KexMethod, server: Server) -> kex.KexReply:
    async def go() -> kex.KexReply:
        reader = asyncio.StreamReader()
        writer = cast(asyncio.StreamWriter, _Pipe(reader, server))
        t = Transport(reader, writer, asyncio.get_running_loop().time() + 30)
        return await method.run(t, PREFIX)

    return asyncio.run(go())


def h(name: str, *parts: bytes) -> bytes:
    return hashlib.new(name, PREFIX + b"".join(parts)).digest()


def reply(server_public: bytes, signed: bytes) -> bytes:
    return (
        bytes([31]) + sshstr(HOST_BLOB) + server_public + sshstr(sign(HOST, "ssh-ed25519", signed))
    )


def assert_verifies(result: kex.KexReply) -> None:
    assert result.host_key == HOST_BLOB
    _, check = hostkeys.verify(
        "ssh-ed25519", result.host_key, result.signature, result.exchange_hash
    )
    assert check.state is Support.SUPPORTED, check


# -- RFC-written servers ---------------------------------------------------------------------


def curve25519_server(payload: bytes) -> list[bytes]:
    r = Reader(payload)
    assert r.byte() == 30
    q_c = r.string()
    assert len(q_c) == 32
    private = x25519.X25519PrivateKey.generate()
    q_s = private.public_key().public_bytes_raw()
    k = sshmpint(
        int.from_bytes(private.exchange(x25519.X25519PublicKey.from_public_bytes(q_c)), "big")
    )
    return [reply(sshstr(q_s), h("sha256", sshstr(HOST_BLOB), sshstr(q_c), sshstr(q_s), k))]


def curve448_server(payload: bytes) -> list[bytes]:
    r = Reader(payload)
    r.byte()
    q_c = r.string()
    private = x448.X448PrivateKey.generate()
    q_s = private.public_key().public_bytes_raw()
    k = sshmpint(int.from_bytes(private.exchange(x448.X448PublicKey.from_public_bytes(q_c)), "big"))
    return [reply(sshstr(q_s), h("sha512", sshstr(HOST_BLOB), sshstr(q_c), sshstr(q_s), k))]


def nist_server(curve: ec.EllipticCurve, digest: str) -> Server:
    def serve(payload: bytes) -> list[bytes]:
        r = Reader(payload)
        r.byte()
        q_c = r.string()
        assert q_c[0] == 4  # uncompressed point
        private = ec.generate_private_key(curve)
        q_s = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        peer = ec.EllipticCurvePublicKey.from_encoded_point(curve, q_c)
        k = sshmpint(int.from_bytes(private.exchange(ec.ECDH(), peer), "big"))
        return [reply(sshstr(q_s), h(digest, sshstr(HOST_BLOB), sshstr(q_c), sshstr(q_s), k))]

    return serve


# RFC 3526 §3 (2048-bit MODP group 14), as printed there.
GROUP14 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)


def dh_server(p: int, digest: str) -> Server:
    def serve(payload: bytes) -> list[bytes]:
        r = Reader(payload)
        r.byte()
        e = r.mpint()
        y = random.getrandbits(256) | 1
        f = pow(2, y, p)
        k = sshmpint(pow(e, y, p))
        return [reply(sshmpint(f), h(digest, sshstr(HOST_BLOB), sshmpint(e), sshmpint(f), k))]

    return serve


def gex_server(p: int, digest: str) -> Server:
    state: dict[str, bytes] = {}

    def serve(payload: bytes) -> list[bytes]:
        r = Reader(payload)
        number = r.byte()
        if number == 34:  # SSH_MSG_KEX_DH_GEX_REQUEST: min, n, max
            state["request"] = r.raw(12)
            return [bytes([31]) + sshmpint(p) + sshmpint(2)]
        assert number == 32
        e = r.mpint()
        y = random.getrandbits(256) | 1
        f = pow(2, y, p)
        k = sshmpint(pow(e, y, p))
        signed = h(
            digest,
            sshstr(HOST_BLOB),
            state["request"],
            sshmpint(p),
            sshmpint(2),
            sshmpint(e),
            sshmpint(f),
            k,
        )
        return [
            bytes([33])
            + sshstr(HOST_BLOB)
            + sshmpint(f)
            + sshstr(sign(HOST, "ssh-ed25519", signed))
        ]

    return serve


def mlkem_server(payload: bytes) -> list[bytes]:
    from kyber_py.ml_kem import ML_KEM_768

    r = Reader(payload)
    assert r.byte() == 30  # SSH_MSG_KEX_HYBRID_INIT
    c_init = r.string()
    assert len(c_init) == 1184 + 32  # C_PK2 (ML-KEM-768 ek) || C_PK1 (X25519)
    k_pq, ct = ML_KEM_768.encaps(c_init[:1184])
    private = x25519.X25519PrivateKey.generate()
    k_cl = private.exchange(x25519.X25519PublicKey.from_public_bytes(c_init[1184:]))
    s_reply = ct + private.public_key().public_bytes_raw()  # S_CT2 || S_PK1
    k = sshstr(hashlib.sha256(k_pq + k_cl).digest())  # K = HASH(K_PQ || K_CL), as a string
    return [
        reply(sshstr(s_reply), h("sha256", sshstr(HOST_BLOB), sshstr(c_init), sshstr(s_reply), k))
    ]


CASES: list[tuple[str, Server]] = [
    ("curve25519-sha256", curve25519_server),
    ("curve25519-sha256@libssh.org", curve25519_server),
    ("curve448-sha512", curve448_server),
    ("ecdh-sha2-nistp256", nist_server(ec.SECP256R1(), "sha256")),
    ("ecdh-sha2-nistp384", nist_server(ec.SECP384R1(), "sha384")),
    ("ecdh-sha2-nistp521", nist_server(ec.SECP521R1(), "sha512")),
    ("diffie-hellman-group14-sha256", dh_server(GROUP14, "sha256")),
    ("diffie-hellman-group14-sha1", dh_server(GROUP14, "sha1")),
    ("diffie-hellman-group-exchange-sha256", gex_server(GROUP14, "sha256")),
    ("diffie-hellman-group-exchange-sha1", gex_server(GROUP14, "sha1")),
    ("mlkem768x25519-sha256", mlkem_server),
]


@pytest.mark.parametrize(("name", "server"), CASES, ids=[c[0] for c in CASES])
def test_client_against_rfc_server(name: str, server: Server) -> None:
    result = run_client(kex.METHODS[name], server)
    assert result.method == name
    assert_verifies(result)
    if "group" in name:
        assert result.group_bits == 2048


@pytest.mark.parametrize(
    "name",
    [
        "curve25519-sha256",
        "curve448-sha512",
        "ecdh-sha2-nistp256",
        "ecdh-sha2-nistp521",
        "diffie-hellman-group14-sha256",
        "diffie-hellman-group16-sha512",
        "diffie-hellman-group1-sha1",
        "mlkem768x25519-sha256",
    ],
)
def test_client_against_respond(name: str) -> None:
    """The lab responder's server side agrees with the client side."""
    method = kex.METHODS[name]

    def serve(payload: bytes) -> list[bytes]:
        return [
            method.respond(payload, PREFIX, HOST_BLOB, lambda data: sign(HOST, "ssh-ed25519", data))
        ]

    assert_verifies(run_client(method, serve))


def test_modp_group14_matches_rfc_3526() -> None:
    assert kex.modp_prime(2048) == GROUP14


# The last 96 bits of each MODP prime as printed in RFC 2409 §6.2 / RFC 3526.
MODP_TAILS = {
    1024: "ECE65381FFFFFFFFFFFFFFFF",
    1536: "CA237327FFFFFFFFFFFFFFFF",
    2048: "8AACAA68FFFFFFFFFFFFFFFF",
    3072: "A93AD2CAFFFFFFFFFFFFFFFF",
    4096: "34063199FFFFFFFFFFFFFFFF",
    6144: "6DCC4024FFFFFFFFFFFFFFFF",
    8192: "98EDD3DFFFFFFFFFFFFFFFFF",
}


def _probably_prime(n: int, rounds: int = 4) -> bool:
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    rng = random.Random(n)
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


@pytest.mark.parametrize("bits", sorted(MODP_TAILS))
def test_modp_primes(bits: int) -> None:
    p = kex.modp_prime(bits)
    assert p.bit_length() == bits
    assert f"{p:X}".startswith("FFFFFFFFFFFFFFFFC90FDAA2")
    assert f"{p:X}".endswith(MODP_TAILS[bits])
    if bits <= 3072:  # safe primes (the larger ones are checked against sshd)
        assert _probably_prime(p, 2) and _probably_prime((p - 1) // 2, 2)


def test_preference() -> None:
    assert (
        kex.choose(["sntrup761x25519-sha512", "curve25519-sha256", "ecdh-sha2-nistp256"])
        is kex.METHODS["curve25519-sha256"]
    )
    assert (
        kex.choose(["diffie-hellman-group14-sha256", "ecdh-sha2-nistp384"]).name
        == "ecdh-sha2-nistp384"
    )  # type: ignore[union-attr]
    assert (
        kex.choose(["diffie-hellman-group-exchange-sha256", "diffie-hellman-group1-sha1"]).name
        == "diffie-hellman-group-exchange-sha256"
    )  # type: ignore[union-attr]
    assert kex.choose(["mlkem768x25519-sha256"]).name == "mlkem768x25519-sha256"  # type: ignore[union-attr]
    assert kex.choose(["sntrup761x25519-sha512", "kex-strict-s-v00@openssh.com"]) is None


# -- hostile replies ----------------------------------------------------------------------------


def _fixed_reply(server_public: bytes) -> Server:
    return lambda payload: [reply(server_public, b"whatever")]


@pytest.mark.parametrize(
    ("name", "server_public", "message"),
    [
        ("curve25519-sha256", sshstr(bytes(32)), "invalid public value|all-zero"),
        ("curve25519-sha256", sshstr(bytes(31)), "31 bytes"),
        ("ecdh-sha2-nistp256", sshstr(b"\x04" + bytes(64)), "not a point"),
        ("diffie-hellman-group14-sha256", sshmpint(1), "out of range"),
        ("diffie-hellman-group14-sha256", sshmpint(GROUP14 - 1), "out of range"),
        ("mlkem768x25519-sha256", sshstr(bytes(100)), "not 1120"),
    ],
)
def test_bad_server_values_are_protocol_errors(
    name: str, server_public: bytes, message: str
) -> None:
    with pytest.raises(SshProtocolError, match=message):
        run_client(kex.METHODS[name], _fixed_reply(server_public))


def test_gex_group_too_small() -> None:
    small = kex.modp_prime(1024)
    with pytest.raises(SshProtocolError, match="unacceptable group"):
        run_client(kex.METHODS["diffie-hellman-group-exchange-sha256"], gex_server(small, "sha256"))


def test_truncated_reply() -> None:
    with pytest.raises(SshProtocolError, match="truncated"):
        run_client(
            kex.METHODS["curve25519-sha256"], lambda payload: [bytes([31]) + sshstr(HOST_BLOB)]
        )


def test_respond_rejects_garbage() -> None:
    method = kex.METHODS["mlkem768x25519-sha256"]
    with pytest.raises(SshProtocolError):
        method.respond(bytes([30]) + sshstr(bytes(10)), PREFIX, HOST_BLOB, lambda d: b"")
    with pytest.raises(SshProtocolError):
        kex.METHODS["curve25519-sha256"].respond(bytes([20]), PREFIX, HOST_BLOB, lambda d: b"")
