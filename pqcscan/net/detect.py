"""What speaks on an open TCP port: TLS, SSH, a STARTTLS-capable service, HTTP, or unknown.

Input: an :class:`~pqcscan.targets.model.Endpoint` (its ``protocol`` hint, an nmap service
name, and its port guide the order of probes). Output: a :class:`Detection` with the
protocol, the banner or greeting as the server sent it (collectors record it), whether the
service offers a STARTTLS-style upgrade, and a short detail.

Order of probes (each on a fresh connection, each connection paced by the limiter):

1. Client-first services known only by hint (port 5432 / ``postgresql``, 389 / ``ldap``,
   5222 and 5269 / ``xmpp*``): PostgreSQL SSLRequest (``S`` or ``N``), LDAP StartTLS
   extended request (its resultCode), XMPP stream header (``<starttls>`` among the stream
   features). A reply that is not the expected protocol falls through to step 2.
2. Wait up to ``greeting_wait`` seconds for the server to speak (skipped when the hint says
   TLS or HTTP): ``SSH-`` is SSH; ``220`` is SMTP or FTP (by the text, the hint, or an EHLO);
   ``* OK`` is IMAP; ``+OK`` is POP3. STARTTLS support is then asked the way each protocol
   lists it (EHLO, FEAT, CAPABILITY, CAPA) and the session is closed politely.
3. Silence: send a real ClientHello (see :mod:`.probes`). A TLS handshake or alert record back
   means TLS; an ``HTTP/`` status line means HTTP; a greeting is classified as in step 2.
4. No answer to the hello: an HTTP request on a new connection.

A server that closes or resets before saying anything is ``unknown`` with that detail.
Every read has a byte cap and a deadline (:mod:`.reading`). Only the connect can fail:
:class:`~pqcscan.net.errors.ConnectFailure` (refused, timeout, unreachable); anything after
the connection is open becomes a :class:`Detection`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum

from pqcscan.net import probes
from pqcscan.net.errors import ReadFailure, Reason, describe, reason_of
from pqcscan.net.pacing import RateLimiter, close_quietly, open_connection
from pqcscan.net.reading import BoundedReader
from pqcscan.targets.model import Endpoint
from pqcscan.targets.ports import DEFAULT_TLS_PORTS, STARTTLS_PORTS

#: Seconds for each exchange (connect, one request and its answer).
DEFAULT_TIMEOUT = 5.0
#: Seconds a server-first service is given to greet before the client speaks.
DEFAULT_GREETING_WAIT = 2.0
#: Bytes read at most in one exchange (a greeting, a capability list, a reply to the hello).
READ_LIMIT = 64 * 1024
_LINE = 2048
_MAX_LINES = 64


class AppProtocol(StrEnum):
    """The application protocol found on a port."""

    TLS = "tls"
    SSH = "ssh"
    SMTP = "smtp"
    IMAP = "imap"
    POP3 = "pop3"
    FTP = "ftp"
    LDAP = "ldap"
    XMPP = "xmpp"
    POSTGRESQL = "postgresql"
    HTTP = "http"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Detection:
    """What was found on a port."""

    protocol: AppProtocol
    #: The server's own words: the SSH version line, the SMTP greeting, the HTTP status line.
    banner: str | None = None
    #: The service offers an upgrade to TLS (STARTTLS, STLS, AUTH TLS, SSLRequest ``S``...).
    starttls: bool = False
    detail: str | None = None


_TLS_SERVICES = frozenset(
    {"https", "ssl", "tls", "https-alt", "imaps", "pop3s", "smtps", "submissions", "ldaps"}
    | {"ftps", "ftps-data", "sip-tls", "domain-s", "wsmans", "ircs-u", "xmpps-client"}
)
_SERVICES = {
    "ssh": AppProtocol.SSH,
    "smtp": AppProtocol.SMTP,
    "submission": AppProtocol.SMTP,
    "imap": AppProtocol.IMAP,
    "pop3": AppProtocol.POP3,
    "ftp": AppProtocol.FTP,
    "ldap": AppProtocol.LDAP,
    "postgresql": AppProtocol.POSTGRESQL,
    "xmpp": AppProtocol.XMPP,
    "xmpp-client": AppProtocol.XMPP,
    "xmpp-server": AppProtocol.XMPP,
    "jabber": AppProtocol.XMPP,
    "http": AppProtocol.HTTP,
    "http-alt": AppProtocol.HTTP,
    "http-proxy": AppProtocol.HTTP,
}
_CLIENT_FIRST = frozenset({AppProtocol.POSTGRESQL, AppProtocol.LDAP, AppProtocol.XMPP})
_REPLY_CODE = re.compile(rb"^(\d{3})([ -])")


def hint_for(endpoint: Endpoint) -> AppProtocol | None:
    """The protocol the endpoint's service name (nmap's, say) or port suggests, if any."""
    service = (endpoint.protocol or "").lower()
    if service.startswith("ssl/") or service in _TLS_SERVICES:
        return AppProtocol.TLS
    if service in _SERVICES:
        return _SERVICES[service]
    if endpoint.port in STARTTLS_PORTS:
        return AppProtocol(STARTTLS_PORTS[endpoint.port])
    if endpoint.port in DEFAULT_TLS_PORTS:
        return AppProtocol.TLS
    if endpoint.port == 22:
        return AppProtocol.SSH
    if endpoint.port in (80, 8080):
        return AppProtocol.HTTP
    return None


class _Session:
    """One connection: writes with a deadline, reads through a bounded reader per exchange."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
    ) -> None:
        self._reader = reader
        self.writer = writer
        self.timeout = timeout
        self.bounded = BoundedReader(reader, timeout=timeout, limit=READ_LIMIT)

    def exchange(self, timeout: float | None = None) -> BoundedReader:
        """A fresh deadline and byte budget for the next exchange (leftover bytes kept)."""
        self.bounded = BoundedReader(
            self._reader,
            timeout=self.timeout if timeout is None else timeout,
            limit=READ_LIMIT,
            buffered=self.bounded.buffered,
        )
        return self.bounded

    async def send(self, data: bytes) -> None:
        try:
            self.writer.write(data)
            async with asyncio.timeout(self.timeout):
                await self.writer.drain()
        except TimeoutError:
            raise ReadFailure(Reason.TIMEOUT, "timed out sending") from None
        except OSError as exc:
            raise ReadFailure(reason_of(exc), f"{describe(exc)} while sending") from None

    def local_literal(self) -> str:
        """This side's address as an SMTP address literal, for EHLO."""
        name = self.writer.get_extra_info("sockname")
        address = str(name[0]) if name else "127.0.0.1"
        return f"[IPv6:{address}]" if ":" in address else f"[{address}]"


