"""Pacing: one connection-rate limit for a whole scan, and a connect that maps failures.

:class:`RateLimiter` is a token bucket for *new connections per second*, shared by every
task of a scan (asyncio, one event loop). Each :meth:`~RateLimiter.acquire` takes one token;
when the bucket is empty the caller waits its turn (first come, first served: a waiter's
delay is its place in the queue divided by the rate). The clock and the sleep are injectable,
so tests count tokens over a simulated clock.

:func:`open_connection` acquires the limiter, connects within ``timeout`` (the limiter's wait
is not counted), retries ``retries`` times on timeout only (never on refused or reset, which
are answers) with exponential backoff, and raises
:class:`~pqcscan.net.errors.ConnectFailure` for a failure of the target. Running out of
local resources (file descriptors, ephemeral ports) is waited out briefly, then raised as
``OSError``: it is the scan's configuration, not the target, that is wrong.
:func:`raise_nofile_limit` lifts the soft descriptor limit so that a large concurrency fits.
"""

from __future__ import annotations

import asyncio
import math
import resource
import socket
import time
from collections.abc import Awaitable, Callable

from pqcscan.net.errors import ConnectFailure, Reason, describe, is_local_exhaustion, reason_of
from pqcscan.targets.model import Endpoint

#: Attempts to get a socket when this machine is out of descriptors, and the wait between.
_LOCAL_RETRIES = 50
_LOCAL_WAIT = 0.02
#: The StreamReader buffer of connections opened here (readers cap their own reads).
STREAM_LIMIT = 64 * 1024


class RateLimiter:
    """A token bucket: at most ``rate`` new connections a second, bursts of ``burst``.

    ``rate=None`` means unlimited. The default burst is 1/100 s worth of tokens (at least
    one), so a fast rate is spent smoothly rather than in one-second lumps.
    """

    def __init__(
        self,
        rate: float | None,
        burst: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate is not None and not (rate > 0 and math.isfinite(rate)):
            raise ValueError(f"rate must be a positive number or None, not {rate!r}")
        self.rate = rate
        self.burst = max(1, burst if burst is not None else int((rate or 0) / 100))
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.burst)
        self._stamp = clock()
        #: Connections allowed so far (for progress and tests).
        self.granted = 0

    def reserve(self) -> float:
        """Take a token now; the seconds the caller must wait before using it."""
        self.granted += 1
        if self.rate is None:
            return 0.0
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def _refund(self) -> None:
        self.granted -= 1
        if self.rate is not None:
            self._tokens += 1.0

    async def acquire(self) -> None:
        """Wait for a token (a cancelled waiter gives its token back)."""
        delay = self.reserve()
        if delay <= 0:
            return
        try:
            await self._sleep(delay)
        except asyncio.CancelledError:
            self._refund()
            raise


def socket_family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def new_socket(address: str) -> socket.socket:
    """A non-blocking TCP socket for ``address``'s family (``OSError`` if none can be had)."""
    sock = socket.socket(socket_family(address), socket.SOCK_STREAM)
    sock.setblocking(False)
    return sock


async def _new_socket_waiting(address: str) -> socket.socket:
    for _ in range(_LOCAL_RETRIES):
        try:
            return new_socket(address)
        except OSError as exc:
            if not is_local_exhaustion(exc):
                raise
            await asyncio.sleep(_LOCAL_WAIT)
    return new_socket(address)


async def connect_socket(endpoint: Endpoint, timeout: float) -> socket.socket:
    """A connected non-blocking socket, or :class:`ConnectFailure` (``OSError`` if local)."""
    loop = asyncio.get_running_loop()
    for _ in range(_LOCAL_RETRIES):
        sock = await _new_socket_waiting(endpoint.address)
        try:
            async with asyncio.timeout(timeout):
                await loop.sock_connect(sock, (endpoint.address, endpoint.port))
            return sock
        except TimeoutError:
            sock.close()
            raise ConnectFailure(
                Reason.TIMEOUT, f"connect to {endpoint.locator} timed out after {timeout:g} s"
            ) from None
        except OSError as exc:
            sock.close()
            if is_local_exhaustion(exc):
                await asyncio.sleep(_LOCAL_WAIT)
                continue
            raise ConnectFailure(
                reason_of(exc), f"connect to {endpoint.locator}: {describe(exc)}"
            ) from None
        except BaseException:
            sock.close()
            raise
    raise OSError(f"connect to {endpoint.locator}: this machine is out of sockets or ports")


async def connect_paced(
    endpoint: Endpoint,
    timeout: float,
    limiter: RateLimiter | None = None,
    *,
    retries: int = 0,
    backoff: float = 0.25,
) -> socket.socket:
    """:func:`connect_socket` behind the limiter, retried on timeout only."""
    attempt = 0
    while True:
        if limiter is not None:
            await limiter.acquire()
        try:
            return await connect_socket(endpoint, timeout)
        except ConnectFailure as failure:
            if failure.reason is not Reason.TIMEOUT or attempt >= retries:
                raise
        await asyncio.sleep(backoff * 2**attempt)
        attempt += 1


async def open_connection(
    endpoint: Endpoint,
    timeout: float,
    limiter: RateLimiter | None = None,
    *,
    retries: int = 0,
    backoff: float = 0.25,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Streams to ``endpoint``: paced by ``limiter``, connected within ``timeout`` seconds,
    retried ``retries`` times on timeout with ``backoff * 2**n`` seconds between attempts.

    Raises :class:`~pqcscan.net.errors.ConnectFailure` (refused, timeout, unreachable...).
    """
    sock = await connect_paced(endpoint, timeout, limiter, retries=retries, backoff=backoff)
    try:
        return await asyncio.open_connection(sock=sock, limit=STREAM_LIMIT)
    except BaseException:
        sock.close()
        raise


async def close_quietly(writer: asyncio.StreamWriter, timeout: float = 1.0) -> None:
    """Close a connection without waiting long or raising (the peer may be gone or hostile)."""
    writer.close()
    try:
        async with asyncio.timeout(timeout):
            await writer.wait_closed()
    except (OSError, TimeoutError):
        writer.transport.abort()


def raise_nofile_limit(wanted: int | None = None) -> int:
    """Raise the soft ``RLIMIT_NOFILE`` towards ``wanted`` (default: the hard limit).

    Returns the soft limit in force afterwards. Never lowers it; never raises.
    """
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return 1024
    target = hard if wanted is None else wanted
    if hard != resource.RLIM_INFINITY:
        target = min(target, hard)
    if soft != resource.RLIM_INFINITY and target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (OSError, ValueError):
            return soft
        return target
    return soft
