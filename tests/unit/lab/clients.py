"""Independent clients that prove what each lab server does.

- :func:`hello_probe`: a hand-made TLS 1.3 ClientHello offering one group with an empty
  key_share (and chosen suites): a server supporting the group answers a HelloRetryRequest
  naming it, one that does not answers alert 40.
- :func:`python_tls`: Python's ``ssl`` (system OpenSSL 3.0).
- :func:`s_client`: Debian's ``openssl s_client`` (3.0), ``-brief`` output parsed.
- :func:`ossl35`: a pyOpenSSL client on OpenSSL 3.5 in a subprocess whose ``OPENSSL_CONF``
  chooses the groups it offers (``ossl35_client.py``); reports version, suite, the negotiated
  group, the certificate chain and OpenSSL 3.5's verification of it.
- :func:`pyopenssl_chain`: an in-process pyOpenSSL (3.5) client fetching the peer chain.
- :func:`nassl_legacy`: nassl's OpenSSL 1.0.2 client (the only one here that still has 3DES).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pqcscan.demo.lab import GROUP_CODES, LabServer

HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")
TLS13_SUITES = (0x1301, 0x1302, 0x1303)
SIGNATURE_SCHEMES = (
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808,
    0x0809, 0x080A, 0x080B, 0x0401, 0x0501, 0x0601, 0x0904, 0x0905, 0x0906,
)  # fmt: skip
TIMEOUT = 10.0
HERE = Path(__file__).parent


# --------------------------------------------------------------------------- raw ClientHello


def _ext(ext_type: int, data: bytes) -> bytes:
    return struct.pack("!HH", ext_type, len(data)) + data


def _u16_list(values: tuple[int, ...] | list[int]) -> bytes:
    body = b"".join(struct.pack("!H", v) for v in values)
    return struct.pack("!H", len(body)) + body


def client_hello(groups: list[int], suites: tuple[int, ...] = TLS13_SUITES) -> bytes:
    """A TLS 1.3-only ClientHello record with an empty key_share."""
    sni = b"localhost"
    extensions = (
        _ext(0x0000, struct.pack("!HBH", len(sni) + 3, 0, len(sni)) + sni)
        + _ext(0x002B, bytes([2, 3, 4]))
        + _ext(0x000A, _u16_list(groups))
        + _ext(0x0033, b"\x00\x00")
        + _ext(0x000D, _u16_list(SIGNATURE_SCHEMES))
    )
    body = (
        b"\x03\x03"
        + os.urandom(32)
        + b"\x20"
        + os.urandom(32)
        + _u16_list(suites)
        + b"\x01\x00"
        + struct.pack("!H", len(extensions))
        + extensions
    )
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError(f"EOF after {len(data)} of {size} bytes")
        data += chunk
    return data


@dataclass(frozen=True)
class ProbeResult:
    """``kind`` is "hrr" (selected_group, cipher_suite set), "server-hello", "alert"
    (alert set) or "eof"."""

    kind: str
    selected_group: int | None = None
    cipher_suite: int | None = None
    alert: int | None = None


def hello_probe(
    server: LabServer, group: int, suites: tuple[int, ...] = TLS13_SUITES
) -> ProbeResult:
    with socket.create_connection((server.address, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(client_hello([group], suites))
        try:
            header = recv_exact(sock, 5)
            body = recv_exact(sock, struct.unpack("!H", header[3:5])[0])
        except (EOFError, ConnectionResetError):
            return ProbeResult("eof")
    if header[0] == 0x15:
        return ProbeResult("alert", alert=body[1])
    assert header[0] == 0x16 and body[0] == 0x02, body[:8].hex()
    p = 4 + 2 + 32
    p += 1 + body[p]
    suite = struct.unpack("!H", body[p : p + 2])[0]
    if body[6:38] != HRR_RANDOM:
        return ProbeResult("server-hello", cipher_suite=suite)
    p += 3
    end = p + 2 + struct.unpack("!H", body[p : p + 2])[0]
    p += 2
    selected = None
    while p < end:
        ext_type, ext_len = struct.unpack("!HH", body[p : p + 4])
        if ext_type == 0x0033:
            selected = struct.unpack("!H", body[p + 4 : p + 6])[0]
        p += 4 + ext_len
    return ProbeResult("hrr", selected_group=selected, cipher_suite=suite)


def accepted_groups(server: LabServer) -> set[str]:
    """Every candidate group (:data:`GROUP_CODES`) the server accepts in TLS 1.3."""
    accepted = set()
    for name, code in GROUP_CODES.items():
        result = hello_probe(server, code)
        assert result.kind in ("hrr", "alert"), (name, result)
        if result.kind == "hrr":
            assert result.selected_group == code
            accepted.add(name)
        else:
            assert result.alert == 40, (name, result)
    return accepted


def accepted_tls13_suites(server: LabServer, group: int) -> set[int]:
    """TLS 1.3 suites (of the three defaults and CCM) the server picks when offered alone."""
    accepted = set()
    for suite in (0x1301, 0x1302, 0x1303, 0x1304, 0x1305):
        result = hello_probe(server, group, (suite,))
        if result.kind == "hrr":
            assert result.cipher_suite == suite
            accepted.add(suite)
    return accepted


# --------------------------------------------------------------------------- Python ssl

_PY_VERSIONS = {
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


@dataclass(frozen=True)
class Handshake:
    version: str
    cipher: str
    leaf_der: bytes


def python_context(
    server: LabServer | None = None,
    *,
    version: str | None = None,
    ciphers: str | None = None,
    curve: str | None = None,
) -> ssl.SSLContext:
    """A client context; verifying against the server's root when ``server`` is given."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if server is not None:
        ctx.load_verify_locations(cadata=server.ca_pem.decode())
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = _PY_VERSIONS[version]
    if ciphers is not None:
        ctx.set_ciphers(ciphers)
    if curve is not None:
        ctx.set_ecdh_curve(curve)
    return ctx


