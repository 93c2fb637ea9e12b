"""SSH lab servers for the demo and the tests: Debian's sshd, a pure-Python KEXINIT responder,
and hostile SSH-ish servers. Everything binds a loopback address and an ephemeral port, and is
stopped (process killed, connections cancelled, temporary folder removed) however the ``with``
block ends.

* :func:`sshd_server` runs ``/usr/sbin/sshd -D -e -f CONFIG`` with host keys generated here
  (Ed25519, ECDSA, RSA; optionally DSA and an OpenSSH host certificate) and optional
  ``KexAlgorithms`` / ``HostKeyAlgorithms`` / ``Ciphers`` / ``MACs`` restrictions. Its
  expected algorithm lists come from ``sshd -T`` (the server's own account of its
  configuration). :class:`SshdUnavailable` says why it cannot start (sshd not installed...).
* :func:`responder` serves a configurable identification string and KEXINIT (any names:
  ML-KEM hybrids, SSH-1, legacy algorithms) and answers the key exchanges it can
  (curve25519, ECDH, MODP groups, ``mlkem768x25519-sha256``) with host keys generated here.
* :func:`hostile_server` misbehaves on purpose (see :class:`SshHostileBehaviour`); its facts say
  which error a careful scanner reports.

Servers are :class:`SshLabServer` values with the lab's common shape (``name``, ``kind``,
``engine``, ``address``, ``port``, ``description``, ``expected``, ``pid``, ``endpoint``). The
expected facts are computed here from the configuration, ``sshd -T`` and the generated keys
(OpenSSH fingerprints with ``hashlib``), never by the collector's classification. The Python
servers run on the lab's shared asyncio loop (:class:`~pqcscan.demo.lab.loop.AsyncServer`);
the responder reuses the collector's wire code for framing and the server side of each key
exchange, so against it the collector is checked for what it *reports*, while its key
exchanges are checked independently against sshd and the RFC-written servers of the tests.

Limits: sshd cannot bind port 0, so a free port is picked and sshd restarted on another if it
was taken meanwhile; ``/run/sshd`` is created when missing (root). OpenSSH 9.2 offers
``sntrup761x25519-sha512`` but not ``mlkem768x25519-sha256``: the ML-KEM hybrid comes from
the responder.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ctypes
import hashlib
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID

from pqcscan.collectors.ssh import kex, wire
from pqcscan.collectors.ssh.transport import Transport
from pqcscan.demo.builders.classical import dsa_key, ec_key, ed25519_private, rsa_key
from pqcscan.demo.builders.entropy import seeded
from pqcscan.demo.lab.loop import AsyncServer, Handler
from pqcscan.demo.lab.model import check_loopback
from pqcscan.results import ErrorKind

SSHD = "/usr/sbin/sshd"
#: Seconds any start or stop step may take before the lab gives up (a guard against hangs).
START_TIMEOUT = 30.0
#: Seconds between SIGTERM and SIGKILL when stopping sshd.
STOP_GRACE = 3.0

SEEDED_NOW = 1_767_225_600  # 2026-01-01T00:00:00Z: "now" for host certificates of seeded fixtures
#: Seconds one responder connection may last.
SESSION_TIMEOUT = 30.0

HostPrivateKey = (
    ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | dsa.DSAPrivateKey
)


class SshLabError(RuntimeError):
    """A lab server could not start; the message says why (with the end of its log)."""


class SshdUnavailable(SshLabError):
    """Debian's sshd is not installed or cannot run here (tests skip with this message)."""


# --------------------------------------------------------------------------- facts and servers


@dataclass(frozen=True, slots=True)
class HostKeyFact:
    """A host key the server holds, as ``ssh-keygen -lf`` describes it."""

    key_type: str  # the key blob type: "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"...
    bits: int  # 256 for Ed25519 and P-256, the modulus size for RSA/DSA
    ssh_fingerprint: str  # "SHA256:..." (base64 of the SHA-256 of the blob, unpadded)
    public_line: str  # "ssh-ed25519 AAAA... comment": the ``.pub`` file's content
    public_path: Path | None = None  # where the lab wrote the .pub file (sshd servers)
    certificate: bool = False  # an OpenSSH host certificate (key_type ends -cert-v01@...)


