"""``pqcscan scan code`` end to end: real repositories, a real inventory, SARIF out.

The demo's sample repositories (five languages, manifests, lockfiles, an SBOM, a jar built on
the spot, TLS/SSH configuration) are scanned through the CLI; hostile files sit beside them.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pqcscan.demo.code import build_repos

SARIF_SCHEMA = json.loads(
    (Path(__file__).parents[1] / "data" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text()
)


def pqcscan(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def findings(db: Path | str, *args: str) -> list[dict[str, Any]]:
    out = pqcscan(db, "inventory", "--format", "json", *args)
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout)["findings"])


@pytest.fixture(scope="module")
def scanned(
    tmp_path_factory: pytest.TempPathFactory, module_inventory_url: str
) -> tuple[Path, str, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("code")
    repos = root / "repos"
    build_repos(repos)
    hostile = repos / "hostile"
    hostile.mkdir()
    (hostile / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": [1, 2')
    with (hostile / "bundle.min.js").open("wb") as bundle:  # 50 MB minified (sparse)
        bundle.write(b"var crypto=require('crypto');crypto.createHash('md5');")
        bundle.truncate(50 * 1024 * 1024)
    (hostile / "binary.py").write_bytes(b"\x00\xff\xfe" * 1000)
    (hostile / "latin1.java").write_bytes(
        b'class A { void f() throws Exception { javax.crypto.Cipher.getInstance("RC4"); } } // \xe9'
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("requirements.txt", b"#" * (30 * 1024 * 1024))
    (hostile / "bomb.zip").write_bytes(bomb.getvalue())
    (hostile / "loop").symlink_to(hostile)
    db = module_inventory_url
    out = pqcscan(db, "scan", "code", str(repos))
    return repos, db, out


@pytest.mark.both_backends
def test_bad_files_are_recorded_and_the_scan_goes_on(
    scanned: tuple[Path, str, subprocess.CompletedProcess[str]],
) -> None:
    _, db, out = scanned
    assert out.returncode == 3, out.stderr  # finished, with recorded errors
    errors = json.loads(pqcscan(db, "errors", "--format", "json").stdout)["errors"]
    by_file = {Path(e["locator"].split("!/")[0]).name: e for e in errors}
    assert by_file["package-lock.json"]["kind"] == "malformed"
    assert by_file["bundle.min.js"]["kind"] == "too-large"
    assert "binary.py" not in by_file  # no crypto import in it: skipped, not an error
    assert "zip bomb" in by_file["bomb.zip"]["message"]
    assert by_file["loop"]["kind"] == "symlink-loop"
    assert len(errors) == 4
    # ... and everything else was read: the latin-1 Java file too.
    rc4 = [f for f in findings(db) if f["algorithm"] == "RC4"]
    assert rc4 and rc4[0]["locator"].endswith("latin1.java:1:39")


def test_dependencies_become_packages_with_crypto_library_findings(
    scanned: tuple[Path, str, subprocess.CompletedProcess[str]],
) -> None:
    _, db, _ = scanned
    packages = findings(db, "--type", "package")
    located = {(f["asset_locator"], f["algorithm"]) for f in packages}
    bc = "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78.1"
    assert any(loc == bc for loc, _ in located)
    legacy = "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.64"  # from the jar's Maven metadata
    assert any(loc == legacy for loc, _ in located)
    circl = [
        f for f in packages if f["asset_locator"] == "pkg:golang/github.com/cloudflare/circl@v1.5.0"
    ]
    assert {"ML-KEM-768", "X25519"} <= {f["algorithm"] for f in circl}
    assert any(f["asset_locator"] == "pkg:pypi/cryptography@43.0.1" for f in packages)
    assert any(f["asset_locator"] == "pkg:npm/node-forge@1.3.1" for f in packages)
    assert any(f["asset_locator"] == "pkg:nuget/BouncyCastle.Cryptography@2.4.0" for f in packages)
    assert any(f["asset_locator"] == "pkg:generic/openssl@1.1.1w" for f in packages)  # the SBOM
    jar = next(f for f in packages if f["asset_locator"] == legacy)
    assert "legacy-signing-2.1.jar!/META-INF/maven/" in jar["locator"]


def test_source_and_configuration_findings_point_at_file_line_column(
    scanned: tuple[Path, str, subprocess.CompletedProcess[str]],
) -> None:
    repos, db, _ = scanned
    code = findings(db, "--type", "file")
    seen = {(f["locator"].replace(f"{repos}/", ""), f["algorithm"], f["parameter"]) for f in code}
    expected = {
        ("risk-analytics/app/keys.py:14:12", "RSA", "1024"),
        ("core-ledger/main.go:17:23", "ECDSA", "P-256"),
        ("core-ledger/main.go:36:36", "X25519MLKEM768", ""),
        ("branch-kiosk/src/KioskCrypto.cs:11:59", "RSA", "1024"),
        ("internet-banking-web/src/auth.js:15:16", "RSA", "1024"),
        ("internet-banking-web/src/pq-session.ts:5:10", "ML-KEM-768", ""),
        ("core-ledger/legacy/hsm_shim.c:11:10", "RSA", "1024"),
        ("internet-banking-web/deploy/nginx.conf:17:24", "X25519", "classic groups only"),
        ("payments-gateway/src/main/resources/application.yml:8:32", "TLS", "1.1"),
    }
    missing = expected - seen
    assert not missing, missing
    java = [f for f in code if f["locator"].endswith("PinBlockSigner.java:17:38")]
    assert java and java[0]["parameter"] == "2048"  # getInstance("RSA") + initialize(2048)
    assert not [f for f in code if "PinBlockSigner.java:13:" in f["locator"]]  # a comment


@pytest.mark.both_backends
def test_sarif_export_is_valid_and_has_every_hit(
    scanned: tuple[Path, str, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    repos, db, _ = scanned
    out = pqcscan(db, "export", "sarif", "--base", str(repos), "-o", str(tmp_path / "r.sarif"))
    assert out.returncode == 0, out.stderr
    log = json.loads((tmp_path / "r.sarif").read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    places = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["ruleId"],
        )
        for r in results
    }
    assert ("risk-analytics/app/keys.py", 14, "py-rsa-generate-private-key") in places or any(
        uri == "risk-analytics/app/keys.py" and line == 14 for uri, line, _ in places
    )
    assert any(rule == "nginx-classic-groups-only" for _, _, rule in places)
    levels = {r["level"] for r in results}
    assert {"error", "warning", "note"} <= levels
    rules = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} == rules


def test_rescan_is_stable_and_no_archives_skips_the_jar(
    scanned: tuple[Path, str, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    repos, db, _ = scanned
    again = pqcscan(db, "scan", "code", str(repos))
    assert again.returncode == 3
    assert "0 new" in again.stderr or "(0 new)" in again.stderr
    other = tmp_path / "no-archives.db"
    out = pqcscan(other, "scan", "code", "--no-archives", "--exclude", "hostile", str(repos))
    assert out.returncode == 0, out.stderr
    assert not [f for f in findings(other) if ".jar!/" in f["locator"]]


def test_usage_errors(tmp_path: Path) -> None:
    out = pqcscan(tmp_path / "x.db", "scan", "code", str(tmp_path / "missing"))
    assert out.returncode == 2 and "no such file or folder" in out.stderr
    out = pqcscan(tmp_path / "x.db", "scan", "code")
    assert out.returncode == 2
