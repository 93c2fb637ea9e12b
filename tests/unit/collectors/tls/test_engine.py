"""The engine's plumbing: an injected connector and limiter see every connection, the
per-endpoint budget turns what was not reached into "not-tested: out of time budget", and
internal failures become data."""

from __future__ import annotations

import asyncio
import pickle

import pytest

from pqcscan.collectors.tls import TlsCollector, TlsOptions
from pqcscan.collectors.tls.conn import Streams, open_tcp
from pqcscan.collectors.tls.probes import OUT_OF_BUDGET, Prober, all_groups, all_schemes
from pqcscan.collectors.tls.wire import TlsVersion
from pqcscan.demo.lab import serve
from pqcscan.results import ErrorKind, Support
from pqcscan.targets.model import Endpoint

from .conftest import endpoint_of


class CountingLimiter:
    def __init__(self) -> None:
        self.acquired = 0

    async def acquire(self) -> None:
        self.acquired += 1


def test_injected_connector_and_limiter_see_every_connection() -> None:
    opened: list[Endpoint] = []

    async def connect(endpoint: Endpoint, timeout: float) -> Streams:
        opened.append(endpoint)
        return await open_tcp(endpoint, timeout)

    limiter = CountingLimiter()
    with serve("classic-rsa3072-tls13") as server:
        endpoint = endpoint_of(server)
        collector = TlsCollector(
            [endpoint], TlsOptions(timeout=5), connect=connect, limiter=limiter
        )
        report = asyncio.run(collector.report(endpoint))
    assert report.supported_versions == (TlsVersion.TLS13,)
    assert len(opened) == limiter.acquired == report.connections
    assert set(opened) == {endpoint}
    # Frugal: every TLS 1.3 group and scheme once, a handful of others.
    assert report.connections < len(all_groups()) + len(all_schemes()) + 40


def test_budget_leaves_the_rest_not_tested() -> None:
    async def slow(endpoint: Endpoint, timeout: float) -> Streams:
        await asyncio.sleep(0.25)
        return await open_tcp(endpoint, timeout)

    with serve("classic-rsa2048") as server:
        endpoint = endpoint_of(server)
        options = TlsOptions(timeout=5, budget=3, parallel=4)
        collector = TlsCollector([endpoint], options, connect=slow)
        report = asyncio.run(asyncio.wait_for(collector.report(endpoint), 60))
    assert TlsVersion.TLS13 in report.supported_versions
    states = [cap for _, cap in report.capabilities()]
    assert any(c.state is Support.NOT_TESTED and c.reason == OUT_OF_BUDGET for c in states)
    # Nothing unreached is ever called unsupported.
    assert not any(c.reason == OUT_OF_BUDGET and c.state is not Support.NOT_TESTED for c in states)


def test_internal_errors_become_data(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(self: Prober) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Prober, "_run", broken)
    endpoint = Endpoint("127.0.0.1", 9)
    item = asyncio.run(TlsCollector([endpoint]).collect_one_async(endpoint))
    assert [e.kind for e in item.errors] == [ErrorKind.PROTOCOL_ERROR]
    assert "internal error" in item.errors[0].message


def test_collector_contract() -> None:
    endpoints = [Endpoint("127.0.0.1", 443, "a.test"), Endpoint("::1", 8443)]
    collector = TlsCollector(endpoints, TlsOptions(rate=50, concurrency=7, budget=30))
    assert collector.name == "tls"
    assert list(collector.units()) == endpoints
    assert collector.unit_key(endpoints[1]) == "[::1]:8443"
    assert (collector.concurrency, collector.budget) == (7, 30)
    args = collector.arguments()
    assert args["targets"] == ["a.test:443", "[::1]:8443"] and args["rate"] == 50
    clone = pickle.loads(pickle.dumps(collector))
    assert clone.options == collector.options


def test_ipv6_loopback_without_a_hostname() -> None:
    with serve("pqc-mlkem768-only", host="::1") as server:
        endpoint = Endpoint("::1", server.port)
        item = asyncio.run(
            TlsCollector([endpoint], TlsOptions(timeout=5)).collect_one_async(endpoint)
        )
    locator = f"[::1]:{server.port}"
    assert item.errors == ()
    assert [a.locator for a in item.assets] == [locator, f"{locator}#1", f"{locator}#2"]
    details = item.assets[0].details_dict()
    assert "sni" not in details  # no hostname: no SNI sent
    assert details["sni_required"] == "not-tested: no hostname to send"
