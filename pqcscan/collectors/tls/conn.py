"""One TCP connection per probe: deadline, byte cap, pacing, and errors mapped to kinds.

Inputs: an :class:`~pqcscan.targets.model.Endpoint`, a ``connect`` callable taking
``(endpoint, timeout)`` and returning the stream pair (default: the network layer's
:func:`pqcscan.net.pacing.open_connection`; tests inject others) and an optional limiter with
an ``async acquire()`` (:class:`pqcscan.net.pacing.RateLimiter`: connections per second).

Limits: each connection has one deadline for everything it does (connect, STARTTLS preamble,
handshake), so a server that drips one byte a second ends as ``timeout``; it may read at most
``max_bytes`` in all. Every failure becomes a :class:`ProbeError` with an
:class:`~pqcscan.results.ErrorKind`; nothing else escapes.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from pqcscan.collectors.tls.wire import (
    ContentType,
    RecordHeader,
    WireError,
    parse_record_header,
)
from pqcscan.net.errors import NetFailure
from pqcscan.net.pacing import open_connection
from pqcscan.results import ErrorKind
from pqcscan.targets.model import Endpoint

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]
#: ``connect(endpoint, timeout)`` -> (reader, writer); raises OSError / TimeoutError.
Connect = Callable[[Endpoint, float], Awaitable[Streams]]

#: Bytes one connection may read in all (a TLS 1.3 handshake with a large PQC chain fits).
DEFAULT_MAX_BYTES = 1024 * 1024


class ProbeError(Exception):
    """A connection that did not give an answer, and why."""

    def __init__(self, kind: ErrorKind, message: str, *, closed: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        #: The server closed the connection cleanly before answering (no RST, no alert).
        self.closed = closed

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.message}"


class Limiter(Protocol):
    """Anything that paces new connections (``--rate``)."""

    async def acquire(self) -> None: ...


async def open_tcp(endpoint: Endpoint, timeout: float) -> Streams:
    """The default ``connect``: the network layer's :func:`pqcscan.net.pacing.open_connection`
    (pacing is done by the caller's limiter, so none is passed here)."""
    return await open_connection(endpoint, timeout)


def error_kind(exc: BaseException) -> tuple[ErrorKind, str]:
    """Map a connection-level exception to an error kind and a short message."""
    if isinstance(exc, ProbeError):
        return exc.kind, exc.message
    if isinstance(exc, WireError | NetFailure):
        return exc.kind, exc.message
    if isinstance(exc, TimeoutError):
        return ErrorKind.TIMEOUT, "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return ErrorKind.REFUSED, "connection refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return ErrorKind.RESET, "connection reset by the server"
    if isinstance(exc, asyncio.IncompleteReadError):
        return ErrorKind.RESET, "connection closed by the server mid-message"
    if isinstance(exc, OSError):
        if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL):
            return ErrorKind.REFUSED, f"unreachable: {exc.strerror}"
        if exc.errno == errno.ETIMEDOUT:
            return ErrorKind.TIMEOUT, "timed out"
        return ErrorKind.RESET, f"connection error: {exc.strerror or exc}"
    return ErrorKind.PROTOCOL_ERROR, f"unexpected error: {type(exc).__name__}: {exc}"


@dataclass(slots=True)
class ConnectionStats:
    """Counters shared by every connection of one endpoint."""

    opened: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


class Channel:
    """One open connection with a deadline and a read cap. Use ``async with``."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        deadline: float,
        max_bytes: int = DEFAULT_MAX_BYTES,
        stats: ConnectionStats | None = None,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.deadline = deadline  # loop.time()
        self.max_bytes = max_bytes
        self.received = 0
        self.stats = stats or ConnectionStats()
        self._records_read = 0

    @classmethod
    async def open(
        cls,
        endpoint: Endpoint,
        timeout: float,
        connect: Connect = open_tcp,
        limiter: Limiter | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        stats: ConnectionStats | None = None,
    ) -> Channel:
        """Connect within ``timeout`` (which also bounds the whole exchange)."""
        if limiter is not None:
            await limiter.acquire()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            reader, writer = await connect(endpoint, timeout)
        except Exception as exc:
            kind, message = error_kind(exc)
            raise ProbeError(kind, message) from exc
        if stats is not None:
            stats.opened += 1
        return cls(reader, writer, deadline, max_bytes, stats)

    async def __aenter__(self) -> Channel:
        return self

    async def __aexit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()

    @property
    def remaining(self) -> float:
        return self.deadline - asyncio.get_running_loop().time()

    async def _guard(self, awaitable: Awaitable[bytes]) -> bytes:
        try:
            async with asyncio.timeout_at(self.deadline):
                return await awaitable
        except asyncio.IncompleteReadError as exc:
            if not exc.partial and self.received == 0:
                raise ProbeError(
                    ErrorKind.HANDSHAKE_FAILURE,
                    "connection closed by the server without a reply",
                    closed=True,
                ) from exc
            kind, message = error_kind(exc)
            raise ProbeError(kind, message) from exc
        except ProbeError:
            raise
        except Exception as exc:
            kind, message = error_kind(exc)
            raise ProbeError(kind, message) from exc

    def _count(self, n: int) -> None:
        self.received += n
        self.stats.bytes_received += n
        if self.received > self.max_bytes:
            raise ProbeError(
                ErrorKind.TOO_LARGE, f"the server sent more than {self.max_bytes} bytes"
            )

    async def read_exact(self, n: int) -> bytes:
        if self.received + n > self.max_bytes:
            raise ProbeError(
                ErrorKind.TOO_LARGE, f"the server sent more than {self.max_bytes} bytes"
            )
        data = await self._guard(self.reader.readexactly(n))
        self._count(len(data))
        return data

    async def read_some(self, limit: int = 4096) -> bytes:
        """Whatever arrives next (at most ``limit`` bytes); b"" at end of stream."""
        data = await self._guard(self.reader.read(limit))
        self._count(len(data))
        return data

    async def read_line(self) -> bytes:
        """One line ending in LF (STARTTLS dialogues); lines over 64 KiB are an error."""
        try:
            data = await self._guard(self.reader.readuntil(b"\n"))
        except ProbeError as exc:
            if isinstance(exc.__cause__, asyncio.LimitOverrunError | ValueError):
                raise ProbeError(ErrorKind.PROTOCOL_ERROR, "line longer than 64 KiB") from exc
            raise
        self._count(len(data))
        return data

    async def write(self, data: bytes) -> None:
        try:
            self.writer.write(data)
            async with asyncio.timeout_at(self.deadline):
                await self.writer.drain()
        except Exception as exc:
            kind, message = error_kind(exc)
            raise ProbeError(kind, message) from exc
        self.stats.bytes_sent += len(data)

    async def read_record(self) -> tuple[RecordHeader, bytes]:
        """The next TLS record. The first one decides ``not-tls``."""
        first = self._records_read == 0
        try:
            header = parse_record_header(await self.read_exact(5), first=first)
        except WireError as exc:
            raise ProbeError(exc.kind, exc.message) from exc
        payload = await self.read_exact(header.length) if header.length else b""
        self._records_read += 1
        return header, payload


def is_alert(header: RecordHeader) -> bool:
    return header.content_type == ContentType.ALERT
