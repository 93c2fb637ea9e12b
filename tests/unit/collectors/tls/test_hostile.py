"""Hostile servers: every misbehaviour ends as the right error kind, within the budget, with
no TLS fact reported and nothing raised out of the collector."""

from __future__ import annotations

import asyncio

import pytest

from pqcscan.collectors.tls import TlsCollector, TlsOptions
from pqcscan.demo.lab import serve
from pqcscan.results import AssetType, ErrorKind

from .conftest import endpoint_of

HOSTILE = (
    "hostile-silent",
    "hostile-garbage",
    "hostile-reset",
    "hostile-drip",
    "hostile-huge-handshake",
    "hostile-http",
    "hostile-bad-hrr",
    "hostile-close",
    "hostile-ssh-banner",
    "hostile-half-open",
)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_server_is_an_error_item(name: str) -> None:
    with serve(name) as server:
        facts = server.expected.hostile
        assert facts is not None
        endpoint = endpoint_of(server)
        collector = TlsCollector([endpoint], TlsOptions(timeout=1.5, retries=0, budget=20))

        async def collect() -> object:
            # Far above the budget: only a hang would trip it.
            return await asyncio.wait_for(collector.collect_one_async(endpoint), 120)

        item = asyncio.run(collect())
    assert item.locator == endpoint.locator  # type: ignore[attr-defined]
    kinds = [e.kind for e in item.errors]  # type: ignore[attr-defined]
    assert kinds, "a hostile server must give an error"
    assert set(kinds) <= facts.acceptable_errors, item.errors  # type: ignore[attr-defined]
    if name != "hostile-close":  # FIN then our write: EOF or RST, a socket race
        assert kinds[0] is facts.error, item.errors  # type: ignore[attr-defined]
    assert not [a for a in item.assets if a.type is AssetType.ENDPOINT]  # type: ignore[attr-defined]
    assert item.findings == ()  # type: ignore[attr-defined]


def test_refused_port() -> None:
    with serve("hostile-close") as server:
        endpoint = endpoint_of(server)
    # The server is gone: its port now refuses connections.
    item = asyncio.run(TlsCollector([endpoint], TlsOptions(timeout=2)).collect_one_async(endpoint))
    assert [e.kind for e in item.errors] == [ErrorKind.REFUSED]


def test_not_an_endpoint_is_an_error_item() -> None:
    item = asyncio.run(TlsCollector([]).collect_one_async("nonsense"))
    assert [e.kind for e in item.errors] == [ErrorKind.OUT_OF_SCOPE]
