"""Hostile servers: a raw socket shows each behaviour, and every one of them stops cleanly
with clients still connected."""

from __future__ import annotations

import socket
import ssl
import struct
import time

import pytest

from pqcscan.demo.lab import CATALOGUE, HostileBehaviour, HostileSpec, Lab, LabServer, serve
from pqcscan.demo.lab.hostile import GARBAGE, HRR_RANDOM, SSH_BANNER, drip_record
from pqcscan.results import ErrorKind
from tests.unit.lab.clients import TIMEOUT, client_hello, python_context, recv_exact

HOSTILE = [n for n, s in CATALOGUE.items() if isinstance(s, HostileSpec)]
QUIET = 0.5
"""Seconds of silence that show a server sends nothing (never a timing assertion on the
server's speed: the silent servers never send)."""


def connect(server: LabServer) -> socket.socket:
    return socket.create_connection((server.address, server.port), timeout=TIMEOUT)


def read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def hello() -> bytes:
    return client_hello([0x001D])


def test_every_behaviour_is_in_the_catalogue() -> None:
    assert {CATALOGUE[n].behaviour for n in HOSTILE} == set(HostileBehaviour)  # type: ignore[attr-defined]


def test_silent_never_sends(lab: Lab) -> None:
    server = lab["hostile-silent"]
    assert server.expected.hostile is not None
    assert server.expected.hostile.error is ErrorKind.TIMEOUT
    with connect(server) as sock:
        sock.sendall(hello())
        sock.settimeout(QUIET)
        with pytest.raises(TimeoutError):
            sock.recv(1)


def test_garbage_is_not_tls(lab: Lab) -> None:
    server = lab["hostile-garbage"]
    with connect(server) as sock:
        sock.sendall(hello())
        data = read_all(sock)
    assert data == GARBAGE == server.expected.hostile.sends  # type: ignore[union-attr]
    assert data[0] not in (0x14, 0x15, 0x16, 0x17)  # no TLS content type
    assert server.expected.hostile.error is ErrorKind.NOT_TLS  # type: ignore[union-attr]


def test_reset_after_the_client_hello(lab: Lab) -> None:
    server = lab["hostile-reset"]
    with connect(server) as sock:
        sock.sendall(hello())
        with pytest.raises(ConnectionResetError):
            read_all(sock)


def test_drip_sends_a_tls_record_header_byte_by_byte() -> None:
    spec = HostileSpec("drip-fast", "drip at 10 ms", HostileBehaviour.DRIP, interval=0.01)
    with serve(spec) as server, connect(server) as sock:
        record = drip_record()
        assert recv_exact(sock, len(record)) == record
        assert (
            record[:3] == b"\x16\x03\x03" and struct.unpack("!H", record[3:5])[0] == len(record) - 5
        )
        assert server.expected.hostile.interval == 0.01  # type: ignore[union-attr]


def test_catalogue_drip_is_one_byte_a_second(lab: Lab) -> None:
    server = lab["hostile-drip"]
    assert server.expected.hostile.interval == 1.0  # type: ignore[union-attr]
    with connect(server) as sock:
        assert sock.recv(5) == b"\x16"  # the first byte only: the next one is a second away


def test_huge_handshake_announces_and_sends_10_mib(lab: Lab) -> None:
    server = lab["hostile-huge-handshake"]
    facts = server.expected.hostile
    assert facts is not None and facts.announced_length == 10 * 1024 * 1024
    with connect(server) as sock:
        sock.sendall(hello())
        header = recv_exact(sock, 5)
        server_hello = recv_exact(sock, struct.unpack("!H", header[3:5])[0])
        assert header[0] == 0x16 and server_hello[0] == 0x02
        message = bytearray()
        first = True
        while len(message) < 4 + facts.announced_length:
            header = recv_exact(sock, 5)
            length = struct.unpack("!H", header[3:5])[0]
            assert header[0] == 0x16 and length <= 16384
            payload = recv_exact(sock, length)
            if first:
                assert payload[0] == 0x0B  # Certificate
                assert int.from_bytes(payload[1:4], "big") == facts.announced_length
                first = False
            message += payload
        assert len(message) == 4 + facts.announced_length
        sock.settimeout(QUIET)
        with pytest.raises(TimeoutError):
            sock.recv(1)  # and nothing after it


