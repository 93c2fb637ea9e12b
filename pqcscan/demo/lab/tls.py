"""TLS servers, three engines:

- :class:`ClassicTlsSpec`: Python's ``ssl`` (system OpenSSL 3.0) on the lab loop; TLS 1.2/1.3,
  chosen suites, RSA/ECDSA/Ed25519 chains; many concurrent connections.
- :class:`OpenSslCliSpec`: Debian's ``openssl s_server`` (3.0) for weak configurations: one
  protocol version, chosen suites at ``@SECLEVEL=0``, DHE with a chosen group size, weak
  certificates. It serves one connection at a time.
- :class:`PqcTlsSpec`: pyOpenSSL on OpenSSL 3.5 in a subprocess whose ``OPENSSL_CONF`` sets the
  group list: hybrid and pure ML-KEM groups, ML-DSA certificates.

Every server answers a small HTTP response to whatever it reads after the handshake.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import ssl
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import ClassVar, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dh

from pqcscan.demo.lab.certs import CertProfile, chain
from pqcscan.demo.lab.channel import Channel
from pqcscan.demo.lab.loop import AsyncServer
from pqcscan.demo.lab.model import (
    CIPHER_SUITES,
    TLS13_DEFAULT_SUITES,
    Engine,
    Expected,
    LabServer,
    ServerKind,
    TlsFacts,
    TlsVersion,
)
from pqcscan.demo.lab.process import LabProcess, openssl_conf, private_folder
from pqcscan.demo.lab.spec import DEFAULT_HOST, AsyncRunning, ProcessRunning, Running, ServerSpec

OPENSSL30_DEFAULT_GROUPS: Final = (
    "x25519",
    "secp256r1",
    "x448",
    "secp521r1",
    "secp384r1",
    "ffdhe2048",
    "ffdhe3072",
    "ffdhe4096",
    "ffdhe6144",
    "ffdhe8192",
)
"""Groups OpenSSL 3.0 accepts in TLS 1.3 when none are configured."""

OPENSSL30_DEFAULT_CURVES: Final = ("x25519", "secp256r1", "x448", "secp521r1", "secp384r1")
"""The ECDHE curves among them (what TLS 1.2 ECDHE suites may use)."""

OPENSSL35_DEFAULT_GROUPS: Final = (
    "X25519MLKEM768",
    "x25519",
    "secp256r1",
    "x448",
    "secp384r1",
    "secp521r1",
    "ffdhe2048",
    "ffdhe3072",
)
"""Groups OpenSSL 3.5 accepts in TLS 1.3 when none are configured (X25519MLKEM768 first)."""

OPENSSL_GROUP_NAMES: Final[dict[str, str]] = {
    "x25519": "X25519",
    "x448": "X448",
    "secp256r1": "P-256",
    "secp384r1": "P-384",
    "secp521r1": "P-521",
    "ffdhe2048": "ffdhe2048",
    "ffdhe3072": "ffdhe3072",
    "ffdhe4096": "ffdhe4096",
    "MLKEM512": "MLKEM512",
    "MLKEM768": "MLKEM768",
    "MLKEM1024": "MLKEM1024",
    "SecP256r1MLKEM768": "SecP256r1MLKEM768",
    "X25519MLKEM768": "X25519MLKEM768",
    "SecP384r1MLKEM1024": "SecP384r1MLKEM1024",
}
"""IANA group name -> the name OpenSSL's group lists take."""

_PYTHON_CURVES: Final = {
    "secp256r1": "prime256v1",
    "secp384r1": "secp384r1",
    "secp521r1": "secp521r1",
    "x25519": "X25519",
    "x448": "X448",
}

_EC_CURVES: Final = {"EC-P-256": "secp256r1", "EC-P-384": "secp384r1", "EC-P-521": "secp521r1"}

_SSL_VERSIONS: Final = {
    TlsVersion.TLS1_0: ssl.TLSVersion.TLSv1,
    TlsVersion.TLS1_1: ssl.TLSVersion.TLSv1_1,
    TlsVersion.TLS1_2: ssl.TLSVersion.TLSv1_2,
    TlsVersion.TLS1_3: ssl.TLSVersion.TLSv1_3,
}

_S_SERVER_VERSION_FLAGS: Final = {
    TlsVersion.SSL3: "-ssl3",
    TlsVersion.TLS1_0: "-tls1",
    TlsVersion.TLS1_1: "-tls1_1",
    TlsVersion.TLS1_2: "-tls1_2",
    TlsVersion.TLS1_3: "-tls1_3",
}