@contextlib.asynccontextmanager
async def _session(
    endpoint: Endpoint, timeout: float, limiter: RateLimiter | None, retries: int
) -> AsyncIterator[_Session]:
    reader, writer = await open_connection(endpoint, timeout, limiter, retries=retries)
    try:
        yield _Session(reader, writer, timeout)
    finally:
        await close_quietly(writer)


async def _reply_lines(reader: BoundedReader) -> list[bytes]:
    """A numbered reply (SMTP, FTP): lines up to the one with ``NNN `` (or a bare line)."""
    lines: list[bytes] = []
    while len(lines) < _MAX_LINES:
        line = await reader.read_line(_LINE)
        lines.append(line)
        m = _REPLY_CODE.match(line)
        if m is None or m.group(2) == b" ":
            break
    return lines


def _code(lines: list[bytes]) -> str:
    m = _REPLY_CODE.match(lines[-1]) if lines else None
    return m.group(1).decode() if m else ""


async def _quietly(session: _Session, data: bytes) -> None:
    """Say goodbye (QUIT, LOGOUT) without caring about the answer."""
    with contextlib.suppress(ReadFailure):
        await session.send(data)


async def _smtp_or_ftp(
    session: _Session, greeting: list[bytes], hint: AppProtocol | None
) -> Detection:
    banner = probes.banner_text(b"".join(greeting))
    upper = banner.upper()
    if "SMTP" in upper or hint is AppProtocol.SMTP:
        guess: AppProtocol | None = AppProtocol.SMTP
    elif "FTP" in upper or hint is AppProtocol.FTP:
        guess = AppProtocol.FTP
    else:
        guess = None  # a bare 220: EHLO tells SMTP (250) from FTP (500)
    try:
        if guess is not AppProtocol.FTP:
            await session.send(f"EHLO {session.local_literal()}\r\n".encode())
            reply = await _reply_lines(session.exchange())
            if _code(reply) == "250":
                offered = any(line[4:].upper().startswith(b"STARTTLS") for line in reply)
                await _quietly(session, b"QUIT\r\n")
                said = "offered" if offered else "not offered"
                return Detection(AppProtocol.SMTP, banner, offered, f"STARTTLS {said} (EHLO)")
            if guess is AppProtocol.SMTP:
                await _quietly(session, b"QUIT\r\n")
                return Detection(
                    AppProtocol.SMTP, banner, False, f"EHLO refused ({_code(reply) or '?'})"
                )
        await session.send(b"FEAT\r\n")
        reply = await _reply_lines(session.exchange())
        features = {line.strip().upper() for line in reply}
        offered = bool(features & {b"AUTH TLS", b"AUTH SSL"}) or any(
            f.startswith(b"AUTH TLS") for f in features
        )
        await _quietly(session, b"QUIT\r\n")
        said = "offered" if offered else "not offered"
        return Detection(AppProtocol.FTP, banner, offered, f"AUTH TLS {said} (FEAT)")
    except ReadFailure as failure:
        protocol = guess if guess is not None else AppProtocol.UNKNOWN
        return Detection(protocol, banner, False, f"capability query failed: {failure.message}")


