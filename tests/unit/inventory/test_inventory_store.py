"""The run recorder on SQLite and PostgreSQL: upserts, history, links, errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from pqcscan.catalog import QuantumStatus
from pqcscan.inventory import FindingFilter, Inventory
from pqcscan.inventory.snapshot import load_snapshot
from pqcscan.inventory.store import RunRecorder
from pqcscan.results import (
    Asset,
    AssetKey,
    AssetType,
    CollectedItem,
    ErrorKind,
    Evidence,
    Finding,
    Link,
    Relation,
    ScanError,
    Usage,
)


class Clock:
    """A deterministic clock that moves one minute per call."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def inv(inventory_url: str) -> Iterator[Inventory]:
    with Inventory.open(inventory_url) as inventory:
        yield inventory


def cert(fp: str, subject: str, issuer: str, ski: str | None, aki: str | None) -> Asset:
    details = [("subject", subject), ("issuer", issuer)]
    if ski:
        details.append(("ski", ski))
    if aki:
        details.append(("aki", aki))
    return Asset(AssetType.CERTIFICATE, fp, f"/pki/{fp}.pem", subject, tuple(details))


def item_for(asset: Asset, algorithm: str = "RSA", parameter: str = "2048") -> CollectedItem:
    file = Asset(AssetType.FILE, asset.locator, asset.locator, "x.pem")
    finding = Finding(
        AssetKey.of(asset),
        algorithm,
        parameter,
        Usage.AUTHENTICATION,
        QuantumStatus.QUANTUM_VULNERABLE,
        Evidence("certs", asset.locator, "test", "oid:1.2.840.113549.1.1.1"),
        112,
    )
    link = Link(AssetKey.of(file), Relation.CONTAINS, AssetKey.of(asset))
    return CollectedItem(asset.locator, (file, asset), (finding,), (link,))


def count(inv: Inventory, table: str) -> int:
    with inv.engine.connect() as conn:
        return int(conn.execute(text(f"select count(*) from {table}")).scalar_one())


def test_rescan_moves_last_seen_and_adds_no_duplicates(inv: Inventory) -> None:
    clock = Clock()
    leaf = cert("aa", "CN=leaf", "CN=ca", None, "k1")
    for _ in range(3):
        with inv.record_run("certs", {"paths": ["/pki"]}, clock=clock) as rec:
            rec.add(item_for(leaf))
    findings = list(inv.findings())
    assert len(findings) == 1
    assert findings[0].first_seen < findings[0].last_seen
    assert count(inv, "assets") == 2
    assert count(inv, "asset_links") == 1
    runs = inv.runs()
    assert [r.status for r in runs] == ["completed"] * 3
    assert [r.new_findings for r in runs] == [0, 0, 1]  # newest first
    assert all(r.findings == 1 and r.assets == 2 for r in runs)
    assert count(inv, "finding_sightings") == 3


def test_runs_filter_by_status(inv: Inventory) -> None:
    with inv.record_run("certs", {}) as rec:
        rec.add(item_for(cert("aa", "CN=a", "CN=a", "x", "x")))
    running = RunRecorder(inv.engine, "tls", {"distributed": {}})
    assert [r.status for r in inv.runs()] == ["running", "completed"]
    assert [r.id for r in inv.runs(status="running")] == [running.run_id]
    assert [r.id for r in inv.runs(status="completed")] == [rec.run_id]
    assert inv.runs(status="interrupted") == []


def test_findings_filter_by_run_status_type_and_algorithm(inv: Inventory) -> None:
    a, b = cert("aa", "CN=a", "CN=a", "x", "x"), cert("bb", "CN=b", "CN=b", "y", "y")
    with inv.record_run("certs", {}) as rec:
        rec.add(item_for(a))
    first = rec.run_id
    with inv.record_run("certs", {}) as rec:
        rec.add(item_for(b, "ECDSA", "P-256"))
    assert [f.locator for f in inv.findings(FindingFilter(run_id=first))] == ["/pki/aa.pem"]
    assert [f.algorithm for f in inv.findings(FindingFilter(algorithms=("ecdsa",)))] == ["ECDSA"]
    assert len(list(inv.findings(FindingFilter(statuses=("quantum-vulnerable",))))) == 2
    assert list(inv.findings(FindingFilter(statuses=("quantum-safe",)))) == []
    assert len(list(inv.findings(FindingFilter(asset_types=("certificate",))))) == 2
    assert list(inv.findings(FindingFilter(asset_types=("key",)))) == []


