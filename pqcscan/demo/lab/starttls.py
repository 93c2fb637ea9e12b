"""STARTTLS servers: minimal but protocol-correct plaintext dialogues that upgrade to TLS.

- SMTP (RFC 5321, RFC 3207): ``220`` greeting; ``EHLO`` -> ``250-STARTTLS``; ``STARTTLS`` ->
  ``220``.
- IMAP (RFC 3501 §6.2.1, RFC 9051): ``* OK [CAPABILITY ... STARTTLS]``; ``a STARTTLS`` ->
  ``a OK``.
- POP3 (RFC 1939, RFC 2595 §4): ``+OK``; ``CAPA`` lists ``STLS``; ``STLS`` -> ``+OK``.
- FTP (RFC 959, RFC 4217): ``220``; ``FEAT`` lists ``AUTH TLS``; ``AUTH TLS`` -> ``234``.
- LDAP (RFC 4511 §4.12 and §4.14, RFC 4513 §3): a BER LDAPMessage with the ExtendedRequest
  1.3.6.1.4.1.1466.20037 -> ExtendedResponse success naming the same OID. The client speaks
  first.
- XMPP (RFC 6120 §4-5): the client's stream header -> stream header and features with
  ``<starttls><required/></starttls>``; ``<starttls/>`` -> ``<proceed/>``.
- PostgreSQL (frontend/backend protocol 3, "SSL session encryption"): SSLRequest (length 8,
  code 80877103) -> ``S``; a GSSENCRequest gets ``N``.

After the upgrade the servers speak TLS with a classic certificate (Python ``ssl``) and keep
the protocol going just enough for a client to leave politely (``QUIT``, ``LOGOUT``, unbind,
``</stream:stream>``); a PostgreSQL startup message after TLS gets an ErrorResponse.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import ClassVar, Final

from pqcscan.demo.lab.certs import RSA2048, CertProfile
from pqcscan.demo.lab.channel import Channel
from pqcscan.demo.lab.loop import AsyncServer
from pqcscan.demo.lab.model import (
    Engine,
    Expected,
    ServerKind,
    StartTlsFacts,
    StartTlsProtocol,
    TlsVersion,
)
from pqcscan.demo.lab.spec import DEFAULT_HOST, AsyncRunning, Running, ServerSpec
from pqcscan.demo.lab.tls import ClassicTlsSpec

LDAP_STARTTLS_OID: Final = "1.3.6.1.4.1.1466.20037"
PG_SSL_REQUEST: Final = 80877103
PG_GSSENC_REQUEST: Final = 80877104
PG_PROTOCOL_3: Final = 196608
XMPP_TLS_NS: Final = "urn:ietf:params:xml:ns:xmpp-tls"
XMPP_STREAM_NS: Final = "http://etherx.jabber.org/streams"

Dialogue = Callable[[Channel, ssl.SSLContext], Awaitable[None]]


async def _line(channel: Channel) -> bytes:
    """The next line (without CRLF); EOFError at end of stream."""
    data = await channel.readline()
    if not data.endswith(b"\n"):
        raise EOFError
    return data.rstrip(b"\r\n")


async def _send(channel: Channel, *lines: str) -> None:
    await channel.write("".join(f"{line}\r\n" for line in lines).encode())


# --------------------------------------------------------------------------- SMTP

SMTP_GREETING: Final = b"220 localhost ESMTP pqcscan-lab\r\n"


async def smtp(channel: Channel, ctx: ssl.SSLContext) -> None:
    await channel.write(SMTP_GREETING)
    while True:
        words = (await _line(channel)).decode("latin-1").split()
        verb = words[0].upper() if words else ""
        if verb == "EHLO":
            ext = (
                ["PIPELINING", "8BITMIME"]
                if channel.tls_active
                else ["PIPELINING", "STARTTLS", "8BITMIME"]
            )
            lines = ["localhost greets " + (words[1] if len(words) > 1 else "you"), *ext]
            await _send(channel, *(f"250-{x}" for x in lines[:-1]), f"250 {lines[-1]}")
        elif verb == "HELO":
            await _send(channel, "250 localhost")
        elif verb == "STARTTLS":
            if channel.tls_active:
                await _send(channel, "503 5.5.1 TLS already active")
                continue
            await _send(channel, "220 2.0.0 Ready to start TLS")
            await channel.start_tls(ctx)
        elif verb in ("NOOP", "RSET"):
            await _send(channel, "250 2.0.0 OK")
        elif verb == "QUIT":
            await _send(channel, "221 2.0.0 Bye")
            return
        elif channel.tls_active:
            await _send(channel, "502 5.5.2 pqcscan lab accepts no mail")
        else:
            await _send(channel, "530 5.7.0 Must issue a STARTTLS command first")


# --------------------------------------------------------------------------- IMAP

IMAP_GREETING: Final = b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] pqcscan lab ready\r\n"


async def imap(channel: Channel, ctx: ssl.SSLContext) -> None:
    await channel.write(IMAP_GREETING)
    while True:
        parts = (await _line(channel)).decode("latin-1").split()
        if len(parts) < 2:
            await _send(channel, "* BAD missing tag or command")
            continue
        tag, command = parts[0], parts[1].upper()
        if command == "CAPABILITY":
            caps = (
                "IMAP4rev1 LOGINDISABLED"
                if channel.tls_active
                else "IMAP4rev1 STARTTLS LOGINDISABLED"
            )
            await _send(channel, f"* CAPABILITY {caps}", f"{tag} OK CAPABILITY completed")
        elif command == "STARTTLS":
            if channel.tls_active:
                await _send(channel, f"{tag} BAD TLS already active")
                continue
            await _send(channel, f"{tag} OK Begin TLS negotiation now")
            await channel.start_tls(ctx)
        elif command == "NOOP":
            await _send(channel, f"{tag} OK NOOP completed")
        elif command == "LOGOUT":
            await _send(channel, "* BYE pqcscan lab logging out", f"{tag} OK LOGOUT completed")
            return
        else:
            await _send(channel, f"{tag} BAD command not available in the pqcscan lab")


# --------------------------------------------------------------------------- POP3

POP3_GREETING: Final = b"+OK pqcscan lab POP3 ready\r\n"


async def pop3(channel: Channel, ctx: ssl.SSLContext) -> None:
    await channel.write(POP3_GREETING)
    while True:
        words = (await _line(channel)).decode("latin-1").split()
        command = words[0].upper() if words else ""
        if command == "CAPA":
            caps = ["USER"] if channel.tls_active else ["USER", "STLS"]
            await _send(channel, "+OK Capability list follows", *caps, ".")
        elif command == "STLS":
            if channel.tls_active:
                await _send(channel, "-ERR TLS already active")
                continue
            await _send(channel, "+OK Begin TLS negotiation")
            await channel.start_tls(ctx)
        elif command == "NOOP":
            await _send(channel, "+OK")
        elif command == "QUIT":
            await _send(channel, "+OK pqcscan lab signing off")
            return
        else:
            await _send(channel, "-ERR command not available in the pqcscan lab")


# --------------------------------------------------------------------------- FTP

FTP_GREETING: Final = b"220 pqcscan lab FTP ready\r\n"


async def ftp(channel: Channel, ctx: ssl.SSLContext) -> None:
    await channel.write(FTP_GREETING)
    while True:
        words = (await _line(channel)).decode("latin-1").split()
        command = words[0].upper() if words else ""
        argument = words[1].upper() if len(words) > 1 else ""
        if command == "FEAT":
            await _send(channel, "211-Features:", " AUTH TLS", " PBSZ", " PROT", "211 End")
        elif command == "AUTH":
            if argument not in ("TLS", "TLS-C", "SSL"):
                await _send(channel, "504 AUTH type not supported")
            elif channel.tls_active:
                await _send(channel, "503 TLS already active")
            else:
                await _send(channel, "234 AUTH TLS successful")
                await channel.start_tls(ctx)
        elif command == "PBSZ":
            await _send(channel, "200 PBSZ=0")
        elif command == "PROT":
            await _send(channel, "200 PROT now Private" if argument == "P" else "536 only P")
        elif command == "SYST":
            await _send(channel, "215 UNIX Type: L8")
        elif command == "NOOP":
            await _send(channel, "200 NOOP ok")
        elif command == "QUIT":
            await _send(channel, "221 Goodbye")
            return
        elif command in ("USER", "PASS") and not channel.tls_active:
            await _send(channel, "530 Use AUTH TLS first")
        else:
            await _send(channel, "502 Command not implemented")


# --------------------------------------------------------------------------- LDAP (BER)


def ber_length(n: int) -> bytes:
    """A BER/DER definite length."""
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def ber(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + ber_length(len(content)) + content


def ber_integer(value: int) -> bytes:
    return ber(0x02, value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True))


def ldap_extended_request(message_id: int, oid: str) -> bytes:
    """LDAPMessage { messageID, extendedReq [APPLICATION 23] { requestName [0] oid } }."""
    return ber(0x30, ber_integer(message_id) + ber(0x77, ber(0x80, oid.encode())))


def ldap_extended_response(message_id: int, result_code: int, oid: str | None) -> bytes:
    """LDAPMessage { messageID, extendedResp [APPLICATION 24] { resultCode, matchedDN "",
    diagnosticMessage "", responseName [10] oid } }."""
    body = ber(0x0A, bytes([result_code])) + ber(0x04, b"") + ber(0x04, b"")
    if oid is not None:
        body += ber(0x8A, oid.encode())
    return ber(0x30, ber_integer(message_id) + ber(0x78, body))


def _ldap_result(message_id: int, op_tag: int, result_code: int) -> bytes:
    body = ber(0x0A, bytes([result_code])) + ber(0x04, b"") + ber(0x04, b"")
    return ber(0x30, ber_integer(message_id) + ber(op_tag, body))


async def _ber_element(channel: Channel) -> tuple[int, bytes]:
    """(tag, content) of the next BER element with a definite length (64 KiB at most)."""
    head = await channel.readexactly(2)
    tag, first = head[0], head[1]
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if not 1 <= count <= 3:
            raise ValueError("unsupported BER length")
        length = int.from_bytes(await channel.readexactly(count), "big")
    if length > 65536:
        raise ValueError("LDAP message too large for the lab")
    return tag, await channel.readexactly(length)


def _ber_children(content: bytes) -> list[tuple[int, bytes]]:
    out, i = [], 0
    while i < len(content):
        tag, first = content[i], content[i + 1]
        i += 2
        if first < 0x80:
            length = first
        else:
            count = first & 0x7F
            length = int.from_bytes(content[i : i + count], "big")
            i += count
        out.append((tag, content[i : i + length]))
        i += length
    return out


async def ldap(channel: Channel, ctx: ssl.SSLContext) -> None:
    while True:
        tag, content = await _ber_element(channel)
        children = _ber_children(content) if tag == 0x30 else []
        if len(children) < 2 or children[0][0] != 0x02:
            return  # not an LDAPMessage: hang up, as servers do
        message_id = int.from_bytes(children[0][1], "big")
        op_tag, op = children[1]
        if op_tag == 0x42:  # unbindRequest
            return
        if op_tag == 0x77:  # extendedReq
            parts = dict(_ber_children(op))
            oid = parts.get(0x80, b"").decode("ascii", "replace")
            if oid != LDAP_STARTTLS_OID:
                await channel.write(ldap_extended_response(message_id, 2, None))  # protocolError
            elif channel.tls_active:
                await channel.write(ldap_extended_response(message_id, 1, oid))  # operationsError
            else:
                await channel.write(ldap_extended_response(message_id, 0, oid))  # success
                await channel.start_tls(ctx)
        elif op_tag == 0x60:  # bindRequest
            # confidentialityRequired before TLS, unwillingToPerform after
            await channel.write(_ldap_result(message_id, 0x61, 53 if channel.tls_active else 13))
        else:
            return


# --------------------------------------------------------------------------- XMPP

_STREAM_OPEN: Final = re.compile(rb"<stream:stream\b[^>]*>", re.DOTALL)
_STARTTLS: Final = re.compile(rb"<starttls\b[^>]*?(/>|>.*?</starttls>)", re.DOTALL)
_STREAM_CLOSE: Final = re.compile(rb"</stream:stream>")
_XMLNS: Final = re.compile(rb"""\sxmlns=(['"])(jabber:client|jabber:server)\1""")


async def _read_until(
    channel: Channel, buffer: bytearray, pattern: re.Pattern[bytes]
) -> re.Match[bytes]:
    while True:
        match = pattern.search(buffer)
        if match:
            return match
        if len(buffer) > 65536:
            raise ValueError("XMPP input too large for the lab")
        data = await channel.read(4096)
        if not data:
            raise EOFError
        buffer += data


def _stream_header(namespace: str, number: int) -> bytes:
    return (
        f"<?xml version='1.0'?><stream:stream xmlns='{namespace}' "
        f"xmlns:stream='{XMPP_STREAM_NS}' id='pqcscan-lab-{number}' from='localhost' "
        "version='1.0'>"
    ).encode()


async def xmpp(channel: Channel, ctx: ssl.SSLContext) -> None:
    buffer = bytearray()
    header = await _read_until(channel, buffer, _STREAM_OPEN)
    ns_match = _XMLNS.search(header.group(0))
    namespace = ns_match.group(2).decode() if ns_match else "jabber:client"
    del buffer[: header.end()]
    await channel.write(
        _stream_header(namespace, 1)
        + f"<stream:features><starttls xmlns='{XMPP_TLS_NS}'><required/></starttls>"
        "</stream:features>".encode()
    )
    await _read_until(channel, buffer, _STARTTLS)
    await channel.write(f"<proceed xmlns='{XMPP_TLS_NS}'/>".encode())
    await channel.start_tls(ctx)
    # RFC 6120 §5.4.3.3: the client opens a new stream over TLS.
    buffer = bytearray()
    await _read_until(channel, buffer, _STREAM_OPEN)
    await channel.write(
        _stream_header(namespace, 2)
        + b"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
        b"<mechanism>EXTERNAL</mechanism></mechanisms></stream:features>"
    )
    await _read_until(channel, buffer, _STREAM_CLOSE)
    await channel.write(b"</stream:stream>")


# --------------------------------------------------------------------------- PostgreSQL


def pg_error(message: str) -> bytes:
    """An ErrorResponse ('E') with severity FATAL, SQLSTATE 28000."""
    fields = b"".join(
        code + value.encode() + b"\0"
        for code, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", "28000"), (b"M", message))
    )
    body = fields + b"\0"
    return b"E" + struct.pack("!I", len(body) + 4) + body


async def postgres(channel: Channel, ctx: ssl.SSLContext) -> None:
    while True:
        length = struct.unpack("!I", await channel.readexactly(4))[0]
        if not 8 <= length <= 10000:
            return
        body = await channel.readexactly(length - 4)
        code = struct.unpack("!I", body[:4])[0]
        if code == PG_SSL_REQUEST and length == 8 and not channel.tls_active:
            await channel.write(b"S")
            await channel.start_tls(ctx)
        elif code == PG_GSSENC_REQUEST and length == 8:
            await channel.write(b"N")
        elif code == PG_PROTOCOL_3:
            message = "pqcscan lab accepts no logins" if channel.tls_active else "SSL required"
            await channel.write(pg_error(message))
            return
        else:
            return


# --------------------------------------------------------------------------- specs

_DIALOGUES: Final[dict[StartTlsProtocol, Dialogue]] = {
    StartTlsProtocol.SMTP: smtp,
    StartTlsProtocol.IMAP: imap,
    StartTlsProtocol.POP3: pop3,
    StartTlsProtocol.FTP: ftp,
    StartTlsProtocol.LDAP: ldap,
    StartTlsProtocol.XMPP: xmpp,
    StartTlsProtocol.POSTGRES: postgres,
}

STARTTLS_FACTS: Final[dict[StartTlsProtocol, StartTlsFacts]] = {
    StartTlsProtocol.SMTP: StartTlsFacts(
        StartTlsProtocol.SMTP, SMTP_GREETING, b"STARTTLS\r\n", b"220 "
    ),
    StartTlsProtocol.IMAP: StartTlsFacts(
        StartTlsProtocol.IMAP, IMAP_GREETING, b"a STARTTLS\r\n", b"a OK "
    ),
    StartTlsProtocol.POP3: StartTlsFacts(StartTlsProtocol.POP3, POP3_GREETING, b"STLS\r\n", b"+OK"),
    StartTlsProtocol.FTP: StartTlsFacts(
        StartTlsProtocol.FTP, FTP_GREETING, b"AUTH TLS\r\n", b"234 "
    ),
    StartTlsProtocol.LDAP: StartTlsFacts(
        StartTlsProtocol.LDAP,
        b"",
        ldap_extended_request(1, LDAP_STARTTLS_OID),
        ldap_extended_response(1, 0, LDAP_STARTTLS_OID),
    ),
    StartTlsProtocol.XMPP: StartTlsFacts(
        StartTlsProtocol.XMPP,
        b"",
        f"<starttls xmlns='{XMPP_TLS_NS}'/>".encode(),
        f"<proceed xmlns='{XMPP_TLS_NS}'/>".encode(),
        opening=(
            "<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' "
            f"xmlns:stream='{XMPP_STREAM_NS}' version='1.0'>"
        ).encode(),
        opening_reply_end=b"</stream:features>",
    ),
    StartTlsProtocol.POSTGRES: StartTlsFacts(
        StartTlsProtocol.POSTGRES, b"", struct.pack("!II", 8, PG_SSL_REQUEST), b"S"
    ),
}
"""The dialogue facts of each protocol (greeting, the lab client's request, the go-ahead)."""


@dataclass(frozen=True)
class StartTlsSpec(ServerSpec):
    """A STARTTLS server for ``protocol``; after the upgrade, classic TLS on Python ``ssl``."""

    name: str
    description: str
    protocol: StartTlsProtocol
    cert: CertProfile = RSA2048
    versions: tuple[TlsVersion, ...] = (TlsVersion.TLS1_2, TlsVersion.TLS1_3)
    ciphers: tuple[str, ...] = ("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384")
    _tls: ClassicTlsSpec = field(init=False, repr=False, compare=False)

    kind: ClassVar[ServerKind] = ServerKind.STARTTLS
    engine: ClassVar[Engine] = Engine.PYTHON_SSL

    def __post_init__(self) -> None:
        tls = ClassicTlsSpec(self.name, self.description, self.cert, self.versions, self.ciphers)
        object.__setattr__(self, "_tls", tls)

    def expected(self) -> Expected:
        return Expected(tls=self._tls.tls_facts(), starttls=STARTTLS_FACTS[self.protocol])

    def launch(self, host: str = DEFAULT_HOST, *, name: str | None = None) -> Running:
        dialogue = _DIALOGUES[self.protocol]
        context = self._tls.ssl_context()

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            channel = Channel(reader, writer)
            await dialogue(channel, context)
            await channel.close_tls()

        server = AsyncServer(host, handler)
        return AsyncRunning(server, lambda port: self.server(host, port, name))