@dataclass(frozen=True, slots=True)
class SshFacts:
    """What a careful scanner finds at a lab SSH server.

    Algorithm lists are the server's offer in its order, without the signals OpenSSH adds
    (``kex-strict-s-v00@openssh.com``, ``ext-info-s``). ``error`` is set for hostile servers:
    the report a careful scanner makes; ``acceptable_errors`` includes it.
    """

    banner: str | None = None  # the identification line, without CR LF
    proto_version: str | None = None  # "2.0", "1.99", "1.5"
    kex: tuple[str, ...] = ()
    host_key_algorithms: tuple[str, ...] = ()
    ciphers: tuple[str, ...] = ()
    macs: tuple[str, ...] = ()
    host_keys: tuple[HostKeyFact, ...] = ()
    #: Host keys a client can fetch (a key exchange this scanner can run is offered).
    host_keys_fetchable: bool = True
    pre_banner: tuple[str, ...] = ()
    error: ErrorKind | None = None
    acceptable_errors: frozenset[ErrorKind] = frozenset()

    @property
    def hybrid_kex(self) -> tuple[str, ...]:
        """Offered hybrid post-quantum key exchanges (names written here, not the catalog's)."""
        return tuple(n for n in self.kex if n.startswith(("mlkem", "sntrup")))


@dataclass(frozen=True, slots=True)
class SshLabServer:
    """A running SSH lab server: where it listens and what a scanner must find there."""

    name: str
    kind: str  # "ssh" (an SSH server) or "hostile"
    engine: str  # "openssh" (Debian's sshd) or "asyncio" (Python, in a lab thread)
    address: str  # literal loopback IP
    port: int
    description: str
    expected: SshFacts
    pid: int | None = None
    log: Path | None = None  # sshd's log file, for failure messages

    @property
    def endpoint(self) -> str:
        """``host:port``, with brackets for IPv6."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


# --------------------------------------------------------------------------- keys


@contextlib.contextmanager
def _dsa_quietly() -> Iterator[None]:
    """cryptography warns that its SSH DSA support is deprecated; the weak lab uses it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


def _openssh_public(key: HostPrivateKey) -> bytes:
    with _dsa_quietly():
        return key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )


def _blob(key: HostPrivateKey) -> bytes:
    return base64.b64decode(_openssh_public(key).split()[1])


def _fingerprint(blob: bytes) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _key_type(key: HostPrivateKey) -> str:
    blob = _blob(key)
    (size,) = struct.unpack(">I", blob[:4])
    return blob[4 : 4 + size].decode()


def _bits(key: HostPrivateKey) -> int:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return 256
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.curve.key_size
    return key.key_size


def generate_host_key(kind: str, bits: int | None = None) -> HostPrivateKey:
    """A host key: ``ed25519``, ``ecdsa`` (256/384/521), ``rsa`` (bits, default 3072), ``dsa``."""
    key: object
    if kind == "ed25519":
        return ed25519_private()
    if kind == "ecdsa":
        key = ec_key({256: "P-256", 384: "P-384", 521: "P-521"}[bits or 256]).classical
    elif kind == "rsa":
        key = rsa_key(bits or 3072).classical
    elif kind == "dsa":
        key = dsa_key(1024).classical
    else:
        raise ValueError(f"unknown host key kind {kind!r}")
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | dsa.DSAPrivateKey)
    return key


def _public_line(key: HostPrivateKey, comment: str = "root@pqcscan-lab") -> str:
    return f"{_openssh_public(key).decode()} {comment}"


def _fact(key: HostPrivateKey, path: Path | None = None) -> HostKeyFact:
    return HostKeyFact(
        _key_type(key), _bits(key), _fingerprint(_blob(key)), _public_line(key), path
    )


#: Host-key algorithm names -> the key blob type they need (OpenSSH 9.2's names).
_ALGORITHM_KEY = {
    "ssh-ed25519": "ssh-ed25519",
    "ecdsa-sha2-nistp256": "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384": "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521": "ecdsa-sha2-nistp521",
    "rsa-sha2-512": "ssh-rsa",
    "rsa-sha2-256": "ssh-rsa",
    "ssh-rsa": "ssh-rsa",
    "ssh-dss": "ssh-dss",
}
_CERT = "-cert-v01@openssh.com"


def _needs(algorithm: str) -> str | None:
    if algorithm.endswith(_CERT):
        base = _ALGORITHM_KEY.get(algorithm.removesuffix(_CERT))
        return base + _CERT if base else None
    return _ALGORITHM_KEY.get(algorithm)


