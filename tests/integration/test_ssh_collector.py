"""The SSH collector end to end into a real SQLite inventory: Debian's sshd, a PQ-only
responder, a hostile server and a closed port on loopback; host-key files scanned by the
certificate collector land on the same key assets as the wire."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pqcscan.collectors.certs import CertScanOptions, scan_file
from pqcscan.collectors.ssh import SshCollector, SshOptions
from pqcscan.demo.lab import ssh as lab
from pqcscan.inventory import Inventory
from pqcscan.results import CollectedItem
from pqcscan.scan import run_scan
from pqcscan.targets.model import Endpoint


@contextlib.contextmanager
def servers() -> Iterator[tuple[lab.SshLabServer, lab.SshLabServer, lab.SshLabServer]]:
    try:
        with (
            lab.sshd_server("sshd") as sshd,
            lab.responder("ssh-pq-only-mlkem") as pq,
            lab.hostile_server("garbage-length") as hostile,
        ):
            yield sshd, pq, hostile
    except lab.SshdUnavailable as exc:
        pytest.skip(str(exc))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return list(conn.execute(sql))


def test_ssh_scan_into_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    with servers() as (sshd, pq, hostile):
        targets = [Endpoint(s.address, s.port) for s in (sshd, pq, hostile)]
        refused = Endpoint("127.0.0.1", closed_port())
        collector = SshCollector([*targets, refused], SshOptions(timeout=5, retries=0, budget=30))

        async def collect() -> list[CollectedItem]:
            units = list(collector.units())
            return list(await asyncio.gather(*(collector.collect_one_async(u) for u in units)))

        items = asyncio.run(asyncio.wait_for(collect(), 120))
        inv = Inventory.open(str(db))
        try:
            with inv.record_run("ssh", collector.arguments()) as rec:
                for item in items:
                    rec.add(item)
            # the host-key files, scanned as files
            with inv.record_run("certs", {}) as rec:
                for fact in sshd.expected.host_keys:
                    assert fact.public_path is not None
                    path = fact.public_path
                    rec.add(scan_file(path, path.stat().st_size, CertScanOptions((path,))))
            # the same endpoints again, through the scan runner: nothing is duplicated
            summary = run_scan(
                inv, SshCollector(targets, SshOptions(timeout=5, retries=0, budget=30))
            )
            assert summary.status == "completed" and summary.items == 3

            findings = list(inv.findings())
            errors = {(e.locator, e.kind) for e in inv.errors()}
        finally:
            inv.close()

    endpoints = {
        str(loc) for (loc,) in rows(db, "select fingerprint from assets where type = 'endpoint'")
    }
    assert endpoints == {t.fingerprint for t in targets}  # the hostile one sent a banner first

    keys = rows(db, "select fingerprint, details from assets where type = 'key'")
    assert len(keys) == 4  # sshd's three, the responder's one: files and wire are one asset each

    presents = rows(
        db,
        "select s.fingerprint, t.fingerprint from asset_links l"
        " join assets s on s.id = l.source_id join assets t on t.id = l.target_id"
        " where l.relation = 'presents'",
    )
    assert len(presents) == 4
    assert {src for src, _ in presents} == {targets[0].fingerprint, targets[1].fingerprint}
    assert {dst for _, dst in presents} == {fp for fp, _ in keys}

    by_locator: dict[str, set[tuple[str, str, str]]] = {}
    for f in findings:
        by_locator.setdefault(f.locator, set()).add((f.usage, f.algorithm, f.quantum_status))
    assert ("key-exchange", "X25519MLKEM768", "hybrid") in by_locator[pq.endpoint]
    assert ("key-exchange", "sntrup761x25519", "hybrid") in by_locator[sshd.endpoint]
    assert ("protocol", "SSH", "quantum-safe") in by_locator[hostile.endpoint]
    key_findings = [f for f in findings if f.asset_type == "key"]
    assert {f.usage for f in key_findings} == {"authentication"}
    assert {f.algorithm for f in key_findings} == {"Ed25519", "ECDSA", "RSA"}
    assert all(f.evidence["collector"] in ("ssh", "certs") for f in findings)

    assert (hostile.endpoint, "protocol-error") in errors
    assert (refused.locator, "refused") in errors

    runs = rows(db, "select collector, status, items from scan_runs order by id")
    assert runs == [("ssh", "completed", 4), ("certs", "completed", 3), ("ssh", "completed", 3)]
