"""The declared collector: hardware rows imported into a real inventory through the
scan runner; bad rows are errors with their line; unknown algorithms stay unknown; a
re-import adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pqcscan.catalog import get_catalog
from pqcscan.collectors.declared import DeclaredCollector, DeclaredRow, classify_declared
from pqcscan.context.problems import ContextError
from pqcscan.inventory import FindingFilter, Inventory
from pqcscan.inventory.snapshot import load_snapshot
from pqcscan.results import AssetType, Usage
from pqcscan.scan import run_scan

SAMPLES = Path(__file__).resolve().parents[3] / "pqcscan" / "demo" / "samples"

CSV = "\n".join(
    [
        "# declared hardware",
        "id,kind,vendor,product,version,location,algorithms,support_end,pqc_roadmap,tags,owner,"
        "vendor_controlled,count,notes",
        "hsm-01,hsm,Thales,Luna 7,7.8.4,DC1,RSA-2048 (signature); ECDSA P-256; "
        'AES-256 (key-wrapping); 3DES,2030-12-31,"ML-KEM in firmware 7.2, 2026-Q3",HSM; pki,'
        "Crypto Ops,yes,2,",
        ",atm,NCR,SelfServ 80,,Branches,RSA 2048 (key-transport); DUKPT; ML-DSA-65 (signature),"
        "2029,,atm,,,1200,",
        "hsm-02,hsmm,Thales,Luna 7,,,AES-256,2030-13-01,,,,,,",
        "hsm-01,hsm,Thales,Luna 7,,,AES-256,,,,,,,",
        "lb-01,load-balancer,F5,BIG-IP,,,RSA-2048 (wrong-use),,,,,perhaps,-3,",
        "mf-01,mainframe,IBM,CEX8S,,,,,,mainframe,,,,",
        "x,pos,,,,,AES-128,,,,,,,,,extra",
        "",
    ]
)


@pytest.fixture
def inv(inventory_url: str) -> Iterator[Inventory]:
    with Inventory.open(inventory_url) as inventory:
        yield inventory


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "hardware.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_good_rows_become_hardware_assets_with_classified_findings(
    inv: Inventory, csv_file: Path
) -> None:
    summary = run_scan(inv, DeclaredCollector.open(csv_file), jobs=1)
    assert (summary.status, summary.items, summary.assets) == ("completed", 7, 3)
    snapshot = load_snapshot(inv.engine)
    assets = {a.fingerprint: a for a in snapshot.assets}
    assert set(assets) == {"hsm-01", "NCR/SelfServ 80//Branches", "mf-01"}
    assert {a.type for a in snapshot.assets} == {AssetType.HARDWARE.value}
    hsm = assets["hsm-01"]
    assert (hsm.locator, hsm.name) == ("hsm-01", "Thales Luna 7 7.8.4")
    assert hsm.details == {
        "kind": "hsm",
        "declared_id": "hsm-01",
        "vendor": "Thales",
        "product": "Luna 7",
        "version": "7.8.4",
        "location": "DC1",
        "algorithms": [
            "RSA-2048 (signature)",
            "ECDSA P-256",
            "AES-256 (encryption)",
            "3DES",
        ],
        "support_end": "2030-12-31",
        "support_end_declared": "2030-12-31",
        "pqc_roadmap": "ML-KEM in firmware 7.2, 2026-Q3",
        "tags": ["hsm", "pki"],
        "owner": "Crypto Ops",
        "vendor_controlled": True,
        "count": 2,
        "declared_in": "hardware.csv:3",
    }
    atm = assets["NCR/SelfServ 80//Branches"]
    assert atm.details["support_end"] == "2029-01-01"  # a year means its first day
    assert atm.details["count"] == 1200
    findings = {
        (f.algorithm, f.parameter, f.usage, f.quantum_status)
        for f in snapshot.findings
        if f.asset_id == hsm.id
    }
    assert findings == {
        ("RSA", "2048", "signature", "quantum-vulnerable"),
        ("ECDSA", "P-256", "signature", "quantum-vulnerable"),
        ("AES", "256", "encryption", "quantum-safe"),
        ("3DES", "", "encryption", "classically-broken"),
    }
    rsa = next(f for f in snapshot.findings if f.asset_id == hsm.id and f.algorithm == "RSA")
    assert rsa.method == "declared in hardware.csv:3"
    assert rsa.location == f"{csv_file.absolute()}:3"
    assert rsa.identifier == "declared:RSA-2048"


def test_unknown_or_missing_algorithms_are_unknown_findings(inv: Inventory, csv_file: Path) -> None:
    run_scan(inv, DeclaredCollector.open(csv_file), jobs=1)
    snapshot = load_snapshot(inv.engine)
    by_fp = {a.fingerprint: a.id for a in snapshot.assets}
    atm = {
        (f.algorithm, f.parameter, f.usage, f.quantum_status, f.identifier)
        for f in snapshot.findings
        if f.asset_id == by_fp["NCR/SelfServ 80//Branches"]
    }
    assert atm == {
        ("RSA", "2048", "key-exchange", "quantum-vulnerable", "declared:RSA 2048"),
        ("unknown", "DUKPT", "key", "unknown", "declared:DUKPT"),
        ("ML-DSA-65", "", "signature", "quantum-safe", "declared:ML-DSA-65"),
    }
    (gap,) = [f for f in snapshot.findings if f.asset_id == by_fp["mf-01"]]
    assert (gap.algorithm, gap.quantum_status, gap.identifier) == (
        "unknown",
        "unknown",
        "declared:none",
    )


def test_bad_rows_are_errors_with_their_line_and_the_rest_imports(
    inv: Inventory, csv_file: Path
) -> None:
    summary = run_scan(inv, DeclaredCollector.open(csv_file), jobs=1)
    assert summary.errors == 4
    path = csv_file.absolute()
    errors = {e.locator: (e.kind, e.message) for e in inv.errors(summary.run_id)}
    assert errors == {
        f"{path}:5": (
            "malformed",
            "kind: unknown kind 'hsmm' (did you mean 'hsm'?); support_end: not a date "
            "(YYYY-MM-DD, YYYY-MM or YYYY): '2030-13-01'",
        ),
        f"{path}:6": ("malformed", "duplicate id (first declared at line 3)"),
        f"{path}:7": (
            "malformed",
            "vendor_controlled: true or false, got 'perhaps'; count: a whole number of units, "
            "got '-3'; algorithms: unknown use 'wrong-use' in 'RSA-2048 (wrong-use)' (one of "
            "key-exchange, signature, authentication, encryption, hash, mac, kdf, protocol, key)",
        ),
        f"{path}:9": ("malformed", "16 cells but the header has 14 columns"),
    }


def test_reimport_is_idempotent(inv: Inventory, csv_file: Path) -> None:
    first = run_scan(inv, DeclaredCollector.open(csv_file), jobs=1)
    second = run_scan(inv, DeclaredCollector.open(csv_file), jobs=1)
    assert first.new_findings > 0
    assert (second.assets, second.findings, second.new_findings) == (
        first.assets,
        first.findings,
        0,
    )
    snapshot = load_snapshot(inv.engine)
    assert len(snapshot.assets) == 3
    seen_by_second = list(inv.findings(FindingFilter(run_id=second.run_id)))
    assert len(seen_by_second) == first.findings


def test_units_have_stable_keys_and_the_run_records_the_file(csv_file: Path) -> None:
    collector = DeclaredCollector.open(csv_file)
    keys = [collector.unit_key(u) for u in collector.units()]
    assert keys == [f"{csv_file.absolute()}:{n}" for n in (3, 4, 5, 6, 7, 8, 9)]
    assert collector.arguments() == {"path": str(csv_file.absolute())}
    assert DeclaredCollector.name == "declared"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "id,kind,algoritms\n",
            "hardware.csv:1: unknown column 'algoritms' (did you mean 'algorithms'?)",
        ),
        ("id,vendor,algorithms\n", "hardware.csv:1: missing required column 'kind'"),
        (
            "kind,vendor,algorithms\n",
            "hardware.csv:1: needs an 'id' column, or 'vendor' and 'product' columns",
        ),
        ("", "hardware.csv:1: empty CSV file: no header"),
    ],
)
def test_an_unusable_header_is_a_usage_error(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "hardware.csv"
    path.write_text(header)
    with pytest.raises(ContextError) as info:
        DeclaredCollector.open(path)
    assert [str(p).replace(str(tmp_path) + "/", "") for p in info.value.problems] == [message]


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ContextError, match="no such file"):
        DeclaredCollector.open(tmp_path / "nope.csv")


def test_a_row_problem_found_while_reading_is_an_error_item() -> None:
    item = DeclaredCollector(Path("/x.csv")).collect_one(
        DeclaredRow("/x.csv", 4, (), problem="cannot read the file: gone")
    )
    assert [(e.locator, e.message) for e in item.errors] == [
        ("/x.csv:4", "cannot read the file: gone")
    ]


@pytest.mark.parametrize(
    ("text", "algorithm", "parameter", "status"),
    [
        ("RSA-2048", "RSA", "2048", "quantum-vulnerable"),
        ("RSA 4096", "RSA", "4096", "quantum-vulnerable"),
        ("2048-bit RSA", "RSA", "2048", "quantum-vulnerable"),
        ("RSA-1024", "RSA", "1024", "classically-broken"),
        ("ECDSA P-256", "ECDSA", "P-256", "quantum-vulnerable"),
        ("ECDSA-P-384", "ECDSA", "P-384", "quantum-vulnerable"),
        ("AES-256", "AES", "256", "quantum-safe"),
        ("AES-128-GCM", "AES", "128", "quantum-weakened"),
        ("3DES", "3DES", "", "classically-broken"),
        ("ML-DSA-65", "ML-DSA-65", "", "quantum-safe"),
        ("ML-KEM-768", "ML-KEM-768", "", "quantum-safe"),
        ("X25519MLKEM768", "X25519MLKEM768", "", "hybrid"),
        ("SHA-1", "SHA-1", "", "classically-broken"),
        # never guessed: an algorithm with a parameter it does not know is unknown
        ("AES-999", "unknown", "AES-999", "unknown"),
        ("ECDSA P-999", "unknown", "ECDSA P-999", "unknown"),
        ("DUKPT", "unknown", "DUKPT", "unknown"),
        ("Quantum  Shield 9000", "unknown", "Quantum Shield 9000", "unknown"),
    ],
)
def test_declared_names_classify_through_the_catalog(
    text: str, algorithm: str, parameter: str, status: str
) -> None:
    c = classify_declared(get_catalog(), text)
    assert (c.algorithm, c.parameter, c.status.value) == (algorithm, parameter, status)
    assert c.identifier == f"declared:{' '.join(text.split())}"


def test_usage_defaults_to_the_primitive_and_is_unknown_for_rsa(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("id,kind,algorithms\nd,product,RSA-2048; ECDH P-256; SHA-256; AES-256\n")
    collector = DeclaredCollector.open(path)
    (unit,) = list(collector.units())
    item = collector.collect_one(unit)
    usages = {f.algorithm: (f.usage, f.evidence.detail) for f in item.findings}
    assert usages == {
        "RSA": (Usage.KEY, "use not declared"),
        "ECDH": (Usage.KEY_EXCHANGE, "use not declared"),
        "SHA-256": (Usage.HASH, "use not declared"),
        "AES": (Usage.ENCRYPTION, "use not declared"),
    }


def test_the_sample_hardware_file_imports_cleanly(inv: Inventory) -> None:
    summary = run_scan(inv, DeclaredCollector.open(SAMPLES / "hardware.csv"), jobs=1)
    assert (summary.status, summary.errors) == ("completed", 0)
    kinds = {a.details["kind"] for a in load_snapshot(inv.engine).assets}
    assert {"hsm", "payment-hsm", "atm", "crypto-card", "load-balancer"} <= kinds