async def _imap(session: _Session, greeting: bytes) -> Detection:
    banner = probes.banner_text(greeting)
    caps = re.search(rb"\[CAPABILITY ([^\]]*)\]", greeting, re.IGNORECASE)
    try:
        if caps is None:
            await session.send(b"a1 CAPABILITY\r\n")
            reader = session.exchange()
            found = b""
            for _ in range(_MAX_LINES):
                line = await reader.read_line(_LINE)
                if line.upper().startswith(b"* CAPABILITY"):
                    found = line[len(b"* CAPABILITY") :]
                if line.startswith(b"a1 "):
                    break
            words = found.upper().split()
        else:
            words = caps.group(1).upper().split()
        await _quietly(session, b"a2 LOGOUT\r\n")
    except ReadFailure as failure:
        return Detection(AppProtocol.IMAP, banner, False, f"CAPABILITY failed: {failure.message}")
    offered = b"STARTTLS" in words
    said = "offered" if offered else "not offered"
    return Detection(AppProtocol.IMAP, banner, offered, f"STARTTLS {said} (CAPABILITY)")


async def _pop3(session: _Session, greeting: bytes) -> Detection:
    banner = probes.banner_text(greeting)
    try:
        await session.send(b"CAPA\r\n")
        reader = session.exchange()
        lines = [await reader.read_line(_LINE)]
        if lines[0].startswith(b"+OK"):
            while len(lines) < _MAX_LINES and lines[-1].rstrip(b"\r\n") != b".":
                lines.append(await reader.read_line(_LINE))
        await _quietly(session, b"QUIT\r\n")
    except ReadFailure as failure:
        return Detection(AppProtocol.POP3, banner, False, f"CAPA failed: {failure.message}")
    offered = any(line.strip().upper() == b"STLS" for line in lines[1:])
    said = "offered" if offered else "not offered"
    return Detection(AppProtocol.POP3, banner, offered, f"STLS {said} (CAPA)")


def _http(data: bytes, how: str) -> Detection:
    status = probes.banner_text(data.split(b"\n", 1)[0])
    server = re.search(rb"\r?\nServer:[ \t]*([^\r\n]*)", data, re.IGNORECASE)
    detail = f"{how}; Server: {probes.banner_text(server.group(1))}" if server else how
    return Detection(AppProtocol.HTTP, status, False, detail)


async def _server_spoke(
    session: _Session, first: bytes, hint: AppProtocol | None, how: str
) -> Detection:
    """Classify a server's first words (and ask a STARTTLS-capable service what it offers)."""
    record = probes.tls_record_info(first)
    if record is not None:
        return Detection(AppProtocol.TLS, None, False, f"{record} ({how})")
    if first.startswith(b"HTTP/"):
        return _http(first, how)
    if b"\n" not in first and len(first) < _LINE:  # finish the first line if it is coming
        with contextlib.suppress(ReadFailure):
            first += await session.exchange().read_line(_LINE - len(first))
    for line in first.splitlines():
        if line.startswith(b"SSH-"):  # servers may send other lines before the version line
            return Detection(AppProtocol.SSH, probes.banner_text(line), False, how)
    if first.startswith(b"220"):
        greeting = first.splitlines(keepends=True)
        if _REPLY_CODE.match(greeting[-1]) and greeting[-1][3:4] == b"-":
            with contextlib.suppress(ReadFailure):
                greeting += await _reply_lines(session.exchange())
        return await _smtp_or_ftp(session, greeting, hint)
    if first.startswith((b"* OK", b"* PREAUTH", b"* BYE")):
        return await _imap(session, first)
    if first.startswith((b"+OK", b"-ERR")) and hint is not AppProtocol.FTP:
        return await _pop3(session, first)
    return Detection(AppProtocol.UNKNOWN, probes.banner_text(first) or None, False, how)


async def _postgres(session: _Session) -> Detection | None:
    await session.send(probes.POSTGRES_SSL_REQUEST)
    # the answer is one byte and nothing after it (the server then waits for a handshake):
    # a longer answer starting with S (an SSH banner) is something else
    answer = await session.exchange().read_some(_LINE)
    if answer == b"S":
        return Detection(AppProtocol.POSTGRESQL, None, True, "SSLRequest accepted (S)")
    if answer == b"N":
        return Detection(AppProtocol.POSTGRESQL, None, False, "SSLRequest refused (N)")
    if answer[:1] == b"E" and len(answer) >= 5 and answer[1] == 0:  # ErrorResponse, int32 length
        return Detection(AppProtocol.POSTGRESQL, None, False, "SSLRequest answered with an error")
    return None


