"""Discovery against real loopback servers: connect errors, bounded reads from hostile
servers, the TCP sweep over 127.0.0.0/28, protocol detection, and real nmap output.

Every server binds 127.0.0.x on an ephemeral port read back from the socket; nothing is sent
anywhere but loopback. Timeouts are generous and only stop hangs; nothing asserts on time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import resource
import shutil
import socket
import ssl
import struct
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pqcscan.net import sweep as sweep_module
from pqcscan.net.detect import AppProtocol, Detection, detect, hint_for
from pqcscan.net.errors import ConnectFailure, ReadFailure, Reason
from pqcscan.net.pacing import RateLimiter, close_quietly, open_connection, raise_nofile_limit
from pqcscan.net.reading import BoundedReader
from pqcscan.net.sweep import SweepStats, probe, sweep
from pqcscan.results import ErrorKind
from pqcscan.targets.model import Endpoint
from pqcscan.targets.scope import Scope
from pqcscan.targets.specs import TargetPlan

T = TypeVar("T")
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
LOCAL = "127.0.0.1"


@contextlib.asynccontextmanager
async def serving(handler: Handler, **kwargs: object) -> AsyncIterator[int]:
    """An asyncio server on 127.0.0.1, port read back; handlers are cancelled at the end."""
    tasks: set[asyncio.Task[None]] = set()

    async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except (OSError, asyncio.IncompleteReadError, ssl.SSLError, asyncio.CancelledError):
            pass  # a cancelled handler ends quietly (asyncio logs cancelled handler tasks)
        finally:
            writer.transport.abort()

    server = await asyncio.start_server(wrapped, LOCAL, 0, **kwargs)  # type: ignore[arg-type]
    port = server.sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def run(coro: Awaitable[T]) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(60):  # a hang guard, not a timing assertion
            return await coro

    return asyncio.run(bounded())


# ---------------------------------------------------------------- servers


async def ssh_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    await writer.drain()
    await reader.read(1024)


async def ssh_with_preamble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"Welcome to the lab\r\nSSH-2.0-dropbear_2022.83\r\n")
    await writer.drain()
    await reader.read(1024)


def line_server(greeting: bytes, answers: dict[bytes, bytes]) -> Handler:
    """A server-first text server: greets, then answers commands by prefix."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(greeting)
        await writer.drain()
        while line := await reader.readline():
            for prefix, answer in answers.items():
                if line.upper().startswith(prefix):
                    writer.write(answer)
                    await writer.drain()
                    break
            else:
                writer.write(b"500 what?\r\n")
            if line.upper().startswith((b"QUIT", b"A2 LOGOUT")):
                return

    return handler


SMTP = line_server(
    b"220-mx.test ESMTP Postfix\r\n220 second greeting line\r\n",
    {
        b"EHLO": b"250-mx.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
        b"QUIT": b"221 bye\r\n",
    },
)
SMTP_PLAIN = line_server(
    b"220 relay.test ESMTP\r\n", {b"EHLO": b"250-relay.test\r\n250 SIZE 1000\r\n"}
)
FTP = line_server(
    b"220 ProFTPD Server (lab) ready\r\n",
    {b"FEAT": b"211-Features:\r\n AUTH TLS\r\n PBSZ\r\n211 End\r\n", b"QUIT": b"221 bye\r\n"},
)
FTP_BARE = line_server(  # a bare 220: EHLO tells it from SMTP
    b"220 ready\r\n", {b"FEAT": b"211-Features:\r\n MDTM\r\n211 End\r\n", b"QUIT": b"221\r\n"}
)
IMAP = line_server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] lab ready\r\n", {})
IMAP_ASK = line_server(
    b"* OK lab IMAP ready\r\n",
    {b"A1 CAPABILITY": b"* CAPABILITY IMAP4rev1 IDLE\r\na1 OK done\r\n"},
)
POP3 = line_server(
    b"+OK POP3 lab ready\r\n", {b"CAPA": b"+OK\r\nUSER\r\nSTLS\r\n.\r\n", b"QUIT": b"+OK\r\n"}
)


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while await reader.read(4096):
        pass


async def closer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