RFC2409_GROUP2_P: Final = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)
"""The 1024-bit MODP group of RFC 2409 (Oakley group 2), generator 2: the DHE group of many
old servers (and of the Logjam paper's precomputation)."""


def _iana_suites(openssl_names: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [n for n in openssl_names if n not in CIPHER_SUITES]
    if unknown:
        raise ValueError(f"cipher suites missing from the lab table: {unknown}")
    return tuple(CIPHER_SUITES[n].iana for n in openssl_names)


def _uses_ecdhe(openssl_names: tuple[str, ...]) -> bool:
    return any(n.startswith("ECDHE-") for n in openssl_names)


def _check_range(versions: tuple[TlsVersion, ...]) -> tuple[TlsVersion, TlsVersion]:
    order = list(TlsVersion)
    idx = sorted(order.index(v) for v in versions)
    if not idx or idx != list(range(idx[0], idx[-1] + 1)):
        raise ValueError(f"versions must be a non-empty contiguous range, not {versions}")
    return order[idx[0]], order[idx[-1]]


def _http_reply(name: str) -> bytes:
    body = f"pqcscan lab: {name}\n".encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


async def serve_tls_once(channel: Channel, context: ssl.SSLContext, name: str) -> None:
    """Handshake, read one request (any bytes), answer a small HTTP response, close_notify."""
    await channel.start_tls(context)
    if await channel.read():
        await channel.write(_http_reply(name))
    await channel.close_tls()


# --------------------------------------------------------------------------- Python ssl


@dataclass(frozen=True)
class ClassicTlsSpec(ServerSpec):
    """A classic TLS 1.2/1.3 server on Python's ``ssl`` (system OpenSSL 3.0).

    ``ciphers``: OpenSSL names of the TLS 1.2 suites, in preference order (TLS 1.3 suites are
    OpenSSL's defaults). ``curve``: restrict the groups to this one (IANA name); by default
    OpenSSL 3.0's whole default list is accepted.
    """

    name: str
    description: str
    cert: CertProfile
    versions: tuple[TlsVersion, ...] = (TlsVersion.TLS1_2, TlsVersion.TLS1_3)
    ciphers: tuple[str, ...] = ()
    curve: str | None = None

    kind: ClassVar[ServerKind] = ServerKind.TLS
    engine: ClassVar[Engine] = Engine.PYTHON_SSL

    def __post_init__(self) -> None:
        _check_range(self.versions)
        if not set(self.versions) <= {TlsVersion.TLS1_2, TlsVersion.TLS1_3}:
            raise ValueError("Python ssl lab servers speak TLS 1.2 and 1.3 only")
        if (TlsVersion.TLS1_2 in self.versions) != bool(self.ciphers):
            raise ValueError("TLS 1.2 suites are given exactly when TLS 1.2 is accepted")
        if self.curve is not None and self.curve not in _PYTHON_CURVES:
            raise ValueError(f"curve must be one of {sorted(_PYTHON_CURVES)}")

    def tls_facts(self) -> TlsFacts:
        tls13 = TlsVersion.TLS1_3 in self.versions
        if self.curve is not None:
            groups: tuple[str, ...] = (self.curve,)
        elif tls13:
            groups = OPENSSL30_DEFAULT_GROUPS
        elif not _uses_ecdhe(self.ciphers):
            groups = ()
        else:
            # In TLS 1.2 the client's curve list also constrains an ECDSA certificate
            # (RFC 8422 §5.1): a hello offering one curve succeeds only with the leaf's curve.
            leaf_curve = _EC_CURVES.get(chain(self.cert).facts.key_algorithm)
            groups = (leaf_curve,) if leaf_curve else OPENSSL30_DEFAULT_CURVES
        return TlsFacts(
            versions=frozenset(self.versions),
            groups=groups,
            cipher_suites=_iana_suites(self.ciphers),
            tls13_cipher_suites=TLS13_DEFAULT_SUITES if tls13 else (),
            certificate=chain(self.cert).facts,
        )

    def expected(self) -> Expected:
        return Expected(tls=self.tls_facts())

    def ssl_context(self) -> ssl.SSLContext:
        """The server context (certificate files are read once, then deleted)."""
        low, high = _check_range(self.versions)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = _SSL_VERSIONS[low]
        ctx.maximum_version = _SSL_VERSIONS[high]
        if self.ciphers:
            ctx.set_ciphers(":".join(self.ciphers))
        if self.curve is not None:
            ctx.set_ecdh_curve(_PYTHON_CURVES[self.curve])
        folder = private_folder()
        try:
            chain_file, key_file = chain(self.cert).write(folder)
            ctx.load_cert_chain(chain_file, key_file)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return ctx

    def launch(self, host: str = DEFAULT_HOST, *, name: str | None = None) -> Running:
        label = name or self.name
        context = self.ssl_context()

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await serve_tls_once(Channel(reader, writer), context, label)

        server = AsyncServer(host, handler)
        return AsyncRunning(server, lambda port: self.server(host, port, name))


# --------------------------------------------------------------------------- openssl s_server


@cache
def dhparam_pem(bits: int) -> bytes:
    """PKCS#3 DH parameters: RFC 2409 group 2 for 1024 bits, freshly generated otherwise."""
    if bits == 1024:
        params = dh.DHParameterNumbers(RFC2409_GROUP2_P, 2).parameters()
    else:
        params = dh.generate_parameters(2, bits)
    return params.parameter_bytes(serialization.Encoding.PEM, serialization.ParameterFormat.PKCS3)


_ACCEPT: Final = re.compile(r"^ACCEPT .*:(?P<ports>\d+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class OpenSslCliSpec(ServerSpec):
    """A weak configuration on Debian's ``openssl s_server``: exactly one protocol ``version``,
    the TLS 1.2-and-below ``ciphers`` (OpenSSL names) at ``@SECLEVEL=0``, ``groups`` for ECDHE
    suites, ``dh_bits`` for DHE suites. Sequential: one connection at a time."""

    name: str
    description: str
    cert: CertProfile
    version: TlsVersion
    ciphers: tuple[str, ...]
    groups: tuple[str, ...] = ("x25519", "secp256r1")
    dh_bits: int | None = None

    kind: ClassVar[ServerKind] = ServerKind.TLS
    engine: ClassVar[Engine] = Engine.OPENSSL_CLI

    def __post_init__(self) -> None:
        if self.version is TlsVersion.TLS1_3:
            raise ValueError("s_server lab servers are for TLS 1.2 and below")
        if any(n.startswith("DHE-") for n in self.ciphers) != (self.dh_bits is not None):
            raise ValueError("dh_bits is given exactly when a DHE suite is configured")

    def expected(self) -> Expected:
        return Expected(
            tls=TlsFacts(
                versions=frozenset({self.version}),
                groups=self.groups if _uses_ecdhe(self.ciphers) else (),
                cipher_suites=_iana_suites(self.ciphers),
                tls13_cipher_suites=(),
                certificate=chain(self.cert).facts,
                dh_bits=self.dh_bits,
            )
        )

    def launch(self, host: str = DEFAULT_HOST, *, name: str | None = None) -> Running:
        lab_chain = chain(self.cert)
        self.expected()  # fail on a bad table entry before starting anything
        folder = private_folder()
        (folder / "leaf.pem").write_bytes(lab_chain.leaf.pem)
        (folder / "root.pem").write_bytes(lab_chain.root.pem)
        _, key_file = lab_chain.write(folder)
        accept = f"[{host}]:0" if ":" in host else f"{host}:0"
        argv = [
            "openssl",
            "s_server",
            "-www",
            "-accept",
            accept,
            "-cert",
            "leaf.pem",
            "-cert_chain",
            "root.pem",
            "-key",
            key_file.name,
            _S_SERVER_VERSION_FLAGS[self.version],
            "-cipher",
            ":".join(self.ciphers) + ":@SECLEVEL=0",
            "-groups",
            ":".join(OPENSSL_GROUP_NAMES[g] for g in self.groups),
        ]
        if self.dh_bits is not None:
            (folder / "dh.pem").write_bytes(dhparam_pem(self.dh_bits))
            argv += ["-dhparam", "dh.pem"]
        env = dict(os.environ, OPENSSL_CONF=str(openssl_conf(folder, [])))
        try:
            process = LabProcess(argv, folder=folder, port_pattern=_ACCEPT, env=env, pdeathsig=True)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return ProcessRunning(process, lambda port, pid: self.server(host, port, name, pid))


# --------------------------------------------------------------------------- OpenSSL 3.5

_LISTENING: Final = re.compile(r"^LISTENING (?P<ports>[\d ]+)$", re.MULTILINE)
SERVER_SCRIPT: Final = Path(__file__).with_name("_ossl35_server.py")


@dataclass(frozen=True)
class PqcTlsSpec(ServerSpec):
    """A TLS 1.3 (optionally also 1.2) server on OpenSSL 3.5 via pyOpenSSL, in a subprocess.

    ``groups``: the accepted groups (IANA names), written to the subprocess's ``OPENSSL_CONF``;
    None keeps OpenSSL 3.5's default list (X25519MLKEM768 first). ``ciphers``: OpenSSL names of
    the TLS 1.2 suites, given exactly when TLS 1.2 is accepted.
    """

    name: str
    description: str
    cert: CertProfile
    versions: tuple[TlsVersion, ...] = (TlsVersion.TLS1_3,)
    groups: tuple[str, ...] | None = None
    ciphers: tuple[str, ...] = ()

    kind: ClassVar[ServerKind] = ServerKind.TLS
    engine: ClassVar[Engine] = Engine.PYOPENSSL

    def __post_init__(self) -> None:
        _check_range(self.versions)
        if TlsVersion.TLS1_3 not in self.versions:
            raise ValueError("OpenSSL 3.5 lab servers speak TLS 1.3 (the only PQC version)")
        if (TlsVersion.TLS1_2 in self.versions) != bool(self.ciphers):
            raise ValueError("TLS 1.2 suites are given exactly when TLS 1.2 is accepted")
        unknown = [g for g in self.groups or () if g not in OPENSSL_GROUP_NAMES]
        if unknown:
            raise ValueError(f"groups without an OpenSSL name in the lab table: {unknown}")

    def expected(self) -> Expected:
        return Expected(
            tls=TlsFacts(
                versions=frozenset(self.versions),
                groups=self.groups if self.groups is not None else OPENSSL35_DEFAULT_GROUPS,
                cipher_suites=_iana_suites(self.ciphers),
                tls13_cipher_suites=TLS13_DEFAULT_SUITES,
                certificate=chain(self.cert).facts,
            )
        )

    def launch(self, host: str = DEFAULT_HOST, *, name: str | None = None) -> Running:
        return self.launch_many(host, [name or self.name])[0]

    def launch_many(self, host: str, names: list[str]) -> list[Running]:
        """Several servers of this spec in one subprocess (one listener each): the OpenSSL
        configuration is per process, so servers that share it can share the process."""
        lab_chain = chain(self.cert)
        self.expected()
        folder = private_folder()
        chain_file, key_file = lab_chain.write(folder)
        low, high = _check_range(self.versions)
        config = {
            "host": host,
            "listeners": len(names),
            "name": names[0],
            "chain": str(chain_file),
            "key": str(key_file),
            "min_version": low.value,
            "max_version": high.value,
            "ciphers": ":".join(self.ciphers) or None,
        }
        (folder / "server.json").write_text(json.dumps(config), encoding="utf-8")
        lines = []
        if self.groups is not None:
            lines.append("Groups = " + ":".join(OPENSSL_GROUP_NAMES[g] for g in self.groups))
        env = dict(os.environ, OPENSSL_CONF=str(openssl_conf(folder, lines)))
        argv = [sys.executable, "-I", str(SERVER_SCRIPT), str(folder / "server.json")]
        try:
            process = LabProcess(argv, folder=folder, port_pattern=_LISTENING, env=env)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        shared = _SharedProcess(process, len(names))
        return [_Listener(shared, i, self, host, n) for i, n in enumerate(names)]


class _SharedProcess:
    """A subprocess behind several listeners: stopped when the last of them stops."""

    def __init__(self, process: LabProcess, users: int) -> None:
        self.process = process
        self.users = users

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            self.process.stop()


class _Listener:
    """One listener of a shared subprocess."""

    def __init__(
        self, shared: _SharedProcess, index: int, spec: ServerSpec, host: str, name: str
    ) -> None:
        self._shared = shared
        self._index = index
        self._spec = spec
        self._host = host
        self._name = name
        self._stopped = False

    def wait(self, deadline: float) -> LabServer:
        process = self._shared.process
        ports = process.ports or process.wait_ports(deadline)
        return self._spec.server(self._host, ports[self._index], self._name, process.pid)

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._shared.release()
