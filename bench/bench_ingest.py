"""Benchmark: ingest 1,000,000 findings into SQLite and PostgreSQL through ``run_scan``.

A synthetic collector (seeded, deterministic) yields one item per TLS endpoint: the endpoint
asset and four findings (protocol version, two key-exchange groups, one signature scheme),
classified through the catalog like a real collector's. The real path writes them:
``run_scan`` -> ``rows.render`` -> ``RunRecorder`` (batched upserts on natural keys, one
transaction per batch, unit keys recorded for ``--resume``).

Baselines on the same rows, in the same run, into tables of the same columns with the same
natural-key unique indexes (no upsert logic, no scan bookkeeping):

- SQLite: ``sqlite3`` ``executemany`` in one transaction;
- PostgreSQL: psycopg ``COPY ... FROM STDIN`` on a throwaway loopback server
  (``pqcscan.demo.lab.postgres.PostgresServer``).

Reported: findings per second of each and the ratio pqcscan / baseline.

    python bench/bench_ingest.py [--findings 1000000] [--no-postgres] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from table import add_json_option, emit

from pqcscan.catalog import get_catalog
from pqcscan.results import (
    Asset,
    AssetKey,
    AssetType,
    CollectedItem,
    Evidence,
    Finding,
    Usage,
)

FINDINGS_PER_ITEM = 4
KEX = [("ECDH", "P-256"), ("X25519", ""), ("X25519MLKEM768", ""), ("DH", "2048"), ("ECDH", "P-384")]
SIGS = [("ECDSA", "P-256"), ("RSA", "2048"), ("RSA", "3072"), ("Ed25519", "")]


def endpoint(n: int) -> tuple[str, list[tuple[str, str, str, str]]]:
    """Endpoint ``n``'s locator and its (algorithm, parameter, usage, method) findings."""
    rng = random.Random(n)
    locator = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}:{443 + n // 16_777_216}"
    found = [("TLS", rng.choice(["1.2", "1.3"]), "protocol", "TLS version probe")]
    found += [(a, p, "key-exchange", "TLS group probe") for a, p in rng.sample(KEX, 2)]
    found.append((*rng.choice(SIGS), "authentication", "TLS signature scheme probe"))
    return locator, found


class SyntheticCollector:
    """``items`` TLS endpoints, one unit each (a real ``Collector``: picklable, streamed)."""

    name: ClassVar[str] = "bench"

    def __init__(self, items: int) -> None:
        self.items = items

    def units(self) -> Iterator[object]:
        yield from range(self.items)

    def unit_key(self, unit: object) -> str:
        return endpoint(int(unit))[0]  # type: ignore[call-overload]

    def arguments(self) -> dict[str, object]:
        return {"items": self.items}

    def collect_one(self, unit: object) -> CollectedItem:
        cat = get_catalog()
        locator, found = endpoint(int(unit))  # type: ignore[call-overload]
        key = AssetKey(AssetType.ENDPOINT, locator)
        asset = Asset(AssetType.ENDPOINT, locator, locator, locator.split(":")[0],
                      (("protocol", "tls"), ("port", 443)))  # fmt: skip
        findings = []
        for alg, param, usage, method in found:
            c = cat.classify(alg, param)
            findings.append(
                Finding(key, c.algorithm, c.parameter, Usage(usage), c.status,
                        Evidence("bench", locator, method), c.classical_bits, c.nist_category)
            )  # fmt: skip
        return CollectedItem(locator, (asset,), tuple(findings))


def plain_rows(items: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The same assets and findings as plain tuples (what the baselines insert)."""
    cat = get_catalog()
    assets, findings = [], []
    for n in range(items):
        locator, found = endpoint(n)
        details = json.dumps({"protocol": "tls", "port": 443})
        assets.append(("endpoint", locator, locator, locator.split(":")[0], details))
        for alg, param, usage, method in found:
            c = cat.classify(alg, param)
            evidence = json.dumps({"collector": "bench", "location": locator, "method": method})
            findings.append((n + 1, c.algorithm, c.parameter, usage, c.status.value,
                             c.classical_bits, c.nist_category, evidence))  # fmt: skip
    return assets, findings


ASSET_COLUMNS = "type, fingerprint, locator, name, details"
FINDING_COLUMNS = (
    "asset_id, algorithm, parameter, usage, quantum_status, classical_bits, nist_category, evidence"
)
SCHEMA = (
    "CREATE TABLE assets (id INTEGER PRIMARY KEY, type TEXT, fingerprint TEXT, locator TEXT, "
    "name TEXT, details TEXT)",
    "CREATE UNIQUE INDEX assets_key ON assets (type, fingerprint)",
    "CREATE TABLE findings (id INTEGER PRIMARY KEY, asset_id INTEGER, algorithm TEXT, "
    "parameter TEXT, usage TEXT, quantum_status TEXT, classical_bits INTEGER, "
    "nist_category INTEGER, evidence TEXT)",
    "CREATE UNIQUE INDEX findings_key ON findings (asset_id, algorithm, parameter, usage, "
    "evidence)",
)


def baseline_sqlite(path: Path, assets: list[Any], findings: list[Any]) -> float:
    conn = sqlite3.connect(path)
    for sql in SCHEMA:
        conn.execute(sql)
    t0 = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO assets ({ASSET_COLUMNS}) VALUES (?, ?, ?, ?, ?)", assets)
        conn.executemany(
            f"INSERT INTO findings ({FINDING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", findings
        )
    seconds = time.perf_counter() - t0
    conn.close()
    return seconds


def baseline_postgres(url: str, assets: list[Any], findings: list[Any]) -> float:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        for sql in SCHEMA:
            conn.execute(
                sql.replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY")
                .replace("details TEXT", "details JSONB")
                .replace("evidence TEXT", "evidence JSONB")
            )
        conn.commit()
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy(f"COPY assets ({ASSET_COLUMNS}) FROM STDIN") as copy:
                for row in assets:
                    copy.write_row(row)
            with cur.copy(f"COPY findings ({FINDING_COLUMNS}) FROM STDIN") as copy:
                for row in findings:
                    copy.write_row(row)
        conn.commit()
        return time.perf_counter() - t0


def pqcscan_ingest(db: str, items: int) -> tuple[float, int]:
    """``run_scan`` of the synthetic collector into ``db``: (seconds, findings stored)."""
    from pqcscan.inventory import Inventory
    from pqcscan.scan import run_scan

    with Inventory.open(db) as inventory:
        t0 = time.perf_counter()
        summary = run_scan(inventory, SyntheticCollector(items), jobs=1)
        seconds = time.perf_counter() - t0
    return seconds, summary.findings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--findings", type=int, default=1_000_000)
    ap.add_argument("--no-postgres", action="store_true")
    add_json_option(ap)
    args = ap.parse_args()
    items = args.findings // FINDINGS_PER_ITEM
    n = items * FINDINGS_PER_ITEM
    get_catalog()
    assets, findings = plain_rows(items)
    print(f"{items:,} endpoints, {n:,} findings ({FINDINGS_PER_ITEM} per endpoint)")
    results: list[tuple[str, str, float, float]] = []  # (backend, label, seconds, baseline)
    with tempfile.TemporaryDirectory(prefix="pqcscan-bench-ingest-") as folder:
        base = baseline_sqlite(Path(folder) / "baseline.db", assets, findings)
        ours, stored = pqcscan_ingest(str(Path(folder) / "inventory.db"), items)
        assert stored == n, f"stored {stored} findings of {n}"
        results.append(("SQLite", "sqlite3 executemany", ours, base))
    if not args.no_postgres:
        from pqcscan.demo.lab.postgres import PostgresServer

        with PostgresServer() as server:
            base = baseline_postgres(server.create_database("baseline"), assets, findings)
            ours, stored = pqcscan_ingest(server.create_database("inventory"), items)
            assert stored == n, f"stored {stored} findings of {n}"
            results.append(("PostgreSQL", "psycopg COPY", ours, base))
    del assets, findings
    print(f"\n{'backend':<12}{'path':<34}{'seconds':>9}{'findings/s':>12}{'ratio':>8}")
    for backend, label, ours, base in results:
        print(f"{backend:<12}{'baseline: ' + label:<34}{base:>9.1f}{n / base:>12,.0f}{1:>8.2f}")
        print(f"{'':<12}{'pqcscan run_scan -> RunRecorder':<34}{ours:>9.1f}{n / ours:>12,.0f}"
              f"{base / ours:>8.2f}")  # fmt: skip
        emit(args.json, "ingest", f"{n / 1e6:g}M findings into {backend}", n / ours,
             "findings/s", baseline=f"{label} {n / base:,.0f}/s", ratio=base / ours)  # fmt: skip
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process (the baselines' rows included): {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
