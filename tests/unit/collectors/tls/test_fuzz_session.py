"""Whole exchanges against replayed hostile bytes: whatever a server sends after our
ClientHello (random, mutated valid flights, a valid ServerHello followed by garbage
"encrypted" records), the client ends with a reply or a ProbeError, never anything else."""

from __future__ import annotations

import asyncio
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.tls import wire
from pqcscan.collectors.tls.conn import Channel, ProbeError
from pqcscan.collectors.tls.hello import Until, send_hello
from pqcscan.collectors.tls.keyshare import make_key_share
from pqcscan.collectors.tls.tls13 import HelloRetry, handshake
from pqcscan.collectors.tls.wire import ClientHelloSpec, ContentType, KeyShareEntry
from tests.fuzz.replay import Sink


async def _channel(data: bytes) -> Channel:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    loop = asyncio.get_running_loop()
    return Channel(reader, Sink(), loop.time() + 5, max_bytes=1 << 20)  # type: ignore[arg-type]


def _spec(shares: tuple[KeyShareEntry, ...] | None = None) -> ClientHelloSpec:
    return ClientHelloSpec(
        legacy_version=0x0303,
        cipher_suites=(0x1301, 0xC02F),
        supported_versions=(0x0304, 0x0303),
        groups=(0x001D,),
        key_shares=shares if shares is not None else (),
        signature_schemes=(0x0804,),
    )


def _flight() -> bytes:
    sh = wire.encode_server_hello(cipher_suite=0xC02F, legacy_version=0x0303)
    msgs = wire.encode_handshake(2, sh)
    msgs += wire.encode_handshake(11, wire.encode_certificate((b"\x30\x03abc",), False))
    msgs += wire.encode_handshake(12, b"\x03\x00\x17\x01\x04\x04\x01\x00\x01s")
    msgs += wire.encode_handshake(14, b"")
    return wire.encode_records(ContentType.HANDSHAKE, msgs, 0x0303)


async def _hello(data: bytes) -> None:
    channel = await _channel(data)
    try:
        reply = await send_hello(channel, _spec(), Until.SERVER_HELLO_DONE)
    except ProbeError:
        return
    assert reply.accepted or reply.alert is not None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_random_server_bytes(data: bytes) -> None:
    asyncio.run(_hello(data))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(0, 255), st.integers(0, 600))
def test_mutated_tls12_flight(pos: int, value: int, cut: int) -> None:
    flight = bytearray(_flight())
    flight[pos % len(flight)] = value
    asyncio.run(_hello(bytes(flight[: max(1, len(flight) - cut)])))


def test_valid_flight_parses() -> None:
    async def run() -> None:
        channel = await _channel(_flight())
        reply = await send_hello(channel, _spec(), Until.SERVER_HELLO_DONE)
        assert reply.server_hello is not None and reply.server_hello.cipher_suite == 0xC02F
        assert [m.msg_type for m in reply.messages] == [11, 12, 14]

    asyncio.run(run())


async def _tls13(tail: bytes) -> None:
    share = make_key_share(0x001D)
    server = make_key_share(0x001D)
    sh = wire.encode_server_hello(
        cipher_suite=0x1301, version=0x0304, group=0x001D, key_exchange=server.public
    )
    data = wire.encode_records(ContentType.HANDSHAKE, wire.encode_handshake(2, sh), 0x0303)
    channel = await _channel(data + tail)
    try:
        await handshake(channel, _spec((KeyShareEntry(0x001D, share.public),)), {0x001D: share})
    except (ProbeError, HelloRetry):
        return
    raise AssertionError("garbage cannot complete a handshake")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_tls13_garbage_after_server_hello(tail: bytes) -> None:
    asyncio.run(_tls13(tail))


def test_tls13_well_framed_garbage_records() -> None:
    records = b"".join(
        wire.encode_records(ContentType.APPLICATION_DATA, os.urandom(n), 0x0303)
        for n in (17, 64, 300)
    )
    asyncio.run(_tls13(b"\x14\x03\x03\x00\x01\x01" + records))
