"""Several scans into one inventory at once: 4 ``pqcscan scan certs`` processes started together
over overlapping trees (the same certificates in several trees, so they race on the same asset,
finding and link rows), into one new SQLite file and into one new PostgreSQL database. Every
process exits 0 and the inventory holds exactly what one scan after the other would hold."""

from __future__ import annotations

import multiprocessing
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from pqcscan.catalog import QuantumStatus
from pqcscan.context.load import parse_context
from pqcscan.demo import builders as b
from pqcscan.demo.builders import keys as k
from pqcscan.inventory import Inventory
from pqcscan.inventory.context_store import load_contexts, save_context
from pqcscan.results import Asset, AssetKey, AssetType, CollectedItem, Evidence, Finding, Usage

PROCESSES = 4
CERTIFICATES = 24  # leaves, all issued by one CA
COPIES = 12  # files per certificate in each tree that holds it


def build_trees(root: Path) -> list[Path]:
    """Tree ``t`` holds the CA and every leaf ``j`` with ``j % PROCESSES != t``, each in
    ``COPIES`` files: any two trees share half the leaves or more, every leaf is in 3 trees."""
    ca = b.issue(k.ec_key("P-384"), "CN=Race Root CA", ca=True)
    leaves = [
        b.issue(k.ec_key("P-256"), f"CN=host{j}.race.test", ca).pem for j in range(CERTIFICATES)
    ]
    trees = []
    for t in range(PROCESSES):
        tree = root / f"tree{t}"
        tree.mkdir(parents=True)
        (tree / "ca.pem").write_bytes(ca.pem)
        for j, pem in enumerate(leaves):
            if j % PROCESSES == t:
                continue
            for copy in range(COPIES):
                (tree / f"host{j:02}-{copy:02}.pem").write_bytes(pem)
        trees.append(tree)
    return trees


def files_in(tree: Path) -> int:
    return sum(1 for _ in tree.iterdir())


def counts(url: str) -> dict[str, int]:
    tables = (
        "scan_runs", "assets", "findings", "asset_links", "asset_sightings",
        "finding_sightings", "scan_items", "scan_errors",
    )  # fmt: skip
    with Inventory.open(url) as inv, inv.engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in tables
        }


