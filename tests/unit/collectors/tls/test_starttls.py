"""STARTTLS: every protocol's preamble against the lab's servers, the protocol chosen from the
endpoint hint, the port or ``--starttls``, and servers that refuse the upgrade."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from pqcscan.collectors.tls import TlsCollector, TlsOptions
from pqcscan.collectors.tls.starttls import LDAP_STARTTLS, ldap_result_code, protocol_for
from pqcscan.collectors.tls.wire import TlsVersion
from pqcscan.results import AssetType, ErrorKind
from pqcscan.targets.model import Endpoint

from .conftest import ScanLab

#: lab server -> (nmap-style service name, the name our report uses)
STARTTLS = {
    "starttls-smtp": ("smtp", "smtp"),
    "starttls-imap": ("imap", "imap"),
    "starttls-pop3": ("pop3", "pop3"),
    "starttls-ftp": ("ftp", "ftp"),
    "starttls-ldap": ("ldap", "ldap"),
    "starttls-xmpp": ("xmpp-client", "xmpp"),
    "starttls-postgres": ("postgresql", "postgresql"),
}


@pytest.mark.parametrize("name", sorted(STARTTLS))
def test_starttls_reaches_tls(scan_lab: ScanLab, name: str) -> None:
    hint, protocol = STARTTLS[name]
    scan = scan_lab(name, protocol=hint)
    report = scan.report
    assert report.starttls == protocol
    assert report.errors == ()
    assert set(report.supported_versions) == {TlsVersion.TLS12, TlsVersion.TLS13}
    assert report.certificate_chain == tuple(c.der for c in scan.server.tls.certificate.chain)
    details = dict(next(a for a in scan.item.assets if a.type is AssetType.ENDPOINT).details)
    assert details["starttls"] == protocol


def test_forced_starttls_option(scan_lab: ScanLab) -> None:
    """No hint, an ephemeral port: only ``--starttls smtp`` makes it work."""
    scan = scan_lab("starttls-smtp", starttls="smtp")
    assert scan.report.starttls == "smtp"
    assert TlsVersion.TLS13 in scan.report.supported_versions
    plain = scan_lab("starttls-smtp")
    assert plain.report.starttls is None
    assert [k for k, _ in plain.report.errors] == [ErrorKind.NOT_TLS]


@pytest.mark.parametrize(
    "endpoint, forced, expected",
    [
        (Endpoint("127.0.0.1", 25), None, "smtp"),
        (Endpoint("127.0.0.1", 587), None, "smtp"),
        (Endpoint("127.0.0.1", 143), None, "imap"),
        (Endpoint("127.0.0.1", 110), None, "pop3"),
        (Endpoint("127.0.0.1", 21), None, "ftp"),
        (Endpoint("127.0.0.1", 389), None, "ldap"),
        (Endpoint("127.0.0.1", 5222), None, "xmpp"),
        (Endpoint("127.0.0.1", 5432), None, "postgresql"),
        (Endpoint("127.0.0.1", 443), None, None),
        (Endpoint("127.0.0.1", 25, protocol="ssl/smtp"), None, None),
        (Endpoint("127.0.0.1", 8025, protocol="smtp"), None, "smtp"),
        (Endpoint("127.0.0.1", 25, protocol="https"), None, None),
        (Endpoint("127.0.0.1", 443), "imap", "imap"),
        (Endpoint("127.0.0.1", 25), "none", None),
    ],
)
def test_protocol_choice(endpoint: Endpoint, forced: str | None, expected: str | None) -> None:
    assert protocol_for(endpoint, forced) == expected


def test_unknown_forced_protocol_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="unknown STARTTLS"):
        TlsOptions(starttls="gopher")


def test_ldap_messages() -> None:
    assert LDAP_STARTTLS.hex() == ("301d02010177188016" + b"1.3.6.1.4.1.1466.20037".hex())
    ok = bytes.fromhex("300c02010178070a010004000400")
    assert ldap_result_code(ok) == 0
    assert ldap_result_code(bytes.fromhex("300c02010178070a013404000400")) == 52
    for bad in (b"", b"\x02\x01", bytes.fromhex("300302010f"), bytes.fromhex("300c0201016107")):
        with pytest.raises(ValueError):
            ldap_result_code(bad)


@contextlib.contextmanager
def _refusing_smtp() -> Iterator[int]:
    """An SMTP server that does not offer TLS (454 to STARTTLS)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve_one(conn: socket.socket) -> None:
        with conn:
            conn.sendall(b"220 lab ESMTP\r\n")
            file = conn.makefile("rb")
            for line in file:
                if line.upper().startswith(b"EHLO"):
                    conn.sendall(b"250-lab\r\n250 SIZE 1000\r\n")
                elif line.upper().startswith(b"STARTTLS"):
                    conn.sendall(b"454 4.7.0 TLS not available\r\n")
                    return

    def loop() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_starttls_refused_is_not_tls() -> None:
    with _refusing_smtp() as port:
        endpoint = Endpoint("127.0.0.1", port, protocol="smtp")
        item = asyncio.run(
            TlsCollector([endpoint], TlsOptions(timeout=3)).collect_one_async(endpoint)
        )
    assert [e.kind for e in item.errors] == [ErrorKind.NOT_TLS]
    assert "454" in item.errors[0].message