def test_issuer_links_use_names_and_key_identifiers_across_runs(inv: Inventory) -> None:
    leaf = cert("leaf", "CN=leaf", "CN=Issuing CA", None, "ca-2")
    wrong_ca = cert("ca1", "CN=Issuing CA", "CN=Root", "ca-1", "root")  # same name, other key
    right_ca = cert("ca2", "CN=Issuing CA", "CN=Root", "ca-2", "root")
    root = cert("root", "CN=Root", "CN=Root", "root", "root")
    with inv.record_run("certs", {}) as rec:
        rec.add(item_for(leaf))
        rec.add(item_for(wrong_ca))
    with inv.record_run("certs", {}) as rec:  # issuer appears only in a later run
        rec.add(item_for(right_ca))
        rec.add(item_for(root))
    with inv.engine.connect() as conn:
        rows = conn.execute(
            text(
                "select s.fingerprint, t.fingerprint from asset_links l "
                "join assets s on s.id = l.source_id join assets t on t.id = l.target_id "
                "where l.relation = 'issued-by' order by 1"
            )
        ).all()
    assert rows == [("ca1", "root"), ("ca2", "root"), ("leaf", "ca2")]


def test_errors_are_recorded_with_kind_and_counted(inv: Inventory) -> None:
    bad = CollectedItem(
        "/pki/bad.pem", errors=(ScanError("/pki/bad.pem", ErrorKind.MALFORMED, "truncated DER"),)
    )
    with inv.record_run("certs", {}) as rec:
        rec.add(bad)
        rec.add(item_for(cert("aa", "CN=a", "CN=a", None, None)))
    assert rec.summary is not None and rec.summary.errors == 1
    [err] = inv.errors(rec.run_id)
    assert (err.locator, err.kind, err.message) == ("/pki/bad.pem", "malformed", "truncated DER")


def test_interrupted_scan_keeps_what_was_collected(inv: Inventory) -> None:
    items = [item_for(cert(f"c{i}", f"CN={i}", f"CN={i}", None, None)) for i in range(5)]
    with pytest.raises(KeyboardInterrupt), inv.record_run("certs", {}, batch_size=2) as rec:
        for n, it in enumerate(items):
            if n == 3:
                raise KeyboardInterrupt
            rec.add(it)
    [run] = inv.runs()
    assert run.status == "interrupted"
    assert run.items == 3
    assert len(list(inv.findings())) == 3


def test_reopening_keeps_data_and_timestamps_are_utc(inventory_url: str) -> None:
    db = inventory_url
    with Inventory.open(db) as inv, inv.record_run("certs", {}) as rec:
        rec.add(item_for(cert("aa", "CN=a", "CN=a", None, None)))
    with Inventory.open(db) as inv:
        [f] = list(inv.findings())
        assert f.first_seen.tzinfo is not None
        assert f.to_json()["first_seen"].endswith("+00:00")


def test_a_later_sighting_merges_details_and_never_erases_them(inv: Inventory) -> None:
    scanned = cert("cc", "CN=ca", "CN=ca", "k1", "k1")
    with inv.record_run("certs", {}) as rec:
        rec.add(item_for(scanned))
    # A CBOM (or an endpoint) sees the same certificate with fewer and other details.
    imported = Asset(
        AssetType.CERTIFICATE, "cc", "/boms/x.cdx.json#cert", "CN=ca", (("subject", "CN=CA"),)
    )
    with inv.record_run("cbom", {}) as rec:
        rec.add(item_for(imported))
    with inv.engine.connect() as conn:
        raw = conn.execute(
            text("select details, locator from assets where fingerprint = 'cc'")
        ).one()
    details = raw[0] if isinstance(raw[0], dict) else __import__("json").loads(raw[0])
    assert details == {"subject": "CN=CA", "issuer": "CN=ca", "ski": "k1", "aki": "k1"}
    assert raw[1] == "/boms/x.cdx.json#cert"  # where it was seen last


