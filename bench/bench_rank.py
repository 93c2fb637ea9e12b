"""Benchmark: rank a bank-sized inventory end to end.

Generates (seeded) an inventory of ~100,000 findings -- TLS endpoints with their certificates,
a PKI of roots and issuing CAs, key files, libraries, declared hardware -- and a business
context of 10,000 services, with ~300,000 dependency-graph edges in all (links,
service -> asset attachments, service -> service dependencies). Then:

- ``rank()`` end to end (items, graph, propagation, factors, waves, precedence, remediation,
  explanations), wall time and peak RSS (``resource.getrusage``);
- baselines measured in the same run: networkx ``condensation`` + one ``topological_sort`` of
  the same graph alone, and the naive propagation (one ``nx.ancestors`` per asset) timed on
  a sample and extrapolated;
- optionally (default on) the same inventory written to a real SQLite file through the
  inventory's ``RunRecorder`` and read back with ``load_snapshot``.

    python bench/bench_rank.py [--findings 100000] [--services 10000] [--edges 300000]
                               [--no-sqlite] [--sample 200]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
from table import add_json_option, emit

from pqcscan.catalog import get_catalog
from pqcscan.context.model import BusinessContext, Ecosystem, Service
from pqcscan.inventory.snapshot import AssetView, FindingView, LinkView, Snapshot
from pqcscan.risk import load_profile, rank
from pqcscan.risk.graph import build_graph
from pqcscan.risk.services import direct_attachments, resolve_services

AS_OF = date(2026, 7, 1)
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 2048.0

KEX = [
    ("ECDH", "P-256"),
    ("X25519", ""),
    ("X25519MLKEM768", ""),
    ("DH", "2048"),
    ("RSAES-PKCS1-v1_5", "2048"),
    ("ECDH", "P-384"),
]
LEAF_KEYS = [("RSA", "2048"), ("RSA", "3072"), ("ECDSA", "P-256"), ("Ed25519", ""), ("RSA", "1024")]
CA_KEYS = [("RSA", "4096"), ("ECDSA", "P-384"), ("RSA", "2048")]
HW_KINDS = ["hsm", "payment-hsm", "atm", "pos", "vpn", "load-balancer", "product"]


@dataclass
class Inventory:
    """A generated inventory: (type, fp, locator, name, details), findings, links."""

    assets: list[tuple[str, str, str, str, dict[str, Any]]] = field(default_factory=list)
    findings: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    links: list[tuple[int, str, int]] = field(default_factory=list)

    def asset(self, type_: str, fp: str, name: str = "", **details: Any) -> int:
        self.assets.append((type_, fp, fp, name, details))
        return len(self.assets)  # ids start at 1

    def finding(self, asset: int, alg: str, param: str, usage: str, method: str) -> None:
        self.findings.append((asset, alg, param, usage, method))


def generate(rng: random.Random, n_findings: int) -> Inventory:
    inv = Inventory()
    scale = n_findings / 100_000
    roots = []
    for n in range(max(1, int(20 * scale))):
        r = inv.asset(
            "certificate",
            f"root{n}",
            f"Root CA {n}",
            is_ca=True,
            self_issued=True,
            not_after=f"{rng.randint(2030, 2045)}-12-31",
        )
        inv.finding(r, *rng.choice(CA_KEYS), "signature", "X.509 signature algorithm")
        roots.append(r)
    cas = list(roots)
    for n in range(max(1, int(200 * scale))):
        c = inv.asset(
            "certificate",
            f"ca{n}",
            f"Issuing CA {n}",
            is_ca=True,
            self_issued=False,
            not_after=f"{rng.randint(2028, 2036)}-12-31",
        )
        inv.finding(c, *rng.choice(CA_KEYS), "signature", "X.509 SubjectPublicKeyInfo algorithm")
        inv.finding(c, "RSA", "4096", "signature", "X.509 signature algorithm")
        inv.finding(c, "SHA-256", "", "hash", "X.509 signature digest")
        inv.links.append((c, "issued-by", rng.choice(roots)))
        cas.append(c)
    keys = []
    for n in range(int(4000 * scale)):
        k = inv.asset("key", f"key{n}", f"key {n}", kind="private")
        inv.finding(k, *rng.choice(LEAF_KEYS), "key", "key algorithm OID")
        inv.finding(
            k,
            rng.choice(["AES", "3DES"]),
            rng.choice(["256", "168"]),
            "encryption",
            "key protection OID",
        )
        keys.append(k)
    leaves = []
    for n in range(int(12_000 * scale)):
        leaf = inv.asset(
            "certificate",
            f"leaf{n}",
            f"host{n}.bank.test",
            is_ca=False,
            self_issued=False,
            not_after=f"{rng.randint(2026, 2029)}-06-30",
        )
        inv.finding(
            leaf, *rng.choice(LEAF_KEYS), "authentication", "X.509 SubjectPublicKeyInfo algorithm"
        )
        inv.finding(
            leaf, rng.choice(["RSA", "ECDSA"]), "", "signature", "X.509 signature algorithm"
        )
        inv.finding(leaf, "SHA-256", "", "hash", "X.509 signature digest")
        inv.links.append((leaf, "issued-by", rng.choice(cas)))
        if n < len(keys):
            inv.links.append((leaf, "certifies", keys[n]))
        leaves.append(leaf)
    endpoints = []
    for n in range(int(12_000 * scale)):
        public = rng.random() < 0.2
        address = (
            f"81.2.{n // 250}.{n % 250}"
            if public
            else f"10.{n // 65000}.{n // 250 % 250}.{n % 250}"
        )
        e = inv.asset(
            "endpoint",
            f"{address}:443",
            f"host{n}",
            protocol="tls",
            address=address,
            port=443,
            versions=["TLS 1.2", "TLS 1.3"],
        )
        inv.finding(e, "TLS", rng.choice(["1.2", "1.3"]), "protocol", "TLS version probe")
        for alg, param in rng.sample(KEX, 2):
            inv.finding(e, alg, param, "key-exchange", "TLS group probe")
        inv.finding(e, "ECDSA", "P-256", "authentication", "TLS signature scheme probe")
        inv.links.append((e, "presents", leaves[n % len(leaves)]))
        endpoints.append(e)
    packages: list[int] = []
    for n in range(int(2000 * scale)):
        p = inv.asset("package", f"pkg:generic/lib{n}@1.{n % 7}", f"lib{n}")
        for alg, param in rng.sample(KEX, 3):
            inv.finding(p, alg, param, "key-exchange", "library API")
        for _ in range(min(len(packages), 3)):
            inv.links.append((p, "depends-on", rng.choice(packages)))
        packages.append(p)
    hardware = []
    for n in range(int(500 * scale)):
        h = inv.asset(
            "hardware",
            f"hw{n}",
            f"device {n}",
            kind=rng.choice(HW_KINDS),
            vendor=f"Vendor {n % 20}",
            product=f"Model {n % 50}",
            support_end=f"{rng.randint(2026, 2040)}-12-31",
        )
        for alg, param in (("RSA", "2048"), ("3DES", "168"), ("AES", "256")):
            inv.finding(h, alg, param, "encryption" if alg != "RSA" else "signature", "declared")
        hardware.append(h)
    while len(inv.findings) < n_findings:  # top up with endpoint cipher findings
        e = rng.choice(endpoints)
        inv.finding(e, "AES", rng.choice(["128", "256"]), "encryption", "TLS suite enumeration")
    inv.links = sorted(set(inv.links))
    return inv


def snapshot_of(inv: Inventory) -> Snapshot:
    cat = get_catalog()
    assets = tuple(
        AssetView(i + 1, t, fp, loc, name, d) for i, (t, fp, loc, name, d) in enumerate(inv.assets)
    )
    findings = []
    for i, (asset, alg, param, usage, method) in enumerate(inv.findings):
        c = cat.classify(alg, param)
        findings.append(
            FindingView(
                i + 1,
                asset,
                c.algorithm,
                c.parameter,
                usage,
                c.status.value,
                c.classical_bits,
                c.nist_category,
                None,
                inv.assets[asset - 1][2],
                method,
            )
        )
    links = tuple(LinkView(s, r, t) for s, r, t in inv.links)
    return Snapshot(assets, tuple(findings), links)


def context_of(
    rng: random.Random, n_services: int, attach_edges: int, assets: int
) -> tuple[BusinessContext, dict[int, tuple[tuple[str, str], ...]]]:
    ecosystems = list(Ecosystem)
    services = []
    for n in range(n_services):
        deps = tuple(f"svc{rng.randrange(n_services)}" for _ in range(1)) if n else ()
        services.append(
            Service(
                f"svc{n}",
                f"Service {n}",
                f"team{n % 300}",
                rng.randint(1, 5),
                retention_years=rng.choice([None, 1.0, 3.0, 7.0, 10.0, 25.0]),
                ecosystem=rng.choice(ecosystems),
                vendor_controlled=rng.random() < 0.05,
                depends_on=tuple(d for d in deps if d != f"svc{n}"),
            )
        )
    mapping: dict[int, set[str]] = {}
    for _ in range(attach_edges):
        mapping.setdefault(rng.randint(1, assets), set()).add(f"svc{rng.randrange(n_services)}")
    plain = {a: tuple((s, "generated") for s in sorted(ss)) for a, ss in sorted(mapping.items())}
    return BusinessContext("bench", (), tuple(services), (), sha256="b" * 64), plain


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def write_sqlite(inv: Inventory, path: Path) -> float:
    """Write the inventory through the RunRecorder; returns seconds."""
    from pqcscan.inventory import Inventory as Store
    from pqcscan.inventory import RunRecorder
    from pqcscan.results import (
        Asset,
        AssetKey,
        AssetType,
        CollectedItem,
        Evidence,
        Finding,
        Link,
        Relation,
        Usage,
    )

    cat = get_catalog()
    keys = [AssetKey(AssetType(t), fp) for t, fp, *_ in inv.assets]
    by_asset: dict[int, list[tuple[str, str, str, str]]] = {}
    for asset, alg, param, usage, method in inv.findings:
        by_asset.setdefault(asset, []).append((alg, param, usage, method))
    links_of: dict[int, list[tuple[str, int]]] = {}
    for s, r, t in inv.links:
        links_of.setdefault(s, []).append((r, t))

    def items() -> Iterator[CollectedItem]:
        for i, (t, fp, loc, name, details) in enumerate(inv.assets, start=1):
            key = keys[i - 1]
            asset = Asset(
                key.type,
                fp,
                loc,
                name,
                tuple((k, v if not isinstance(v, list) else tuple(v)) for k, v in details.items()),
            )
            findings = []
            for alg, param, usage, method in by_asset.get(i, ()):
                c = cat.classify(alg, param)
                findings.append(
                    Finding(
                        key,
                        c.algorithm,
                        c.parameter,
                        Usage(usage),
                        c.status,
                        Evidence("bench", loc, method),
                        c.classical_bits,
                        c.nist_category,
                    )
                )
            links = tuple(Link(key, Relation(r), keys[t - 1]) for r, t in links_of.get(i, ()))
            yield CollectedItem(loc, (asset,), tuple(findings), links)

    start = time.perf_counter()
    with (
        Store.open(str(path)) as store,
        RunRecorder(store.engine, "bench", {}, batch_size=2000) as rec,
    ):
        for item in items():
            rec.add(item)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--services", type=int, default=10_000)
    ap.add_argument("--edges", type=int, default=300_000)
    ap.add_argument("--sample", type=int, default=200, help="assets timed for naive ancestors")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    add_json_option(ap)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    inv = generate(rng, args.findings)
    snapshot = snapshot_of(inv)
    service_edges = args.services - 1
    attach = max(0, args.edges - len(snapshot.links) - service_edges)
    ctx, mapping = context_of(rng, args.services, attach, len(snapshot.assets))
    generated = time.perf_counter() - t0
    profile = load_profile()
    get_catalog()

    # -- baselines on the same graph -------------------------------------------------------
    services = resolve_services([ctx], profile)
    direct = direct_attachments(mapping, services)
    t0 = time.perf_counter()
    graph = build_graph(snapshot, services, direct)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    dag = nx.condensation(graph)
    list(nx.topological_sort(dag))
    condensed = time.perf_counter() - t0
    asset_ids = [a.id for a in snapshot.assets]
    sample = random.Random(1).sample(asset_ids, min(args.sample, len(asset_ids)))
    t0 = time.perf_counter()
    for node in sample:
        {-n - 1 for n in nx.ancestors(graph, node) if n < 0}
    naive = (time.perf_counter() - t0) / len(sample) * len(asset_ids)
    edges = graph.number_of_edges()
    del graph, dag

    # -- the ranking ------------------------------------------------------------------------
    t0 = time.perf_counter()
    result = rank(snapshot, [ctx], mapping, profile, AS_OF)
    ranked = time.perf_counter() - t0
    rss = peak_rss_mb()
    waves = {w: 0 for w in ("now", "next", "later", "monitor")}
    for item in result.items:
        waves[item.wave.value] += 1

    print(
        f"inventory: {len(snapshot.assets):,} assets, {len(snapshot.findings):,} findings, "
        f"{len(snapshot.links):,} links; {args.services:,} services, "
        f"{sum(len(v) for v in mapping.values()):,} attachments; graph {edges:,} edges "
        f"(generated in {generated:.1f} s)"
    )
    print(f"items: {len(result.items):,} ({', '.join(f'{k} {v:,}' for k, v in waves.items())})")
    print(f"\n{'step':<58}{'seconds':>10}")
    print(f"{'build the DiGraph alone':<58}{built:>10.2f}")
    print(f"{'baseline: nx.condensation + topological_sort alone':<58}{condensed:>10.2f}")
    print(f"{'baseline: naive nx.ancestors per asset (extrapolated)':<58}{naive:>10.1f}")
    print(f"{'rank() end to end':<58}{ranked:>10.2f}")
    print(
        f"ratio: rank() / naive ancestors baseline = {ranked / naive:.2f} "
        f"(the whole ranking costs less than the naive propagation step alone); "
        f"rank() / condensation baseline = {ranked / condensed:.1f}"
    )
    print(f"\npeak RSS: {rss:,.0f} MB")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="pqcscan-bench-") as folder:
            db = Path(folder) / "inventory.db"
            wrote = write_sqlite(inv, db)
            from sqlalchemy import create_engine

            from pqcscan.inventory.snapshot import load_snapshot

            engine = create_engine(f"sqlite:///{db}")
            times = []
            for _ in range(2):
                t0 = time.perf_counter()
                loaded = load_snapshot(engine)
                times.append(time.perf_counter() - t0)
            engine.dispose()
            print(
                f"SQLite: written through RunRecorder in {wrote:.1f} s "
                f"({db.stat().st_size / 2**20:.0f} MiB); load_snapshot "
                f"{statistics.median(times):.2f} s ({len(loaded.findings):,} findings)"
            )
            rss = peak_rss_mb()
    ok = ranked < TARGET_SECONDS and rss < TARGET_RSS_MB
    print(
        f"\ntarget: rank < {TARGET_SECONDS:.0f} s and peak RSS < {TARGET_RSS_MB:.0f} MB -> "
        f"{'met' if ok else 'NOT met'}"
    )
    name = f"rank {len(snapshot.findings) / 1000:,.0f}k"
    emit(args.json, name, "rank() end to end", ranked, "s",
         baseline=f"naive nx.ancestors {naive:.1f} s", ratio=ranked / naive,
         target=f"< {TARGET_SECONDS:.0f} s", met=ranked < TARGET_SECONDS)  # fmt: skip
    emit(args.json, name, "peak RSS (generator included)", rss, "MiB",
         target=f"< {TARGET_RSS_MB:.0f} MiB", met=rss < TARGET_RSS_MB)  # fmt: skip


if __name__ == "__main__":
    main()
