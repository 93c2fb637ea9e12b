"""TCP connect sweep: which endpoints of a stream have an open port.

Input: any iterable of :class:`~pqcscan.targets.model.Endpoint` (a
:class:`~pqcscan.targets.specs.TargetPlan`'s ``endpoints()``, say), consumed lazily. Output:
an async iterator of the open endpoints, in the order their connections complete (not the
input order), while :class:`SweepStats` counts closed (refused), filtered (timed out),
unreachable and failed probes.

Memory is bounded by ``concurrency``: at most that many handshakes are in flight (the input
is pulled one endpoint at a time as slots free up), and at most ``concurrency`` open
endpoints wait for the consumer (a bounded queue, so a slow consumer slows the sweep instead
of filling memory). Each probe takes a token from the shared
:class:`~pqcscan.net.pacing.RateLimiter`, starts a non-blocking ``connect()``, waits at most
``timeout`` seconds for the handshake, retries ``retries`` times on timeout only (after
``backoff * 2**n`` seconds), and closes at once (a full handshake and a FIN, like
``nmap -sT``).

Engine: on Linux one coroutine drives every socket through its own ``epoll`` object (one
reader registered with the event loop, deadlines in a FIFO since they all share one timeout),
which costs a few microseconds a probe, about half of asyncio's per-socket
``add_writer``/timer route; elsewhere ``concurrency`` worker coroutines each await their own
socket.

Defaults are sized for loopback and LANs; for remote ranges set a ``RateLimiter``. The
number of descriptors needed is about ``concurrency``; see
:func:`~pqcscan.net.pacing.raise_nofile_limit`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import heapq
import select
import socket
from collections import deque
from collections.abc import AsyncGenerator, Iterable, Iterator
from dataclasses import dataclass

from pqcscan.net.errors import Reason, reason_of
from pqcscan.net.pacing import RateLimiter
from pqcscan.targets.model import Endpoint

#: Connections in flight by default: enough to hide LAN round-trips and fill loopback,
#: small enough for the default descriptor limit of 1024 (see raise_nofile_limit).
DEFAULT_CONCURRENCY = 512
#: Seconds to wait for a TCP handshake by default.
DEFAULT_TIMEOUT = 1.0
_LOCAL_WAIT = 0.01
_IN_PROGRESS = frozenset({errno.EINPROGRESS, errno.EAGAIN, errno.EALREADY})
_LOCAL = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.EADDRNOTAVAIL})
#: Immediate answers in a row after which the sweep lets other tasks run.
_YIELD_EVERY = 64
_HAVE_EPOLL = hasattr(select, "epoll")


@dataclass(slots=True)
class SweepStats:
    """Counters of a sweep, updated as it goes (read them while iterating or after)."""

    probed: int = 0
    open: int = 0
    closed: int = 0  # refused
    filtered: int = 0  # timed out after every retry
    unreachable: int = 0
    errors: int = 0
    retries: int = 0

    def count(self, reason: Reason) -> None:
        if reason is Reason.REFUSED:
            self.closed += 1
        elif reason is Reason.TIMEOUT:
            self.filtered += 1
        elif reason is Reason.UNREACHABLE:
            self.unreachable += 1
        else:
            self.errors += 1


def _errno_reason(code: int) -> Reason:
    return reason_of(OSError(code, errno.errorcode.get(code, str(code))))


#: Reasons of the errno values a refused or failed connect returns (a cache of reason_of).
_REASONS: dict[int, Reason] = {
    code: _errno_reason(code)
    for code in (
        errno.ECONNREFUSED,
        errno.ETIMEDOUT,
        errno.ECONNRESET,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.EACCES,
        errno.EPERM,
    )
}


def reason_for(code: int) -> Reason | None:
    """None for 0 (connected), else the reason of a connect's errno."""
    if code == 0:
        return None
    reason = _REASONS.get(code)
    return reason if reason is not None else _errno_reason(code)


def _family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _start(
    family: socket.AddressFamily, target: tuple[str, int]
) -> tuple[socket.socket | None, int]:
    """Start a handshake: (socket, EINPROGRESS) while it is under way, else (None, errno)."""
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        return None, exc.errno or errno.EMFILE
    sock.setblocking(False)
    code = sock.connect_ex(target)
    if code in _IN_PROGRESS:
        return sock, code
    sock.close()
    return None, code


