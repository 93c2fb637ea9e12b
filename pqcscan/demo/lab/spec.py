"""How a lab server is described and started: a :class:`ServerSpec` (frozen, reusable, knows its
:class:`~pqcscan.demo.lab.model.Expected` facts) launches a :class:`Running` server in two steps,
so a whole lab can launch every subprocess first and then wait for all of them at once.

:func:`serve` is the one-server context manager.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ClassVar, Protocol

from pqcscan.demo.lab.loop import START_TIMEOUT, AsyncServer
from pqcscan.demo.lab.model import Engine, Expected, LabServer, ServerKind, check_loopback
from pqcscan.demo.lab.process import LabProcess

DEFAULT_HOST = "127.0.0.1"


class Running(Protocol):
    """A launched server: :meth:`wait` until it accepts, :meth:`stop` always."""

    def wait(self, deadline: float) -> LabServer: ...

    def stop(self) -> None: ...


class ServerSpec(ABC):
    """The description of a lab server. Subclasses are frozen dataclasses."""

    name: str
    description: str
    kind: ClassVar[ServerKind]
    engine: ClassVar[Engine]

    @abstractmethod
    def expected(self) -> Expected:
        """What a correct scanner finds there (builds the certificate chain if needed)."""

    @abstractmethod
    def launch(self, host: str = DEFAULT_HOST, *, name: str | None = None) -> Running:
        """Start the server without waiting for it; ``name`` overrides the spec's name (for
        several servers of one spec)."""

    def server(self, host: str, port: int, name: str | None, pid: int | None = None) -> LabServer:
        return LabServer(
            name=name or self.name,
            kind=self.kind,
            engine=self.engine,
            address=host,
            port=port,
            description=self.description,
            expected=self.expected(),
            pid=pid,
        )


class AsyncRunning:
    """A server on the lab loop: it accepts as soon as :meth:`AsyncServer.start` returns."""

    def __init__(self, server: AsyncServer, make: Callable[[int], LabServer]) -> None:
        self._server = server
        self._make = make
        server.start()

    def wait(self, deadline: float) -> LabServer:
        return self._make(self._server.port)

    def stop(self) -> None:
        self._server.stop()


class ProcessRunning:
    """A subprocess server: ready once it has printed its port."""

    def __init__(self, process: LabProcess, make: Callable[[int, int], LabServer]) -> None:
        self.process = process
        self._make = make

    def wait(self, deadline: float) -> LabServer:
        ports = self.process.wait_ports(deadline)
        return self._make(ports[0], self.process.pid)

    def stop(self) -> None:
        self.process.stop()


@contextmanager
def serve(
    spec: ServerSpec, host: str = DEFAULT_HOST, *, name: str | None = None
) -> Iterator[LabServer]:
    """Start ``spec`` on ``host`` (a loopback address) and an ephemeral port, wait until it
    accepts, yield its :class:`LabServer`, and stop it however the block ends."""
    check_loopback(host)
    running = spec.launch(host, name=name)
    try:
        yield running.wait(time.monotonic() + START_TIMEOUT)
    finally:
        running.stop()
