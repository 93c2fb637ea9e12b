"""Intolerant middleboxes in front of real servers: PQ-intolerance (answers a short ClientHello,
resets when the hello grows past one packet, as a full-size hello with an X25519MLKEM768 key
share does) and long-suite-list intolerance. The lab has no such server, so the test builds
one: a proxy that resets any ClientHello record longer than its limit."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

from pqcscan.collectors.tls.wire import TlsVersion
from pqcscan.demo.lab import serve
from pqcscan.results import Support
from pqcscan.targets.model import Endpoint

from .conftest import endpoint_of, run_report

LIMIT = 1200  # bytes of ClientHello record the PQ-intolerant "middlebox" lets through


def _pump(src: socket.socket, dst: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := src.recv(65536):
            dst.sendall(data)
    with contextlib.suppress(OSError):
        dst.shutdown(socket.SHUT_WR)


def _handle(client: socket.socket, backend: tuple[str, int], limit: int) -> None:
    client.settimeout(10)
    try:
        header = client.recv(5, socket.MSG_WAITALL)
        if len(header) == 5 and int.from_bytes(header[3:5], "big") > limit:
            # Reset, as middleboxes that cannot reassemble a two-packet hello do.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
            return
        upstream = socket.create_connection(backend, timeout=10)
    except OSError:
        client.close()
        return
    upstream.sendall(header)
    threads = [
        threading.Thread(target=_pump, args=(client, upstream), daemon=True),
        threading.Thread(target=_pump, args=(upstream, client), daemon=True),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    client.close()
    upstream.close()


@contextlib.contextmanager
def intolerant_proxy(backend: tuple[str, int], limit: int = LIMIT) -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_handle, args=(client, backend, limit), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_pq_intolerant_endpoint_is_reported() -> None:
    with serve("pqc-hybrid") as server, intolerant_proxy((server.address, server.port)) as port:
        report = run_report(Endpoint("127.0.0.1", port, server.hostname), retries=0)
    assert report.pq_key_share.state is Support.NOT_SUPPORTED
    assert report.pq_key_share.reason.startswith("PQ-intolerant")
    assert report.pq_intolerant is True
    # The short HelloRetryRequest probes still see the hybrid group...
    assert report.version(TlsVersion.TLS13).group(0x11EC).state is Support.SUPPORTED
    # ...and the certificate is fetched with a classic key share after the hybrid one failed.
    assert report.certificate is not None and report.certificate.group != 0x11EC
    assert report.certificate_chain[0] == server.tls.certificate.leaf.der
    details = dict((k, v) for k, v in report.capabilities() if k.startswith("tls-pq-key-share"))
    assert len(details) == 1


def test_tolerant_endpoint_and_mode_off() -> None:
    with serve("classic-rsa2048") as server:
        on = run_report(endpoint_of(server))
        off = run_report(endpoint_of(server), real_key_share=False)
    assert on.pq_key_share.state is Support.SUPPORTED and on.pq_intolerant is False
    assert off.pq_key_share.state is Support.NOT_TESTED
    assert off.pq_key_share.reason == "real key share mode off"
    assert off.pq_intolerant is None


def test_long_suite_list_intolerance_falls_back_to_chunks() -> None:
    """A middlebox that resets hellos over 700 bytes: our 964-byte TLS 1.2 hello (every
    catalog suite) is reset, a short list gets through; enumeration then runs in chunks and
    still finds every suite."""
    with (
        serve("classic-rsa2048") as server,
        intolerant_proxy((server.address, server.port), limit=700) as port,
    ):
        report = run_report(Endpoint("127.0.0.1", port, server.hostname), retries=0)
    tls12 = report.version(TlsVersion.TLS12)
    assert tls12.support.state is Support.SUPPORTED
    assert "TLS 1.2: the server refused a long suite list" in report.notes
    assert set(tls12.suites) == set(server.tls.cipher_suite_codes)
    assert tls12.suite_enumeration.state is Support.SUPPORTED
    assert report.sni_required.state is Support.NOT_SUPPORTED  # no false "SNI required"
