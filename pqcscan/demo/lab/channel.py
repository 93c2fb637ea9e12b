"""A connection's bytes, in clear or through TLS, for the in-process servers.

TLS runs on :class:`ssl.SSLObject` over memory BIOs, driven here, rather than on asyncio's TLS
transport: asyncio discards what OpenSSL writes when a handshake fails, so a client offering
only an unsupported group would see the connection close instead of the
``handshake_failure`` alert a real server sends, and a scanner tested against the lab would
learn the wrong lesson. Here every byte OpenSSL produces (alerts, session tickets,
close_notify) reaches the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Final

IO_TIMEOUT: Final = 30.0
"""Seconds a server waits for the client's next bytes before hanging up."""

READ_SIZE: Final = 65536


class Channel:
    """Reads and writes for one client; :meth:`start_tls` switches to TLS (once)."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        timeout: float = IO_TIMEOUT,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.timeout = timeout
        self._buffer = bytearray()  # plaintext not consumed yet
        self._tls: ssl.SSLObject | None = None
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()

    @property
    def tls_active(self) -> bool:
        return self._tls is not None

    @property
    def tls(self) -> ssl.SSLObject | None:
        return self._tls

    # ------------------------------------------------------------------ raw side

    async def _flush(self) -> None:
        data = self._outgoing.read()
        if data:
            self.writer.write(data)
            await asyncio.wait_for(self.writer.drain(), self.timeout)

    async def _raw_read(self) -> bytes:
        return await asyncio.wait_for(self.reader.read(READ_SIZE), self.timeout)

    # ------------------------------------------------------------------ TLS

    async def start_tls(self, context: ssl.SSLContext, handshake_timeout: float = 10.0) -> None:
        """Server-side handshake. On failure the alert is sent, then the SSLError raised."""
        if self._tls is not None:
            raise RuntimeError("TLS already active")
        tls = context.wrap_bio(self._incoming, self._outgoing, server_side=True)
        if self._buffer:  # the client did not wait for our go-ahead
            self._incoming.write(bytes(self._buffer))
            self._buffer.clear()
        self._tls = tls
        await asyncio.wait_for(self._handshake(tls), handshake_timeout)

    async def _handshake(self, tls: ssl.SSLObject) -> None:
        while True:
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                await self._flush()
                data = await self._raw_read()
                if not data:
                    raise ConnectionResetError("client left during the handshake") from None
                self._incoming.write(data)
            except ssl.SSLError:
                await self._flush()  # the alert
                raise
            else:
                await self._flush()
                return

    async def _tls_more(self, tls: ssl.SSLObject) -> bytes:
        while True:
            try:
                data = tls.read(READ_SIZE)
            except ssl.SSLWantReadError:
                await self._flush()
                raw = await self._raw_read()
                if raw:
                    self._incoming.write(raw)
                else:
                    self._incoming.write_eof()
                continue
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""
            await self._flush()
            return data

    # ------------------------------------------------------------------ plaintext API

    async def _more(self) -> bool:
        data = await (self._tls_more(self._tls) if self._tls else self._raw_read())
        self._buffer += data
        return bool(data)

    async def read(self, size: int = READ_SIZE) -> bytes:
        """Up to ``size`` bytes; b"" at end of stream."""
        if not self._buffer:
            await self._more()
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    async def readline(self, limit: int = READ_SIZE) -> bytes:
        """One line with its newline; what is left at end of stream (maybe b"")."""
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[: end + 1])
                del self._buffer[: end + 1]
                return line
            if len(self._buffer) > limit:
                raise ValueError("line too long")
            if not await self._more():
                line = bytes(self._buffer)
                self._buffer.clear()
                return line

    async def readexactly(self, size: int) -> bytes:
        """Exactly ``size`` bytes; EOFError if the stream ends first."""
        while len(self._buffer) < size:
            if not await self._more():
                raise EOFError(f"{len(self._buffer)} of {size} bytes before end of stream")
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    async def write(self, data: bytes) -> None:
        """Send ``data`` (encrypted once TLS is on) and wait until it is handed to the OS."""
        if self._tls is not None:
            self._tls.write(data)
            await self._flush()
        else:
            self.writer.write(data)
            await asyncio.wait_for(self.writer.drain(), self.timeout)

    async def close_tls(self) -> None:
        """Send close_notify (best effort)."""
        if self._tls is not None:
            with contextlib.suppress(ssl.SSLError):
                self._tls.unwrap()
            await self._flush()
