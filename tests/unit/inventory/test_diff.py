"""Scan diffs over real SQLite and PostgreSQL inventories written by the run recorder."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pqcscan.catalog import get_catalog
from pqcscan.errors import UsageError
from pqcscan.exporters import diff as render
from pqcscan.inventory import Inventory
from pqcscan.inventory.diff import completed_runs, get_run, load_run_pair
from pqcscan.inventory.query import list_runs
from pqcscan.results import (
    Asset,
    AssetKey,
    AssetType,
    CollectedItem,
    Evidence,
    Finding,
    Usage,
)

SPKI = "X.509 SubjectPublicKeyInfo algorithm"
SIGNATURE = "X.509 signature algorithm"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def inv(inventory_url: str) -> Iterator[Inventory]:
    with Inventory.open(inventory_url) as inventory:
        yield inventory


Spec = tuple[str, str, Usage, str]  # algorithm, parameter, usage, evidence method


def item(asset: Asset, specs: Iterable[Spec]) -> CollectedItem:
    findings = []
    for algorithm, parameter, usage, method in specs:
        c = get_catalog().classify(algorithm, parameter)
        findings.append(
            Finding(
                AssetKey.of(asset),
                c.algorithm if c.algorithm != "unknown" else algorithm,
                c.parameter,
                usage,
                c.status,
                Evidence("test", asset.locator, method),
                c.classical_bits,
                c.nist_category,
            )
        )
    return CollectedItem(asset.locator, (asset,), tuple(findings))


def record(inv: Inventory, clock: Clock, collector: str, *items: CollectedItem) -> int:
    with inv.record_run(collector, {"test": True}, clock=clock) as rec:
        for it in items:
            rec.add(it)
    return rec.run_id


def endpoint(groups: Iterable[tuple[str, str]], versions: Iterable[str]) -> CollectedItem:
    asset = Asset(AssetType.ENDPOINT, "10.0.0.5:443", "api.bank.test:443", "api.bank.test")
    specs: list[Spec] = [("TLS", v, Usage.PROTOCOL, "TLS version probe") for v in versions]
    specs += [(g, p, Usage.KEY_EXCHANGE, "group probe") for g, p in groups]
    return item(asset, specs)


def certificate(fp: str, subject: str, path: str, key: tuple[str, str]) -> CollectedItem:
    asset = Asset(AssetType.CERTIFICATE, fp, path, subject, (("subject", f"CN={subject}"),))
    return item(
        asset,
        [
            (*key, Usage.AUTHENTICATION, SPKI),
            ("RSA", "4096", Usage.SIGNATURE, SIGNATURE),
        ],
    )


def package(name: str, version: str, pqc: bool | None, since: str) -> CollectedItem:
    purl = f"pkg:maven/org.bouncycastle/{name}@{version}"
    details: Any = (
        ("ecosystem", "maven"),
        ("package", f"org.bouncycastle:{name}"),
        ("version", version),
        ("declared_in", "/repo/gradle.lockfile:1"),
        ("pqc_capable", pqc),
        ("pqc_since", since),
    )
    asset = Asset(AssetType.PACKAGE, purl, purl, f"{name} {version}", details)
    specs: list[Spec] = [("RSA", "", Usage.SIGNATURE, "crypto-library knowledge")]
    if pqc:
        specs.append(("ML-KEM", "768", Usage.KEY_EXCHANGE, "crypto-library knowledge"))
    return item(asset, specs)


def keystore(cipher: tuple[str, str], mac: tuple[str, str]) -> CollectedItem:
    asset = Asset(AssetType.KEYSTORE, "/srv/app/keystore.p12", "/srv/app/keystore.p12", "ks")
    return item(
        asset,
        [
            (*cipher, Usage.ENCRYPTION, "key protection OID"),
            (*mac, Usage.HASH, "key protection OID"),
        ],
    )


def diff_of(inv: Inventory, a: int, b: int) -> render.Diff:
    engine = inv.engine
    run_a, run_b = get_run(engine, a), get_run(engine, b)
    assert run_a is not None and run_b is not None
    return render.compare(load_run_pair(engine, run_a, run_b))


def kinds(d: render.Diff) -> list[tuple[str, str, str]]:
    return [(c.kind, c.direction, c.text) for c in d.changes]


def test_endpoint_gains_a_hybrid_group_and_drops_tls10(inv: Inventory) -> None:
    clock = Clock()
    a = record(inv, clock, "tls", endpoint([("X25519", "")], ["1.0", "1.2"]))
    b = record(inv, clock, "tls", endpoint([("X25519", ""), ("X25519MLKEM768", "")], ["1.2"]))
    d = diff_of(inv, a, b)
    assert kinds(d) == [
        ("endpoint-protocol-removed", "better", "no longer accepts TLS 1.0 (classically-broken)"),
        ("endpoint-key-exchange-added", "better", "now offers X25519MLKEM768 (hybrid)"),
        (
            "location-improved",
            "better",
            "worst status classically-broken -> quantum-vulnerable",
        ),
    ]
    assert d.appeared == () and d.disappeared == ()
    assert d.verdict == "safer"
    assert [(e.algorithm, e.quantum_status) for e in d.findings_appeared] == [
        ("X25519MLKEM768", "hybrid")
    ]
    # The reverse diff says the opposite.
    back = diff_of(inv, b, a)
    lost = ("endpoint-key-exchange-removed", "worse", "no longer offers X25519MLKEM768 (hybrid)")
    assert lost in kinds(back)
    assert back.verdict == "less-safe"


def test_certificate_reissued_weaker_and_another_removed(inv: Inventory) -> None:
    clock = Clock()
    a = record(
        inv,
        clock,
        "certs",
        certificate("c1", "api", "/pki/api.pem", ("RSA", "3072")),
        certificate("c2", "old", "/pki/old.pem", ("RSA", "2048")),
    )
    b = record(
        inv,
        clock,
        "certs",
        certificate("c3", "api", "/pki/api.pem", ("RSA", "2048")),
        certificate("c4", "new", "/pki/new.pem", ("ML-DSA", "65")),
    )
    d = diff_of(inv, a, b)
    reissued = [c for c in d.changes if c.kind == "certificate-reissued"]
    assert len(reissued) == 1
    assert reissued[0].direction == "worse"
    assert reissued[0].text == (
        "re-issued: key RSA 3072 -> RSA 2048 (weaker); signature RSA 4096 (unchanged)"
    )
    assert reissued[0].fingerprints == ("c1", "c3")
    assert [(e.fingerprint, e.worst_status) for e in d.appeared] == [("c4", "quantum-vulnerable")]
    assert [e.fingerprint for e in d.disappeared] == ["c2"]
    assert len(d.findings_appeared) == 4  # findings belong to assets: 2 per new certificate


def test_library_upgrade_crossing_pqc_since(inv: Inventory) -> None:
    clock = Clock()
    a = record(inv, clock, "code", package("bcprov-jdk18on", "1.78.1", False, "1.79"))
    b = record(inv, clock, "code", package("bcprov-jdk18on", "1.80", True, "1.79"))
    d = diff_of(inv, a, b)
    (change,) = [c for c in d.changes if c.kind.startswith("library-")]
    assert change.kind == "library-upgraded"
    assert change.direction == "better"
    assert change.text == "1.78.1 -> 1.80 (upgraded); now PQC-capable (PQC since 1.79)"
    assert change.subject == "maven:org.bouncycastle:bcprov-jdk18on"
    assert d.appeared == () and d.disappeared == ()
    down = diff_of(inv, b, a)
    (change,) = [c for c in down.changes if c.kind.startswith("library-")]
    assert (change.kind, change.direction) == ("library-downgraded", "worse")
    assert "no longer PQC-capable" in change.text


def test_keystore_reprotected(inv: Inventory) -> None:
    clock = Clock()
    a = record(inv, clock, "certs", keystore(("3DES", ""), ("SHA-1", "")))
    b = record(inv, clock, "certs", keystore(("AES", "256"), ("SHA-256", "")))
    d = diff_of(inv, a, b)
    (change,) = [c for c in d.changes if c.kind == "reprotected"]
    assert change.direction == "better"
    assert change.before is not None and "3DES" in change.before
    assert change.after is not None and "AES 256" in change.after
    assert not [c for c in d.changes if c.kind.startswith("finding-")]


def test_identical_runs_are_unchanged_and_output_is_deterministic(inv: Inventory) -> None:
    clock = Clock()
    a = record(inv, clock, "tls", endpoint([("X25519", "")], ["1.2"]))
    b = record(inv, clock, "tls", endpoint([("X25519", "")], ["1.2"]))
    d = diff_of(inv, a, b)
    assert d.changes == () and d.verdict == "unchanged"
    doc = json.loads(render.to_json(d))
    assert doc["schema"] == "pqcscan-diff/1"
    assert doc["summary"]["findings"] == {"before": 2, "after": 2, "appeared": 0, "disappeared": 0}
    assert render.to_json(d) == render.to_json(diff_of(inv, a, b))
    assert "Verdict: unchanged" in render.to_table(d)
    assert render.to_markdown(d).startswith(f"# Scan diff: run {a} -> run {b} (tls)")


def test_choosing_runs(inv: Inventory) -> None:
    clock = Clock()
    c1 = record(inv, clock, "certs", keystore(("3DES", ""), ("SHA-1", "")))
    t1 = record(inv, clock, "tls", endpoint([("X25519", "")], ["1.2"]))
    with pytest.raises(UsageError, match=r"only one completed tls scan .* no collector with two"):
        render.choose_runs(list_runs(inv.engine), None, None)
    c2 = record(inv, clock, "certs", keystore(("AES", "256"), ("SHA-256", "")))
    d1 = record(inv, clock, "declared", keystore(("AES", "256"), ("SHA-256", "")))
    runs = list_runs(inv.engine)
    assert [r.id for r in completed_runs(inv.engine)] == [d1, c2, t1, c1]
    a, b = render.choose_runs(runs, None, None)
    assert (a.id, b.id) == (c1, c2)
    a, b = render.choose_runs(runs, c1, None)
    assert (a.id, b.id) == (c1, c2)
    with pytest.raises(UsageError, match="pass --any-collector"):
        render.choose_runs(runs, c1, t1)
    a, b = render.choose_runs(runs, c1, t1, any_collector=True)
    assert (a.id, b.id) == (c1, t1)
    with pytest.raises(UsageError, match="no scan run 99"):
        render.choose_runs(runs, 99, c2)
    with pytest.raises(UsageError, match="itself"):
        render.choose_runs(runs, c2, c2)
    with pytest.raises(UsageError, match="newest completed certs scan"):
        render.choose_runs(runs, c2, None)
    rec = inv.record_run("certs", {}, clock=clock)
    rec.finish("interrupted")
    with pytest.raises(UsageError, match="interrupted, not completed"):
        render.choose_runs(list_runs(inv.engine), c1, rec.run_id)


def openssl(version: str) -> CollectedItem:
    purl = f"pkg:generic/openssl@{version}"
    details: Any = (("ecosystem", "generic"), ("package", "openssl"), ("version", version))
    asset = Asset(AssetType.PACKAGE, purl, purl, f"openssl {version}", details)
    return item(asset, [("RSA", "", Usage.SIGNATURE, "crypto-library knowledge")])


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("1.1.1w", "3.0.13", "library-upgraded"),  # not PEP 440, still ordered
        ("3.5.0", "1.1.1k", "library-downgraded"),
        ("1.0.2-fips", "custom-build", "library-version-changed"),
    ],
)
def test_library_versions_are_ordered_like_pqc_since(
    inv: Inventory, old: str, new: str, kind: str
) -> None:
    clock = Clock()
    a = record(inv, clock, "code", openssl(old))
    b = record(inv, clock, "code", openssl(new))
    (change,) = diff_of(inv, a, b).changes
    assert (change.kind, change.direction, change.subject) == (kind, "neutral", "generic:openssl")
    assert change.text.startswith(f"{old} -> {new} (")