async def _ldap(session: _Session) -> Detection | None:
    await session.send(probes.ldap_starttls_request())
    reader = session.exchange()
    data = await reader.read_some(_LINE)
    while not probes.ldap_message_complete(data):
        chunk = await reader.read_some(_LINE)
        if not chunk:
            break
        data += chunk
    result = probes.ldap_extended_result(data)
    if result is None:
        return None
    operation, code = result
    if operation == 0x78 and code == 0:
        return Detection(AppProtocol.LDAP, None, True, "StartTLS accepted (resultCode 0)")
    return Detection(AppProtocol.LDAP, None, False, f"StartTLS refused (resultCode {code})")


async def _xmpp(session: _Session, endpoint: Endpoint) -> Detection | None:
    server = endpoint.port == 5269 or (endpoint.protocol or "").lower() == "xmpp-server"
    to = endpoint.hostname or endpoint.address
    await session.send(probes.xmpp_stream_header(to, server=server))
    reader = session.exchange()
    data = b""
    try:
        while b"</stream:features>" not in data and b"<stream:features/>" not in data:
            chunk = await reader.read_some(_LINE)
            if not chunk:
                break
            data += chunk
    except ReadFailure:
        pass
    if b"http://etherx.jabber.org/streams" not in data and b"<stream:stream" not in data:
        return None
    offered = b"urn:ietf:params:xml:ns:xmpp-tls" in data
    await _quietly(session, b"</stream:stream>")
    said = "offered" if offered else "not offered"
    return Detection(AppProtocol.XMPP, None, offered, f"<starttls/> {said} (stream features)")


_CLIENT_PROBES = {AppProtocol.POSTGRESQL: _postgres, AppProtocol.LDAP: _ldap}


async def detect(
    endpoint: Endpoint,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    greeting_wait: float = DEFAULT_GREETING_WAIT,
    limiter: RateLimiter | None = None,
    retries: int = 0,
) -> Detection:
    """Find the protocol on an open port (see the module docstring for the probe order).

    ``timeout`` bounds the connect and each exchange; ``greeting_wait`` is how long a
    server-first service is given to speak. Raises
    :class:`~pqcscan.net.errors.ConnectFailure` only.
    """
    hint = hint_for(endpoint)
    if hint in _CLIENT_FIRST:
        async with _session(endpoint, timeout, limiter, retries) as session:
            try:
                if hint is AppProtocol.XMPP:
                    found = await _xmpp(session, endpoint)
                else:
                    found = await _CLIENT_PROBES[hint](session)
            except ReadFailure:
                found = None
            if found is not None:
                return found
    async with _session(endpoint, timeout, limiter, retries) as session:
        if hint not in (AppProtocol.TLS, AppProtocol.HTTP) and greeting_wait > 0:
            try:
                first = await session.exchange(greeting_wait).read_some()
            except ReadFailure as failure:
                if failure.reason is not Reason.TIMEOUT:
                    return Detection(AppProtocol.UNKNOWN, None, False, failure.message)
                first = b""
            else:
                if not first:
                    return Detection(
                        AppProtocol.UNKNOWN, None, False, "closed the connection without a word"
                    )
            if first:
                return await _server_spoke(session, first, hint, "server greeting")
        try:
            await session.send(probes.client_hello(endpoint.sni))
            reply = await session.exchange().read_some()
        except ReadFailure as failure:
            reply, to_hello = b"", failure.message
        else:
            to_hello = "connection closed"
        if reply:
            return await _server_spoke(session, reply, hint, "reply to a TLS ClientHello")
    async with _session(endpoint, timeout, limiter, retries) as session:
        request = f"GET / HTTP/1.0\r\nHost: {endpoint.host}\r\nUser-Agent: pqcscan\r\n\r\n"
        reply, to_http = b"", "connection closed"
        try:
            await session.send(request.encode())
            reader = session.exchange()
            while b"\r\n\r\n" not in reply and len(reply) < 8 * _LINE:
                more = await reader.read_some(_LINE)
                if not more:
                    break
                reply += more
        except ReadFailure as failure:
            to_http = failure.message
        if reply.startswith(b"HTTP/"):
            return _http(reply, "reply to an HTTP request")
        if reply:
            return Detection(
                AppProtocol.UNKNOWN, probes.banner_text(reply), False, "reply to an HTTP request"
            )
    return Detection(
        AppProtocol.UNKNOWN,
        None,
        False,
        f"no answer to a TLS ClientHello ({to_hello}) or an HTTP request ({to_http})",
    )