async def resetter(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()  # closes with SO_LINGER 0: an RST


async def http_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")  # a ClientHello has no blank line: it waits
    writer.write(b"HTTP/1.0 200 OK\r\nServer: LabHTTP/1.0\r\nContent-Length: 2\r\n\r\nok")
    await writer.drain()


async def http_400(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)
    writer.write(b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nConnection: close\r\n\r\n")
    await writer.drain()


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        writer.write(b"S")
        await writer.drain()
        await asyncio.sleep(0.1)


async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    chunk = b"A" * 65536
    for _ in range(160):  # 10 MB without a newline
        writer.write(chunk)
        await writer.drain()


def postgres(answer: bytes) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readexactly(8)
        assert request == b"\x00\x00\x00\x08\x04\xd2\x16\x2f"
        writer.write(answer)
        await writer.drain()
        await reader.read(1)

    return handler


def ldap(result_code: int) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readexactly(31)
        assert b"1.3.6.1.4.1.1466.20037" in request
        writer.write(bytes.fromhex(f"300c02010178070a01{result_code:02x}04000400"))
        await writer.drain()
        await reader.read(1)

    return handler


def xmpp(starttls: bool) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        header = await reader.readuntil(b"version='1.0'>")
        assert b"<stream:stream" in header
        features = (
            b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
            if starttls
            else b""
        )
        writer.write(
            b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            b"xmlns:stream='http://etherx.jabber.org/streams' id='1' version='1.0'>"
            b"<stream:features>" + features + b"<mechanisms/></stream:features>"
        )
        await writer.drain()
        await reader.read(1024)

    return handler


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lab.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


# ---------------------------------------------------------------- connecting and reading


def test_open_connection_refused() -> None:
    with socket.socket() as holder:  # bound, not listening: the port refuses
        holder.bind((LOCAL, 0))
        port = holder.getsockname()[1]

        async def main() -> ConnectFailure:
            with pytest.raises(ConnectFailure) as caught:
                await open_connection(Endpoint(LOCAL, port), 5.0, retries=3, backoff=0.01)
            return caught.value

        failure = run(main())
    assert isinstance(failure, ConnectFailure)
    assert failure.reason is Reason.REFUSED and failure.kind is ErrorKind.REFUSED
    assert f"127.0.0.1:{port}" in failure.message


@contextlib.contextmanager
def full_backlog() -> Iterator[int]:
    """A listener that never accepts, its backlog filled: new SYNs get no answer."""
    listener = socket.socket()
    listener.bind((LOCAL, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(16):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex((LOCAL, port))
            fillers.append(filler)
        probe_socket = socket.socket()
        probe_socket.settimeout(0.3)
        fillers.append(probe_socket)
        try:
            probe_socket.connect((LOCAL, port))
        except TimeoutError:
            yield port
            return
        pytest.skip("this kernel accepts past the backlog; no connect timeout on loopback")
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_open_connection_timeout_with_retries() -> None:
    with full_backlog() as port:
        limiter = RateLimiter(None)

        async def main() -> ConnectFailure:
            with pytest.raises(ConnectFailure) as caught:
                await open_connection(Endpoint(LOCAL, port), 0.2, limiter, retries=2, backoff=0.01)
            return caught.value

        failure = run(main())
    assert isinstance(failure, ConnectFailure)
    assert failure.reason is Reason.TIMEOUT and failure.kind is ErrorKind.TIMEOUT
    assert limiter.granted == 3  # one attempt and two retries, each paced


def test_read_timeout_from_a_silent_server() -> None:
    async def main() -> ReadFailure:
        async with serving(silent) as port:
            reader, writer = await open_connection(Endpoint(LOCAL, port), 5.0)
            try:
                with pytest.raises(ReadFailure) as caught:
                    await BoundedReader(reader, timeout=0.2, limit=100).read_exactly(1)
            finally:
                await close_quietly(writer)
            return caught.value

    failure = run(main())
    assert isinstance(failure, ReadFailure) and failure.reason is Reason.TIMEOUT


def test_reset_by_peer() -> None:
    async def main() -> ReadFailure:
        async with serving(resetter) as port:
            reader, writer = await open_connection(Endpoint(LOCAL, port), 5.0)
            try:
                with pytest.raises(ReadFailure) as caught:
                    await BoundedReader(reader, timeout=5, limit=100).read_exactly(1)
            finally:
                await close_quietly(writer)
            return caught.value

    failure = run(main())
    assert isinstance(failure, ReadFailure)
    assert failure.reason in (Reason.RESET, Reason.CLOSED)  # some stacks report EOF
    assert failure.kind in (ErrorKind.RESET, ErrorKind.PROTOCOL_ERROR)


def test_drip_server_hits_the_one_deadline() -> None:
    async def main() -> tuple[ReadFailure, int]:
        async with serving(drip) as port:
            reader, writer = await open_connection(Endpoint(LOCAL, port), 5.0)
            bounded = BoundedReader(reader, timeout=0.5, limit=1_000_000)
            try:
                with pytest.raises(ReadFailure) as caught:
                    await bounded.read_line()  # a banner that never ends
            finally:
                await close_quietly(writer)
            return caught.value, bounded.bytes_read

    failure, got = run(main())
    assert failure.reason is Reason.TIMEOUT
    assert got < 100  # a few drops, never the megabyte the cap would allow


def test_flood_server_hits_the_byte_cap() -> None:
    async def main() -> tuple[ReadFailure, int]:
        async with serving(flood) as port:
            reader, writer = await open_connection(Endpoint(LOCAL, port), 5.0)
            bounded = BoundedReader(reader, timeout=10, limit=64 * 1024)
            try:
                with pytest.raises(ReadFailure) as caught:
                    await bounded.read_until(b"\n", 1_000_000)
            finally:
                await close_quietly(writer)
            return caught.value, bounded.bytes_read

    failure, got = run(main())
    assert failure.reason is Reason.TOO_LARGE
    assert got == 64 * 1024


# ---------------------------------------------------------------- sweep


@contextlib.contextmanager
def listeners(last_octets: list[int]) -> Iterator[int]:
    """Listeners on 127.0.0.N for each N, all on one ephemeral port."""
    for _ in range(20):
        opened: list[socket.socket] = []
        try:
            first = socket.socket()
            opened.append(first)
            first.bind((f"127.0.0.{last_octets[0]}", 0))
            port = first.getsockname()[1]
            for octet in last_octets[1:]:
                other = socket.socket()
                opened.append(other)
                other.bind((f"127.0.0.{octet}", port))
            for sock in opened:
                sock.listen(64)
        except OSError:
            for sock in opened:
                sock.close()
            continue
        try:
            yield port
        finally:
            for sock in opened:
                sock.close()
        return
    pytest.fail("no common free port for the listeners")


async def _collect(endpoints: list[Endpoint] | TargetPlan, **kwargs: object) -> list[Endpoint]:
    source = endpoints.endpoints() if isinstance(endpoints, TargetPlan) else endpoints
    return [e async for e in sweep(source, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["epoll", "tasks"])
@pytest.mark.parametrize("concurrency", [1, 3, 64])
def test_sweep_finds_exactly_the_open_addresses(
    engine: str, concurrency: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine == "epoll" and not sweep_module._HAVE_EPOLL:
        pytest.skip("no epoll here")
    monkeypatch.setattr(sweep_module, "_HAVE_EPOLL", engine == "epoll")
    with listeners([2, 3, 4, 5]) as port:
        plan = TargetPlan([f"127.0.0.0/28:{port}"])
        stats = SweepStats()
        found = run(_collect(plan, concurrency=concurrency, timeout=5.0, stats=stats))
    assert isinstance(found, list)
    assert sorted(e.address for e in found) == [f"127.0.0.{n}" for n in (2, 3, 4, 5)]
    assert stats.probed == 14 and stats.open == 4 and stats.closed == 10
    assert stats.filtered == stats.unreachable == stats.errors == 0


def test_sweep_respects_scope_and_the_rate_limiter() -> None:
    with listeners([2, 3, 4, 5]) as port:
        plan = TargetPlan(
            [f"127.0.0.0/28:{port}"],
            scope=Scope.build(allow=["127.0.0.0/29"], exclude=["127.0.0.3"]),
        )
        limiter = RateLimiter(1000, burst=2)
        found = run(_collect(plan, concurrency=4, timeout=5.0, limiter=limiter))
    assert isinstance(found, list)
    assert sorted(e.address for e in found) == ["127.0.0.2", "127.0.0.4", "127.0.0.5"]
    assert limiter.granted == 6  # .1 .2 .4 .5 .6 .7: the excluded .3 is never contacted


def test_sweep_counts_timeouts_and_retries() -> None:
    with full_backlog() as port:
        stats = SweepStats()
        found = run(
            _collect([Endpoint(LOCAL, port)], timeout=0.2, retries=1, backoff=0.01, stats=stats)
        )
    assert found == []
    assert stats.filtered == 1 and stats.retries == 1 and stats.probed == 1


def test_sweep_can_stop_early_and_streams_its_input() -> None:
    pulled: list[int] = []

    def endless(port: int) -> Iterator[Endpoint]:
        n = 0
        while True:
            n += 1
            pulled.append(n)
            yield Endpoint(LOCAL, port)

    async def main(port: int) -> Endpoint:
        async with contextlib.aclosing(sweep(endless(port), concurrency=8, timeout=5.0)) as found:
            async for endpoint in found:
                return endpoint
        raise AssertionError("nothing found")

    with listeners([1]) as port:
        first = run(main(port))
    assert first == Endpoint(LOCAL, port)
    assert len(pulled) < 10_000  # pulled as slots free up, never drained


def test_probe_single() -> None:
    with listeners([1]) as port:
        assert run(probe(Endpoint(LOCAL, port), 5.0)) is None
    with socket.socket() as holder:
        holder.bind((LOCAL, 0))
        assert run(probe(Endpoint(LOCAL, holder.getsockname()[1]), 5.0)) is Reason.REFUSED


# ---------------------------------------------------------------- detection


def detect_on(handler: Handler, *, protocol: str | None = None, **kwargs: object) -> Detection:
    options: dict[str, object] = {"timeout": 5.0, "greeting_wait": 1.0, **kwargs}

    async def main() -> Detection:
        async with serving(handler, **options.pop("server", {})) as port:  # type: ignore[arg-type]
            return await detect(Endpoint(LOCAL, port, None, protocol), **options)  # type: ignore[arg-type]

    found = run(main())
    assert isinstance(found, Detection)
    return found


def test_detect_ssh_banner() -> None:
    found = detect_on(ssh_server)
    assert found == Detection(
        AppProtocol.SSH, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", False, "server greeting"
    )
    assert detect_on(ssh_with_preamble).banner == "SSH-2.0-dropbear_2022.83"


def test_detect_smtp_with_starttls_and_multiline_greeting() -> None:
    found = detect_on(SMTP)
    assert found.protocol is AppProtocol.SMTP and found.starttls
    assert found.banner == "220-mx.test ESMTP Postfix\n220 second greeting line"
    assert found.detail == "STARTTLS offered (EHLO)"
    plain = detect_on(SMTP_PLAIN)
    assert (plain.protocol, plain.starttls, plain.banner) == (
        AppProtocol.SMTP,
        False,
        "220 relay.test ESMTP",
    )


def test_detect_ftp() -> None:
    found = detect_on(FTP)
    assert (found.protocol, found.starttls, found.detail) == (
        AppProtocol.FTP,
        True,
        "AUTH TLS offered (FEAT)",
    )
    bare = detect_on(FTP_BARE)
    assert (bare.protocol, bare.starttls, bare.banner) == (AppProtocol.FTP, False, "220 ready")


def test_detect_imap_and_pop3() -> None:
    imap = detect_on(IMAP)
    assert (imap.protocol, imap.starttls) == (AppProtocol.IMAP, True)
    assert imap.banner is not None and imap.banner.startswith("* OK [CAPABILITY")
    asked = detect_on(IMAP_ASK)
    assert (asked.protocol, asked.starttls) == (AppProtocol.IMAP, False)
    pop3 = detect_on(POP3)
    assert (pop3.protocol, pop3.starttls, pop3.banner) == (
        AppProtocol.POP3,
        True,
        "+OK POP3 lab ready",
    )


def test_detect_tls(tls_context: ssl.SSLContext) -> None:
    found = detect_on(silent, server={"ssl": tls_context}, greeting_wait=0.3)
    assert found.protocol is AppProtocol.TLS and not found.starttls
    assert found.detail is not None and "ServerHello" in found.detail
    hinted = detect_on(silent, protocol="ssl/http", server={"ssl": tls_context})
    assert hinted.protocol is AppProtocol.TLS


async def alert_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    record = await reader.readexactly(5)
    await reader.readexactly(int.from_bytes(record[3:5], "big"))
    writer.write(b"\x15\x03\x03\x00\x02\x02\x28")  # fatal handshake_failure
    await writer.drain()


def test_detect_tls_alert_is_tls() -> None:
    """A server that refuses our hello with an alert still speaks TLS."""
    found = detect_on(alert_server, protocol="https")
    assert found == Detection(
        AppProtocol.TLS,
        None,
        False,
        "TLS alert 40 (handshake_failure), record version TLS 1.2 (reply to a TLS ClientHello)",
    )


def test_detect_http() -> None:
    found = detect_on(http_server, timeout=1.0, greeting_wait=0.3)
    assert found.protocol is AppProtocol.HTTP
    assert found.banner == "HTTP/1.0 200 OK"
    assert found.detail == "reply to an HTTP request; Server: LabHTTP/1.0"
    nginx_like = detect_on(http_400, greeting_wait=0.3)
    assert nginx_like.protocol is AppProtocol.HTTP
    assert nginx_like.detail == "reply to a TLS ClientHello; Server: nginx"


def test_detect_silent_closing_and_resetting_servers() -> None:
    quiet = detect_on(silent, timeout=0.5, greeting_wait=0.2)
    assert quiet.protocol is AppProtocol.UNKNOWN and quiet.banner is None
    assert quiet.detail == (
        "no answer to a TLS ClientHello (timed out after 0.5 s waiting for data) "
        "or an HTTP request (timed out after 0.5 s waiting for data)"
    )
    closed = detect_on(closer)
    assert closed == Detection(
        AppProtocol.UNKNOWN, None, False, "closed the connection without a word"
    )
    reset = detect_on(resetter)
    assert reset.protocol is AppProtocol.UNKNOWN and reset.detail


def test_detect_flood_is_bounded() -> None:
    found = detect_on(flood)
    assert found.protocol is AppProtocol.UNKNOWN
    assert found.banner is not None and len(found.banner) <= 512


def test_detect_client_first_services_by_hint() -> None:
    assert detect_on(postgres(b"S"), protocol="postgresql") == Detection(
        AppProtocol.POSTGRESQL, None, True, "SSLRequest accepted (S)"
    )
    assert detect_on(postgres(b"N"), protocol="postgresql").starttls is False
    assert detect_on(ldap(0), protocol="ldap") == Detection(
        AppProtocol.LDAP, None, True, "StartTLS accepted (resultCode 0)"
    )
    refused = detect_on(ldap(2), protocol="ldap")
    assert (refused.protocol, refused.starttls) == (AppProtocol.LDAP, False)
    assert refused.detail == "StartTLS refused (resultCode 2)"
    chat = detect_on(xmpp(True), protocol="xmpp-client")
    assert (chat.protocol, chat.starttls) == (AppProtocol.XMPP, True)
    assert detect_on(xmpp(False), protocol="xmpp-client").starttls is False


def test_client_first_hint_falls_back_when_wrong() -> None:
    """An SSH server on a port the hint calls PostgreSQL is still found to be SSH."""
    assert detect_on(ssh_server, protocol="postgresql").protocol is AppProtocol.SSH


def test_detect_refused_raises_connect_failure() -> None:
    with socket.socket() as holder:
        holder.bind((LOCAL, 0))
        port = holder.getsockname()[1]
        with pytest.raises(ConnectFailure) as caught:
            run(detect(Endpoint(LOCAL, port), timeout=5.0))
    assert caught.value.kind is ErrorKind.REFUSED


def test_hints() -> None:
    assert hint_for(Endpoint(LOCAL, 443)) is AppProtocol.TLS
    assert hint_for(Endpoint(LOCAL, 25)) is AppProtocol.SMTP
    assert hint_for(Endpoint(LOCAL, 5432)) is AppProtocol.POSTGRESQL
    assert hint_for(Endpoint(LOCAL, 9999, None, "ssl/imap")) is AppProtocol.TLS
    assert hint_for(Endpoint(LOCAL, 9999, None, "ssh")) is AppProtocol.SSH
    assert hint_for(Endpoint(LOCAL, 9999)) is None


# ---------------------------------------------------------------- real nmap output


@pytest.mark.skipif(shutil.which("nmap") is None, reason="nmap is not installed")
def test_real_nmap_grepable_and_xml_output(tmp_path: Path) -> None:
    with listeners([1]) as port:
        grepable, xml = tmp_path / "scan.gnmap", tmp_path / "scan.xml"
        # -n: no reverse DNS (nmap would ask a real name server); "localhost" resolves from
        # /etc/hosts; -sT: a plain connect, like ours.
        command = ["nmap", "-sT", "-Pn", "-n", "-p", str(port), "-oG", str(grepable)]
        subprocess.run(
            [*command, "-oX", str(xml), "localhost"], check=True, capture_output=True, timeout=120
        )
    from_grepable = list(TargetPlan([f"@{grepable}"]))
    from_xml = list(TargetPlan([f"@{xml}"]))
    assert from_grepable == [Endpoint(LOCAL, port, None, None)]
    # XML keeps the name the user typed, so it becomes the SNI; grepable output cannot
    assert from_xml == [Endpoint(LOCAL, port, "localhost", None)]


def test_ipv6_loopback_sweep_and_detect() -> None:
    try:
        listener = socket.socket(socket.AF_INET6)
        listener.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with listener:
        listener.listen(8)
        port = listener.getsockname()[1]
        plan = TargetPlan([f"[::1]:{port},{port}"])  # the port list is deduplicated
        found = run(_collect(plan, timeout=5.0))
        assert found == [Endpoint("::1", port)]
        assert Endpoint("::1", port).locator == f"[::1]:{port}"


def test_raise_nofile_limit_never_lowers() -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert raise_nofile_limit(16) >= min(soft, 16)
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == soft
