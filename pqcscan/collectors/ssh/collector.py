"""The SSH collector: one unit per endpoint, many endpoints at once on one event loop."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from pqcscan.collectors.ssh.classify import build_item
from pqcscan.collectors.ssh.probe import Connector, ProbeSettings, probe
from pqcscan.net.pacing import open_connection
from pqcscan.results import CollectedItem, ErrorKind, ScanError
from pqcscan.targets.model import Endpoint

#: Seconds kept back from the budget so that a unit returns what it learned before the
#: runner's own budget timeout would discard it.
BUDGET_MARGIN = 0.5


@dataclass(frozen=True, slots=True)
class SshOptions:
    """How the collector contacts servers."""

    port: int = 22  # for targets given as a bare address
    timeout: float = 10.0  # seconds one connection may take in all
    retries: int = 1  # extra attempts of the first connection after a timeout or a reset
    budget: float = 60.0  # seconds one endpoint may take in all (every connection)
    concurrency: int = 64  # endpoints in flight at once
    fetch_host_keys: bool = True  # run key exchanges to fetch each host key

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"port out of range: {self.port}")
        if self.timeout <= 0 or self.budget <= 0 or self.concurrency < 1 or self.retries < 0:
            raise ValueError("timeout, budget and concurrency must be positive, retries >= 0")


def parse_target(spec: str, default_port: int = 22) -> Endpoint:
    """``127.0.0.1``, ``127.0.0.1:2222``, ``::1``, ``[::1]:2222`` (IP literals only: the
    collector resolves no names; the targets layer does)."""
    text = spec.strip()
    address, port = text, default_port
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"bad target {spec!r}")
        address, port = host, int(rest[1:]) if rest else default_port
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        address, port = host, int(port_text)
    ipaddress.ip_address(address)  # ValueError for a name
    if not 0 < port < 65536:
        raise ValueError(f"port out of range in {spec!r}")
    return Endpoint(address, port)


class SshCollector:
    """Reads each endpoint's SSH banner, KEXINIT and host keys (an ``AsyncCollector``).

    ``connect`` opens TCP connections: by default the shared network front end,
    :func:`pqcscan.net.pacing.open_connection`, unpaced; pass
    ``functools.partial(open_connection, limiter=limiter)`` to share a scan's rate limit.
    """

    name: ClassVar[str] = "ssh"

    def __init__(
        self,
        targets: Iterable[Endpoint | str],
        options: SshOptions | None = None,
        connect: Connector | None = None,
    ) -> None:
        self.targets = targets
        self.options = options or SshOptions()
        self.connect: Connector = connect or open_connection
        self.concurrency = self.options.concurrency
        self.budget = self.options.budget

    @property
    def settings(self) -> ProbeSettings:
        o = self.options
        return ProbeSettings(
            timeout=o.timeout, retries=o.retries, fetch_host_keys=o.fetch_host_keys
        )

    def arguments(self) -> dict[str, object]:
        o = self.options
        args: dict[str, object] = {
            "port": o.port,
            "timeout": o.timeout,
            "retries": o.retries,
            "budget": o.budget,
            "concurrency": o.concurrency,
            "fetch_host_keys": o.fetch_host_keys,
        }
        if isinstance(self.targets, Sequence) and len(self.targets) <= 100:
            args["targets"] = [t if isinstance(t, str) else t.locator for t in self.targets]
        return args

    def units(self) -> Iterator[Endpoint | str]:
        for target in self.targets:
            if isinstance(target, Endpoint):
                yield target
                continue
            try:
                yield parse_target(target, self.options.port)
            except ValueError:
                yield target  # reported as an error item by collect_one_async

    def unit_key(self, unit: object) -> str:
        return unit.locator if isinstance(unit, Endpoint) else str(unit)

    async def collect_one_async(self, unit: object) -> CollectedItem:
        """Everything learned from one endpoint; never raises for a bad server."""
        if not isinstance(unit, Endpoint):
            locator = str(unit)
            message = f"not an SSH target (an IP address with an optional port): {locator!r}"
            return CollectedItem(
                locator, errors=(ScanError(locator, ErrorKind.OUT_OF_SCOPE, message),)
            )
        budget = max(self.budget - BUDGET_MARGIN, self.budget / 2)
        result = await probe(unit, self.settings, self.connect, budget)
        return build_item(result)

    def collect_sync(self, unit: Endpoint) -> CollectedItem:
        """One endpoint, on a fresh event loop (for scripts and tests)."""
        return asyncio.run(self.collect_one_async(unit))
