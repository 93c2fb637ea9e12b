"""Shared helpers: scan a lab server once per test session (per xdist worker) and keep the
report, and small inline servers for what the lab does not provide."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from pqcscan.collectors.tls import TlsCollector, TlsOptions, TlsReport
from pqcscan.collectors.tls.mapping import build_item
from pqcscan.demo.lab import LabServer, serve
from pqcscan.results import CollectedItem
from pqcscan.targets.model import Endpoint

#: Generous limits: they only stop a hang, they are never asserted on.
TIMEOUT = 5.0
BUDGET = 120.0


@dataclass(frozen=True)
class Scan:
    server: LabServer
    endpoint: Endpoint
    report: TlsReport
    item: CollectedItem


def endpoint_of(server: LabServer, *, protocol: str | None = None) -> Endpoint:
    return Endpoint(server.address, server.port, server.hostname, protocol=protocol)


def run_report(endpoint: Endpoint, **options: object) -> TlsReport:
    opts = TlsOptions(timeout=TIMEOUT, budget=BUDGET, **options)  # type: ignore[arg-type]
    return asyncio.run(TlsCollector([endpoint], opts).report(endpoint))


ScanLab = Callable[..., Scan]


@pytest.fixture(scope="session")
def scan_lab() -> ScanLab:
    """``scan_lab("pqc-hybrid")``: start that lab server, scan it, stop it; cached."""
    cache: dict[tuple[object, ...], Scan] = {}

    def get(name: str, protocol: str | None = None, **options: object) -> Scan:
        key = (name, protocol, tuple(sorted(options.items())))
        if key not in cache:
            with serve(name) as server:
                endpoint = endpoint_of(server, protocol=protocol)
                report = run_report(endpoint, **options)
            cache[key] = Scan(server, endpoint, report, build_item(report))
        return cache[key]

    return get
