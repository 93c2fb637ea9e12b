"""The TLS collector: one unit per endpoint, many endpoints at once on one event loop.

What it detects: protocol versions (SSL 3.0-TLS 1.3), cipher suites per version with the
server's preferred one, every TLS 1.3 group of the catalog (X25519MLKEM768 and the other
hybrids, pure ML-KEM, classic curves, ffdhe) with the preferred group, TLS 1.2 ECDHE curves,
signature schemes (ML-DSA included) and the one used in CertificateVerify, the certificate
chain of every endpoint (PQ-only and ML-DSA ones too, through our own TLS 1.3 handshake),
trust against the sslyze root stores, SNI behaviour, STARTTLS, and PQ-intolerance (an endpoint
that answers a short ClientHello but not a full-size one with an X25519MLKEM768 key share).

Inputs: :class:`~pqcscan.targets.model.Endpoint` values from an injected iterable (the
targets front end builds them; ``TlsOptions.ports`` is the default port list it should use
for host-only targets). ``unit_key`` is the endpoint's locator. Limits: see
:mod:`.probes` (per-connection timeout, per-endpoint budget, retries, rate limit); one bad
endpoint never raises out of :meth:`TlsCollector.collect_one_async`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from pqcscan.collectors.tls.conn import Connect, Limiter, open_tcp
from pqcscan.collectors.tls.mapping import build_item
from pqcscan.collectors.tls.probes import ALL_VERSIONS, ProbeOptions, Prober
from pqcscan.collectors.tls.report import TlsReport
from pqcscan.collectors.tls.starttls import PROTOCOLS, protocol_for
from pqcscan.collectors.tls.trust import TrustValidator
from pqcscan.collectors.tls.wire import TlsVersion
from pqcscan.net.pacing import RateLimiter
from pqcscan.results import CollectedItem, ErrorKind, ScanError
from pqcscan.targets.model import Endpoint
from pqcscan.targets.ports import DEFAULT_TLS_PORTS

#: Part of the budget kept back so a unit returns what it learned before the runner's own
#: budget timeout would discard it (trust validation and mapping happen after the probes).
BUDGET_MARGIN = 1.0


@dataclass(frozen=True, slots=True)
class TlsOptions:
    """How the collector contacts endpoints."""

    ports: tuple[int, ...] = DEFAULT_TLS_PORTS  # for host-only targets (targets front end)
    timeout: float = 5.0  # seconds one connection may take, everything included
    retries: int = 1  # extra attempts of a probe after a timeout or a reset
    rate: float | None = None  # new connections per second for the whole scan (None: no cap)
    concurrency: int = 32  # endpoints in flight at once
    parallel: int = 8  # connections in flight at once per endpoint
    budget: float = 120.0  # seconds one endpoint may take in all
    real_key_share: bool = True  # the full-size X25519MLKEM768 hello (PQ-intolerance check)
    starttls: str | None = None  # force a STARTTLS protocol for every endpoint; "none": never
    trust_roots: tuple[bytes, ...] = ()  # extra trusted roots (DER), a "custom" store
    versions: tuple[TlsVersion, ...] = ALL_VERSIONS
    grease: bool = False
    now: datetime | None = None  # validation time for trust (default: now)

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.budget <= 0:
            raise ValueError("timeout and budget must be positive")
        if self.concurrency < 1 or self.parallel < 1 or self.retries < 0:
            raise ValueError("concurrency and parallel must be >= 1, retries >= 0")
        if self.rate is not None and self.rate <= 0:
            raise ValueError("rate must be positive")
        if self.starttls is not None:
            protocol_for(Endpoint("127.0.0.1", 1), self.starttls)  # ValueError if unknown
        if any(not 0 < p < 65536 for p in self.ports):
            raise ValueError("ports must be 1-65535")

    def probe_options(self) -> ProbeOptions:
        return ProbeOptions(
            timeout=self.timeout,
            retries=self.retries,
            parallel=self.parallel,
            budget=max(0.5, self.budget - min(BUDGET_MARGIN, self.budget / 10)),
            real_key_share=self.real_key_share,
            starttls=self.starttls,
            versions=self.versions,
            grease=self.grease,
            now=self.now,
        )


class TlsCollector:
    """Probes each endpoint's TLS (an ``AsyncCollector``; see the module docstring).

    ``connect`` opens TCP connections (default: :func:`pqcscan.net.pacing.open_connection`);
    ``limiter`` paces new connections for the whole scan (default: a
    :class:`~pqcscan.net.pacing.RateLimiter` at ``options.rate`` when set).
    """

    name: ClassVar[str] = "tls"
    #: The STARTTLS protocols ``--starttls`` accepts.
    starttls_protocols: ClassVar[tuple[str, ...]] = PROTOCOLS

    def __init__(
        self,
        targets: Iterable[Endpoint],
        options: TlsOptions | None = None,
        *,
        connect: Connect | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self.targets = targets
        self.options = options or TlsOptions()
        self.connect: Connect = connect or open_tcp
        rate = self.options.rate
        self.limiter: Limiter | None = limiter or (RateLimiter(rate) if rate else None)
        self.concurrency = self.options.concurrency
        self.budget = self.options.budget
        self._trust: TrustValidator | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_trust"] = None  # rebuilt on first use (holds loaded certificates)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def trust(self) -> TrustValidator:
        if self._trust is None:
            self._trust = TrustValidator(self.options.trust_roots)
        return self._trust

    def arguments(self) -> dict[str, object]:
        o = self.options
        args: dict[str, object] = {
            "ports": list(o.ports),
            "timeout": o.timeout,
            "retries": o.retries,
            "rate": o.rate,
            "concurrency": o.concurrency,
            "parallel": o.parallel,
            "budget": o.budget,
            "real_key_share": o.real_key_share,
            "starttls": o.starttls,
            "custom_roots": len(o.trust_roots),
            "versions": [v.label for v in o.versions],
        }
        if isinstance(self.targets, Sequence) and len(self.targets) <= 100:
            args["targets"] = [t.locator for t in self.targets]
        return args

    def units(self) -> Iterator[Endpoint]:
        yield from self.targets

    def unit_key(self, unit: object) -> str:
        return unit.locator if isinstance(unit, Endpoint) else str(unit)

    async def report(self, endpoint: Endpoint) -> TlsReport:
        """The full probe report of one endpoint (what :meth:`collect_one_async` maps)."""
        prober = Prober(
            endpoint,
            self.options.probe_options(),
            connect=self.connect,
            limiter=self.limiter,
            trust=self.trust,
        )
        return await prober.run()

    async def collect_one_async(self, unit: object) -> CollectedItem:
        """Everything learned from one endpoint; never raises for a bad endpoint."""
        if not isinstance(unit, Endpoint):
            locator = str(unit)
            return CollectedItem(
                locator,
                errors=(ScanError(locator, ErrorKind.OUT_OF_SCOPE, "not an endpoint"),),
            )
        try:
            return build_item(await self.report(unit))
        except Exception as exc:  # a bug must never end a mass scan
            message = f"internal error: {type(exc).__name__}: {exc}"
            return CollectedItem(
                unit.locator,
                errors=(ScanError(unit.locator, ErrorKind.PROTOCOL_ERROR, message),),
            )
