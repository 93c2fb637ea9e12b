"""Hostile servers: each misbehaves in one documented way (:class:`HostileBehaviour`), so a
scanner's error handling can be tested against real sockets. They run on the lab loop and stop
cleanly with clients still connected (every connection task is cancelled, every socket aborted).

==================  ==========================================================================
behaviour           what the server does
==================  ==========================================================================
silent              accepts and never reads nor sends
garbage             sends 4 KiB that are not TLS (first byte 0x00), then closes its side
reset               reads the ClientHello record, then closes with RST (SO_LINGER 0)
drip                sends a valid-looking TLS ServerHello record one byte per ``interval``
huge-handshake      reads the ClientHello, sends a TLS 1.2 ServerHello, then a Certificate
                    message announcing 10 MiB and streams all of it in 16 KiB records
http                answers ``HTTP/1.1 400 Bad Request`` to the first bytes it reads, then
                    closes its side
bad-hrr             answers a HelloRetryRequest whose key_share extension claims 16 bytes but
                    holds 2 (its length overruns the extensions block); then waits
close               closes (FIN) right after accepting
ssh-banner          sends an OpenSSH version banner; answers non-SSH input with "Invalid SSH
                    identification string." and closes its side
half-open           reads and discards everything, never answers, keeps its side open after
                    the client's FIN
==================  ==========================================================================
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar, Final

from pqcscan.demo.lab.loop import AsyncServer
from pqcscan.demo.lab.model import Engine, Expected, HostileBehaviour, HostileFacts, ServerKind
from pqcscan.demo.lab.spec import DEFAULT_HOST, AsyncRunning, Running, ServerSpec
from pqcscan.results import ErrorKind

HRR_RANDOM: Final = bytes.fromhex(
    "CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C"
)
"""ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3: SHA-256 of "HelloRetryRequest")."""

HUGE_LENGTH: Final = 10 * 1024 * 1024
"""The length the huge Certificate message announces (and carries)."""

RECORD_PAYLOAD: Final = 16384
"""The TLS maximum plaintext record size (2^14)."""

SSH_BANNER: Final = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"
HTTP_400: Final = (
    b"HTTP/1.1 400 Bad Request\r\nServer: pqcscan-lab\r\nContent-Type: text/html\r\n"
    b"Content-Length: 48\r\nConnection: close\r\n\r\n"
    b"<html><body>400 Bad Request</body></html>\r\n\r\n\r\n"
)
GARBAGE: Final = b"\x00\xffpqcscan-lab-garbage" + random.Random(20).randbytes(4096 - 21)
"""Deterministic bytes that no TLS parser accepts (0x00 is not a TLS content type)."""

HOLD_SECONDS: Final = 24 * 3600.0
"""How long a hostile server holds a connection it does not close: until the lab stops."""


def _record(content_type: int, payload: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!BHH", content_type, version, len(payload)) + payload


def _handshake(msg_type: int, body: bytes) -> bytes:
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


def drip_record() -> bytes:
    """A plausible TLS 1.2 ServerHello record (what the drip server sends byte by byte)."""
    body = b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\xc0\x2f" + b"\x00" + b"\x00\x00"
    return _record(0x16, _handshake(0x02, body))


@dataclass(frozen=True)
class ClientHelloInfo:
    """The bits of a ClientHello the hostile servers echo."""

    session_id: bytes
    cipher_suites: tuple[int, ...]


def parse_client_hello(record: bytes) -> ClientHelloInfo | None:
    """Session id and cipher suites of a ClientHello record; None if it is not one."""
    try:
        if record[0] != 0x16 or record[5] != 0x01:
            return None
        body = record[9:]
        p = 2 + 32
        sid = body[p + 1 : p + 1 + body[p]]
        p += 1 + body[p]
        n = struct.unpack("!H", body[p : p + 2])[0]
        suites = struct.unpack(f"!{n // 2}H", body[p + 2 : p + 2 + n])
        return ClientHelloInfo(bytes(sid), tuple(suites))
    except (IndexError, struct.error):
        return None


async def read_record(reader: asyncio.StreamReader) -> bytes:
    """One TLS record (header and body), or whatever arrived first if it is not one."""
    header = await reader.read(5)
    if not header or header[0] not in (0x14, 0x15, 0x16, 0x17):
        return header
    if len(header) < 5:
        header += await reader.readexactly(5 - len(header))
    length = struct.unpack("!H", header[3:5])[0]
    return header + await reader.readexactly(min(length, 1 << 16))


def _pick_tls12_suite(hello: ClientHelloInfo | None) -> int:
    for suite in hello.cipher_suites if hello else ():
        grease = (suite & 0x0F0F) == 0x0A0A
        if suite >> 8 != 0x13 and suite not in (0x00FF, 0x5600) and not grease:
            return suite
    return 0xC02F


def server_hello_tls12(hello: ClientHelloInfo | None) -> bytes:
    """A TLS 1.2 ServerHello handshake message choosing a suite the client offered."""
    sid = hello.session_id if hello else b""
    body = (
        b"\x03\x03"
        + random.Random(1).randbytes(32)
        + bytes([len(sid)])
        + sid
        + struct.pack("!H", _pick_tls12_suite(hello))
        + b"\x00"
        + b"\x00\x00"
    )
    return _handshake(0x02, body)


def bad_hello_retry_request(hello: ClientHelloInfo | None) -> bytes:
    """A HelloRetryRequest record whose key_share extension announces 16 bytes and carries 2."""
    sid = hello.session_id if hello else b""
    suites = [s for s in (hello.cipher_suites if hello else ()) if s >> 8 == 0x13] or [0x1301]
    supported_versions = struct.pack("!HHH", 0x002B, 2, 0x0304)
    key_share = struct.pack("!HH", 0x0033, 16) + struct.pack("!H", 0x001D)  # 2 of 16 bytes
    extensions = supported_versions + key_share
    body = (
        b"\x03\x03"
        + HRR_RANDOM
        + bytes([len(sid)])
        + sid
        + struct.pack("!H", suites[0])
        + b"\x00"
        + struct.pack("!H", len(extensions))
        + extensions
    )
    return _record(0x16, _handshake(0x02, body))


def huge_certificate_prefix() -> bytes:
    """The start of the huge Certificate handshake message: type 0x0b, the 24-bit length
    :data:`HUGE_LENGTH`, the certificate_list length, one entry's length and a DER SEQUENCE
    header that fills the entry. Zero bytes follow up to ``4 + HUGE_LENGTH`` bytes in all."""
    entry = HUGE_LENGTH - 6
    return (
        b"\x0b"
        + HUGE_LENGTH.to_bytes(3, "big")
        + (HUGE_LENGTH - 3).to_bytes(3, "big")
        + entry.to_bytes(3, "big")
        + b"\x30\x83"
        + (entry - 5).to_bytes(3, "big")
    )


async def _hold(writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(HOLD_SECONDS)


async def _finish(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Close our side (FIN) but keep reading until the client closes: closing a socket with
    unread input makes the kernel send RST, and a RST may destroy what the client has not
    read yet."""
    writer.write_eof()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(30.0):
            while await reader.read(65536):
                pass
    writer.close()