def _sign(key: HostPrivateKey, algorithm: str, data: bytes) -> bytes:
    """An SSH signature blob over ``data`` (RFC 4253 §6.6, RFC 5656, RFC 8332, RFC 8709)."""
    name = algorithm.removesuffix(_CERT)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.sign(data)
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        digest = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(digest[key.curve.key_size])))
        raw = wire.mpint(r) + wire.mpint(s)
    elif isinstance(key, rsa.RSAPrivateKey):
        digest_of = {"rsa-sha2-512": hashes.SHA512(), "rsa-sha2-256": hashes.SHA256()}
        raw = key.sign(data, padding.PKCS1v15(), digest_of.get(name, hashes.SHA1()))
    else:
        r, s = decode_dss_signature(key.sign(data, hashes.SHA1()))
        raw = r.to_bytes(20, "big") + s.to_bytes(20, "big")
    return wire.string(name.encode()) + wire.string(raw)


# --------------------------------------------------------------------------- the asyncio side


@contextlib.contextmanager
def _serving(host: str, handler: Handler) -> Iterator[int]:
    """``handler`` on the lab's shared loop (:class:`~pqcscan.demo.lab.loop.AsyncServer`):
    yields the port; stopping closes the listener and cancels every live connection."""
    server = AsyncServer(check_loopback(host), handler)
    port = server.start()
    try:
        yield port
    finally:
        server.stop()


# --------------------------------------------------------------------------- the responder


@dataclass(frozen=True, slots=True)
class ResponderConfig:
    """A pure-Python SSH server that offers any algorithm names.

    It sends ``pre_banner`` lines and ``banner``, then (for SSH-2 banners) its KEXINIT, and
    completes the key exchanges :mod:`pqcscan.collectors.ssh.kex` can answer, signing with
    host keys of ``host_keys`` kinds (``ed25519``, ``ecdsa``, ``rsa``, ``dsa``). A client that
    asks for nothing it can do gets SSH_MSG_DISCONNECT (key exchange failed).
    """

    name: str
    description: str
    banner: str = "SSH-2.0-pqcscan_lab_responder"
    pre_banner: tuple[str, ...] = ()
    kex: tuple[str, ...] = ("curve25519-sha256",)
    host_key_algorithms: tuple[str, ...] = ("ssh-ed25519",)
    ciphers: tuple[str, ...] = ("aes256-gcm@openssh.com", "aes128-ctr")
    macs: tuple[str, ...] = ("hmac-sha2-256",)
    compression: tuple[str, ...] = ("none",)
    host_keys: tuple[str, ...] = ("ed25519",)
    rsa_bits: int = 3072

    @property
    def ssh2(self) -> bool:
        return self.banner.startswith(("SSH-2.0-", "SSH-1.99-"))


#: The responder configurations the tests and the demo use.
RESPONDERS: dict[str, ResponderConfig] = {
    c.name: c
    for c in (
        ResponderConfig(
            "ssh-pq-only-mlkem",
            "SSH server offering only the ML-KEM-768 + X25519 hybrid key exchange",
            banner="SSH-2.0-OpenSSH_10.0 pqcscan-lab",
            kex=("mlkem768x25519-sha256", "ext-info-s", "kex-strict-s-v00@openssh.com"),
            ciphers=("aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"),
            macs=("hmac-sha2-512-etm@openssh.com",),
        ),
        ResponderConfig(
            "ssh-1",
            "SSH-1 only server (protocol 1.5)",
            banner="SSH-1.5-OpenSSH_2.5.2p2",
        ),
        ResponderConfig(
            "ssh-1.99",
            "SSH server accepting SSH-1 and SSH-2 (1.99)",
            banner="SSH-1.99-OpenSSH_3.9p1",
            pre_banner=("Authorised access only.",),
        ),
        ResponderConfig(
            "ssh-legacy",
            "Legacy SSH server: diffie-hellman-group1-sha1, ssh-rsa 1024, 3des-cbc, hmac-md5",
            banner="SSH-2.0-OpenSSH_5.3",
            kex=("diffie-hellman-group1-sha1",),
            host_key_algorithms=("ssh-rsa",),
            ciphers=("3des-cbc",),
            macs=("hmac-md5",),
            host_keys=("rsa",),
            rsa_bits=1024,
        ),
        ResponderConfig(
            "ssh-sntrup-only",
            "SSH server offering only sntrup761x25519-sha512 (no Python implementation)",
            banner="SSH-2.0-OpenSSH_9.9",
            kex=("sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"),
        ),
        ResponderConfig(
            "ssh-unknown-names",
            "SSH server offering names no catalog knows",
            kex=("curve25519-sha256", "frobnicate-kex@example.com"),
            ciphers=("aes128-ctr", "rot13@example.com"),
            macs=("hmac-sha2-256", "crc32@example.com"),
        ),
    )
}