async def _finish(sock: socket.socket, timeout: float) -> int:
    """Wait for a started handshake: 0 when connected, an errno, or ETIMEDOUT."""
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()
    fd = sock.fileno()
    loop.add_writer(fd, waiter.set_result, None)
    try:
        async with asyncio.timeout(timeout):
            await waiter
    except TimeoutError:
        return errno.ETIMEDOUT
    finally:
        loop.remove_writer(fd)
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        sock.close()
    return code


async def probe(endpoint: Endpoint, timeout: float) -> Reason | None:
    """Try one TCP handshake: None when the port is open, else why not.

    Out of local descriptors or ports, it waits and tries again (that is not the target's
    answer).
    """
    target = (endpoint.address, endpoint.port)
    while True:
        sock, code = _start(_family(endpoint.address), target)
        if sock is not None:
            code = await _finish(sock, timeout)
        if code in _LOCAL:
            await asyncio.sleep(_LOCAL_WAIT)
            continue
        return reason_for(code)


class _Sweep:
    """One sweep's settings, input, counters and output queue, shared by both engines."""

    def __init__(
        self,
        source: Iterator[Endpoint],
        concurrency: int,
        timeout: float,
        limiter: RateLimiter | None,
        retries: int,
        backoff: float,
        counts: SweepStats,
    ) -> None:
        self.source = source
        self.concurrency = concurrency
        self.timeout = timeout
        self.limiter = limiter
        self.retries = retries
        self.backoff = backoff
        self.counts = counts
        self.found: asyncio.Queue[Endpoint | None] = asyncio.Queue(maxsize=concurrency)
        self._immediate = 0

    async def pace(self) -> None:
        if self.limiter is not None:
            await self.limiter.acquire()

    async def breathe(self) -> None:
        """Count an answer that needed no waiting; let other tasks run now and then."""
        self._immediate += 1
        if self._immediate >= _YIELD_EVERY:
            self._immediate = 0
            await asyncio.sleep(0)

    def retry_delay(self, code: int, attempt: int) -> float | None:
        """Seconds before another attempt after ``code``, or None when the answer stands."""
        if code != errno.ETIMEDOUT or attempt >= self.retries:
            return None
        self.counts.retries += 1
        return float(self.backoff * 2**attempt)

    async def record(self, endpoint: Endpoint, code: int) -> None:
        counts = self.counts
        counts.probed += 1
        if code == 0:
            counts.open += 1
            await self.found.put(endpoint)
            return
        reason = _REASONS.get(code)
        counts.count(reason if reason is not None else _errno_reason(code))

    async def run_tasks(self) -> None:
        """Portable engine: ``concurrency`` workers, each awaiting its own socket."""

        async def worker() -> None:
            for endpoint in self.source:  # one shared iterator: next() never interleaves
                family = _family(endpoint.address)
                target = (endpoint.address, endpoint.port)
                attempt = 0
                while True:
                    await self.pace()
                    sock, code = _start(family, target)
                    if sock is not None:
                        code = await _finish(sock, self.timeout)
                    else:
                        await self.breathe()
                    if code in _LOCAL:
                        await asyncio.sleep(_LOCAL_WAIT)
                        continue
                    delay = self.retry_delay(code, attempt)
                    if delay is None:
                        break
                    await asyncio.sleep(delay)
                    attempt += 1
                await self.record(endpoint, code)

        async with asyncio.TaskGroup() as group:
            for _ in range(self.concurrency):
                group.create_task(worker())

    async def run_epoll(self) -> None:
        """Linux engine: one coroutine, one epoll object for every socket in flight."""
        loop = asyncio.get_running_loop()
        poller = select.epoll()
        #: fd -> (socket, endpoint, attempt, serial)
        flying: dict[int, tuple[socket.socket, Endpoint, int, int]] = {}
        #: (deadline, fd, serial), oldest first; entries of answered probes go stale and are
        #: dropped from the front (at most rate x timeout of them wait behind a pending one)
        deadlines: deque[tuple[float, int, int]] = deque()
        serial = 0
        #: endpoints waiting to be retried: (due, sequence, endpoint, attempt)
        waiting: list[tuple[float, int, Endpoint, int]] = []
        sequence = 0
        wake: asyncio.Future[None] | None = None

        def ready() -> None:
            if wake is not None and not wake.done():
                wake.set_result(None)

        async def settle(endpoint: Endpoint, code: int, attempt: int) -> None:
            nonlocal sequence
            delay = self.retry_delay(code, attempt)
            if delay is None:
                await self.record(endpoint, code)
            else:
                sequence += 1
                heapq.heappush(waiting, (loop.time() + delay, sequence, endpoint, attempt + 1))

        async def launch(endpoint: Endpoint, attempt: int) -> None:
            while True:
                await self.pace()
                sock, code = _start(_family(endpoint.address), (endpoint.address, endpoint.port))
                if sock is None:
                    await self.breathe()
                    if code in _LOCAL:
                        await asyncio.sleep(_LOCAL_WAIT)
                        continue
                    await settle(endpoint, code, attempt)
                    return
                nonlocal serial
                serial += 1
                fd = sock.fileno()
                poller.register(fd, select.EPOLLOUT)
                flying[fd] = (sock, endpoint, attempt, serial)
                deadlines.append((loop.time() + self.timeout, fd, serial))
                return

        loop.add_reader(poller.fileno(), ready)
        exhausted = False
        try:
            while True:
                # start handshakes while there is room: due retries first, then new input
                while len(flying) + len(waiting) < self.concurrency or (
                    waiting and waiting[0][0] <= loop.time()
                ):
                    if waiting and waiting[0][0] <= loop.time():
                        _, _, endpoint, attempt = heapq.heappop(waiting)
                        await launch(endpoint, attempt)
                        continue
                    if exhausted or len(flying) + len(waiting) >= self.concurrency:
                        break
                    endpoint_or_none = next(self.source, None)
                    if endpoint_or_none is None:
                        exhausted = True
                        break
                    await launch(endpoint_or_none, 0)
                if exhausted and not flying and not waiting:
                    return
                # the clock is read before polling: a socket still pending at the poll
                # had not connected by ``now``, so expiring deadlines up to ``now`` is fair
                now = loop.time()
                events = poller.poll(0)
                due = min(
                    deadlines[0][0] if deadlines else now + self.timeout,
                    waiting[0][0] if waiting else now + self.timeout,
                )
                if not events and due > now:
                    wake = loop.create_future()
                    timer = loop.call_at(due, ready)
                    try:
                        await wake
                    finally:
                        wake = None
                        timer.cancel()
                    now = loop.time()
                    events = poller.poll(0)
                for fd, _ in events:
                    sock, endpoint, attempt, _ = flying.pop(fd)
                    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    poller.unregister(fd)
                    sock.close()
                    if code in _LOCAL:
                        await launch(endpoint, attempt)
                    else:
                        await settle(endpoint, code, attempt)
                while deadlines:
                    deadline, fd, number = deadlines[0]
                    entry = flying.get(fd)
                    if entry is not None and entry[3] == number:
                        if deadline > now:
                            break  # the oldest pending probe still has time
                        del flying[fd]
                        poller.unregister(fd)
                        entry[0].close()
                        deadlines.popleft()
                        await settle(entry[1], errno.ETIMEDOUT, entry[2])
                    else:
                        deadlines.popleft()  # answered already (its fd may be reused)
        finally:
            loop.remove_reader(poller.fileno())
            for sock, *_ in flying.values():
                sock.close()
            poller.close()


