"""One background asyncio event loop that hosts every in-process lab server (classic TLS,
STARTTLS, hostile): fifty servers cost one thread, not fifty.

The loop thread starts with the first server and is stopped and joined when the last one
stops (reference counted), so no thread outlives the lab. Connection handlers run as tasks
that :class:`AsyncServer` tracks, so stopping a server cancels its live connections too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ClassVar, TypeVar

log = logging.getLogger(__name__)

_T = TypeVar("_T")

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

START_TIMEOUT = 30.0
"""Seconds any start or stop step may take before the lab gives up (a guard against hangs)."""

#: Exceptions that end a connection the normal way for a lab server: the client left, was
#: rude, or the handshake failed. They are not logged as errors.
CONNECTION_ENDINGS = (
    ConnectionError,
    asyncio.IncompleteReadError,
    asyncio.LimitOverrunError,
    ssl.SSLError,
    TimeoutError,
    OSError,
    EOFError,
)


class LabLoop:
    """The shared loop thread. Use :meth:`acquire` / :meth:`release` (or :func:`lab_loop`)."""

    _lock: ClassVar = threading.Lock()
    _instance: ClassVar[LabLoop | None] = None
    _users: ClassVar[int] = 0

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(self._exception)
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="pqcscan-lab-loop", daemon=True)
        self.thread.start()
        self._ready.wait(START_TIMEOUT)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()
        # Stopped: finish what is left, then close.
        pending = asyncio.all_tasks(self.loop)
        for task in pending:
            task.cancel()
        if pending:
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    @staticmethod
    def _exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # Clients abort handshakes all the time: that is the lab's daily life, not an error.
        exc = context.get("exception")
        if isinstance(exc, CONNECTION_ENDINGS):
            return
        log.debug("lab loop: %s", context.get("message"), exc_info=exc)

    def run(self, coro: Coroutine[Any, Any, _T], timeout: float = START_TIMEOUT) -> _T:
        """Run ``coro`` on the loop from another thread and wait for its result."""
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError("LabLoop.run called from the loop thread")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @classmethod
    def acquire(cls) -> LabLoop:
        with cls._lock:
            if cls._instance is None:
                cls._instance = LabLoop()
            cls._users += 1
            return cls._instance

    @classmethod
    def release(cls) -> None:
        with cls._lock:
            cls._users -= 1
            if cls._users > 0 or cls._instance is None:
                return
            instance, cls._instance = cls._instance, None
        instance.loop.call_soon_threadsafe(instance.loop.stop)
        instance.thread.join(START_TIMEOUT)

    @classmethod
    def running(cls) -> bool:
        """Whether the loop thread exists (tests check that it is gone after a lab stops)."""
        return cls._instance is not None


class AsyncServer:
    """A TCP listener on the lab loop whose connections are handled by ``handler`` (TLS, when
    wanted, is the handler's business: see :mod:`pqcscan.demo.lab.channel`).
    :meth:`stop` closes the listener and cancels every live connection, so a stuck client or a
    handler sleeping forever never delays shutdown.
    """

    def __init__(
        self,
        host: str,
        handler: Handler,
        *,
        backlog: int = 512,
        port: int = 0,
    ) -> None:
        self.host = host
        self.handler = handler
        self.backlog = backlog
        self.port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop: LabLoop | None = None

    def start(self) -> int:
        """Listen on the port asked for (by default an ephemeral one); return it."""
        self._loop = LabLoop.acquire()
        try:
            self.port = self._loop.run(self._start())
        except BaseException:
            self._loop = None
            LabLoop.release()
            raise
        return self.port

    async def _start(self) -> int:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._server = await asyncio.start_server(
            self._client,
            self.host,
            self.port,
            family=family,
            backlog=self.backlog,
            reuse_address=True,
        )
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            await self.handler(reader, writer)
        except asyncio.CancelledError:
            pass
        except CONNECTION_ENDINGS:
            pass
        except Exception:  # a lab bug: log it, never kill the server
            log.exception("lab server on %s:%s: handler failed", self.host, self.port)
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            writer.transport.abort()

    def stop(self) -> None:
        """Close the listener and every connection. Safe to call twice."""
        lab_loop, self._loop = self._loop, None
        if lab_loop is None:
            return
        try:
            lab_loop.run(self._stop())
        finally:
            LabLoop.release()

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=START_TIMEOUT)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), START_TIMEOUT)
