"""STARTTLS servers: a scripted client speaks each protocol up to the upgrade, completes a TLS
handshake with Python's ssl (verifying the lab root and the name localhost), and leaves the
protocol's polite way over TLS."""

from __future__ import annotations

import hashlib
import re
import socket
import ssl
import struct
from collections.abc import Callable

import pytest

from pqcscan.demo.lab import CATALOGUE, GROUP_CODES, Lab, StartTlsProtocol, StartTlsSpec
from pqcscan.demo.lab.starttls import LDAP_STARTTLS_OID, ldap_extended_request
from tests.unit.lab.clients import TIMEOUT, client_hello, python_context, recv_exact

STARTTLS = [n for n, s in CATALOGUE.items() if isinstance(s, StartTlsSpec)]


class Lines:
    """Line reading on a socket (clear or TLS) with no read-ahead beyond the last line."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def line(self) -> bytes:
        data = b""
        while not data.endswith(b"\n"):
            byte = self.sock.recv(1)
            assert byte, f"EOF after {data!r}"
            data += byte
        return data

    def until(self, prefix: bytes) -> list[bytes]:
        """Lines up to and including the first one starting with ``prefix``."""
        lines = [self.line()]
        while not lines[-1].startswith(prefix):
            lines.append(self.line())
        return lines

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)


def read_until(sock: socket.socket, pattern: bytes) -> bytes:
    data = b""
    while not re.search(pattern, data):
        chunk = sock.recv(4096)
        assert chunk, f"EOF after {data!r}"
        data += chunk
    return data


# Each dialogue: plaintext part on the raw socket, then (after TLS) the polite exit.
def smtp_before(s: socket.socket) -> None:
    io = Lines(s)
    assert io.line().startswith(b"220 ")
    io.send(b"EHLO client.test\r\n")
    ehlo = io.until(b"250 ")
    assert b"250-STARTTLS\r\n" in ehlo
    io.send(b"STARTTLS\r\n")
    assert io.line().startswith(b"220 ")


def smtp_after(t: ssl.SSLSocket) -> None:
    io = Lines(t)
    io.send(b"EHLO client.test\r\n")
    assert not any(b"STARTTLS" in line for line in io.until(b"250 "))  # RFC 3207 §4.2
    io.send(b"QUIT\r\n")
    assert io.line().startswith(b"221 ")


def imap_before(s: socket.socket) -> None:
    io = Lines(s)
    assert io.line().startswith(b"* OK ")
    io.send(b"a CAPABILITY\r\n")
    caps = io.until(b"a OK")
    assert b"STARTTLS" in caps[0]
    io.send(b"b STARTTLS\r\n")
    assert io.line().startswith(b"b OK ")


def imap_after(t: ssl.SSLSocket) -> None:
    io = Lines(t)
    io.send(b"c CAPABILITY\r\n")
    assert b"STARTTLS" not in io.until(b"c OK")[0]
    io.send(b"d LOGOUT\r\n")
    assert io.until(b"d ")[-1].startswith(b"d OK")


def pop3_before(s: socket.socket) -> None:
    io = Lines(s)
    assert io.line().startswith(b"+OK")
    io.send(b"CAPA\r\n")
    assert b"STLS\r\n" in io.until(b".")
    io.send(b"STLS\r\n")
    assert io.line().startswith(b"+OK")


def pop3_after(t: ssl.SSLSocket) -> None:
    io = Lines(t)
    io.send(b"QUIT\r\n")
    assert io.line().startswith(b"+OK")


def ftp_before(s: socket.socket) -> None:
    io = Lines(s)
    assert io.line().startswith(b"220 ")
    io.send(b"FEAT\r\n")
    assert b" AUTH TLS\r\n" in io.until(b"211 ")
    io.send(b"AUTH TLS\r\n")
    assert io.line().startswith(b"234 ")


def ftp_after(t: ssl.SSLSocket) -> None:
    io = Lines(t)
    io.send(b"PBSZ 0\r\n")
    assert io.line().startswith(b"200 ")
    io.send(b"PROT P\r\n")
    assert io.line().startswith(b"200 ")
    io.send(b"QUIT\r\n")
    assert io.line().startswith(b"221 ")


def _ldap_message(s: socket.socket | ssl.SSLSocket) -> bytes:
    head = recv_exact(s, 2)
    assert head[0] == 0x30
    length = head[1]
    if length & 0x80:
        length = int.from_bytes(recv_exact(s, length & 0x7F), "big")
    return recv_exact(s, length)


def ldap_before(s: socket.socket) -> None:
    s.sendall(ldap_extended_request(1, LDAP_STARTTLS_OID))
    body = _ldap_message(s)
    assert body[:3] == b"\x02\x01\x01"  # messageID 1
    assert body[3] == 0x78  # extendedResp [APPLICATION 24]
    assert b"\x0a\x01\x00" in body  # resultCode success
    assert b"\x8a\x16" + LDAP_STARTTLS_OID.encode() in body  # responseName


def ldap_after(t: ssl.SSLSocket) -> None:
    t.sendall(ldap_extended_request(2, LDAP_STARTTLS_OID))
    body = _ldap_message(t)
    assert b"\x0a\x01\x01" in body  # operationsError: TLS already active
    t.sendall(bytes.fromhex("30050201034200"))  # unbindRequest


XMPP_OPEN = (
    b"<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' "
    b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
)


def xmpp_before(s: socket.socket) -> None:
    s.sendall(XMPP_OPEN)
    features = read_until(s, rb"</stream:features>")
    assert b"<stream:stream" in features
    assert b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>" in features
    s.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    assert read_until(s, rb"/>") == b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"


def xmpp_after(t: ssl.SSLSocket) -> None:
    t.sendall(XMPP_OPEN)
    features = read_until(t, rb"</stream:features>")  # type: ignore[arg-type]
    assert b"starttls" not in features and b"<mechanisms" in features
    t.sendall(b"</stream:stream>")
    assert read_until(t, rb"</stream:stream>").endswith(b"</stream:stream>")  # type: ignore[arg-type]


def postgres_before(s: socket.socket) -> None:
    s.sendall(struct.pack("!II", 8, 80877104))  # GSSENCRequest first: refused with N
    assert recv_exact(s, 1) == b"N"
    s.sendall(struct.pack("!II", 8, 80877103))  # SSLRequest
    assert recv_exact(s, 1) == b"S"


def postgres_after(t: ssl.SSLSocket) -> None:
    params = b"user\0scanner\0database\0postgres\0\0"
    t.sendall(struct.pack("!II", 8 + len(params), 196608) + params)
    kind = recv_exact(t, 1)
    length = struct.unpack("!I", recv_exact(t, 4))[0]
    body = recv_exact(t, length - 4)
    assert kind == b"E" and b"C28000\0" in body


DIALOGUES: dict[StartTlsProtocol, tuple[Callable[[socket.socket], None], Callable[..., None]]] = {
    StartTlsProtocol.SMTP: (smtp_before, smtp_after),
    StartTlsProtocol.IMAP: (imap_before, imap_after),
    StartTlsProtocol.POP3: (pop3_before, pop3_after),
    StartTlsProtocol.FTP: (ftp_before, ftp_after),
    StartTlsProtocol.LDAP: (ldap_before, ldap_after),
    StartTlsProtocol.XMPP: (xmpp_before, xmpp_after),
    StartTlsProtocol.POSTGRES: (postgres_before, postgres_after),
}


def test_every_protocol_has_a_dialogue() -> None:
    assert set(DIALOGUES) == set(StartTlsProtocol)
    assert len(STARTTLS) == len(StartTlsProtocol)


@pytest.mark.parametrize("name", STARTTLS)
def test_starttls_then_tls(lab: Lab, name: str) -> None:
    server = lab[name]
    facts = server.expected.starttls
    assert facts is not None
    before, after = DIALOGUES[facts.protocol]
    ctx = python_context(server)  # verifies the lab root and "localhost"
    with socket.create_connection((server.address, server.port), timeout=TIMEOUT) as raw:
        before(raw)
        with ctx.wrap_socket(raw, server_hostname=server.hostname) as tls:
            assert tls.version() in {v.value for v in server.tls.versions}
            leaf = tls.getpeercert(binary_form=True)
            assert leaf is not None
            assert hashlib.sha256(leaf).hexdigest() == server.tls.certificate.leaf.sha256
            after(tls)


@pytest.mark.parametrize("name", STARTTLS)
def test_the_recorded_dialogue_facts(lab: Lab, name: str) -> None:
    """greeting, request and response in the facts are what goes over the wire."""
    server = lab[name]
    facts = server.expected.starttls
    assert facts is not None
    with socket.create_connection((server.address, server.port), timeout=TIMEOUT) as raw:
        if facts.greeting:
            assert recv_exact(raw, len(facts.greeting)) == facts.greeting
        if facts.opening:
            raw.sendall(facts.opening)
            assert read_until(raw, re.escape(facts.opening_reply_end)).endswith(
                facts.opening_reply_end
            )
        raw.sendall(facts.request)
        assert recv_exact(raw, len(facts.response)) == facts.response


def test_after_the_upgrade_unsupported_groups_get_an_alert(lab: Lab) -> None:
    """The TLS layer behind STARTTLS refuses like a real server: alert 40, not a silent close."""
    server = lab["starttls-smtp"]
    with socket.create_connection((server.address, server.port), timeout=TIMEOUT) as raw:
        smtp_before(raw)
        raw.sendall(client_hello([GROUP_CODES["MLKEM768"]]))
        alert = recv_exact(raw, 7)
        assert alert[0] == 0x15 and alert[5:] == b"\x02\x28"  # fatal handshake_failure


def test_commands_before_tls_are_refused(lab: Lab) -> None:
    server = lab["starttls-smtp"]
    with socket.create_connection((server.address, server.port), timeout=TIMEOUT) as raw:
        io = Lines(raw)
        io.line()
        io.send(b"MAIL FROM:<a@b.test>\r\n")
        assert io.line().startswith(b"530 ")
