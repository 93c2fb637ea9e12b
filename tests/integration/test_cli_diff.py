"""``pqcscan diff`` end to end: real scans of real files, compared through the CLI."""

from __future__ import annotations

import json
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from pqcscan.demo.builders.classical import rsa_key
from pqcscan.demo.builders.containers import P12Encryption, pkcs12
from pqcscan.demo.builders.pqc import ml_dsa_key
from pqcscan.demo.builders.x509 import issue
from pqcscan.demo.lab import serve


def pqcscan(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def scan(db: Path | str, *args: str) -> None:
    out = pqcscan(db, "-q", "scan", *args)
    assert out.returncode == 0, out.stderr


def diff_json(db: Path | str, *args: str) -> dict[str, Any]:
    out = pqcscan(db, "diff", "--format", "json", *args)
    assert out.returncode == 0, out.stderr
    document: dict[str, Any] = json.loads(out.stdout)
    return document


@pytest.mark.both_backends
def test_certificates_reissued_and_removed(tmp_path: Path, cli_inventory_url: str) -> None:
    certs, db = tmp_path / "certs", cli_inventory_url
    certs.mkdir()
    (certs / "api.pem").write_bytes(issue(rsa_key(2048), "CN=api.bank.test,O=Bank").pem)
    (certs / "web.pem").write_bytes(issue(rsa_key(2048), "CN=web.bank.test,O=Bank").pem)
    (certs / "old.pem").write_bytes(issue(rsa_key(2048), "CN=old.bank.test,O=Bank").pem)
    scan(db, "certs", str(certs))
    (certs / "api.pem").write_bytes(issue(ml_dsa_key(65), "CN=api.bank.test,O=Bank").pem)
    (certs / "web.pem").write_bytes(issue(rsa_key(4096), "CN=web.bank.test,O=Bank").pem)
    (certs / "old.pem").unlink()
    scan(db, "certs", str(certs))

    doc = diff_json(db)
    assert doc["schema"] == "pqcscan-diff/1"
    assert (doc["run_a"]["id"], doc["run_b"]["id"]) == (1, 2)
    reissued = {c["subject"]: c for c in doc["changes"] if c["kind"] == "certificate-reissued"}
    assert set(reissued) == {"api.bank.test", "web.bank.test"}
    api, web = reissued["api.bank.test"], reissued["web.bank.test"]
    assert api["direction"] == "better"
    assert "key RSA 2048 -> ML-DSA-65 (post-quantum)" in api["text"]
    assert web["direction"] == "better"
    assert "key RSA 2048 -> RSA 4096 (stronger)" in web["text"]
    improved = [c for c in doc["changes"] if c["kind"] == "location-improved"]
    assert [c["location"] for c in improved] == [str(certs / "api.pem")]
    assert doc["assets"]["appeared"] == []
    assert [a["name"] for a in doc["assets"]["disappeared"]] == ["old.bank.test"]
    statuses = {s["status"]: s for s in doc["summary"]["statuses"]}
    assert statuses["quantum-safe"]["after"] == 2 and statuses["quantum-safe"]["before"] == 0
    assert doc["summary"]["verdict"] == "safer"
    # Same answer with explicit ids, and every time (sorted, no clock in the diff itself).
    assert diff_json(db, "1", "2") == doc

    table = pqcscan(db, "diff")
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith("Scan diff: run 1 -> run 2 (certs)")
    assert "Verdict: safer" in table.stdout
    note = pqcscan(db, "diff", "--format", "md")
    assert "### Certificates re-issued" in note.stdout
    assert "## Assets gone" in note.stdout and "old.bank.test" in note.stdout


def test_a_key_store_reprotected(tmp_path: Path) -> None:
    stores, db = tmp_path / "stores", tmp_path / "inv.db"
    stores.mkdir()
    key = rsa_key(2048)
    cert = issue(key, "CN=gw.bank.test,O=Bank")
    store = stores / "gateway.p12"
    store.write_bytes(pkcs12(key, [cert], "changeit", P12Encryption.LEGACY_3DES))
    scan(db, "certs", str(stores), "--password", "changeit")
    store.write_bytes(pkcs12(key, [cert], "changeit", P12Encryption.AES256))
    scan(db, "certs", str(stores), "--password", "changeit")

    doc = diff_json(db)
    reprotected = {c["asset_type"]: c for c in doc["changes"] if c["kind"] == "reprotected"}
    assert set(reprotected) == {"keystore", "key"}  # the store and the key entry in it
    ks = reprotected["keystore"]
    assert ks["location"] == str(store) and ks["direction"] == "better"
    assert "encryption 3DES 168" in ks["before"] and "encryption AES 256" in ks["after"]
    assert "3DES" not in ks["after"]
    assert doc["assets"]["appeared"] == [] and doc["assets"]["disappeared"] == []
    assert not [c for c in doc["changes"] if c["kind"] == "certificate-reissued"]
    assert doc["summary"]["verdict"] == "safer"


def test_library_upgrades_in_a_code_repository(tmp_path: Path) -> None:
    repo, db = tmp_path / "repo", tmp_path / "inv.db"
    repo.mkdir()
    lock = repo / "gradle.lockfile"
    lock.write_text("org.bouncycastle:bcprov-jdk18on:1.78=runtimeClasspath\nempty=\n")
    (repo / "requirements.txt").write_text("cryptography==41.0.7\nrequests==2.31.0\n")
    scan(db, "code", str(repo))
    lock.write_text("org.bouncycastle:bcprov-jdk18on:1.80=runtimeClasspath\nempty=\n")
    (repo / "requirements.txt").write_text("cryptography==44.0.0\n")
    scan(db, "code", str(repo))

    doc = diff_json(db)
    libraries = {c["subject"]: c for c in doc["changes"] if c["kind"].startswith("library-")}
    bc = libraries["maven:org.bouncycastle:bcprov-jdk18on"]
    assert bc["kind"] == "library-upgraded" and bc["direction"] == "better"
    assert bc["text"] == "1.78 -> 1.80 (upgraded); now PQC-capable (PQC since 1.79)"
    assert (bc["before"], bc["after"]) == (
        "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78",
        "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.80",
    )
    crypto = libraries["pypi:cryptography"]
    assert crypto["kind"] == "library-upgraded"
    assert crypto["text"].startswith("41.0.7 -> 44.0.0 (upgraded)")
    gone = [a["fingerprint"] for a in doc["assets"]["disappeared"]]
    assert gone == ["pkg:pypi/requests@2.31.0"]
    # Upgraded libraries are changes, not one asset gone and another new.
    assert not [a for a in doc["assets"]["appeared"] if "bouncycastle" in a["fingerprint"]]

    # Downgrade: the reverse comparison.
    back = diff_json(db, "2", "1")
    kinds = {c["subject"]: (c["kind"], c["direction"]) for c in back["changes"]}
    assert kinds["maven:org.bouncycastle:bcprov-jdk18on"] == ("library-downgraded", "worse")


def test_runs_that_cannot_be_compared(tmp_path: Path) -> None:
    db, certs, repo = tmp_path / "inv.db", tmp_path / "certs", tmp_path / "repo"
    certs.mkdir()
    repo.mkdir()
    (certs / "a.pem").write_bytes(issue(rsa_key(2048), "CN=a,O=Bank").pem)
    (repo / "requirements.txt").write_text("cryptography==44.0.0\n")

    empty = pqcscan(db, "diff")
    assert empty.returncode == 2 and "no completed scan run" in empty.stderr
    scan(db, "certs", str(certs))
    scan(db, "code", str(repo))
    only_one = pqcscan(db, "diff")
    assert only_one.returncode == 2
    assert "only one completed code scan (run 2) and no collector with two" in only_one.stderr
    unknown = pqcscan(db, "diff", "1", "42")
    assert unknown.returncode == 2 and "there is no scan run 42" in unknown.stderr
    mixed = pqcscan(db, "diff", "1", "2")
    assert mixed.returncode == 2 and "--any-collector" in mixed.stderr
    for out in (empty, only_one, unknown, mixed):
        assert "Traceback" not in out.stderr
    doc = diff_json(db, "1", "2", "--any-collector")
    assert doc["assets"]["appeared"] and doc["assets"]["disappeared"]
    assert doc["summary"]["findings"]["before"] == 3  # the RSA key, its signature and digest
    written = tmp_path / "note.md"
    out = pqcscan(db, "diff", "1", "2", "--any-collector", "--format", "md", "-o", str(written))
    assert out.returncode == 0 and out.stdout == ""
    assert written.read_text().startswith("# Scan diff: run 1 -> run 2 (certs / code)")


class _Relay(socketserver.ThreadingTCPServer):
    """A loopback TCP relay on one port whose upstream can be switched between scans: the
    same endpoint identity (address:port) served first by one lab server, then another."""

    daemon_threads = True
    allow_reuse_address = True
    upstream: tuple[str, int] = ("127.0.0.1", 9)


class _Pipe(socketserver.BaseRequestHandler):
    server: _Relay

    def handle(self) -> None:
        try:
            upstream = socket.create_connection(self.server.upstream, timeout=10)
        except OSError:
            return
        back = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
        back.start()
        _pump(self.request, upstream)
        back.join(15)
        upstream.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@contextmanager
def relay() -> Iterator[_Relay]:
    server = _Relay(("127.0.0.1", 0), _Pipe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_an_endpoint_that_moves_to_a_hybrid_group(tmp_path: Path) -> None:
    db = tmp_path / "inv.db"
    with relay() as front:
        endpoint = f"127.0.0.1:{front.server_address[1]}"
        for lab_server in ("classic-rsa2048", "pqc-hybrid"):
            with serve(lab_server) as server:
                front.upstream = (server.address, server.port)
                scan(db, "tls", endpoint, "--timeout", "3")
    doc = diff_json(db)
    changes = [(c["kind"], c["subject"], c["text"]) for c in doc["changes"]]
    assert (
        "endpoint-key-exchange-added",
        endpoint,
        "now offers X25519MLKEM768 (hybrid)",
    ) in changes
    removed = [t for k, s, t in changes if k == "endpoint-key-exchange-removed" and s == endpoint]
    assert "no longer offers DH ffdhe8192 (quantum-vulnerable)" in removed
    (leaf,) = [c for c in doc["changes"] if c["kind"] == "certificate-reissued"]
    assert leaf["subject"] == "localhost" and leaf["location"] == f"{endpoint}#1"
    assert leaf["text"].startswith("re-issued: key RSA 2048 -> ECDSA P-256")
    statuses = {s["status"]: s for s in doc["summary"]["statuses"]}
    assert (statuses["hybrid"]["before"], statuses["hybrid"]["after"]) == (0, 1)
