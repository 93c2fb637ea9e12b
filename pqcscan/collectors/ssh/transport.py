"""One SSH connection before encryption: identification exchange and plain binary packets.

:class:`Transport` wraps an asyncio stream pair with a deadline (every read and write waits at
most until then) and the bounds of :mod:`pqcscan.collectors.ssh.wire`. It serves both ends:
the collector reads a server's identification and KEXINIT through it, and the lab's
responder reads a client's. Nothing is ever encrypted: the scanner stops before NEWKEYS.

Errors: :class:`TimeoutError` (the deadline passed), :class:`~.wire.ConnectionClosed` (the
peer hung up at a message boundary), :class:`~.wire.SshProtocolError` and its subclasses
(anything malformed, too long, not SSH, or an SSH_MSG_DISCONNECT), and ``OSError`` from the
socket (a reset). The collector maps them to error kinds.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct

from pqcscan.collectors.ssh import wire
from pqcscan.collectors.ssh.wire import (
    Banner,
    ConnectionClosed,
    NotSshError,
    SshProtocolError,
)

#: SSH_MSG_IGNORE / DEBUG / UNIMPLEMENTED messages skipped while waiting for one message.
MAX_SKIPPED = 32
_CHUNK = 16 * 1024


def _binary(data: bytes | bytearray) -> bool:
    """Bytes no SSH identification or text pre-banner line contains (NUL, C0 controls)."""
    return any((b < 0x20 and b not in (0x09, 0x0A, 0x0D)) or b == 0x7F for b in data)


def _describe(data: bytes | bytearray) -> str:
    if len(data) >= 2 and data[0] in (0x15, 0x16) and data[1] == 0x03:
        return "a TLS record (is this a TLS server?)"
    if data.startswith(b"HTTP/"):
        return "an HTTP response"
    if _binary(data[:64]):
        return "binary data"
    text = bytes(data[:60]).decode("utf-8", "replace").strip()
    return f"text {text!r}"


class Transport:
    """A plain-text SSH transport over one connection, bounded by a deadline."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, deadline: float
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.deadline = deadline
        #: What we are waiting for, for error messages ("the SSH identification string").
        self.stage = "the connection"
        self._buf = bytearray()
        self._eof = False
        #: The peer's identification line as sent, without CR LF (it enters the exchange hash).
        self.peer_identification = b""

    # -- low level --------------------------------------------------------------------------

    def remaining(self) -> float:
        return self.deadline - asyncio.get_running_loop().time()

    async def _fill(self) -> bool:
        """Read more bytes into the buffer; False at end of stream."""
        if self._eof:
            return False
        left = self.remaining()
        if left <= 0:
            raise TimeoutError(f"timed out waiting for {self.stage}")
        try:
            data = await asyncio.wait_for(self.reader.read(_CHUNK), left)
        except TimeoutError:
            raise TimeoutError(f"timed out waiting for {self.stage}") from None
        if not data:
            self._eof = True
            return False
        self._buf += data
        return True

    async def read_exact(self, size: int) -> bytes:
        """Exactly ``size`` bytes; a close before then is a truncated message."""
        while len(self._buf) < size:
            if not await self._fill():
                if not self._buf:
                    raise ConnectionClosed(f"connection closed while waiting for {self.stage}")
                raise SshProtocolError(
                    f"connection closed inside a message ({len(self._buf)} of {size} bytes)"
                    f" while waiting for {self.stage}"
                )
        data = bytes(self._buf[:size])
        del self._buf[:size]
        return data

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        left = self.remaining()
        if left <= 0:
            raise TimeoutError(f"timed out sending while waiting for {self.stage}")
        try:
            await asyncio.wait_for(self.writer.drain(), left)
        except TimeoutError:
            raise TimeoutError(f"timed out sending while waiting for {self.stage}") from None

    async def close(self) -> None:
        """Close without waiting long for the peer (it may be hostile)."""
        with contextlib.suppress(Exception):
            self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)

    # -- identification ---------------------------------------------------------------------

    async def read_identification(self) -> tuple[Banner, tuple[str, ...]]:
        """The peer's identification string, and the text lines it sent before it."""
        self.stage = "the SSH identification string"
        lines: list[str] = []
        pre_banner = 0
        while True:
            newline = self._buf.find(b"\n")
            if newline >= 0:
                line = bytes(self._buf[: newline + 1])
                del self._buf[: newline + 1]
                if line.startswith(b"SSH-"):
                    banner = wire.parse_banner(line)
                    self.peer_identification = line.rstrip(b"\r\n")
                    return banner, tuple(lines)
                if _binary(line) or line.startswith(b"HTTP/"):
                    raise NotSshError(f"not an SSH server: it sent {_describe(line)}")
                pre_banner += len(line)
                if pre_banner > wire.MAX_PRE_BANNER:
                    raise SshProtocolError(
                        f"over {wire.MAX_PRE_BANNER} bytes before the identification string"
                    )
                lines.append(line.rstrip(b"\r\n").decode("utf-8", "replace"))
                continue
            if _binary(self._buf):
                raise NotSshError(f"not an SSH server: it sent {_describe(self._buf)}")
            if len(self._buf) > wire.MAX_LINE:
                what = "identification" if self._buf.startswith(b"SSH-") else "pre-banner"
                raise SshProtocolError(f"{what} line longer than {wire.MAX_LINE} bytes")
            if not await self._fill():
                if self._buf.startswith(b"SSH-"):
                    raise SshProtocolError("connection closed inside the identification string")
                if self._buf or lines:
                    first = self._buf if not lines else lines[0].encode()
                    raise NotSshError(
                        f"not an SSH server: closed without an identification string after "
                        f"{_describe(first)}"
                    )
                raise ConnectionClosed(
                    "connection closed before the server sent anything (not SSH, or refusing)"
                )

    # -- packets ----------------------------------------------------------------------------

    async def read_packet(self) -> bytes:
        """The payload of the next unencrypted binary packet."""
        (length,) = struct.unpack(">I", await self.read_exact(4))
        wire.check_packet_length(length)
        return wire.packet_payload(await self.read_exact(length))

    async def read_message(self, *expected: int) -> bytes:
        """The next message whose number is in ``expected``.

        IGNORE, DEBUG and UNIMPLEMENTED are skipped (a bounded number); DISCONNECT raises
        :class:`~.wire.SshDisconnect`; anything else is a protocol error.
        """
        for _ in range(MAX_SKIPPED):
            payload = await self.read_packet()
            number = payload[0]
            if number in expected:
                return payload
            if number == wire.MSG_DISCONNECT:
                raise wire.parse_disconnect(payload)
            if number in (wire.MSG_IGNORE, wire.MSG_DEBUG, wire.MSG_UNIMPLEMENTED):
                continue
            names = "/".join(str(n) for n in expected)
            raise SshProtocolError(f"expected message {names}, got {number} ({self.stage})")
        raise SshProtocolError(f"more than {MAX_SKIPPED} ignorable messages ({self.stage})")

    async def send_packet(self, payload: bytes) -> None:
        await self.send(wire.frame(payload))
