"""Bounded reads for protocol code facing hostile servers: a byte cap and one deadline.

A server may drip one byte a second (a per-read timeout never fires) or send 10 MB where a
banner was expected. Every reader here is built for one exchange with ``timeout`` (seconds,
for the whole exchange: one deadline, not per read) and ``limit`` (bytes, in all, read from
the network: the reader never asks the socket for more). Past either it raises
:class:`~pqcscan.net.errors.ReadFailure` (``timeout`` or ``too-large``); an early close is
``closed``, a reset ``reset``.

The same calls exist on both readers, so TLS and SSH parsers can share them:

- :class:`BoundedReader` wraps an ``asyncio.StreamReader`` (``await r.read_exactly(5)``);
- :class:`SocketReader` wraps a blocking socket (``r.read_exactly(5)``), for code running
  in a thread.

``read_exactly(n)``, ``read_until(sep, max_length)``, ``read_line(max_length)`` and
``read_some(max_length)`` (whatever arrives first; ``b""`` at end of stream). Bytes a call
reads beyond what it returns stay in the reader's buffer for the next call: once a stream is
wrapped, read it only through the wrapper.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

from pqcscan.net.errors import ReadFailure, Reason, describe, reason_of

_CHUNK = 16 * 1024


class _Bounded:
    """The shared accounting: buffer, byte budget, deadline, and the pure take-* steps."""

    def __init__(self, timeout: float, limit: int, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.deadline = clock() + timeout
        self.timeout = timeout
        self.limit = limit
        self.bytes_read = 0
        self._buffer = bytearray()
        self.eof = False

    @property
    def buffered(self) -> bytes:
        """Bytes read from the network and not yet returned."""
        return bytes(self._buffer)

    def time_left(self) -> float:
        left = self.deadline - self._clock()
        if left <= 0:
            raise ReadFailure(Reason.TIMEOUT, f"no complete answer within {self.timeout:g} s")
        return left

    def _room(self) -> int:
        room = self.limit - self.bytes_read
        if room <= 0:
            raise ReadFailure(Reason.TOO_LARGE, f"more than {self.limit} bytes without an answer")
        return min(room, _CHUNK)

    def _got(self, data: bytes, wanted: str) -> None:
        if not data:
            self.eof = True
            raise ReadFailure(Reason.CLOSED, f"connection closed before {wanted}")
        self.bytes_read += len(data)
        self._buffer += data

    def _take(self, n: int) -> bytes:
        out = bytes(self._buffer[:n])
        del self._buffer[:n]
        return out

    def _take_until(self, separator: bytes, max_length: int) -> bytes | None:
        at = self._buffer.find(separator)
        if at >= 0 and at + len(separator) <= max_length:
            return self._take(at + len(separator))
        if at >= 0 or len(self._buffer) >= max_length:
            raise ReadFailure(Reason.TOO_LARGE, f"no {separator!r} within {max_length} bytes")
        return None


class BoundedReader(_Bounded):
    """An ``asyncio.StreamReader`` with a byte cap and one deadline for the exchange.

    ``buffered`` hands over what a previous reader of the same stream read and did not
    return (its :attr:`buffered`), for a new exchange with a new deadline.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        *,
        timeout: float,
        limit: int,
        clock: Callable[[], float] = time.monotonic,
        buffered: bytes = b"",
    ) -> None:
        super().__init__(timeout, limit, clock)
        self._reader = reader
        self._buffer += buffered  # bytes an earlier reader of the same stream left over

    async def _fill(self, wanted: str) -> None:
        size = self._room()
        try:
            async with asyncio.timeout(self.time_left()):
                data = await self._reader.read(size)
        except TimeoutError:
            raise ReadFailure(
                Reason.TIMEOUT, f"timed out after {self.timeout:g} s waiting for {wanted}"
            ) from None
        except OSError as exc:
            raise ReadFailure(
                reason_of(exc), f"{describe(exc)} while waiting for {wanted}"
            ) from None
        self._got(data, wanted)

    async def read_exactly(self, n: int) -> bytes:
        """Exactly ``n`` bytes."""
        while len(self._buffer) < n:
            await self._fill(f"{n} bytes (got {len(self._buffer)})")
        return self._take(n)

    async def read_until(self, separator: bytes, max_length: int) -> bytes:
        """Up to and including ``separator``, at most ``max_length`` bytes in all."""
        while (found := self._take_until(separator, max_length)) is None:
            await self._fill(f"{separator!r}")
        return found

    async def read_line(self, max_length: int = 4096) -> bytes:
        """One line, ending with ``\\n`` (``\\r\\n`` kept)."""
        return await self.read_until(b"\n", max_length)

    async def read_some(self, max_length: int = _CHUNK) -> bytes:
        """Whatever is buffered or arrives first, at most ``max_length`` bytes; b"" at EOF."""
        if not self._buffer and not self.eof:
            try:
                await self._fill("data")
            except ReadFailure as failure:
                if failure.reason is not Reason.CLOSED:
                    raise
                return b""
        return self._take(max_length)


class SocketReader(_Bounded):
    """A blocking socket with a byte cap and one deadline for the exchange."""

    def __init__(
        self,
        sock: socket.socket,
        *,
        timeout: float,
        limit: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(timeout, limit, clock)
        self._sock = sock

    def _fill(self, wanted: str) -> None:
        size = self._room()
        try:
            self._sock.settimeout(self.time_left())
            data = self._sock.recv(size)
        except TimeoutError:
            raise ReadFailure(
                Reason.TIMEOUT, f"timed out after {self.timeout:g} s waiting for {wanted}"
            ) from None
        except OSError as exc:
            raise ReadFailure(
                reason_of(exc), f"{describe(exc)} while waiting for {wanted}"
            ) from None
        self._got(data, wanted)

    def read_exactly(self, n: int) -> bytes:
        """Exactly ``n`` bytes."""
        while len(self._buffer) < n:
            self._fill(f"{n} bytes (got {len(self._buffer)})")
        return self._take(n)

    def read_until(self, separator: bytes, max_length: int) -> bytes:
        """Up to and including ``separator``, at most ``max_length`` bytes in all."""
        while (found := self._take_until(separator, max_length)) is None:
            self._fill(f"{separator!r}")
        return found

    def read_line(self, max_length: int = 4096) -> bytes:
        """One line, ending with ``\\n`` (``\\r\\n`` kept)."""
        return self.read_until(b"\n", max_length)

    def read_some(self, max_length: int = _CHUNK) -> bytes:
        """Whatever is buffered or arrives first, at most ``max_length`` bytes; b"" at EOF."""
        if not self._buffer and not self.eof:
            try:
                self._fill("data")
            except ReadFailure as failure:
                if failure.reason is not Reason.CLOSED:
                    raise
                return b""
        return self._take(max_length)


async def read_exactly(
    reader: asyncio.StreamReader, n: int, *, timeout: float, limit: int | None = None
) -> bytes:
    """One bounded read of exactly ``n`` bytes (``limit`` defaults to ``n``)."""
    bounded = BoundedReader(reader, timeout=timeout, limit=n if limit is None else limit)
    return await bounded.read_exactly(n)
