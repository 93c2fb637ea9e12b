"""``pqcscan context`` and ``pqcscan import assets`` end to end: the real console script, real
files, a real SQLite inventory (PostgreSQL too for the tests marked both_backends)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SAMPLES = Path(__file__).resolve().parents[2] / "pqcscan" / "demo" / "samples"

CONTEXT = """\
name: bank
data_classes:
  customer-pii: {retention_years: 10, description: KYC records}
services:
  - id: core-banking
    impact: 5
    data_classes: [customer-pii]
    ecosystem: interbank
  - id: web
    impact: 4
    ecosystem: customer-facing
    depends_on: [core-banking]
  - id: vault
    impact: 5
    vendor_controlled: true
mappings:
  - service: core-banking
    path: "*/srv/core/*"
  - service: web
    host: "*.example.test"
  - service: vault
    tag: hsm
"""

HARDWARE = """\
id,kind,vendor,product,algorithms,support_end,tags
hsm-01,hsm,Thales,Luna 7,RSA-2048 (signature); AES-256,2030-12-31,hsm
atm-01,atm,NCR,SelfServ 80,3DES; DUKPT,2029,atm
pos-01,pos,Verifone,V400m,AES-128,31/12/2031,pos
"""


def run(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PQCSCAN_DB": ""},
        timeout=120,
    )


def _cert(cn: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=90))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Scanned:
    db: str  # the inventory's URL
    folder: Path  # the scanned files, context.yaml and hardware.csv


@pytest.fixture
def scanned(tmp_path: Path, cli_inventory_url: str) -> Scanned:
    """An inventory with three certificates from real files: two a rule maps, one not."""
    (tmp_path / "srv/core").mkdir(parents=True)
    (tmp_path / "srv/web").mkdir(parents=True)
    (tmp_path / "opt").mkdir()
    (tmp_path / "srv/core/ledger.pem").write_bytes(_cert("ledger.internal"))
    (tmp_path / "srv/web/www.pem").write_bytes(_cert("www.example.test"))
    (tmp_path / "opt/stray.pem").write_bytes(_cert("stray.internal"))
    db = cli_inventory_url
    result = run(db, "scan", "certs", "--jobs", "1", str(tmp_path / "srv"), str(tmp_path / "opt"))
    assert result.returncode == 0, result.stderr
    (tmp_path / "context.yaml").write_text(CONTEXT)
    (tmp_path / "hardware.csv").write_text(HARDWARE)
    return Scanned(db, tmp_path)


@pytest.mark.both_backends
def test_load_reports_changes_and_rule_counts_and_is_idempotent(scanned: Scanned) -> None:
    ctx = scanned.folder / "context.yaml"
    first = run(scanned.db, "context", "load", str(ctx))
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("context bank added (sha256 ")
    assert lines[0].endswith(f") from {ctx}")
    assert lines[1] == "  1 data classes, 3 services, 3 mapping rules"
    rows = [line.split() for line in lines[2:7]]
    assert rows[0] == ["service", "rule", "declared", "at", "assets"]
    assert rows[2:] == [
        ["core-banking", "path", "*/srv/core/*", "context.yaml:18", "1"],
        ["web", "host", "*.example.test", "context.yaml:20", "1"],
        ["vault", "tag", "hsm", "context.yaml:22", "0"],
    ]
    assert lines[7] == (
        "inventory: 3 assets; 2 attached to a service by a rule, 1 not "
        "(0 reached through links from attached assets, 1 without business context)"
    )
    assert lines[8] == "  list them with: pqcscan context show --unmapped"

    again = run(scanned.db, "context", "load", str(ctx))
    assert again.returncode == 0
    assert " unchanged (sha256 " in again.stdout.splitlines()[0]
    assert "  same content as the stored version: nothing to store" in again.stdout

    ctx.write_text(
        CONTEXT.replace("    impact: 4\n", "    impact: 3\n").replace(
            '    host: "*.example.test"', '    host: "www.example.test"'
        )
    )
    changed = run(scanned.db, "context", "load", str(ctx))
    assert changed.returncode == 0, changed.stderr
    out = changed.stdout.splitlines()
    assert " replaced (sha256 " in out[0] and ", was " in out[0]
    assert "  service web changed: impact 4 -> 3" in out
    assert "  rule added: web <- host www.example.test" in out
    assert "  rule removed: web <- host *.example.test" in out


def test_an_invalid_context_exits_2_with_every_problem(scanned: Scanned) -> None:
    bad = scanned.folder / "bad.yaml"
    bad.write_text(
        "name: bank\nservices:\n  - id: core\n    impact: 7\n    ecosystem: interbnak\n"
        "mappings:\n  - {service: cor, cidr: 10.0.0.0/8}\n"
    )
    result = run(scanned.db, "context", "load", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "pqcscan: error: 3 problems:",
        f"  {bad}:4: service 'core': impact must be 1-5, got 7",
        f"  {bad}:5: service 'core': unknown ecosystem 'interbnak' (did you mean 'interbank'?)",
        f"  {bad}:7: mapping: unknown service 'cor' (did you mean 'core'?)",
    ]
    assert "Traceback" not in result.stderr
    assert run(scanned.db, "context", "show", "--format", "json").returncode == 0
    shown = json.loads(run(scanned.db, "context", "show", "--format", "json").stdout)
    assert shown["contexts"] == []  # nothing was stored


def test_cycles_warn_and_check_stores_nothing(scanned: Scanned) -> None:
    cyclic = scanned.folder / "cyclic.yaml"
    cyclic.write_text(
        "name: loop\nservices:\n  - {id: a, impact: 3, depends_on: [b]}\n"
        "  - {id: b, impact: 3, depends_on: [a]}\n"
    )
    result = run(scanned.db, "context", "load", "--check", str(cyclic))
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f"pqcscan: warning: {cyclic}:3: services depend on each other in a cycle: a -> b -> a "
        "(ranked as one migration cluster)\n"
    )
    assert result.stdout.startswith("context loop would be added (sha256 ")
    shown = json.loads(run(scanned.db, "context", "show", "--format", "json").stdout)
    assert shown["contexts"] == []


def test_csv_files_load_as_one_context(scanned: Scanned) -> None:
    folder = scanned.folder
    (folder / "services.csv").write_text("id,impact,ecosystem\ncore-banking,5,interbank\n")
    (folder / "mappings.csv").write_text("service,kind,pattern\ncore-banking,path,*/srv/*\n")
    result = run(
        scanned.db,
        "context",
        "load",
        "--name",
        "from-cmdb",
        str(folder / "services.csv"),
        str(folder / "mappings.csv"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("context from-cmdb added")
    assert "core-banking  path *\n" not in result.stdout
    assert "inventory: 3 assets; 2 attached to a service by a rule, 1 not" in result.stdout


def test_show_lists_services_and_unmapped_assets(scanned: Scanned) -> None:
    assert run(scanned.db, "context", "load", str(scanned.folder / "context.yaml")).returncode == 0
    table = run(scanned.db, "context", "show")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith("context bank (sha256 ")
    assert lines[1].split() == [
        "service",
        "impact",
        "retention",
        "ecosystem",
        "vendor",
        "owner",
        "depends",
        "on",
        "assets",
    ]
    assert [line.split() for line in lines[3:]] == [
        ["core-banking", "5", "10", "interbank", "no", "-", "-", "1"],
        ["vault", "5", "-", "internal", "yes", "-", "-", "0"],
        ["web", "4", "-", "customer-facing", "no", "-", "core-banking", "1"],
    ]
    assert table.stderr.startswith("inventory: 3 assets; 2 attached")

    doc = json.loads(run(scanned.db, "context", "show", "--format", "json").stdout)
    (bank,) = doc["contexts"]
    assert bank["name"] == "bank" and len(bank["sha256"]) == 64
    core = next(s for s in bank["services"] if s["id"] == "core-banking")
    assert core["effective_retention_years"] == 10.0
    assert core["effective_retention_source"] == "data class customer-pii"
    assert (core["ecosystem"], core["ecosystem_level"], core["assets"]) == ("interbank", 3, 1)
    assert [r["assets"] for r in bank["rules"]] == [1, 1, 0]
    assert doc["inventory"] == {
        "assets": 3,
        "attached": 2,
        "unmapped": 1,
        "reached": 0,
        "without_context": 1,
    }

    unmapped = run(scanned.db, "context", "show", "--unmapped")
    assert unmapped.returncode == 0
    assert "opt/stray.pem" in unmapped.stdout and "srv/core" not in unmapped.stdout
    assert unmapped.stdout.splitlines()[2].split()[-1] == "none"
    assert unmapped.stderr == (
        "1 assets no rule attaches: 0 reached through links from attached assets, "
        "1 without business context\n"
    )
    rows = json.loads(run(scanned.db, "context", "show", "--unmapped", "--format", "json").stdout)
    assert [(r["type"], r["name"], r["reached"]) for r in rows["unmapped"]] == [
        ("certificate", "stray.internal", False)
    ]


def test_remove(scanned: Scanned) -> None:
    assert run(scanned.db, "context", "load", str(scanned.folder / "context.yaml")).returncode == 0
    missing = run(scanned.db, "context", "remove", "nope")
    assert missing.returncode == 2
    assert missing.stderr == "pqcscan: error: no business context named 'nope' (loaded: bank)\n"
    unknown_show = run(scanned.db, "context", "show", "nope")
    assert unknown_show.returncode == 2
    removed = run(scanned.db, "context", "remove", "bank")
    assert (removed.returncode, removed.stdout) == (0, "context bank removed\n")
    assert run(scanned.db, "context", "show").stdout == (
        "no business context loaded: pqcscan context load FILE\n"
    )


@pytest.mark.both_backends
def test_import_assets_records_a_scan_run_and_bad_rows(scanned: Scanned) -> None:
    csv_file = scanned.folder / "hardware.csv"
    result = run(scanned.db, "import", "assets", str(csv_file))
    assert result.returncode == 3, result.stderr  # a bad row: recorded, exit 3
    assert result.stderr.splitlines()[0] == (
        "scan run 2 completed: 3 items examined, 2 assets, 4 findings (4 new), 1 errors"
    )
    assert "  see the errors with: pqcscan errors 2" in result.stderr
    errors = run(scanned.db, "errors", "2", "--format", "json")
    (error,) = json.loads(errors.stdout)["errors"]
    assert error["locator"] == f"{csv_file}:4"
    assert error["message"] == "support_end: not a date (YYYY-MM-DD, YYYY-MM or YYYY): '31/12/2031'"
    scans = json.loads(run(scanned.db, "scans", "--format", "json").stdout)["scans"]
    assert scans[0]["collector"] == "declared"
    listing = json.loads(
        run(scanned.db, "inventory", "--type", "hardware", "--format", "json").stdout
    )
    found = {(f["locator"], f["algorithm"], f["parameter"]) for f in listing["findings"]}
    assert (f"{csv_file}:3", "unknown", "DUKPT") in found
    assert (f"{csv_file}:2", "RSA", "2048") in found

    # the tag rule now maps the HSM
    load = run(scanned.db, "context", "load", str(scanned.folder / "context.yaml"))
    assert ["vault", "tag", "hsm", "context.yaml:22", "1"] in [
        line.split() for line in load.stdout.splitlines()
    ]

    # re-import: nothing new; --fail-on sees the 3DES of this run
    again = run(scanned.db, "import", "assets", "--fail-on", "classically-broken", str(csv_file))
    assert again.returncode == 1
    assert "4 findings (0 new), 1 errors" in again.stderr


def test_import_assets_usage_errors(scanned: Scanned) -> None:
    folder = scanned.folder
    (folder / "wrong.csv").write_text("id,kind,algoritms\nx,hsm,AES\n")
    wrong = run(scanned.db, "import", "assets", str(folder / "wrong.csv"))
    assert wrong.returncode == 2
    assert wrong.stderr == (
        f"pqcscan: error: {folder / 'wrong.csv'}:1: unknown column 'algoritms' "
        "(did you mean 'algorithms'?)\n"
    )
    missing = run(scanned.db, "import", "assets")
    assert (missing.returncode, missing.stderr) == (
        2,
        "pqcscan: error: give the CSV file to import (or --resume RUN)\n",
    )
    assert run(scanned.db, "import", "assets", str(folder / "hardware.csv")).returncode == 3
    done = run(scanned.db, "import", "assets", "--resume", "2")
    assert done.returncode == 2
    assert done.stderr == "pqcscan: error: --resume: run 2 is already complete\n"
    certs_run = run(scanned.db, "import", "assets", "--resume", "1")
    assert certs_run.stderr == "pqcscan: error: --resume: run 1 is a certs scan, not declared\n"


def test_shipped_samples_map_the_declared_hardware(tmp_path: Path) -> None:
    db = tmp_path / "inv.db"
    imported = run(db, "import", "assets", str(SAMPLES / "hardware.csv"))
    assert imported.returncode == 0, imported.stderr
    loaded = run(db, "context", "load", str(SAMPLES / "bank-context.yaml"))
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stderr == ""
    assert "inventory: 7 assets; 7 attached to a service by a rule, 0 not" in loaded.stdout
