"""The ``net`` collector: sweep ports, find out what speaks on each open one, and hand TLS
(implicit or STARTTLS) to the TLS collector and SSH to the SSH collector.

One unit per endpoint. A closed or filtered port is a skipped item (counted, not stored: in
a range sweep most ports are closed, which is not an error). An open port whose protocol
carries no cryptography pqcscan inventories (plain HTTP, an unknown service) is recorded as
an endpoint asset with what was seen and no findings, so the inventory shows it exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from pqcscan.collectors.ssh.collector import SshCollector
from pqcscan.collectors.tls.collector import TlsCollector
from pqcscan.net.detect import AppProtocol, Detection, detect
from pqcscan.net.errors import ConnectFailure
from pqcscan.net.pacing import RateLimiter
from pqcscan.net.sweep import probe
from pqcscan.results import Asset, AssetType, CollectedItem
from pqcscan.targets.model import Endpoint
from pqcscan.targets.ports import DEFAULT_SSH_PORTS, DEFAULT_TLS_PORTS, STARTTLS_PORTS

#: Ports ``scan net`` sweeps for targets that name none: implicit TLS, SSH, STARTTLS.
DEFAULT_NET_PORTS: tuple[int, ...] = tuple(
    dict.fromkeys((*DEFAULT_TLS_PORTS, *DEFAULT_SSH_PORTS, *STARTTLS_PORTS))
)
#: The STARTTLS-capable protocols handed to the TLS collector (with the upgrade first).
_STARTTLS = frozenset(
    {AppProtocol.SMTP, AppProtocol.IMAP, AppProtocol.POP3, AppProtocol.FTP}
    | {AppProtocol.LDAP, AppProtocol.XMPP, AppProtocol.POSTGRESQL}
)


class NetCollector:
    """Sweep + detection + dispatch (an ``AsyncCollector``; see the module docstring)."""

    name: ClassVar[str] = "net"

    def __init__(
        self,
        tls: TlsCollector,
        ssh: SshCollector,
        *,
        timeout: float = 2.0,
        limiter: RateLimiter | None = None,
        concurrency: int = 256,
    ) -> None:
        self.tls = tls
        self.ssh = ssh
        self.timeout = timeout
        self.limiter = limiter
        self.concurrency = concurrency
        #: Detection, then the slower of the two collectors.
        self.budget = 3 * timeout + max(tls.budget, ssh.budget)

    def arguments(self) -> dict[str, object]:
        return {
            "timeout": self.timeout,
            "concurrency": self.concurrency,
            "tls": self.tls.arguments(),
            "ssh": self.ssh.arguments(),
        }

    def units(self) -> Iterator[object]:
        return iter(())  # the targets come from the plan (PlannedCollector)

    def unit_key(self, unit: object) -> str:
        return unit.locator if isinstance(unit, Endpoint) else str(unit)

    async def collect_one_async(self, unit: object) -> CollectedItem:
        assert isinstance(unit, Endpoint)
        if self.limiter is not None:
            await self.limiter.acquire()
        if await probe(unit, self.timeout) is not None:
            return CollectedItem(unit.locator, skipped=True)  # closed or filtered
        try:
            found = await detect(unit, timeout=self.timeout, limiter=self.limiter)
        except ConnectFailure as failure:  # it closed between the sweep and detection
            return CollectedItem(unit.locator, errors=(failure.to_error(unit.locator),))
        if found.protocol is AppProtocol.SSH:
            return await self.ssh.collect_one_async(_as(unit, "ssh"))
        if found.protocol is AppProtocol.TLS:
            return await self.tls.collect_one_async(_as(unit, "tls"))
        if found.protocol in _STARTTLS and found.starttls:
            return await self.tls.collect_one_async(_as(unit, found.protocol.value))
        return _other(unit, found)


def _as(endpoint: Endpoint, protocol: str) -> Endpoint:
    return Endpoint(endpoint.address, endpoint.port, endpoint.hostname, protocol)


def _other(endpoint: Endpoint, found: Detection) -> CollectedItem:
    """An open port without inventoried cryptography: the endpoint and what it said."""
    details = tuple(
        (key, value)
        for key, value in (
            ("protocol", found.protocol.value),
            ("banner", found.banner),
            ("starttls", found.starttls),
            ("detail", found.detail),
        )
        if value not in (None, "")
    )
    asset = Asset(
        AssetType.ENDPOINT, endpoint.fingerprint, endpoint.locator, endpoint.host, details
    )
    return CollectedItem(endpoint.locator, assets=(asset,))
