"""The network front end's pure parts: the rate limiter on a simulated clock, bounded readers
fed by hand, and the probe bytes. (They live here because tests/unit/net does not exist yet.)
No sockets to anything but a local socketpair; no wall-clock assertions."""

from __future__ import annotations

import asyncio
import socket

import pytest

from pqcscan.net import probes
from pqcscan.net.errors import ConnectFailure, ReadFailure, Reason, reason_of
from pqcscan.net.pacing import RateLimiter
from pqcscan.net.reading import BoundedReader, SocketReader
from pqcscan.results import ErrorKind


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_token_bucket_grants_burst_then_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, burst=5, clock=clock, sleep=clock.sleep)
    delays = [limiter.reserve() for _ in range(8)]
    assert delays[:5] == [0, 0, 0, 0, 0]
    assert delays[5:] == pytest.approx([0.1, 0.2, 0.3])
    clock.now += 10  # a long pause refills the bucket, but never beyond the burst
    assert [limiter.reserve() for _ in range(6)][:5] == [0, 0, 0, 0, 0]


def test_tokens_over_a_simulated_clock_across_tasks() -> None:
    """Many tasks share one limiter: over 10 simulated seconds at 50/s, 500 + burst connect."""
    clock = FakeClock()
    limiter = RateLimiter(50, burst=5, clock=clock, sleep=clock.sleep)
    start = clock.now
    stamps: list[float] = []

    async def task() -> None:
        while True:
            await limiter.acquire()
            if clock.now - start > 10:
                return
            stamps.append(clock.now)

    async def main() -> None:
        await asyncio.gather(*(task() for _ in range(20)))

    asyncio.run(main())
    assert len(stamps) == 5 + 500
    for second in range(10):  # never more than rate + burst in any one second
        window = [s for s in stamps if start + second <= s < start + second + 1]
        assert len(window) <= 55


def test_unlimited_limiter_never_waits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)

    async def main() -> None:
        for _ in range(1000):
            await limiter.acquire()

    asyncio.run(main())
    assert clock.slept == [] and limiter.granted == 1000


def test_cancelled_waiter_gives_its_token_back() -> None:
    clock = FakeClock()
    hold = asyncio.Event()

    async def stuck_sleep(seconds: float) -> None:
        await hold.wait()

    limiter = RateLimiter(1, burst=1, clock=clock, sleep=stuck_sleep)

    async def main() -> None:
        await limiter.acquire()  # the burst token
        waiter = asyncio.create_task(limiter.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter

    asyncio.run(main())
    assert limiter.granted == 1
    assert limiter.reserve() == pytest.approx(1.0)  # one waiting token, not two


def test_bad_rates_are_refused() -> None:
    for rate in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="rate"):
            RateLimiter(rate)


def _fed(*chunks: bytes, eof: bool = True) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    for chunk in chunks:
        reader.feed_data(chunk)
    if eof:
        reader.feed_eof()
    return reader


def test_bounded_reader_reads_exactly_until_and_lines() -> None:
    async def main() -> None:
        reader = BoundedReader(
            _fed(b"SSH-2.0-Test\r\n", b"\x00\x00\x01\x0cREST"), timeout=5, limit=1000
        )
        assert await reader.read_line() == b"SSH-2.0-Test\r\n"
        assert await reader.read_exactly(4) == b"\x00\x00\x01\x0c"
        assert await reader.read_some() == b"REST"
        assert await reader.read_some() == b""
        assert reader.bytes_read == 22

    asyncio.run(main())


def test_bounded_reader_caps_bytes() -> None:
    async def main() -> None:
        flood = BoundedReader(_fed(b"A" * 100_000), timeout=5, limit=4096)
        with pytest.raises(ReadFailure) as caught:
            await flood.read_line(max_length=1_000_000)
        assert caught.value.reason is Reason.TOO_LARGE
        assert caught.value.kind is ErrorKind.TOO_LARGE
        assert flood.bytes_read == 4096  # never asked the stream for more than the cap
        long_line = BoundedReader(_fed(b"B" * 300 + b"\n"), timeout=5, limit=4096)
        with pytest.raises(ReadFailure, match="within 255 bytes"):
            await long_line.read_line(max_length=255)

    asyncio.run(main())


def test_bounded_reader_deadline_covers_the_whole_exchange() -> None:
    """A drip (each read quick) still ends at the one deadline."""
    clock = FakeClock()

    async def main() -> None:
        stream = asyncio.StreamReader()
        reader = BoundedReader(stream, timeout=3, limit=1000, clock=clock)
        for _ in range(3):
            stream.feed_data(b"x")
            await reader.read_some()
            clock.now += 1.0  # one byte a second
        with pytest.raises(ReadFailure) as caught:
            await reader.read_exactly(1)
        assert caught.value.reason is Reason.TIMEOUT

    asyncio.run(main())


