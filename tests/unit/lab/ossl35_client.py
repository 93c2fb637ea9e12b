"""A TLS client on OpenSSL 3.5 (pyOpenSSL over cryptography's bundled OpenSSL), run as a
subprocess so that its ``OPENSSL_CONF`` chooses the groups it offers (pyOpenSSL cannot).

Reads a JSON list of jobs on stdin ({host, port, min_version, max_version, cafile?,
ciphers?}); prints a JSON list of results: ok, error, version, cipher, group (the negotiated
group, from ``SSL_get0_group_name``), chain (hex DER, leaf first), verified (with
``cafile``: OpenSSL 3.5 verified the chain during the handshake), reply (the start of the
answer).
"""

from __future__ import annotations

import json
import socket
import struct
import sys
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from OpenSSL import SSL
from OpenSSL._util import ffi, lib

VERSIONS = {
    "TLSv1.0": SSL.TLS1_VERSION,
    "TLSv1.1": SSL.TLS1_1_VERSION,
    "TLSv1.2": SSL.TLS1_2_VERSION,
    "TLSv1.3": SSL.TLS1_3_VERSION,
}


def run(job: dict[str, Any]) -> dict[str, Any]:
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_min_proto_version(VERSIONS[job["min_version"]])
    ctx.set_max_proto_version(VERSIONS[job["max_version"]])
    if job.get("ciphers"):
        ctx.set_cipher_list(job["ciphers"].encode())
    result: dict[str, Any] = {"ok": False}
    verify_errors: list[tuple[int, int]] = []

    def verify(conn: SSL.Connection, cert: Any, errno: int, depth: int, ok: int) -> bool:
        if not ok:
            verify_errors.append((depth, errno))
        return bool(ok)

    if job.get("cafile"):
        ctx.load_verify_locations(job["cafile"])
        ctx.set_verify(SSL.VERIFY_PEER, verify)
    try:
        with socket.create_connection((job["host"], job["port"]), timeout=10) as sock:
            sock.settimeout(None)
            timeout = struct.pack("ll", 10, 0)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeout)
            conn = SSL.Connection(ctx, sock)
            conn.set_tlsext_host_name(b"localhost")
            conn.set_connect_state()
            conn.do_handshake()
            name = lib.SSL_get0_group_name(conn._ssl)  # no public API in pyOpenSSL 25.3
            result.update(
                ok=True,
                version=conn.get_protocol_version_name(),
                cipher=conn.get_cipher_name(),
                group=ffi.string(name).decode() if name != ffi.NULL else None,
                chain=[
                    c.public_bytes(Encoding.DER).hex()
                    for c in conn.get_peer_cert_chain(as_cryptography=True) or []
                ],
                verified=bool(job.get("cafile")) and not verify_errors,
            )
            conn.sendall(b"GET / HTTP/1.0\r\n\r\n")
            result["reply"] = conn.recv(4096).decode("latin-1")
    except Exception as exc:
        result["error"] = repr(exc)
        result["verify_errors"] = verify_errors
    return result


def main() -> int:
    jobs = json.loads(sys.stdin.read())
    print(json.dumps([run(job) for job in jobs]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