# --------------------------------------------------------------------------- behaviours

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter, float], Awaitable[None]]


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: float) -> None:
    await _hold(writer)


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: float) -> None:
    writer.write(GARBAGE)
    await writer.drain()
    await _finish(reader, writer)


async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: float) -> None:
    await asyncio.wait_for(read_record(reader), 30.0)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, interval: float) -> None:
    for byte in drip_record():
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(interval)
    await _hold(writer)


async def huge_handshake(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: float
) -> None:
    hello = parse_client_hello(await asyncio.wait_for(read_record(reader), 30.0))
    writer.write(_record(0x16, server_hello_tls12(hello)))
    prefix = huge_certificate_prefix()
    remaining = 4 + HUGE_LENGTH
    first = True
    while remaining > 0:
        size = min(RECORD_PAYLOAD, remaining)
        payload = (prefix + bytes(size - len(prefix))) if first else bytes(size)
        first = False
        writer.write(_record(0x16, payload))
        remaining -= size
        await writer.drain()
    await _hold(writer)


async def http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: float) -> None:
    await asyncio.wait_for(reader.read(65536), 30.0)
    writer.write(HTTP_400)
    await writer.drain()
    await _finish(reader, writer)


async def bad_hrr(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: float) -> None:
    hello = parse_client_hello(await asyncio.wait_for(read_record(reader), 30.0))
    writer.write(bad_hello_retry_request(hello))
    await writer.drain()
    await _hold(writer)


