"""The plain SSH transport over an in-memory stream: identification, packets, bounds."""

from __future__ import annotations

import asyncio
import contextlib
import struct
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.ssh import wire
from pqcscan.collectors.ssh.transport import Transport
from pqcscan.collectors.ssh.wire import (
    ConnectionClosed,
    NotSshError,
    SshDisconnect,
    SshProtocolError,
)

KEXINIT = wire.build_kexinit(
    wire.KexInit(
        ("curve25519-sha256",),
        ("ssh-ed25519",),
        ("aes128-ctr",),
        ("aes128-ctr",),
        ("hmac-sha2-256",),
        ("hmac-sha2-256",),
        ("none",),
        ("none",),
    )
)


class _Sink:
    """Stands in for a StreamWriter: records what is written."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    async def drain(self) -> None:
        return None

    def close(self) -> None:
        return None

    async def wait_closed(self) -> None:
        return None


def transport(data: bytes, eof: bool = True, timeout: float = 5.0) -> Transport:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    deadline = asyncio.get_running_loop().time() + timeout
    return Transport(reader, cast(asyncio.StreamWriter, _Sink()), deadline)


def identification(
    data: bytes, eof: bool = True, timeout: float = 5.0
) -> tuple[wire.Banner, tuple[str, ...]]:
    async def go() -> tuple[wire.Banner, tuple[str, ...]]:
        return await transport(data, eof, timeout).read_identification()

    return asyncio.run(go())


def packets(data: bytes, count: int = 1) -> list[bytes]:
    async def go() -> list[bytes]:
        t = transport(data)
        return [await t.read_message(wire.MSG_KEXINIT) for _ in range(count)]

    return asyncio.run(go())


def test_identification_then_packet_share_one_buffer() -> None:
    async def go() -> None:
        t = transport(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n" + wire.frame(KEXINIT))
        banner, pre = await t.read_identification()
        assert banner.software == "OpenSSH_9.2p1" and pre == ()
        assert t.peer_identification == b"SSH-2.0-OpenSSH_9.2p1 Debian-2"
        assert await t.read_message(wire.MSG_KEXINIT) == KEXINIT

    asyncio.run(go())


def test_lines_before_the_identification() -> None:
    banner, pre = identification(b"Welcome to the bank\r\nAuthorised use only\nSSH-2.0-X\r\n")
    assert banner.software == "X"
    assert pre == ("Welcome to the bank", "Authorised use only")


def test_lf_only_identification() -> None:
    assert identification(b"SSH-1.99-Cisco-1.25\n")[0].proto_version == "1.99"


@pytest.mark.parametrize(
    ("data", "error", "text"),
    [
        (b"HTTP/1.1 400 Bad Request\r\n\r\n", NotSshError, "HTTP"),
        (b"\x15\x03\x03\x00\x02\x02\x46", NotSshError, "TLS"),
        (b"\x00\x01\x02garbage", NotSshError, "binary"),
        (b"hello\r\nworld\r\n", NotSshError, "without an identification"),
        (b"SSH-2.0-Open", SshProtocolError, "inside the identification"),
        (b"SSH-2.0-" + b"A" * (wire.MAX_LINE + 10), SshProtocolError, "longer than"),
        (b"x" * (wire.MAX_LINE + 10), SshProtocolError, "longer than"),
        (b"banner line\r\n" * 6000, SshProtocolError, "before the identification"),
        (b"", ConnectionClosed, "before the server sent anything"),
    ],
)
def test_identification_errors(data: bytes, error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        identification(data)


def test_identification_that_never_ends_times_out() -> None:
    with pytest.raises(TimeoutError, match="identification"):
        identification(b"SSH-2.0-slow", eof=False, timeout=0.2)


def test_ignore_and_debug_are_skipped() -> None:
    ignore = wire.frame(bytes([wire.MSG_IGNORE]) + wire.string(b"noise"))
    debug = wire.frame(bytes([wire.MSG_DEBUG, 1]) + wire.string(b"hi") + wire.string(b""))
    assert packets(ignore + debug + wire.frame(KEXINIT)) == [KEXINIT]


def test_too_many_ignored_messages() -> None:
    ignore = wire.frame(bytes([wire.MSG_IGNORE]))
    with pytest.raises(SshProtocolError, match="ignorable"):
        packets(ignore * 40)


def test_disconnect_is_reported_with_its_reason() -> None:
    with pytest.raises(SshDisconnect, match="too many connections"):
        packets(wire.frame(wire.disconnect(12, "MaxStartups")))


def test_unexpected_message() -> None:
    with pytest.raises(SshProtocolError, match="expected message 20, got 21"):
        packets(wire.frame(bytes([wire.MSG_NEWKEYS])))


def test_huge_packet_length_is_refused_unread() -> None:
    with pytest.raises(SshProtocolError, match="over the"):
        packets(struct.pack(">I", 0x80000000) + b"\0" * 16)


def test_packet_cut_short() -> None:
    with pytest.raises(SshProtocolError, match="closed inside a message"):
        packets(wire.frame(KEXINIT)[:50])


def test_close_between_packets() -> None:
    with pytest.raises(ConnectionClosed):
        packets(b"")


def test_send_packet_frames() -> None:
    async def go() -> bytes:
        t = transport(b"")
        await t.send_packet(KEXINIT)
        return bytes(cast(_Sink, t.writer).data)

    sent = asyncio.run(go())
    assert wire.packet_payload(sent[4:]) == KEXINIT


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_stream(data: bytes) -> None:
    """Any byte stream after a banner: a payload or an SSH error, nothing else."""

    async def go() -> None:
        t = transport(b"SSH-2.0-x\r\n" + data)
        await t.read_identification()
        try:
            while True:
                await t.read_message(*range(256))
        except (SshProtocolError, ConnectionClosed):
            pass

    asyncio.run(go())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_identification(data: bytes) -> None:
    with contextlib.suppress(SshProtocolError, ConnectionClosed):
        identification(data)