def test_bounded_reader_early_close() -> None:
    async def main() -> None:
        reader = BoundedReader(_fed(b"\x16\x03"), timeout=5, limit=100)
        with pytest.raises(ReadFailure) as caught:
            await reader.read_exactly(5)
        assert caught.value.reason is Reason.CLOSED
        assert caught.value.kind is ErrorKind.PROTOCOL_ERROR
        assert "5 bytes (got 2)" in caught.value.message

    asyncio.run(main())


def test_bounded_reader_hands_leftovers_to_the_next_exchange() -> None:
    async def main() -> None:
        stream = _fed(b"line one\nline two\n")
        first = BoundedReader(stream, timeout=5, limit=1000)
        assert await first.read_line() == b"line one\n"
        second = BoundedReader(stream, timeout=5, limit=1000, buffered=first.buffered)
        assert await second.read_line() == b"line two\n"

    asyncio.run(main())


def test_socket_reader_same_calls_blocking() -> None:
    left, right = socket.socketpair()
    with left, right:
        right.sendall(b"220 hello\r\nDATA" + b"Z" * 5000)
        right.shutdown(socket.SHUT_WR)
        reader = SocketReader(left, timeout=5, limit=2000)
        assert reader.read_line() == b"220 hello\r\n"
        assert reader.read_exactly(4) == b"DATA"
        with pytest.raises(ReadFailure) as caught:
            reader.read_exactly(3000)
        assert caught.value.reason is Reason.TOO_LARGE


def test_socket_reader_times_out() -> None:
    left, right = socket.socketpair()
    with left, right:
        reader = SocketReader(left, timeout=0.05, limit=100)
        with pytest.raises(ReadFailure) as caught:
            reader.read_exactly(1)
        assert caught.value.reason is Reason.TIMEOUT


def test_failure_mapping() -> None:
    assert reason_of(ConnectionRefusedError(111, "refused")) is Reason.REFUSED
    assert reason_of(TimeoutError()) is Reason.TIMEOUT
    assert reason_of(ConnectionResetError(104, "reset")) is Reason.RESET
    assert reason_of(OSError(113, "No route to host")) is Reason.UNREACHABLE
    failure = ConnectFailure(Reason.UNREACHABLE, "connect to 10.0.0.1:443: no route to host")
    assert failure.kind is ErrorKind.TIMEOUT
    error = failure.to_error("10.0.0.1:443")
    assert error.kind is ErrorKind.TIMEOUT and "no route" in error.message


def test_client_hello_is_a_real_tls_record_with_sni() -> None:
    hello = probes.client_hello("www.example")
    assert hello[0] == 0x16 and hello[1] == 3  # a handshake record
    assert hello[5] == 1  # ClientHello
    assert int.from_bytes(hello[3:5], "big") == len(hello) - 5
    assert b"www.example" in hello
    assert b"www.example" not in probes.client_hello(None)
    assert probes.client_hello("a.example")[11:43] != probes.client_hello("a.example")[11:43]


def test_tls_record_info() -> None:
    assert probes.tls_record_info(b"\x15\x03\x03\x00\x02\x02\x28") == (
        "TLS alert 40 (handshake_failure), record version TLS 1.2"
    )
    server_hello = b"\x16\x03\x03\x00\x5a\x02\x00\x00\x56"
    assert probes.tls_record_info(server_hello) == "TLS ServerHello, record version TLS 1.2"
    assert probes.tls_record_info(b"HTTP/1.1 400 Bad Request") is None
    assert probes.tls_record_info(b"\x16\x03\x09") is None


def test_ldap_starttls_request_and_result() -> None:
    request = probes.ldap_starttls_request()
    assert request.hex() == "301d02010177188016" + probes.LDAP_STARTTLS_OID.hex()
    success = bytes.fromhex("300c02010178070a010004000400")
    assert probes.ldap_extended_result(success) == (0x78, 0)
    unavailable = bytes.fromhex("300c02010178070a013404000400")
    assert probes.ldap_extended_result(unavailable) == (0x78, 52)
    long_form = bytes.fromhex("30810c02010178070a010004000400")
    assert probes.ldap_extended_result(long_form) == (0x78, 0)
    assert probes.ldap_extended_result(b"SSH-2.0-x\r\n") is None
    assert probes.ldap_message_complete(success)
    assert not probes.ldap_message_complete(success[:6])


def test_xmpp_header_and_banner_text() -> None:
    header = probes.xmpp_stream_header("chat.example", server=True)
    assert b'to="chat.example"' in header and b"jabber:server" in header
    assert probes.banner_text(b"220 mx ESMTP\r\n\x00\x07bell\r\n") == "220 mx ESMTP\nbell"
    assert len(probes.banner_text(b"A" * 10_000)) == 512
