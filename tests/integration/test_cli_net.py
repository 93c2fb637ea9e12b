"""Network scans end to end: the CLI against the loopback lab, into a real SQLite inventory."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pqcscan.demo.lab import Lab


def pqcscan(db: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def findings(db: Path) -> list[dict[str, Any]]:
    out = pqcscan(db, "inventory", "--format", "json")
    assert out.returncode == 0, out.stderr
    result: list[dict[str, Any]] = json.loads(out.stdout)["findings"]
    return result


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with Lab.standard(host="127.0.0.1") as running:
        yield running


def test_scan_tls_over_the_standard_lab(lab: Lab, tmp_path: Path) -> None:
    db = tmp_path / "inv.db"
    smtp = lab["starttls-smtp"].endpoint
    targets = [s.endpoint for s in lab.servers if s.endpoint != smtp]
    out = pqcscan(db, "scan", "tls", *targets, "--timeout", "3")
    assert out.returncode == 3, out.stderr  # the hostile server is a recorded error
    assert "Traceback" not in out.stderr
    got = findings(db)
    at = {(f["asset_locator"], f["algorithm"], f["usage"]): f for f in got}
    hybrid = lab["pqc-hybrid"].endpoint
    assert at[(hybrid, "X25519MLKEM768", "key-exchange")]["quantum_status"] == "hybrid"
    pq_only = lab["pqc-mlkem768-only"].endpoint
    assert at[(pq_only, "ML-KEM-768", "key-exchange")]["quantum_status"] == "quantum-safe"
    assert (pq_only, "X25519", "key-exchange") not in at
    weak = lab["weak-tls10"].endpoint
    assert any(
        f["asset_locator"] == weak and f["algorithm"] == "TLS" and f["parameter"] == "1.0"
        and f["quantum_status"] == "classically-broken"
        for f in got
    )  # fmt: skip
    # The PQ-only endpoint's certificate was fetched (sslyze cannot connect to it).
    presented = _count(
        db,
        "SELECT count(*) FROM asset_links l JOIN assets e ON e.id = l.source_id "
        f"WHERE l.relation = 'presents' AND e.locator = '{pq_only}'",
    )
    assert presented == 1
    errors = json.loads(pqcscan(db, "errors", "--format", "json").stdout)["errors"]
    assert [(e["locator"], e["kind"]) for e in errors] == [
        (lab["hostile-silent"].endpoint, "timeout")
    ]
    # STARTTLS on a port that does not say which protocol: --starttls.
    upgraded = pqcscan(db, "scan", "tls", smtp, "--starttls", "smtp", "--budget", "60")
    assert upgraded.returncode == 0, upgraded.stderr
    assert any(f["asset_locator"] == smtp and f["usage"] == "protocol" for f in findings(db))


def test_scan_net_sweeps_a_range_and_dispatches(tmp_path: Path) -> None:
    # An address block no other test uses: parallel tests' servers may share port numbers.
    with Lab(["classic-ecdsa-p384", "pqc-hybrid"], host="127.77.77.2") as lab:
        ports = ",".join(str(s.port) for s in lab.servers)
        db = tmp_path / "inv.db"
        expected = {s.endpoint for s in lab.servers}
        out = pqcscan(db, "scan", "net", "127.77.77.0/29", "-p", ports)
        assert out.returncode == 0, out.stderr
        got = findings(db)
    endpoints = {f["asset_locator"] for f in got if f["asset_type"] == "endpoint"}
    assert endpoints == expected
    runs = json.loads(pqcscan(db, "scans", "--format", "json").stdout)["scans"]
    assert runs[0]["items"] == 6 * 2  # every host of the /29, both ports: done once each


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "tls", "10.9.0.0/16", "--allow", "127.0.0.0/8"], "outside the allowed scope"),
        (["scan", "tls", "10.0.0.0/33"], "10.0.0.0/33"),
        (["scan", "ssh", "127.0.0.1", "-p", "99999"], "99999"),
        (["scan", "net", "127.0.0.1", "--exclude", "127.0.0.0/8"], "excluded"),
        (["scan", "tls"], "give targets"),
    ],
)
def test_bad_targets_are_refused_before_any_packet(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = pqcscan(tmp_path / "inv.db", *args)
    assert out.returncode == 2 and message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


def test_kill_minus_nine_during_a_sweep_then_resume(tmp_path: Path) -> None:
    db = tmp_path / "inv.db"
    args = ["scan", "net", "127.0.8.0/21", "-p", "9", "--rate", "300"]
    scan = subprocess.Popen(
        [sys.executable, "-m", "pqcscan", "-q", "--db", str(db), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and scan.poll() is None:
            if db.exists() and _count(db, "SELECT count(*) FROM scan_items") >= 100:
                break
            time.sleep(0.02)
        os.kill(scan.pid, signal.SIGKILL)
    finally:
        scan.wait(60)
    done = _count(db, "SELECT count(*) FROM scan_items")
    assert 0 < done < 2046
    resumed = pqcscan(db, "scan", "net", "--resume", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert _count(db, "SELECT count(*) FROM scan_items") == 2046  # each target once
    assert _count(db, "SELECT count(*) FROM scan_runs") == 1


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0


def test_ctrl_c_marks_the_run_interrupted_and_resume_completes_it(tmp_path: Path) -> None:
    db = tmp_path / "inv.db"
    args = ["scan", "net", "127.0.16.0/22", "-p", "9", "--rate", "200"]
    scan = subprocess.Popen(
        [sys.executable, "-m", "pqcscan", "-q", "--db", str(db), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and scan.poll() is None:
        if db.exists() and _count(db, "SELECT count(*) FROM scan_items") >= 50:
            break
        time.sleep(0.02)
    scan.send_signal(signal.SIGINT)
    _, stderr = scan.communicate(timeout=60)
    assert scan.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    [(status,)] = sqlite3.connect(db).execute("SELECT status FROM scan_runs").fetchall()
    assert status == "interrupted"
    resumed = pqcscan(db, "scan", "net", "--resume", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert _count(db, "SELECT count(*) FROM scan_items") == 1022
