"""``pqcscan demo`` end to end: real files, a real SQLite inventory, a readable summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def pqcscan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", *args], capture_output=True, text=True, timeout=300
    )


def test_demo_builds_scans_and_summarises(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    out = pqcscan("demo", "--dir", str(folder))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for heading in (
        "Findings by quantum status:",
        "Public-key algorithms in use",
        "Broken today",
        "Already post-quantum",
        "Could not be read",
    ):
        assert heading in text
    assert "ML-DSA-65" in text and "RSA 1024" in text
    lab = text.split("Network lab", 1)[1]
    hybrid = next(line for line in lab.splitlines() if line.strip().startswith("pqc-hybrid"))
    assert "X25519MLKEM768 (hybrid)" in hybrid
    pq_only = next(line for line in lab.splitlines() if "pqc-mlkem768-only" in line)
    assert "ML-KEM-768 (quantum-safe)" in pq_only and "X25519 " not in pq_only
    ssh = next(line for line in lab.splitlines() if "ssh-pq-only-mlkem" in line)
    assert "X25519MLKEM768 (hybrid)" in ssh
    assert "broken/wrong-password.p12" in text
    # The code part: libraries with their post-quantum support, findings in code and config.
    code = text.split("Code repositories", 1)[1].split("Network lab", 1)[0]
    assert (
        "org.bouncycastle:bcprov-jdk18on 1.78.1" in code and "no post-quantum before 1.79" in code
    )
    assert "github.com/cloudflare/circl v1.5.0" in code and "post-quantum capable" in code
    rsa = next(line for line in code.splitlines() if line.strip().startswith("RSA 1024"))
    assert "classically-broken" in rsa and "(+3)" in rsa
    # The planning part: the sample context and hardware ranked, reasons shown, plan written.
    plan = text.split("Migration backlog", 1)[1].split("Next:", 1)[0]
    assert "business context example-bank: 12 services" in plan
    first = next(line for line in plan.splitlines() if line.strip().startswith("1."))
    assert " now " in first
    assert "why: N" in plan and "X 10 + Y 3 > Z" in plan and "worst core-banking" in plan
    assert "do: replace this appliance" in plan  # the payShield's support ends too early
    written = (folder / "backlog.md").read_text(encoding="utf-8")
    assert "Thales payShield 10K" in written and "## " in written
    db = folder / "inventory.db"
    listing = pqcscan("--db", str(db), "inventory", "--format", "json")
    findings = json.loads(listing.stdout)["findings"]
    got = {(f["algorithm"], f["quantum_status"]) for f in findings}
    assert {
        ("ML-DSA-44", "quantum-safe"),
        ("ML-KEM-768", "quantum-safe"),
        ("SLH-DSA-SHA2-128f", "quantum-safe"),
        ("RSA", "classically-broken"),
        ("3DES", "classically-broken"),
    } <= got
    assert any(f["quantum_status"] == "hybrid" for f in findings)
    errors = json.loads(pqcscan("--db", str(db), "errors", "1", "--format", "json").stdout)
    errors = errors["errors"]
    assert {Path(e["locator"]).parent.name for e in errors} == {"broken"}
    # The demo password unlocked the stores: no keystore outside broken/ stays locked.
    assert not [e for e in errors if "broken" not in e["locator"]]
    # Running it again starts afresh.
    again = pqcscan("demo", "--dir", str(folder))
    assert again.returncode == 0
    runs = json.loads(pqcscan("--db", str(db), "scans", "--format", "json").stdout)["scans"]
    assert [r["collector"] for r in runs] == ["declared", "net", "code", "certs"]
    ranked = json.loads(pqcscan("--db", str(db), "explain", "1", "--format", "json").stdout)
    assert ranked["wave"] == "now" and ranked["factors"]
