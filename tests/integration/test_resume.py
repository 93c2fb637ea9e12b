"""Crash safety: kill -9 during a scan (files, then 2,000 loopback targets), then --resume;
every file and every target ends with exactly one result."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from pqcscan.demo import builders as b
from pqcscan.demo.builders import keys as k
from pqcscan.demo.lab import serve
from pqcscan.targets.specs import TargetPlan

FILES = 12_000
PORT = 9  # discard: closed on loopback, answered at once with a reset


def pqcscan(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_kill_minus_nine_then_resume(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for folder in range(12):
        (tree / f"d{folder:02}").mkdir(parents=True)
    pems = [b.issue(k.ec_key("P-256"), f"CN=host{i}.example.test").pem for i in range(50)]
    for i in range(FILES):
        (tree / f"d{i % 12:02}" / f"c{i:05}.pem").write_bytes(pems[i % 50])
    db = tmp_path / "inv.db"
    done_before = kill_mid_scan(db, ["certs", str(tree)], at_least=1, wait=300)
    assert 0 < done_before < FILES, "the scan was not killed mid-way; make the tree larger"
    [(run, status)] = sqlite3.connect(db).execute("SELECT id, status FROM scan_runs").fetchall()
    assert status == "running"

    resumed = pqcscan(db, "scan", "certs", "--resume", str(run))
    assert resumed.returncode == 0, resumed.stderr
    assert count(db, "SELECT count(*) FROM scan_runs") == 1
    assert count(db, f"SELECT count(*) FROM scan_items WHERE run_id = {run}") == FILES
    assert count(db, "SELECT count(*) FROM asset_sightings") == FILES  # one per file, no doubles
    assert count(db, "SELECT count(*) FROM assets") == 50
    assert count(db, "SELECT count(*) FROM scan_runs WHERE status = 'completed'") == 1

    clean = tmp_path / "clean.db"
    assert pqcscan(clean, "scan", "certs", str(tree)).returncode == 0
    assert count(clean, "SELECT count(*) FROM findings") == count(
        db, "SELECT count(*) FROM findings"
    )


def kill_mid_scan(db: Path, scan_args: list[str], at_least: int, wait: float) -> int:
    """Start ``pqcscan scan SCAN_ARGS``, kill -9 it once ``at_least`` units are recorded (or
    after ``wait`` seconds), and return how many units it had recorded."""
    scan = subprocess.Popen(
        [sys.executable, "-m", "pqcscan", "-q", "--db", str(db), "scan", *scan_args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and scan.poll() is None:
            if db.exists() and count_safe(db, "SELECT count(*) FROM scan_items") >= at_least:
                break
            time.sleep(0.01)
        os.kill(scan.pid, signal.SIGKILL)
    finally:
        scan.wait(60)
    return count(db, "SELECT count(*) FROM scan_items")


def count_safe(db: Path, sql: str) -> int:
    """The count, or 0 while the scanner has not created the table yet."""
    try:
        return count(db, sql)
    except sqlite3.Error:
        return 0


def test_kill_minus_nine_during_a_network_scan_then_resume(tmp_path: Path) -> None:
    """2,000+ loopback targets (closed ports answer at once, one real TLS server among them):
    the scan is killed mid-way, resumed, and every target ends with exactly one result."""
    network = "127.0.1.0/21"  # 2,048 addresses
    expected = sum(1 for _ in TargetPlan([network], default_ports=[PORT]).endpoints()) + 1
    assert expected >= 2000
    db = tmp_path / "inv.db"
    with serve("classic-rsa2048") as server:
        args = [network, server.endpoint, "-p", str(PORT), "--allow", "127.0.0.0/8"]
        args += ["--rate", "250", "--timeout", "2"]
        done_before = kill_mid_scan(db, ["tls", *args], at_least=200, wait=120)
        assert 0 < done_before < expected, "the scan was not killed mid-way"
        [(run, status)] = sqlite3.connect(db).execute("SELECT id, status FROM scan_runs").fetchall()
        assert status == "running"

        resumed = pqcscan(db, "scan", "tls", "--resume", str(run))
        assert resumed.returncode in (0, 3), resumed.stderr  # 3: closed ports are recorded errors
    assert count(db, "SELECT count(*) FROM scan_runs") == 1
    assert count(db, "SELECT count(*) FROM scan_runs WHERE status = 'completed'") == 1
    assert count(db, f"SELECT count(*) FROM scan_items WHERE run_id = {run}") == expected
    # Exactly one result per target: an error for each closed port, the server's endpoint once.
    duplicates = (
        "SELECT count(*) FROM "
        "(SELECT locator FROM scan_errors GROUP BY locator HAVING count(*) > 1)"
    )
    assert count(db, duplicates) == 0
    assert count(db, "SELECT count(DISTINCT locator) FROM scan_errors") == expected - 1
    endpoint = server.endpoint
    assert (
        count(db, f"SELECT count(*) FROM assets WHERE type = 'endpoint' AND locator = '{endpoint}'")
        == 1
    )
    sightings = (
        "SELECT count(*) FROM asset_sightings s JOIN assets a ON a.id = s.asset_id "
        f"WHERE a.type = 'endpoint' AND a.locator = '{endpoint}'"
    )
    assert count(db, sightings) == 1