class _Responder:
    def __init__(self, config: ResponderConfig) -> None:
        self.config = config
        self.keys: dict[str, HostPrivateKey] = {}
        for kind in config.host_keys:
            key = generate_host_key(kind, config.rsa_bits if kind == "rsa" else None)
            self.keys[_key_type(key)] = key

    def kexinit(self) -> bytes:
        c = self.config
        return wire.build_kexinit(
            wire.KexInit(
                c.kex,
                c.host_key_algorithms,
                c.ciphers,
                c.ciphers,
                c.macs,
                c.macs,
                c.compression,
                c.compression,
                cookie=os.urandom(16),
            )
        )

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one client; a client that leaves early or speaks badly just ends it (a
        scanner's port probes do both)."""
        with contextlib.suppress(wire.SshProtocolError, wire.ConnectionClosed):
            await self._serve(reader, writer)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        t = Transport(reader, writer, loop.time() + SESSION_TIMEOUT)
        c = self.config
        for line in c.pre_banner:
            writer.write(line.encode() + b"\r\n")
        ours = c.banner.encode()
        await t.send(ours + b"\r\n")
        await t.read_identification()
        if not c.ssh2:
            await asyncio.sleep(0.2)  # an SSH-1 server would now send its public key packet
            return
        our_kexinit = self.kexinit()
        await t.send_packet(our_kexinit)
        t.stage = "the client's KEXINIT"
        client_kexinit = await t.read_message(wire.MSG_KEXINIT)
        client = wire.parse_kexinit(client_kexinit)
        method = next(
            (kex.METHODS[n] for n in client.kex if n in c.kex and n in kex.SERVER_METHODS), None
        )
        algorithm = next(
            (a for a in client.host_key if a in c.host_key_algorithms and _needs(a) in self.keys),
            None,
        )
        if method is None or algorithm is None:
            await t.send_packet(wire.disconnect(3, "no matching key exchange or host key"))
            return
        key = self.keys[str(_needs(algorithm))]
        t.stage = "the client's key exchange init"
        init = await t.read_message(wire.MSG_KEX_ECDH_INIT)
        prefix = kex.exchange_prefix(t.peer_identification, ours, client_kexinit, our_kexinit)
        reply = method.respond(init, prefix, _blob(key), lambda h: _sign(key, algorithm, h))
        await t.send_packet(reply)
        t.stage = "the client's NEWKEYS or DISCONNECT"
        with contextlib.suppress(Exception):
            await t.read_message(wire.MSG_NEWKEYS)

    def facts(self) -> SshFacts:
        c = self.config
        fetchable = any(n in kex.SERVER_METHODS for n in c.kex)
        if not c.ssh2:
            return SshFacts(c.banner, c.banner.split("-")[1], pre_banner=c.pre_banner)
        return SshFacts(
            banner=c.banner,
            proto_version=c.banner.split("-")[1],
            kex=tuple(n for n in c.kex if not n.startswith(("ext-info-", "kex-strict-"))),
            host_key_algorithms=c.host_key_algorithms,
            ciphers=c.ciphers,
            macs=c.macs,
            host_keys=tuple(_fact(k) for k in self.keys.values()),
            host_keys_fetchable=fetchable,
            pre_banner=c.pre_banner,
        )


@contextlib.contextmanager
def responder(config: ResponderConfig | str, host: str = "127.0.0.1") -> Iterator[SshLabServer]:
    """Run a KEXINIT responder (a :class:`ResponderConfig` or a name in :data:`RESPONDERS`)."""
    cfg = RESPONDERS[config] if isinstance(config, str) else config
    check_loopback(host)
    impl = _Responder(cfg)
    with _serving(host, impl.handle) as port:
        yield SshLabServer(cfg.name, "ssh", "asyncio", host, port, cfg.description, impl.facts())


# --------------------------------------------------------------------------- hostile servers


class SshHostileBehaviour(StrEnum):
    """How a hostile SSH server misbehaves."""

    SILENT = "silent"  # accepts, never sends anything
    BANNER_THEN_SILENCE = "banner-then-silence"  # identification, then nothing
    GARBAGE_LENGTH = "garbage-length"  # identification, then a packet length of 2 GiB
    ENDLESS_BANNER = "endless-banner"  # "SSH-2.0-" and a line that never ends
    TRUNCATED_KEXINIT = "truncated-kexinit"  # a well-framed KEXINIT cut inside a name-list
    CUT_KEXINIT = "cut-kexinit"  # half a KEXINIT packet, then the connection closes
    DRIP = "drip"  # the identification string one byte a second
    RESET_AFTER_BANNER = "reset-after-banner"  # identification, then a TCP reset
    CLOSE = "close"  # accepts and closes at once
    DISCONNECT = "disconnect"  # identification, then SSH_MSG_DISCONNECT (too many connections)
    HTTP = "http"  # answers "HTTP/1.1 400 Bad Request"
    TLS = "tls"  # a TLS server (Python's ssl module)
    ENDLESS_PRE_BANNER = "endless-pre-banner"  # text lines before the identification, forever
    HUGE_NAME_LIST = "huge-name-list"  # identification, then a KEXINIT with a 1 MiB name-list
    MAX_LENGTH = "max-length"  # identification, then a packet length of 2^32-1


_BANNER = b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"
_HOSTILE_FACTS: dict[SshHostileBehaviour, tuple[str, ErrorKind, frozenset[ErrorKind]]] = {
    SshHostileBehaviour.SILENT: ("accepts and never sends", ErrorKind.TIMEOUT, frozenset()),
    SshHostileBehaviour.BANNER_THEN_SILENCE: (
        "identification string, then silence",
        ErrorKind.TIMEOUT,
        frozenset(),
    ),
    SshHostileBehaviour.GARBAGE_LENGTH: (
        "identification string, then a 2 GiB packet length",
        ErrorKind.PROTOCOL_ERROR,
        frozenset(),
    ),
    SshHostileBehaviour.ENDLESS_BANNER: (
        "an identification line that never ends",
        ErrorKind.PROTOCOL_ERROR,
        frozenset(),
    ),
    SshHostileBehaviour.TRUNCATED_KEXINIT: (
        "a KEXINIT packet whose name-list runs past its end",
        ErrorKind.PROTOCOL_ERROR,
        frozenset(),
    ),
    SshHostileBehaviour.CUT_KEXINIT: (
        "half a KEXINIT packet, then the connection closes",
        ErrorKind.PROTOCOL_ERROR,
        frozenset({ErrorKind.RESET}),
    ),
    SshHostileBehaviour.DRIP: (
        "the identification one byte a second",
        ErrorKind.TIMEOUT,
        frozenset(),
    ),
    SshHostileBehaviour.RESET_AFTER_BANNER: (
        "identification string, then a TCP reset",
        ErrorKind.RESET,
        frozenset(),
    ),
    SshHostileBehaviour.CLOSE: (
        "accepts and closes at once",
        ErrorKind.PROTOCOL_ERROR,
        frozenset({ErrorKind.RESET}),
    ),
    SshHostileBehaviour.DISCONNECT: (
        "identification string, then SSH_MSG_DISCONNECT (too many connections)",
        ErrorKind.PROTOCOL_ERROR,
        frozenset(),
    ),
    SshHostileBehaviour.HTTP: (
        "an HTTP server",
        ErrorKind.PROTOCOL_ERROR,
        frozenset({ErrorKind.RESET}),
    ),
    SshHostileBehaviour.TLS: (
        "a TLS server",
        ErrorKind.PROTOCOL_ERROR,
        frozenset({ErrorKind.RESET}),
    ),
    SshHostileBehaviour.ENDLESS_PRE_BANNER: (
        "text lines before the identification string, without end",
        ErrorKind.PROTOCOL_ERROR,
        frozenset(),
    ),
    SshHostileBehaviour.HUGE_NAME_LIST: (
        "a KEXINIT packet holding a 1 MiB name-list",
        ErrorKind.PROTOCOL_ERROR,
        frozenset(),
    ),
    SshHostileBehaviour.MAX_LENGTH: (
        "identification string, then a packet length of 2^32-1",
        ErrorKind.PROTOCOL_ERROR,
        frozenset(),
    ),
}

HUGE_NAME_LIST = 1 << 20
"""Bytes of the one kex name-list of the huge-name-list KEXINIT."""


def _huge_kexinit() -> bytes:
    names = b",".join([b"curve25519-sha256"] + [b"x" * 63] * (HUGE_NAME_LIST // 64))
    empty = wire.string(b"")
    payload = (
        bytes([wire.MSG_KEXINIT])
        + bytes(16)
        + wire.string(names[:HUGE_NAME_LIST])
        + empty * 9
        + b"\x00"
        + bytes(4)
    )
    return wire.frame(payload)


def _truncated_kexinit() -> bytes:
    payload = (
        bytes([wire.MSG_KEXINIT]) + os.urandom(16) + struct.pack(">I", 5000) + b"curve25519-sha256"
    )
    return wire.frame(payload)


async def _hostile(
    behaviour: SshHostileBehaviour, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    forever = asyncio.get_running_loop().create_future()  # cancelled when the server stops
    if behaviour is SshHostileBehaviour.SILENT:
        await forever
    elif behaviour is SshHostileBehaviour.CLOSE:
        writer.close()
    elif behaviour is SshHostileBehaviour.DRIP:
        for byte in _BANNER:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(1.0)
    elif behaviour is SshHostileBehaviour.ENDLESS_BANNER:
        writer.write(b"SSH-2.0-")
        for _ in range(4096):  # 4 MiB at most, then give up
            writer.write(b"A" * 1024)
            await writer.drain()
            await asyncio.sleep(0.001)
        await forever
    elif behaviour is SshHostileBehaviour.HTTP:
        await reader.readline()
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()
    elif behaviour is SshHostileBehaviour.TLS:
        await forever  # the TLS layer answers (or fails) before this handler runs
    elif behaviour is SshHostileBehaviour.ENDLESS_PRE_BANNER:
        for n in range(1 << 16):  # 2 MiB at most, then give up
            writer.write(b"Welcome to the hostile lab, line %d\r\n" % n)
            await writer.drain()
        await forever
    else:
        writer.write(_BANNER)
        await writer.drain()
        await reader.readline()
        if behaviour is SshHostileBehaviour.BANNER_THEN_SILENCE:
            await forever
        elif behaviour is SshHostileBehaviour.GARBAGE_LENGTH:
            writer.write(struct.pack(">I", 0x80000000) + os.urandom(64))
            await writer.drain()
            await forever
        elif behaviour is SshHostileBehaviour.MAX_LENGTH:
            writer.write(struct.pack(">I", 0xFFFFFFFF) + os.urandom(64))
            await writer.drain()
            await forever
        elif behaviour is SshHostileBehaviour.HUGE_NAME_LIST:
            writer.write(_huge_kexinit())
            await writer.drain()
            await forever
        elif behaviour is SshHostileBehaviour.TRUNCATED_KEXINIT:
            writer.write(_truncated_kexinit())
            await writer.drain()
            await forever
        elif behaviour is SshHostileBehaviour.CUT_KEXINIT:
            packet = wire.frame(_Responder(RESPONDERS["ssh-legacy"]).kexinit())
            writer.write(packet[: len(packet) // 2])
            await writer.drain()
            writer.close()
        elif behaviour is SshHostileBehaviour.RESET_AFTER_BANNER:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        elif behaviour is SshHostileBehaviour.DISCONNECT:
            writer.write(wire.frame(wire.disconnect(12, "Too many connections")))
            await writer.drain()
            await forever


def _tls_context(directory: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


@contextlib.contextmanager
def hostile_server(
    behaviour: SshHostileBehaviour | str, host: str = "127.0.0.1"
) -> Iterator[SshLabServer]:
    """Run a hostile server; its facts name the error a careful scanner reports."""
    b = SshHostileBehaviour(behaviour)
    description, error, also = _HOSTILE_FACTS[b]
    with tempfile.TemporaryDirectory(prefix="pqcscan-ssh-hostile-") as tmp:
        context = _tls_context(Path(tmp)) if b is SshHostileBehaviour.TLS else None

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if context is not None:  # a TLS server: the handshake meets our SSH banner
                await writer.start_tls(context)
            await _hostile(b, reader, writer)

        with _serving(host, handle) as port:
            facts = SshFacts(error=error, acceptable_errors=frozenset({error}) | also)
            yield SshLabServer(
                f"ssh-hostile-{b.value}", "hostile", "asyncio", host, port, description, facts
            )


# --------------------------------------------------------------------------- Debian's sshd


@dataclass(frozen=True, slots=True)
class SshdConfig:
    """An sshd to start. ``None`` lists keep OpenSSH's defaults."""

    name: str = "sshd"
    description: str = "Debian's OpenSSH server with its default algorithms"
    host_keys: tuple[str, ...] = ("ed25519", "ecdsa", "rsa")  # also "dsa"
    rsa_bits: int = 3072
    ecdsa_bits: int = 256
    kex: tuple[str, ...] | None = None  # KexAlgorithms
    host_key_algorithms: tuple[str, ...] | None = None  # HostKeyAlgorithms
    ciphers: tuple[str, ...] | None = None
    macs: tuple[str, ...] | None = None
    #: Sign the Ed25519 host key with a lab CA and serve the certificate (HostCertificate).
    host_certificate: bool = False


#: The sshd configurations the tests and the demo use.
SSHD_CONFIGS: dict[str, SshdConfig] = {
    c.name: c
    for c in (
        SshdConfig(),
        SshdConfig(
            "sshd-hybrid",
            "OpenSSH with only sntrup761x25519-sha512 and curve25519-sha256",
            kex=("sntrup761x25519-sha512@openssh.com", "curve25519-sha256"),
        ),
        SshdConfig(
            "sshd-pq-only",
            "OpenSSH with only the sntrup761x25519-sha512 hybrid key exchange",
            kex=("sntrup761x25519-sha512@openssh.com",),
        ),
        SshdConfig(
            "sshd-weak",
            "OpenSSH configured with legacy algorithms (group1, ssh-rsa 1024, DSA, 3DES, MD5)",
            host_keys=("rsa", "dsa"),
            rsa_bits=1024,
            kex=("diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1"),
            host_key_algorithms=("ssh-rsa", "ssh-dss"),
            ciphers=("3des-cbc", "aes128-cbc"),
            macs=("hmac-md5", "hmac-sha1"),
        ),
        SshdConfig(
            "sshd-certificate",
            "OpenSSH presenting an Ed25519 host certificate from a lab CA",
            host_keys=("ed25519",),
            host_certificate=True,
        ),
    )
}


def sshd_path() -> str:
    """The sshd binary, or :class:`SshdUnavailable` saying how to get it."""
    if not Path(SSHD).is_file() or not os.access(SSHD, os.X_OK):
        raise SshdUnavailable(
            f"{SSHD} not found: install Debian's OpenSSH server (apt-get install openssh-server)"
        )
    return SSHD


def _privsep_dir() -> None:
    """sshd refuses to start without its privilege-separation directory."""
    path = Path("/run/sshd")
    if path.is_dir():
        return
    try:
        path.mkdir(mode=0o755, parents=True)
    except OSError as exc:
        raise SshdUnavailable(f"sshd needs {path} and it cannot be created: {exc}") from None


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _write_key(directory: Path, kind: str, key: HostPrivateKey) -> Path:
    path = directory / f"ssh_host_{kind}_key"
    with _dsa_quietly():
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    path.write_bytes(private)
    path.chmod(0o600)
    path.with_suffix(".pub").write_text(_public_line(key) + "\n")
    return path


def _host_certificate(directory: Path, key: HostPrivateKey) -> tuple[Path, HostKeyFact]:
    ca = ed25519_private()
    # Fixed validity for deterministic fixtures (the sample inventory), else around now.
    now = SEEDED_NOW if seeded() else int(time.time())
    cert = (
        serialization.SSHCertificateBuilder()
        .public_key(key.public_key())  # type: ignore[arg-type]
        .serial(1)
        .type(serialization.SSHCertificateType.HOST)
        .key_id(b"pqcscan-lab-host")
        .valid_principals([b"localhost", b"127.0.0.1"])
        .valid_after(now - 3600)
        .valid_before(now + 30 * 86400)
        .sign(ca)
    )
    line = cert.public_bytes().decode()
    blob = base64.b64decode(line.split()[1])
    path = directory / "ssh_host_ed25519_key-cert.pub"
    path.write_text(line + "\n")
    (directory / "lab_ca.pub").write_text(_public_line(ca, "lab-ca") + "\n")
    fact = HostKeyFact(
        line.split()[0], _bits(key), _fingerprint(blob), line, path, certificate=True
    )
    return path, fact


def _sshd_config(
    directory: Path, host: str, port: int, keys: list[Path], cfg: SshdConfig, cert: Path | None
) -> Path:
    lines = [
        f"Port {port}",
        f"ListenAddress {host}",
        *(f"HostKey {k}" for k in keys),
        *([f"HostCertificate {cert}"] if cert else []),
        f"PidFile {directory / 'sshd.pid'}",
        "UsePAM no",
        "StrictModes no",
        "PermitRootLogin no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PubkeyAuthentication no",
        "AuthorizedKeysFile none",
        "X11Forwarding no",
        "PrintMotd no",
        "MaxStartups 200:30:400",
        "LoginGraceTime 30",
        "LogLevel INFO",
    ]
    for option, values in (
        ("KexAlgorithms", cfg.kex),
        ("HostKeyAlgorithms", cfg.host_key_algorithms),
        ("Ciphers", cfg.ciphers),
        ("MACs", cfg.macs),
    ):
        if values is not None:
            lines.append(f"{option} {','.join(values)}")
    path = directory / "sshd_config"
    path.write_text("\n".join(lines) + "\n")
    return path


def _effective(config: Path) -> dict[str, tuple[str, ...]]:
    """The algorithm lists sshd itself reports for ``config`` (``sshd -T``)."""
    result = subprocess.run(
        [sshd_path(), "-T", "-f", str(config)],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise SshLabError(f"sshd -T rejected the lab configuration: {result.stderr.strip()[-500:]}")
    out: dict[str, tuple[str, ...]] = {}
    for line in result.stdout.splitlines():
        option, _, value = line.partition(" ")
        if option in ("kexalgorithms", "hostkeyalgorithms", "ciphers", "macs"):
            out[option] = tuple(value.split(","))
    return out


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: sshd gets SIGKILL if the thread that started it dies (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(START_TIMEOUT)


def _start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sshd_path(), "-D", "-e", "-f", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # only a prctl between fork and exec
        )


def _wait_listening(process: subprocess.Popen[bytes], log: Path) -> bool:
    """True once sshd listens; False if it exited because the port was taken."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if "Server listening on" in text:
            return True
        if process.poll() is not None:
            if "Address already in use" in text:
                return False
            raise SshLabError(f"sshd exited with {process.returncode}: {text.strip()[-800:]}")
        time.sleep(0.02)
    raise SshLabError(f"sshd did not listen within {START_TIMEOUT:g} s: {log.read_text()[-800:]}")


@contextlib.contextmanager
def sshd_server(
    config: SshdConfig | str = "sshd", host: str = "127.0.0.1"
) -> Iterator[SshLabServer]:
    """Run Debian's sshd with generated host keys (a :class:`SshdConfig` or a name in
    :data:`SSHD_CONFIGS`). Raises :class:`SshdUnavailable` when sshd cannot run here."""
    cfg = SSHD_CONFIGS[config] if isinstance(config, str) else config
    check_loopback(host)
    sshd_path()
    _privsep_dir()
    directory = Path(tempfile.mkdtemp(prefix="pqcscan-sshd-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        keys: list[Path] = []
        facts: list[HostKeyFact] = []
        cert: Path | None = None
        for kind in cfg.host_keys:
            bits = cfg.rsa_bits if kind == "rsa" else cfg.ecdsa_bits if kind == "ecdsa" else None
            key = generate_host_key(kind, bits)
            path = _write_key(directory, kind, key)
            keys.append(path)
            facts.append(_fact(key, path.with_suffix(".pub")))
            if kind == "ed25519" and cfg.host_certificate:
                cert, cert_fact = _host_certificate(directory, key)
                facts.insert(0, cert_fact)
        log = directory / "sshd.log"
        for _ in range(8):  # a port taken between our probe and sshd's bind: try another
            port = _free_port(host)
            conf = _sshd_config(directory, host, port, keys, cfg, cert)
            process = _start(conf, log)
            if _wait_listening(process, log):
                break
            _stop(process)
            process = None
        if process is None:
            raise SshLabError(f"sshd found no free port on {host}")
        effective = _effective(conf)
        have = {f.key_type for f in facts}
        expected = SshFacts(
            banner=None,  # the Debian package revision is in the banner: not fixed here
            proto_version="2.0",
            kex=effective["kexalgorithms"],
            host_key_algorithms=tuple(
                a for a in effective["hostkeyalgorithms"] if _needs(a) in have
            ),
            ciphers=effective["ciphers"],
            macs=effective["macs"],
            host_keys=tuple(facts),
            host_keys_fetchable=any(n in kex.METHODS for n in effective["kexalgorithms"]),
        )
        yield SshLabServer(
            cfg.name, "ssh", "openssh", host, port, cfg.description, expected, process.pid, log
        )
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(directory, ignore_errors=True)


__all__ = [
    "HOSTILE_BEHAVIOURS",
    "RESPONDERS",
    "SSHD_CONFIGS",
    "HostKeyFact",
    "ResponderConfig",
    "SshFacts",
    "SshHostileBehaviour",
    "SshLabError",
    "SshLabServer",
    "SshdConfig",
    "SshdUnavailable",
    "hostile_server",
    "responder",
    "sshd_server",
]

#: Every hostile behaviour, for parametrised tests.
HOSTILE_BEHAVIOURS: tuple[SshHostileBehaviour, ...] = tuple(SshHostileBehaviour)