def test_http_on_a_tls_port(lab: Lab) -> None:
    server = lab["hostile-http"]
    with connect(server) as sock:
        sock.sendall(hello())
        data = read_all(sock)
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert data == server.expected.hostile.sends  # type: ignore[union-attr]


def test_bad_hello_retry_request(lab: Lab) -> None:
    server = lab["hostile-bad-hrr"]
    with connect(server) as sock:
        sock.sendall(hello())
        header = recv_exact(sock, 5)
        body = recv_exact(sock, struct.unpack("!H", header[3:5])[0])
    assert body[0] == 0x02 and body[6:38] == HRR_RANDOM
    p = 38
    p += 1 + body[p] + 3
    extensions = body[p + 2 : p + 2 + struct.unpack("!H", body[p : p + 2])[0]]
    assert len(extensions) == len(body) - p - 2  # the block length itself is right
    q = 0
    overrun = False
    while q < len(extensions):
        ext_type, ext_len = struct.unpack("!HH", extensions[q : q + 4])
        if q + 4 + ext_len > len(extensions):
            overrun = ext_type == 0x0033
        q += 4 + ext_len
    assert overrun  # key_share claims more bytes than the block holds
    # and a real TLS 1.3 client rejects it
    with pytest.raises(ssl.SSLError), connect(server) as raw:
        python_context(version="TLSv1.3").wrap_socket(raw, server_hostname="localhost")


def test_close_right_after_accept(lab: Lab) -> None:
    server = lab["hostile-close"]
    with connect(server) as sock:
        try:
            sock.sendall(hello())
            assert read_all(sock) == b""
        except (ConnectionResetError, BrokenPipeError):
            pass  # the hello raced the close: the kernel answered with RST
    assert ErrorKind.RESET in server.expected.hostile.acceptable_errors  # type: ignore[union-attr]


def test_ssh_banner_on_a_tls_port(lab: Lab) -> None:
    server = lab["hostile-ssh-banner"]
    with connect(server) as sock:
        banner = recv_exact(sock, len(SSH_BANNER))
        assert banner.startswith(b"SSH-2.0-") and banner == server.expected.hostile.sends  # type: ignore[union-attr]
        sock.sendall(hello())
        assert read_all(sock) == b"Invalid SSH identification string.\r\n"


def test_half_open_keeps_its_side_open(lab: Lab) -> None:
    server = lab["hostile-half-open"]
    with connect(server) as sock:
        sock.sendall(hello() * 100)  # read and discarded
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(QUIET)
        with pytest.raises(TimeoutError):
            sock.recv(1)  # no data, and no EOF either


def test_every_hostile_server_stops_with_clients_connected() -> None:
    clients: list[socket.socket] = []
    began = time.monotonic()
    with Lab(HOSTILE) as lab:
        servers = lab.servers
        for server in lab:
            for i in range(3):
                sock = connect(server)
                if i:
                    sock.sendall(hello())  # some mid-conversation, some never spoke
                clients.append(sock)
        time.sleep(0.2)  # let the huge server fill the socket buffers and block
    assert time.monotonic() - began < 60  # a guard against hangs, not a timing claim
    for server in servers:  # the listeners are closed
        with pytest.raises(ConnectionRefusedError):
            connect(server).close()
    for sock in clients:
        sock.settimeout(TIMEOUT)
        try:
            while sock.recv(1 << 20):
                pass  # drain what was sent before the stop, then EOF
        except ConnectionResetError:
            pass
        sock.close()
