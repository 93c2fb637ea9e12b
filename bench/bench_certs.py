"""Benchmark: scan a folder of >= 10,000 certificates end to end into SQLite.

Baseline, measured in the same run on the same files: bare ``cryptography`` parsing (read
the file, load every certificate, read its key type and size and its signature algorithm).
Prints certificates per second for both and the ratio (target: pqcscan >= 0.3 x bare). The
scan is timed in process, like the baseline (the inventory already open); the whole CLI
command, interpreter start-up and schema creation included, is printed beside it.

    python bench/bench_certs.py [--count 10000] [--jobs N] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from table import add_json_option, emit

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


def _keys() -> list[Key]:
    """A small pool of subject keys: the corpus mixes algorithms, not key generation cost."""
    pool: list[Key] = [rsa.generate_private_key(65537, 2048) for _ in range(4)]
    pool += [rsa.generate_private_key(65537, 1024), rsa.generate_private_key(65537, 4096)]
    pool += [ec.generate_private_key(ec.SECP256R1()) for _ in range(3)]
    pool += [ec.generate_private_key(ec.SECP384R1()) for _ in range(2)]
    pool += [ed25519.Ed25519PrivateKey.generate() for _ in range(2)]
    return pool


def make_corpus(folder: Path, count: int) -> int:
    """Write ``count`` certificates: singles as PEM and DER, and bundles of 10. Returns count."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench CA")])
    now = datetime(2026, 1, 1, tzinfo=UTC)
    keys = _keys()
    written, bundle, n = 0, [], 0
    while written < count:
        key = keys[n % len(keys)]
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"host{n}.bench.test")])
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(n + 1)
            .not_valid_before(now)
            .not_valid_after(now + timedelta(days=365))
            .sign(ca_key, hashes.SHA256())
        )
        n += 1
        sub = folder / f"d{n // 1000:03d}"
        sub.mkdir(exist_ok=True)
        if n % 5 == 0:
            bundle.append(cert.public_bytes(serialization.Encoding.PEM))
            if len(bundle) == 10:
                (sub / f"bundle{n}.pem").write_bytes(b"".join(bundle))
                written += len(bundle)
                bundle = []
        elif n % 7 == 0:
            (sub / f"c{n}.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
            written += 1
        else:
            (sub / f"c{n}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            written += 1
    return written


def bare_parse(folder: Path) -> tuple[int, float]:
    """The baseline: cryptography alone, no detection, classification or storage."""
    start = time.perf_counter()
    n = 0
    for root, _, names in os.walk(folder):
        for name in names:
            data = (Path(root) / name).read_bytes()
            certs = (
                x509.load_pem_x509_certificates(data)
                if data.startswith(b"-----")
                else [x509.load_der_x509_certificate(data)]
            )
            for cert in certs:
                key = cert.public_key()
                _ = getattr(key, "key_size", None) or getattr(
                    getattr(key, "curve", None), "name", None
                )
                _ = cert.signature_algorithm_oid
                n += 1
    return n, time.perf_counter() - start


def pqcscan_in_process(folder: Path, db: Path, jobs: int) -> tuple[float, int]:
    """The scan itself, timed like the baseline: in one running Python, inventory opened."""
    from pqcscan.catalog import get_catalog
    from pqcscan.collectors.certs import CertificateCollector, CertScanOptions
    from pqcscan.inventory import Inventory
    from pqcscan.scan import run_scan

    get_catalog()
    with Inventory.open(str(db)) as inventory:
        start = time.perf_counter()
        summary = run_scan(inventory, CertificateCollector(CertScanOptions((folder,))), jobs=jobs)
        elapsed = time.perf_counter() - start
        certificates = sum(
            1 for f in inventory.findings() if f.asset_type == "certificate" and f.usage == "hash"
        )
    assert summary.errors == 0, summary
    return elapsed, certificates


def pqcscan_cli(folder: Path, db: Path) -> float:
    """The whole command, as a user runs it: interpreter start, imports, migration, scan."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pqcscan", "--quiet", "--db", str(db), "scan", "certs", str(folder)],
        check=True,
    )
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=0, help="parser processes (0: one per CPU)")
    ap.add_argument("--keep", action="store_true", help="keep the corpus and database")
    add_json_option(ap)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pqcscan-bench-"))
    try:
        t = time.perf_counter()
        count = make_corpus(work / "corpus", args.count)
        print(
            f"corpus: {count} certificates in {time.perf_counter() - t:.1f} s ({work / 'corpus'})"
        )
        bare_parse(work / "corpus")  # warm the page cache for every contender
        n, bare_s = bare_parse(work / "corpus")
        scan_s, stored = pqcscan_in_process(work / "corpus", work / "bench.db", args.jobs)
        assert stored == n, f"{stored} certificates stored, {n} in the corpus"
        cli_s = pqcscan_cli(work / "corpus", work / "cli.db")
        bare_rate = n / bare_s
        print()
        print(f"{'benchmark':<44}{'seconds':>9}{'certs/s':>11}{'ratio':>8}")
        rows = [
            ("bare cryptography parse (baseline)", bare_s),
            ("pqcscan scan -> SQLite, in process", scan_s),
            ("pqcscan scan certs CLI (with start-up)", cli_s),
        ]
        for label, seconds in rows:
            rate = n / seconds
            print(f"{label:<44}{seconds:>9.2f}{rate:>11.0f}{rate / bare_rate:>8.2f}")
        ratio = bare_s / scan_s
        print(f"\ntarget: in-process ratio >= 0.30 -> {'met' if ratio >= 0.3 else 'NOT met'}")
        emit(args.json, "certs", f"scan {n:,} certs, in process", n / scan_s, "certs/s",
             baseline=f"bare cryptography {bare_rate:,.0f}/s", ratio=ratio,
             target=">= 0.30 x bare", met=ratio >= 0.3)  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