def python_tls(server: LabServer, ctx: ssl.SSLContext) -> Handshake:
    """A full handshake and one HTTP exchange; raises ssl.SSLError when refused."""
    with (
        socket.create_connection((server.address, server.port), timeout=TIMEOUT) as raw,
        ctx.wrap_socket(raw, server_hostname=server.hostname) as tls,
    ):
        version, cipher = tls.version(), tls.cipher()
        leaf = tls.getpeercert(binary_form=True)
        tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
        assert tls.recv(4096).startswith(b"HTTP/1.1 200")
    assert version is not None and cipher is not None and leaf is not None
    return Handshake(version, cipher[0], leaf)


# --------------------------------------------------------------------------- openssl s_client


def _empty_conf() -> str:
    path = Path(tempfile.gettempdir()) / "pqcscan-lab-tests-empty.cnf"
    if not path.exists():
        path.write_text("# the host's openssl.cnf must not change the test clients\n")
    return str(path)


def s_client(server: LabServer, *args: str, ca_file: Path | None = None) -> dict[str, str]:
    """Run ``openssl s_client -brief``; the ``Key: value`` lines it prints, plus "established"
    ("yes"/"no") and "output"."""
    argv = ["openssl", "s_client", "-brief", "-connect", server.endpoint]
    argv += ["-servername", server.hostname, *args]
    if ca_file is not None:
        argv += ["-CAfile", str(ca_file), "-verify_return_error"]
    env = dict(os.environ, OPENSSL_CONF=_empty_conf())
    done = subprocess.run(
        argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, env=env
    )
    output = done.stdout + done.stderr
    facts = {"established": "yes" if "CONNECTION ESTABLISHED" in output else "no"}
    for line in output.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            facts[key.strip()] = value.strip()
    facts["output"] = output
    return facts


# --------------------------------------------------------------------------- OpenSSL 3.5 client