async def close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: float) -> None:
    writer.close()


async def ssh_banner(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: float) -> None:
    writer.write(SSH_BANNER)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(4096), 30.0)
    if data and not data.startswith(b"SSH-"):
        writer.write(b"Invalid SSH identification string.\r\n")
        await writer.drain()
        await _finish(reader, writer)
        return
    await _hold(writer)


async def half_open(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: float) -> None:
    while await reader.read(65536):
        pass
    await _hold(writer)  # the client's FIN came: keep our half open


BEHAVIOURS: Final[dict[HostileBehaviour, Behaviour]] = {
    HostileBehaviour.SILENT: silent,
    HostileBehaviour.GARBAGE: garbage,
    HostileBehaviour.RESET: reset,
    HostileBehaviour.DRIP: drip,
    HostileBehaviour.HUGE_HANDSHAKE: huge_handshake,
    HostileBehaviour.HTTP: http,
    HostileBehaviour.BAD_HRR: bad_hrr,
    HostileBehaviour.CLOSE: close,
    HostileBehaviour.SSH_BANNER: ssh_banner,
    HostileBehaviour.HALF_OPEN: half_open,
}

_E = ErrorKind
_FACTS: Final[dict[HostileBehaviour, tuple[ErrorKind, frozenset[ErrorKind], bytes]]] = {
    HostileBehaviour.SILENT: (_E.TIMEOUT, frozenset({_E.TIMEOUT}), b""),
    HostileBehaviour.GARBAGE: (_E.NOT_TLS, frozenset({_E.NOT_TLS, _E.PROTOCOL_ERROR}), GARBAGE),
    HostileBehaviour.RESET: (_E.RESET, frozenset({_E.RESET}), b""),
    HostileBehaviour.DRIP: (_E.TIMEOUT, frozenset({_E.TIMEOUT}), drip_record()),
    HostileBehaviour.HUGE_HANDSHAKE: (
        _E.TOO_LARGE,
        frozenset({_E.TOO_LARGE, _E.PROTOCOL_ERROR}),
        b"\x16\x03\x03",
    ),
    HostileBehaviour.HTTP: (_E.NOT_TLS, frozenset({_E.NOT_TLS, _E.PROTOCOL_ERROR}), HTTP_400),
    HostileBehaviour.BAD_HRR: (_E.PROTOCOL_ERROR, frozenset({_E.PROTOCOL_ERROR}), b"\x16\x03\x03"),
    HostileBehaviour.CLOSE: (
        _E.HANDSHAKE_FAILURE,
        frozenset({_E.HANDSHAKE_FAILURE, _E.RESET, _E.PROTOCOL_ERROR}),
        b"",
    ),
    HostileBehaviour.SSH_BANNER: (
        _E.NOT_TLS,
        frozenset({_E.NOT_TLS, _E.PROTOCOL_ERROR}),
        SSH_BANNER,
    ),
    HostileBehaviour.HALF_OPEN: (_E.TIMEOUT, frozenset({_E.TIMEOUT}), b""),
}


@dataclass(frozen=True)
class HostileSpec(ServerSpec):
    """A hostile server with one :class:`HostileBehaviour`; ``interval`` paces ``drip``."""

    name: str
    description: str
    behaviour: HostileBehaviour
    interval: float = 1.0

    kind: ClassVar[ServerKind] = ServerKind.HOSTILE
    engine: ClassVar[Engine] = Engine.HANDMADE

    def expected(self) -> Expected:
        error, acceptable, sends = _FACTS[self.behaviour]
        huge = self.behaviour is HostileBehaviour.HUGE_HANDSHAKE
        drips = self.behaviour is HostileBehaviour.DRIP
        return Expected(
            hostile=HostileFacts(
                behaviour=self.behaviour,
                error=error,
                acceptable_errors=acceptable,
                sends=sends,
                announced_length=HUGE_LENGTH if huge else None,
                interval=self.interval if drips else None,
            )
        )

    def launch(self, host: str = DEFAULT_HOST, *, name: str | None = None) -> Running:
        behaviour = BEHAVIOURS[self.behaviour]
        interval = self.interval

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await behaviour(reader, writer, interval)

        server = AsyncServer(host, handler)
        return AsyncRunning(server, lambda port: self.server(host, port, name))