def scan_at_once(url: str, trees: list[Path]) -> None:
    command = [sys.executable, "-m", "pqcscan", "-q", "--db", url, "scan", "certs", "--jobs", "1"]
    scans = [
        subprocess.Popen(
            [*command, str(tree)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for tree in trees
    ]
    results = [(scan.wait(120), *scan.communicate()) for scan in scans]
    for code, _out, err in results:
        assert code == 0, err


@pytest.mark.slow
def test_four_scans_at_once_store_exactly_what_four_scans_in_turn_store(
    inventory_url: str, tmp_path: Path
) -> None:
    trees = build_trees(tmp_path / "trees")
    scan_at_once(inventory_url, trees)

    with Inventory.open(inventory_url) as inv:
        runs = inv.runs()
        findings = list(inv.findings())
    assert sorted(r.status for r in runs) == ["completed"] * PROCESSES
    assert sorted(r.items for r in runs) == sorted(files_in(t) for t in trees)
    per_cert = len(findings) // (CERTIFICATES + 1)
    assert per_cert >= 1 and len(findings) == per_cert * (CERTIFICATES + 1)
    leaves_per_tree = CERTIFICATES - CERTIFICATES // PROCESSES
    for r in runs:  # each run counts what it saw, whoever wrote the rows first
        assert (r.assets, r.findings, r.errors) == (
            leaves_per_tree + 1,
            per_cert * (leaves_per_tree + 1),
            0,
        )
    # One asset per certificate however many processes upserted it; one sighting per file.
    assert counts(inventory_url) == {
        "scan_runs": PROCESSES,
        "assets": CERTIFICATES + 1,
        "findings": per_cert * (CERTIFICATES + 1),
        "asset_links": CERTIFICATES,  # each leaf issued-by the CA, linked once
        "asset_sightings": sum(files_in(t) for t in trees),
        "finding_sightings": PROCESSES * per_cert * (leaves_per_tree + 1),
        "scan_items": sum(files_in(t) for t in trees),
        "scan_errors": 0,
    }
    assert sum(r.new_findings for r in runs) == per_cert * (CERTIFICATES + 1)


RACE = 200  # certificates of the library-level race, written in batches of RACE_BATCH items
RACE_BATCH = 25


def _record_in_turn_order(url: str, order: list[int], items: list[CollectedItem]) -> None:
    """One writer process: a run over ``items`` in its own order, in small batches."""
    with Inventory.open(url) as inv, inv.record_run("certs", {}, batch_size=RACE_BATCH) as rec:
        for i in order:
            rec.add(items[i])


def race_items() -> list[CollectedItem]:
    """Certificates with one finding each, in files of two: many shared asset rows."""
    certs = [
        Asset(AssetType.CERTIFICATE, f"{n:04x}", f"/race/{n}.pem", f"CN=c{n}", (("n", n),))
        for n in range(RACE)
    ]
    items = []
    for n in range(RACE):
        pair = (certs[n], certs[(n * 7 + 3) % RACE])
        findings = tuple(
            Finding(
                AssetKey.of(c),
                "ECDSA",
                "P-256",
                Usage.AUTHENTICATION,
                QuantumStatus.QUANTUM_VULNERABLE,
                Evidence("certs", c.locator, "test"),
                128,
            )
            for c in pair
        )
        items.append(CollectedItem(f"/race/file{n}", pair, findings))
    return items


def test_interleaved_small_batches_in_opposite_orders(inventory_url: str) -> None:
    """4 writer processes, many small transactions, each process in another order over the
    same assets (what makes two PostgreSQL upserts deadlock unless rows go in key order)."""
    items = race_items()
    Inventory.open(inventory_url).close()  # migrated: the race is on the rows
    rng = random.Random(7)
    orders = [list(range(RACE)), list(range(RACE - 1, -1, -1))]
    orders += [rng.sample(range(RACE), RACE) for _ in range(PROCESSES - 2)]
    context = multiprocessing.get_context("fork")
    writers = [
        context.Process(target=_record_in_turn_order, args=(inventory_url, order, items))
        for order in orders
    ]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
    assert [w.exitcode for w in writers] == [0] * PROCESSES
    with Inventory.open(inventory_url) as inv:
        runs = inv.runs()
    assert [(r.status, r.items, r.assets, r.findings) for r in runs] == [
        ("completed", RACE, RACE, RACE)
    ] * PROCESSES
    assert counts(inventory_url) == {
        "scan_runs": PROCESSES,
        "assets": RACE,
        "findings": RACE,
        "asset_links": 0,
        "asset_sightings": PROCESSES * RACE,  # (run, asset, asset locator)
        "finding_sightings": PROCESSES * RACE,
        "scan_items": PROCESSES * RACE,
        "scan_errors": 0,
    }


def _open(url: str) -> None:
    Inventory.open(url).close()


def test_four_processes_opening_a_new_inventory_migrate_it_once(inventory_url: str) -> None:
    context = multiprocessing.get_context("fork")
    openers = [context.Process(target=_open, args=(inventory_url,)) for _ in range(PROCESSES)]
    for p in openers:
        p.start()
    for p in openers:
        p.join(60)
    assert [p.exitcode for p in openers] == [0] * PROCESSES
    assert counts(inventory_url)["scan_runs"] == 0


CONTEXT = """\
name: shared
services:
  - {id: core, impact: 5}
mappings:
  - {service: core, path: "/srv/*"}
"""


def _save_context(url: str, barrier: Any, results: Any) -> None:
    context = parse_context([("shared.yaml", CONTEXT)]).context
    with Inventory.open(url) as inv:
        barrier.wait(30)
        results.put(save_context(inv.engine, context, "shared.yaml").status.value)


def test_four_processes_saving_one_new_context_add_it_once(inventory_url: str) -> None:
    """Read, then insert by name: the processes that lose the race on the unique name are
    rolled back and run again, and find the context there."""
    Inventory.open(inventory_url).close()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    savers = [
        context.Process(target=_save_context, args=(inventory_url, barrier, results))
        for _ in range(PROCESSES)
    ]
    for p in savers:
        p.start()
    for p in savers:
        p.join(60)
    assert [p.exitcode for p in savers] == [0] * PROCESSES
    statuses = sorted(results.get(timeout=5) for _ in range(PROCESSES))
    assert statuses == ["added"] + ["unchanged"] * (PROCESSES - 1)
    with Inventory.open(inventory_url) as inv:
        assert [c.name for c in load_contexts(inv.engine)] == ["shared"]
