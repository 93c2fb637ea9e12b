"""SQLite and PostgreSQL give the same answers: the demo tree scanned twice with a fixed clock
into each, then every reader of the inventory compared value for value (snapshot, findings,
runs, errors, sightings, history, run diffs, stored rankings and the search of ``explain``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pqcscan.catalog import QuantumStatus
from pqcscan.collectors.certs import CertificateCollector, CertScanOptions
from pqcscan.context.mapping import map_assets
from pqcscan.context.model import BusinessContext, MappingRule, MatchKind, Service
from pqcscan.demo.lab.postgres import PostgresServer
from pqcscan.demo.tree import DEMO_PASSWORD, build_demo_tree
from pqcscan.inventory import Inventory
from pqcscan.inventory.context_store import asset_locations, load_contexts, save_context
from pqcscan.inventory.diff import load_run_pair
from pqcscan.inventory.history import readiness_history
from pqcscan.inventory.risk_store import find_items, ranked_items, risk_run, save_result
from pqcscan.inventory.snapshot import load_snapshot
from pqcscan.results import Asset, AssetKey, AssetType, CollectedItem, Evidence, Finding, Usage
from pqcscan.risk import load_profile, rank
from pqcscan.scan import run_scan

START = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=7)
        return self.now


@dataclass(frozen=True)
class Built:
    inventory: Inventory
    files: Path
    risk_run: int


def build(url: str, files: Path) -> Built:
    """Scan the tree, scan one folder of it again, store a context and a ranking."""
    inv = Inventory.open(url)
    clock = Clock()
    for paths in ((files,), (files / "etc",)):
        options = CertScanOptions(paths=paths, passwords=(DEMO_PASSWORD,))
        run_scan(inv, CertificateCollector(options), jobs=1, clock=clock)
    context = BusinessContext(
        "bank",
        (),
        (Service("pki", "PKI", None, 4), Service("payments", "Payments", None, 5)),
        (
            MappingRule("pki", MatchKind.PATH, f"{files}/etc/*"),
            MappingRule("payments", MatchKind.PATH, f"{files}/opt/*"),
        ),
        sha256="5" * 64,
    )
    save_context(inv.engine, context, "test", now=START)
    snapshot = load_snapshot(inv.engine)
    contexts = load_contexts(inv.engine)
    result = rank(
        snapshot, contexts, map_assets(snapshot, contexts), load_profile(), date(2026, 11, 24)
    )
    return Built(inv, files, save_result(inv.engine, result, now=START))


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> Iterator[tuple[Built, Built]]:
    folder = tmp_path_factory.mktemp("parity")
    files = folder / "files"
    build_demo_tree(files)
    sqlite = build(f"sqlite:///{folder / 'inventory.db'}", files)
    postgresql = build(postgres_server.create_database("parity"), files)
    yield sqlite, postgresql
    sqlite.inventory.close()
    postgresql.inventory.close()
    postgres_server.drop_database("parity")


def test_the_snapshot_is_the_same(built: tuple[Built, Built]) -> None:
    a, b = (load_snapshot(x.inventory.engine) for x in built)
    assert len(a.assets) > 50 and a.links
    assert a == b


def test_findings_runs_errors_and_sightings_are_the_same(built: tuple[Built, Built]) -> None:
    def read(inv: Inventory) -> tuple[object, ...]:
        return (
            [f.to_json() for f in inv.findings()],
            [r.to_json() for r in inv.runs()],
            [e.to_json() for e in inv.errors()],
            inv.status_counts(),
            inv.status_counts(2),
            asset_locations(inv.engine),
        )

    a, b = (read(x.inventory) for x in built)
    assert a[0] and a[2]  # findings, and the demo tree's broken files as errors
    assert a == b
    seen = datetime.fromisoformat(a[0][0]["first_seen"])  # the fixed clock's, in UTC
    assert seen.utcoffset() == timedelta(0) and START < seen < START + timedelta(minutes=5)


def test_history_and_run_diffs_are_the_same(built: tuple[Built, Built]) -> None:
    a, b = built
    assert readiness_history(a.inventory.engine) == readiness_history(b.inventory.engine)
    pairs = []
    for x in built:
        first, second = x.inventory.run(1), x.inventory.run(2)
        assert first is not None and second is not None
        pairs.append(load_run_pair(x.inventory.engine, first, second))
    assert pairs[0] == pairs[1]
    assert any(f.in_a and not f.in_b for f in pairs[0].findings)


def test_stored_rankings_and_explain_search_are_the_same(built: tuple[Built, Built]) -> None:
    a, b = built
    assert risk_run(a.inventory.engine) == risk_run(b.inventory.engine)
    items = [ranked_items(x.inventory.engine, x.risk_run) for x in built]
    assert items[0] and items[0] == items[1]
    key = items[0][3].key
    assert [i.key for i in ranked_items(b.inventory.engine, b.risk_run, key=key)] == [key]
    for text in ("PAYMENTS-GATEWAY", "Gateway", "%", "_", "no such thing"):
        found = [[i.key for i in find_items(x.inventory.engine, x.risk_run, text)] for x in built]
        assert found[0] == found[1], text


def test_listings_are_in_code_point_order_whatever_the_database_collation(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    """An en-US database (ICU) sorts ``B`` between ``a`` and ``c`` and skips punctuation;
    the inventory listing and the stored contexts keep SQLite's code-point order."""
    postgres_server.execute(
        "CREATE DATABASE english TEMPLATE template0 "
        "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
    )
    english = postgres_server.url("english")
    names = ["/a/c.pem", "/a/_x.pem", "/a/B.pem", "/a/-y.pem", "/a/a.pem"]
    try:
        orders = []
        for url in (f"sqlite:///{tmp_path / 'inventory.db'}", english):
            with Inventory.open(url) as inv:
                with inv.record_run("certs", {}) as rec:
                    for name in names:
                        asset = Asset(AssetType.CERTIFICATE, name, name, name)
                        rec.add(CollectedItem(name, (asset,), (finding(asset),)))
                for name in names:
                    context = BusinessContext(name, (), (), (), sha256="6" * 64)
                    save_context(inv.engine, context, "test")
                orders.append(
                    (
                        [f.locator for f in inv.findings()],
                        [c.name for c in load_contexts(inv.engine)],
                    )
                )
        assert orders[0][0] == sorted(names) == orders[1][0]
        assert orders[0][1] == sorted(names) == orders[1][1]
    finally:
        postgres_server.drop_database("english")


def finding(asset: Asset) -> Finding:
    return Finding(
        AssetKey.of(asset),
        "ECDSA",
        "P-256",
        Usage.AUTHENTICATION,
        QuantumStatus.QUANTUM_VULNERABLE,
        Evidence("certs", asset.locator, "test"),
        128,
    )
