"""The CLI end to end: the real console script, real files, a real SQLite inventory (and
the same on PostgreSQL for the scan and listing commands)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.conftest import inventory_text

SECRET = "correct horse battery staple"


def run(
    db: Path | str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def _cert(
    subject: str, key: Any, issuer: str, issuer_key: Any, ca: bool = False
) -> x509.Certificate:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    b = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    return b.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "pki"
    (root / "ca").mkdir(parents=True)
    (root / "app").mkdir()
    ca_key = rsa.generate_private_key(65537, 3072)
    ca = _cert("Demo Root", ca_key, "Demo Root", ca_key, ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _cert("api.demo.test", leaf_key, "Demo Root", ca_key)
    weak_key = rsa.generate_private_key(65537, 1024)
    weak = _cert("legacy.demo.test", weak_key, "Demo Root", ca_key)
    (root / "ca" / "root.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    # a bundle with two certificates, named misleadingly
    (root / "app" / "chain.txt").write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + weak.public_bytes(serialization.Encoding.PEM)
    )
    (root / "app" / "legacy.der").write_bytes(weak.public_bytes(serialization.Encoding.DER))
    (root / "app" / "server.key").write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(SECRET.encode()),
        )
    )
    (root / "app" / "README.md").write_text("# not crypto\n")
    (root / "app" / "broken.pem").write_text(
        "-----BEGIN CERTIFICATE-----\nMIIB!!!garbage###\n-----END CERTIFICATE-----\n"
    )
    return root


def findings(db: Path | str, *args: str) -> list[dict[str, Any]]:
    out = run(db, "inventory", "--format", "json", *args)
    assert out.returncode == 0, out.stderr
    result: list[dict[str, Any]] = json.loads(out.stdout)["findings"]
    return result


def test_scan_certs_end_to_end(tree: Path, inventory_url: str) -> None:
    db = inventory_url
    first = run(
        db, "scan", "certs", str(tree), "--password-env", "KEYPASS", env={"KEYPASS": SECRET}
    )
    assert first.returncode == 3, first.stderr  # the broken file is recorded: exit 3
    assert "1 errors" in first.stderr
    assert "Traceback" not in first.stderr

    got = findings(db)
    keyed = {(f["locator"], f["usage"], f["algorithm"], f["parameter"]) for f in got}
    app = str(tree / "app")
    assert (f"{tree}/ca/root.crt", "signature", "RSA", "3072") in keyed  # CA key signs
    assert (f"{app}/chain.txt#1", "authentication", "ECDSA", "P-256") in keyed
    assert (f"{app}/chain.txt#1", "signature", "RSA", "3072") in keyed  # read off the signature
    assert (f"{app}/chain.txt#1", "hash", "SHA-256", "") in keyed
    statuses = {(f["locator"], f["algorithm"]): f["quantum_status"] for f in got}
    assert statuses[(f"{app}/chain.txt#1", "ECDSA")] == "quantum-vulnerable"
    # The weak certificate sits in the bundle and in a DER file: one asset, one finding,
    # located where it was seen last.
    [weak] = [f for f in got if f["parameter"] == "1024" and f["usage"] == "authentication"]
    assert weak["locator"] in (f"{app}/chain.txt#2", f"{app}/legacy.der")
    assert weak["quantum_status"] == "classically-broken"
    for f in got:
        assert {
            "asset_type",
            "locator",
            "algorithm",
            "parameter",
            "usage",
            "quantum_status",
            "evidence",
            "first_seen",
            "last_seen",
        } <= set(f)
    errors = json.loads(run(db, "errors", "--format", "json").stdout)["errors"]
    assert [(e["locator"], e["kind"]) for e in errors] == [
        (f"{app}/broken.pem#1", "malformed")
    ] or [(e["locator"], e["kind"]) for e in errors] == [(f"{app}/broken.pem", "malformed")]

    # Re-scan: no duplicates, last_seen moves, history grows.
    second = run(
        db, "scan", "certs", str(tree), "--password-env", "KEYPASS", env={"KEYPASS": SECRET}
    )
    assert second.returncode == 3
    again = findings(db)
    assert len(again) == len(got)
    before = {f["id"]: f for f in got}
    assert all(f["last_seen"] > before[f["id"]]["last_seen"] for f in again)
    assert all(f["first_seen"] == before[f["id"]]["first_seen"] for f in again)
    scans = json.loads(run(db, "scans", "--format", "json").stdout)["scans"]
    assert [s["new_findings"] for s in scans] == [0, len(got)]
    assert scans[0]["arguments"]["passwords_given"] == 1

    # The password is nowhere in the database.
    assert SECRET not in inventory_text(db)
    if db.startswith("sqlite:///"):  # not even in a free page of the file
        assert SECRET.encode() not in Path(db.removeprefix("sqlite:///")).read_bytes()


def test_inventory_filters_formats_and_fail_on(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "inv.db"
    run(db, "scan", "certs", str(tree))
    broken = findings(db, "--status", "classically-broken")
    assert broken and all(f["quantum_status"] == "classically-broken" for f in broken)
    ecdsa = findings(db, "--algorithm", "ecdsa", "--type", "certificate")
    assert {f["parameter"] for f in ecdsa} == {"P-256"}
    csv_out = run(db, "inventory", "--format", "csv")
    assert csv_out.stdout.splitlines()[0].startswith("asset_type,locator,algorithm")
    table_out = run(db, "inventory")
    assert "quantum_status" in table_out.stdout.splitlines()[0]
    assert run(db, "inventory", "--fail-on", "classically-broken").returncode == 1
    assert run(db, "inventory", "--fail-on", "hybrid").returncode == 0
    rescan = run(db, "scan", "certs", str(tree / "ca"), "--fail-on", "quantum-vulnerable")
    assert rescan.returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "certs", "/no/such/path"], "no such file or folder"),
        (["scan", "certs", ".", "--max-size", "lots"], "not a size"),
        (["inventory", "--status", "fine"], "Invalid value"),
        (["scan", "certs", ".", "--password-env", "PQCSCAN_UNSET_VAR"], "is not set"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = run(tmp_path / "inv.db", *args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_database_location_exits_2(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", str(tmp_path / "none" / "x.db"), "scans"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "does not exist" in out.stderr


def test_init_and_env_var_database(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    out = subprocess.run(
        [sys.executable, "-m", "pqcscan", "init"],
        capture_output=True,
        text=True,
        env={**os.environ, "PQCSCAN_DB": str(db)},
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert db.exists() and "inventory ready" in out.stdout
