"""A whole lab at once: :class:`Lab` starts a set of servers together and stops them all.

Starting is two-phase: every server is launched first (subprocesses start in parallel, OpenSSL
3.5 servers that share a configuration share one process), then each is waited for. If any
fails, the ones already launched are stopped before the error propagates.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType

from pqcscan.demo.lab.catalogue import CATALOGUE, MIXED_TLS, STANDARD, spec
from pqcscan.demo.lab.loop import START_TIMEOUT
from pqcscan.demo.lab.model import LabServer, ServerKind, check_loopback
from pqcscan.demo.lab.spec import DEFAULT_HOST, Running, ServerSpec
from pqcscan.demo.lab.spec import serve as serve_spec
from pqcscan.demo.lab.tls import PqcTlsSpec

Entry = tuple[str, ServerSpec, str]
"""(server name, spec, host)."""


@contextmanager
def serve(
    server: ServerSpec | str, host: str = DEFAULT_HOST, *, name: str | None = None
) -> Iterator[LabServer]:
    """Start one server (a catalogue name or a spec) on ``host`` and an ephemeral port, wait
    until it accepts, yield its :class:`LabServer`, stop it however the block ends."""
    with serve_spec(spec(server) if isinstance(server, str) else server, host, name=name) as s:
        yield s


class Lab:
    """Several lab servers, started and stopped together. Use it as a context manager::

        with Lab.standard() as lab:
            for server in lab:
                print(server.name, server.endpoint, server.expected)

    or call :meth:`start` and :meth:`stop` (which is idempotent) yourself.
    """

    def __init__(self, specs: Iterable[ServerSpec | str], *, host: str = DEFAULT_HOST) -> None:
        """Servers from the catalogue (by name) or ad-hoc specs, all on ``host``."""
        entries: list[Entry] = []
        for item in specs:
            s = spec(item) if isinstance(item, str) else item
            entries.append((s.name, s, host))
        self._init(entries)

    def _init(self, entries: list[Entry]) -> None:
        names = [name for name, _, _ in entries]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"lab server names must be unique: {duplicates}")
        for _, _, host in entries:
            check_loopback(host)
        self._entries = entries
        self._running: list[Running] = []
        self._servers: tuple[LabServer, ...] = ()
        self.startup_seconds: float | None = None

    @classmethod
    def _from_entries(cls, entries: list[Entry]) -> Lab:
        lab = cls.__new__(cls)
        lab._init(entries)
        return lab

    # ------------------------------------------------------------------ presets

    @classmethod
    def standard(cls, host: str = DEFAULT_HOST) -> Lab:
        """The demo lab: classic RSA, hybrid X25519MLKEM768, PQ-only ML-KEM, TLS 1.0, SMTP
        STARTTLS, one silent hostile server (:data:`~pqcscan.demo.lab.catalogue.STANDARD`)."""
        return cls(STANDARD, host=host)

    @classmethod
    def everything(cls, host: str = DEFAULT_HOST) -> Lab:
        """Every catalogue server."""
        return cls(CATALOGUE, host=host)

    @classmethod
    def mixed(
        cls,
        count: int,
        *,
        hosts: Sequence[str] = (DEFAULT_HOST,),
        mix: Sequence[str] = MIXED_TLS,
    ) -> Lab:
        """``count`` endpoints cycling through ``mix`` (catalogue names) and ``hosts``; the
        i-th is named ``<catalogue name>-<i>`` (``classic-rsa2048-00``)."""
        if count < 0 or not hosts or not mix:
            raise ValueError("count >= 0, and at least one host and one mix entry")
        width = max(2, len(str(count - 1)))
        entries: list[Entry] = []
        for i in range(count):
            base = mix[i % len(mix)]
            entries.append((f"{base}-{i:0{width}d}", spec(base), hosts[i % len(hosts)]))
        return cls._from_entries(entries)

    # ------------------------------------------------------------------ running

    def start(self) -> Lab:
        """Launch every server, wait until each accepts. Returns self."""
        if self._running:
            raise RuntimeError("lab already started")
        began = time.monotonic()
        launched: dict[str, Running] = {}
        try:
            # OpenSSL 3.5 servers sharing spec and host share one subprocess.
            groups: dict[tuple[int, str], list[str]] = defaultdict(list)
            specs: dict[int, PqcTlsSpec] = {}
            for name, s, host in self._entries:
                if isinstance(s, PqcTlsSpec):
                    groups[(id(s), host)].append(name)
                    specs[id(s)] = s
            for (spec_id, host), names in groups.items():
                for name, running in zip(
                    names, specs[spec_id].launch_many(host, names), strict=True
                ):
                    launched[name] = running
            for name, s, host in self._entries:
                if name not in launched:
                    launched[name] = s.launch(host, name=name)
            self._running = [launched[name] for name, _, _ in self._entries]
            deadline = time.monotonic() + START_TIMEOUT
            self._servers = tuple(r.wait(deadline) for r in self._running)
        except BaseException:
            self._running = list(launched.values())
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Stop every server (in reverse order); the first error, if any, is raised after all
        have been stopped."""
        running, self._running = self._running, []
        self._servers = ()
        first: BaseException | None = None
        for r in reversed(running):
            try:
                r.stop()
            except BaseException as exc:  # keep stopping the others
                first = first or exc
        if first is not None:
            raise first

    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ access

    @property
    def servers(self) -> tuple[LabServer, ...]:
        """The running servers, in the order they were given."""
        return self._servers

    def __iter__(self) -> Iterator[LabServer]:
        return iter(self._servers)

    def __len__(self) -> int:
        return len(self._servers)

    def __getitem__(self, name: str) -> LabServer:
        for server in self._servers:
            if server.name == name:
                return server
        raise KeyError(name)

    def of_kind(self, kind: ServerKind) -> tuple[LabServer, ...]:
        return tuple(s for s in self._servers if s.kind is kind)

    @property
    def pids(self) -> tuple[int, ...]:
        """The subprocess ids (distinct), for leak checks."""
        return tuple(sorted({s.pid for s in self._servers if s.pid is not None}))