def test_details_merge_like_rfc_7396_on_every_backend(inv: Inventory) -> None:
    """Nested objects merge key by key, a null removes the key, lists are replaced."""
    first = Asset(
        AssetType.CERTIFICATE,
        "dd",
        "/pki/dd.pem",
        "CN=d",
        (
            ("subject", "CN=d"),
            ("names", (("dns", "a.test"), ("ip", "10.0.0.1"))),
            ("usages", ("sign", "encrypt")),
            ("gone", "soon"),
        ),
    )
    later = Asset(
        AssetType.CERTIFICATE,
        "dd",
        "/pki/dd.pem",
        "CN=d",
        (("names", (("dns", "b.test"),)), ("usages", ("sign",)), ("gone", None), ("new", 1)),
    )
    for asset in (first, later):
        with inv.record_run("certs", {}) as rec:
            rec.add(item_for(asset))
    [details] = [a.details for a in load_snapshot(inv.engine).assets if a.fingerprint == "dd"]
    assert details == {
        "subject": "CN=d",
        "names": {"dns": "b.test", "ip": "10.0.0.1"},
        "usages": ["sign"],
        "new": 1,
    }


def test_values_longer_than_their_columns_fit_the_same_way_on_every_backend(
    inv: Inventory,
) -> None:
    """A deep path (a file asset's fingerprint), a long declared algorithm name: PostgreSQL
    refuses a value longer than its VARCHAR, SQLite takes it; both store the same shortened,
    still distinct value, and a rescan finds the same rows."""
    deep = "/" + "/".join(f"{'d' * 240}{i}" for i in range(12))  # 2,900 characters
    paths = [f"{deep}/app.py", f"{deep}/lib.py"]  # the same first 2,800 characters
    long_name = "VENDOR-CIPHER-" + "X" * 300
    for _ in range(2):
        with inv.record_run("code", {}) as rec:
            for path in paths:
                asset = Asset(AssetType.FILE, path, path, "app.py")
                found = Finding(
                    AssetKey.of(asset),
                    long_name,
                    "é" * 200,
                    Usage.ENCRYPTION,
                    QuantumStatus.UNKNOWN,
                    Evidence("code", path, "test", "x" * 600),
                )
                container = Asset(AssetType.FILE, "/repo", "/repo", "repo")
                link = Link(AssetKey.of(container), Relation.CONTAINS, AssetKey.of(asset))
                rec.add(CollectedItem(path, (container, asset), (found,), (link,)))
    findings = list(inv.findings())
    assert sorted(f.locator for f in findings) == paths  # the asset locator is whole
    for f in findings:
        assert f.fingerprint.startswith(deep[:100]) and len(f.fingerprint) <= 1024
        assert f.algorithm.startswith("VENDOR-CIPHER-XXX") and len(f.algorithm) <= 128
        assert len(f.parameter.encode()) <= 128 and len(f.identifier or "") <= 512
    assert len({f.fingerprint for f in findings}) == 2
    assert count(inv, "assets") == 3
    assert count(inv, "asset_links") == 2
    assert [r.findings for r in inv.runs()] == [2, 2]


def test_file_names_that_are_not_utf8_are_stored_with_their_bytes_escaped(
    inv: Inventory,
) -> None:
    """Python holds a Latin-1 file name as a lone surrogate, which neither database stores;
    the byte is written ``\\xe9`` (in every text and JSON value), and ``--resume`` still knows
    the unit by its real name."""
    path = "/pki/caf\udce9.pem"
    shown = "/pki/caf\\xe9.pem"
    file = Asset(AssetType.FILE, path, path, "caf\udce9.pem", (("path", path),))
    item = item_for(cert("ee", "CN=e", "CN=e", None, None))
    item = CollectedItem(
        path,
        (file, *item.assets[1:]),
        tuple(
            Finding(
                f.asset, f.algorithm, f.parameter, f.usage, f.quantum_status,
                Evidence("certs", path, "test"), f.classical_bits,
            )
            for f in item.findings
        ),
        (Link(AssetKey.of(file), Relation.CONTAINS, item.findings[0].asset),),
        (ScanError(path, ErrorKind.MALFORMED, f"cannot read {path}"),),
    )  # fmt: skip
    with inv.record_run("certs", {}) as rec:
        rec.add(item)
    [f] = list(inv.findings())
    assert f.location == shown and f.evidence["location"] == shown
    [err] = inv.errors()
    assert (err.locator, err.message) == (shown, f"cannot read {shown}")
    files = [a for a in load_snapshot(inv.engine).assets if a.type == "file"]
    assert [(a.fingerprint, a.name, a.details) for a in files] == [
        (shown, "caf\\xe9.pem", {"path": shown})
    ]
    assert count(inv, "asset_links") == 1
    assert inv.finished_units(rec.run_id, [path, "/pki/other.pem"]) == {path}
