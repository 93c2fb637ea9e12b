"""The TLS collector end to end into a real SQLite inventory: lab servers (hybrid PQC, PQ-only
with an ML-DSA chain, a weak TLS 1.0 one), a hostile server and a closed port on loopback;
the lab leaf scanned from a PEM file by the certificate collector is the same asset as the one
the endpoint presents."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sqlite3
from pathlib import Path

from pqcscan.collectors.certs import CertScanOptions, scan_file
from pqcscan.collectors.tls import TlsCollector, TlsOptions
from pqcscan.demo.lab import Lab
from pqcscan.demo.lab.model import der_to_pem
from pqcscan.inventory import Inventory
from pqcscan.results import CollectedItem
from pqcscan.scan import run_scan
from pqcscan.targets.model import Endpoint

SERVERS = ("pqc-hybrid", "pqc-mldsa65", "weak-tls10", "hostile-garbage")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return list(conn.execute(sql))


def test_tls_scan_into_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "inventory.db"
    with Lab(SERVERS) as lab:
        targets = [Endpoint(s.address, s.port, s.hostname) for s in lab]
        refused = Endpoint("127.0.0.1", closed_port())
        options = TlsOptions(timeout=5, retries=0, budget=60)
        collector = TlsCollector([*targets, refused], options)

        async def collect() -> list[CollectedItem]:
            units = list(collector.units())
            return list(await asyncio.gather(*(collector.collect_one_async(u) for u in units)))

        items = asyncio.run(asyncio.wait_for(collect(), 300))
        leaf_pem = tmp_path / "hybrid-leaf.pem"
        leaf_pem.write_bytes(der_to_pem(lab["pqc-hybrid"].tls.certificate.leaf.der))
        inv = Inventory.open(str(db))
        try:
            with inv.record_run("tls", collector.arguments()) as rec:
                for item in items:
                    rec.add(item)
            with inv.record_run("certs", {}) as rec:
                rec.add(scan_file(leaf_pem, leaf_pem.stat().st_size, CertScanOptions((leaf_pem,))))
            # Again through the scan runner: nothing is duplicated.
            summary = run_scan(inv, TlsCollector(targets[:2], options))
            assert summary.status == "completed" and summary.items == 2
            findings = list(inv.findings())
            errors = {(e.locator, e.kind) for e in inv.errors()}
        finally:
            inv.close()
        hybrid, mldsa, weak, hostile = (lab[name] for name in SERVERS)

    # Endpoints: the three TLS servers; the hostile one and the closed port are errors only.
    endpoints = {
        str(fp) for (fp,) in rows(db, "select fingerprint from assets where type = 'endpoint'")
    }
    assert endpoints == {t.fingerprint for t in targets[:3]}
    assert (f"localhost:{hostile.port}", "not-tls") in errors
    assert (refused.locator, "refused") in errors

    # Certificates: two per chain, each once; the leaf from the file is the same asset.
    certs = rows(db, "select fingerprint, locator from assets where type = 'certificate'")
    assert len(certs) == 6
    leaf_fp = hybrid.tls.certificate.leaf.sha256
    sightings = rows(
        db,
        "select s.locator from asset_sightings s join assets a on a.id = s.asset_id"
        f" where a.fingerprint = '{leaf_fp}'",
    )
    assert {loc for (loc,) in sightings} == {f"localhost:{hybrid.port}#1", str(leaf_pem)}

    presents = rows(
        db,
        "select s.fingerprint, t.fingerprint from asset_links l"
        " join assets s on s.id = l.source_id join assets t on t.id = l.target_id"
        " where l.relation = 'presents'",
    )
    assert sorted(presents) == sorted(
        (t.fingerprint, s.tls.certificate.leaf.sha256)
        for t, s in zip(targets[:3], (hybrid, mldsa, weak), strict=True)
    )
    issued = rows(
        db,
        "select s.fingerprint, t.fingerprint from asset_links l"
        " join assets s on s.id = l.source_id join assets t on t.id = l.target_id"
        " where l.relation = 'issued-by'",
    )
    for server in (hybrid, mldsa, weak):
        chain = server.tls.certificate
        assert (chain.leaf.sha256, chain.root.sha256) in issued

    # Findings: the hybrid group, the ML-DSA CertificateVerify, TLS 1.0.
    by_locator: dict[str, set[tuple[str, str, str, str]]] = {}
    for f in findings:
        by_locator.setdefault(f.locator, set()).add(
            (f.usage, f.algorithm, f.parameter, f.quantum_status)
        )
    at = {name: f"localhost:{lab_server.port}" for name, lab_server in
          zip(SERVERS, (hybrid, mldsa, weak, hostile), strict=True)}  # fmt: skip
    assert ("key-exchange", "X25519MLKEM768", "", "hybrid") in by_locator[at["pqc-hybrid"]]
    assert ("authentication", "ML-DSA-65", "", "quantum-safe") in by_locator[at["pqc-mldsa65"]]
    assert ("protocol", "TLS", "1.0", "classically-broken") in by_locator[at["weak-tls10"]]
    assert ("authentication", "ML-DSA-65", "", "quantum-safe") in by_locator[
        f"{at['pqc-mldsa65']}#1"
    ]
    assert all(f.evidence["collector"] in ("tls", "certs") for f in findings)

    details = rows(db, f"select details from assets where fingerprint = '{targets[0].fingerprint}'")
    stored = json.loads(details[0][0]) if isinstance(details[0][0], str) else details[0][0]
    capabilities = stored["capabilities"]
    assert capabilities["tls-group:0x11ec X25519MLKEM768"] == "supported"

    runs = rows(db, "select collector, status, items from scan_runs order by id")
    assert runs == [("tls", "completed", 5), ("certs", "completed", 1), ("tls", "completed", 2)]