def ossl35(jobs: list[dict[str, Any]], groups: str | None = None) -> list[dict[str, Any]]:
    """Run connection ``jobs`` with the pyOpenSSL/OpenSSL 3.5 client in a subprocess whose
    ``OPENSSL_CONF`` offers ``groups`` (OpenSSL names, colon-separated; None = defaults).
    Job keys: host, port, min_version, max_version, cafile, ciphers."""
    with tempfile.TemporaryDirectory(prefix="pqcscan-lab-client-") as folder:
        conf = Path(folder) / "openssl.cnf"
        lines = [
            "openssl_conf = openssl_init",
            "[openssl_init]",
            "ssl_conf = ssl_sect",
            "[ssl_sect]",
            "system_default = system_default_sect",
            "[system_default_sect]",
        ]
        if groups:
            lines.append(f"Groups = {groups}")
        conf.write_text("\n".join(lines) + "\n")
        done = subprocess.run(
            [sys.executable, "-I", str(HERE / "ossl35_client.py")],
            input=json.dumps(jobs),
            capture_output=True,
            text=True,
            timeout=120,
            env=dict(os.environ, OPENSSL_CONF=str(conf)),
        )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def ossl35_job(server: LabServer, version: str = "TLSv1.3", **extra: Any) -> dict[str, Any]:
    job = {
        "host": server.address,
        "port": server.port,
        "min_version": version,
        "max_version": version,
    }
    job.update(extra)
    return job


def pyopenssl_chain(server: LabServer, version: str | None = None) -> list[bytes]:
    """The DER chain the server sends, read by pyOpenSSL (OpenSSL 3.5) in this process
    (default groups; any version; @SECLEVEL=0 so weak servers answer too)."""
    from cryptography.hazmat.primitives.serialization import Encoding
    from OpenSSL import SSL

    versions = {
        "TLSv1.0": SSL.TLS1_VERSION,
        "TLSv1.1": SSL.TLS1_1_VERSION,
        "TLSv1.2": SSL.TLS1_2_VERSION,
        "TLSv1.3": SSL.TLS1_3_VERSION,
    }
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_cipher_list(b"ALL:@SECLEVEL=0")
    ctx.set_min_proto_version(versions[version] if version else SSL.TLS1_VERSION)
    if version:
        ctx.set_max_proto_version(versions[version])
    with socket.create_connection((server.address, server.port), timeout=TIMEOUT) as sock:
        sock.settimeout(None)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 10, 0))
        conn = SSL.Connection(ctx, sock)
        conn.set_tlsext_host_name(server.hostname.encode())
        conn.set_connect_state()
        conn.do_handshake()
        chain = conn.get_peer_cert_chain(as_cryptography=True) or []
        with contextlib.suppress(SSL.Error):
            conn.shutdown()
    return [cert.public_bytes(Encoding.DER) for cert in chain]


# --------------------------------------------------------------------------- nassl 1.0.2


def nassl_legacy(server: LabServer, version: str, cipher: str) -> tuple[str, int, bytes]:
    """(cipher name, chain length, reply) from nassl's OpenSSL 1.0.2 client; raises on a
    refused handshake."""
    from nassl.legacy_ssl_client import LegacySslClient
    from nassl.ssl_client import OpenSslVerifyEnum, OpenSslVersionEnum

    versions = {
        "TLSv1.0": OpenSslVersionEnum.TLSV1,
        "TLSv1.1": OpenSslVersionEnum.TLSV1_1,
        "TLSv1.2": OpenSslVersionEnum.TLSV1_2,
    }
    with socket.create_connection((server.address, server.port), timeout=TIMEOUT) as sock:
        client = LegacySslClient(
            underlying_socket=sock, ssl_version=versions[version], ssl_verify=OpenSslVerifyEnum.NONE
        )
        client.set_cipher_list(cipher)
        client.do_handshake()
        client.write(b"GET / HTTP/1.0\r\n\r\n")
        reply = client.read(4096)
        return client.get_current_cipher_name(), len(client.get_received_chain()), reply
