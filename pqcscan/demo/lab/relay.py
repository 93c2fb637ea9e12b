"""A TCP relay: a fixed loopback address and port in front of a lab server's ephemeral one.

Lab servers bind port 0 (race-free, see :mod:`pqcscan.demo.lab.process`), so their endpoints
differ from run to run. Where an inventory must come out the same every time (the sample
inventory), each server is reached through a relay on a fixed address such as
``127.80.0.10:8443`` that copies bytes both ways, half-closes included, and nothing else: the
scanner talks TLS or SSH with the real server behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from pqcscan.demo.lab.loop import AsyncServer
from pqcscan.demo.lab.model import check_loopback

CHUNK = 64 * 1024


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until end of stream, then pass the half-close on."""
    while data := await reader.read(CHUNK):
        writer.write(data)
        await writer.drain()
    if writer.can_write_eof():
        with contextlib.suppress(OSError):
            writer.write_eof()


@contextlib.contextmanager
def relay(front: str, front_port: int, back: str, back_port: int) -> Iterator[str]:
    """Listen on ``front:front_port`` and relay each connection to ``back:back_port``;
    yield the front endpoint. Both sides must be loopback addresses."""
    check_loopback(front)
    check_loopback(back)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(back, back_port)
        except OSError:
            return  # the server behind is gone: the client sees the connection close
        try:
            await asyncio.gather(_pump(reader, up_writer), _pump(up_reader, writer))
        finally:
            up_writer.transport.abort()

    server = AsyncServer(front, handle, port=front_port)
    server.start()
    try:
        yield f"{front}:{front_port}"
    finally:
        server.stop()