async def sweep(
    endpoints: Iterable[Endpoint],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = DEFAULT_TIMEOUT,
    limiter: RateLimiter | None = None,
    retries: int = 0,
    backoff: float = 0.25,
    stats: SweepStats | None = None,
) -> AsyncGenerator[Endpoint, None]:
    """The open endpoints of ``endpoints``, as their handshakes complete.

    ``concurrency`` probes in flight, each paced by ``limiter``, ``timeout`` seconds per
    handshake, ``retries`` more attempts on timeout (``backoff * 2**n`` seconds apart).
    Closing the iterator cancels the probes in flight: to stop early, iterate inside
    ``async with contextlib.aclosing(sweep(...)) as opened:``.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    state = _Sweep(
        iter(endpoints),
        concurrency,
        timeout,
        limiter,
        retries,
        backoff,
        stats if stats is not None else SweepStats(),
    )

    async def run() -> None:
        try:
            if _HAVE_EPOLL:
                await state.run_epoll()
            else:
                await state.run_tasks()
        except Exception as exc:
            await state.found.put(None)
            errors = exc.exceptions if isinstance(exc, ExceptionGroup) else (exc,)
            raise errors[0] from None
        await state.found.put(None)

    runner = asyncio.create_task(run())
    try:
        while (endpoint := await state.found.get()) is not None:
            yield endpoint
        await runner  # re-raises the engine's exception (the input iterator's, say)
    finally:
        if not runner.done():
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
