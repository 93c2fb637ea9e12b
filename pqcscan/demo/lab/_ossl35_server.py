"""A TLS server on OpenSSL 3.5 (pyOpenSSL over the OpenSSL bundled with ``cryptography``), run as
a subprocess by :mod:`pqcscan.demo.lab.servers`: ``python -I _ossl35_server.py CONFIG.json``.

It is a separate process because the group list (ML-KEM, hybrids) can only be set through the
``OPENSSL_CONF`` file its parent puts in its environment: pyOpenSSL has no API for it. The
script imports nothing from pqcscan so it starts fast.

Config keys: ``host``, ``listeners`` (how many ports to open with the same configuration),
``chain`` and ``key`` (PEM files), ``min_version`` / ``max_version`` ("TLSv1.2", "TLSv1.3"),
``ciphers`` (OpenSSL cipher string for TLS 1.2 and below, or null).

It prints ``LISTENING <port> [<port>...]`` once every listener is open, serves each connection
in a thread (handshake, read one request, answer a small HTTP response, close), and exits when
its standard input reaches end of file: the parent holds the pipe, so a parent that dies for
any reason takes the server with it.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
import threading
from pathlib import Path
from typing import Any

from OpenSSL import SSL

IO_TIMEOUT_SECONDS = 10
MAX_CONNECTIONS = 256

_VERSIONS = {
    "TLSv1.0": SSL.TLS1_VERSION,
    "TLSv1.1": SSL.TLS1_1_VERSION,
    "TLSv1.2": SSL.TLS1_2_VERSION,
    "TLSv1.3": SSL.TLS1_3_VERSION,
}


def _context(config: dict[str, Any]) -> SSL.Context:
    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.set_min_proto_version(_VERSIONS[config["min_version"]])
    ctx.set_max_proto_version(_VERSIONS[config["max_version"]])
    if config.get("ciphers"):
        ctx.set_cipher_list(config["ciphers"].encode())
    ctx.use_certificate_chain_file(config["chain"])
    ctx.use_privatekey_file(config["key"])
    ctx.check_privatekey()
    return ctx


def _serve_one(
    ctx: SSL.Context, sock: socket.socket, name: str, slots: threading.Semaphore
) -> None:
    try:
        # Blocking socket with kernel timeouts: pyOpenSSL and Python socket timeouts do not mix.
        timeout = struct.pack("ll", IO_TIMEOUT_SECONDS, 0)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeout)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeout)
        conn = SSL.Connection(ctx, sock)
        conn.set_accept_state()
        conn.do_handshake()
        conn.recv(65536)
        body = f"pqcscan lab: {name}\n".encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        conn.sendall(head.encode() + body)
        conn.shutdown()
    except Exception:  # every client mistake ends the connection, never the server
        pass
    finally:
        sock.close()
        slots.release()


def _accept_loop(ctx: SSL.Context, listener: socket.socket, name: str) -> None:
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
    while True:
        slots.acquire()
        try:
            sock, _ = listener.accept()
        except OSError:
            slots.release()
            continue
        threading.Thread(target=_serve_one, args=(ctx, sock, name, slots), daemon=True).start()


def main(argv: list[str]) -> int:
    with Path(argv[1]).open(encoding="utf-8") as f:
        config: dict[str, Any] = json.load(f)
    ctx = _context(config)
    host: str = config["host"]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listeners: list[socket.socket] = []
    for _ in range(int(config.get("listeners", 1))):
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, 0))
        listener.listen(512)
        listeners.append(listener)
    name = str(config.get("name", "pyopenssl"))
    for listener in listeners:
        threading.Thread(target=_accept_loop, args=(ctx, listener, name), daemon=True).start()
    ports = " ".join(str(s.getsockname()[1]) for s in listeners)
    print(f"LISTENING {ports}", flush=True)
    sys.stdin.buffer.read()  # returns at end of file: the parent is gone or wants us gone
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
