"""CycloneDX CBOM export (1.6 and 1.7) and the CBOM import collector, on built inventories.

Every export is validated with cyclonedx-python-lib's strict JSON validator against the
official schema of its version.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from pqcscan.catalog import get_catalog
from pqcscan.collectors.cbom import build_item, collect_file, read_bom
from pqcscan.context.mapping import map_assets
from pqcscan.exporters.cbom import CbomError, algorithm_ref, to_cbom, validate
from pqcscan.inventory.snapshot import Snapshot
from pqcscan.risk import load_profile, rank
from pqcscan.risk.model import RankedItem
from tests.unit.risk.builders import SIGNATURE, SUBJECT, SnapshotBuilder

DATA = Path(__file__).parent / "data" / "cbom"
SPKI = "ab" * 32
CERT = "cd" * 32
HYBRID_CAPABILITIES = {
    "tls-version:TLS 1.3": "supported",
    "tls-suite:0x1301 TLS_AES_128_GCM_SHA256 [TLS 1.3]": "supported",
    "tls-suite:0x1302 TLS_AES_256_GCM_SHA384 [TLS 1.3]": "not-supported",
    "tls-group:0x11ec X25519MLKEM768": "supported",
    "tls-group:0x001d x25519": "supported",
    "tls-group:0x0201 MLKEM768": "not-tested: out of time budget",
    "tls-signature-scheme:0x0403 ecdsa_secp256r1_sha256": "supported",
}
HITS = [
    json.dumps(
        {
            "algorithm": "RSA",
            "parameter": "2048",
            "line": 12,
            "column": 5,
            "rule": "py-rsa-generate",
            "snippet": "rsa.generate_private_key(65537, 2048)",
            "usage": "key",
        }
    ),
    json.dumps(
        {
            "algorithm": "ML-KEM-768",
            "parameter": "",
            "line": 30,
            "column": 1,
            "rule": "py-mlkem",
            "snippet": "ML_KEM_768.keygen()",
            "usage": "key-exchange",
        }
    ),
]


def inventory() -> Snapshot:
    """A hybrid TLS endpoint with its certificate and key, an ML-DSA certificate, an SSH
    endpoint, a crypto library, a source file with hits, and one unknown finding."""
    b = SnapshotBuilder()
    e = b.asset(
        "endpoint",
        "10.0.0.5:443",
        "pay.example.test:443",
        "pay.example.test",
        protocol="tls",
        versions=["TLS 1.3"],
        capabilities=HYBRID_CAPABILITIES,
    )
    b.finding(e, "TLS", "1.3", "protocol")
    b.finding(e, "X25519MLKEM768", "", "key-exchange")
    b.finding(e, "X25519", "", "key-exchange")
    b.finding(e, "AES", "128", "encryption")
    b.finding(e, "HMAC-SHA256", "", "mac")
    b.finding(e, "ECDSA", "P-256", "authentication")
    cert = b.asset(
        "certificate",
        CERT,
        "pay.example.test:443#1",
        "pay.example.test",
        subject="CN=pay.example.test",
        issuer="CN=Example CA",
        serial="01",
        not_before="2025-01-01T00:00:00+00:00",
        not_after="2027-01-01T00:00:00+00:00",
        spki_sha256=SPKI,
    )
    b.finding(cert, "ECDSA", "P-256", "authentication", SUBJECT)
    b.finding(cert, "RSA", "2048", "signature", SIGNATURE)
    key = b.asset("key", SPKI, "/etc/pki/pay.key", "ECDSA P-256 private key", kind="private")
    b.finding(key, "ECDSA", "P-256", "key")
    b.link(e, "presents", cert)
    b.link(cert, "certifies", key)
    pq = b.asset(
        "certificate",
        "ef" * 32,
        "/pki/pq.pem",
        "PQ root",
        subject="CN=PQ root",
        issuer="CN=PQ root",
        self_issued=True,
        not_before="2025-01-01T00:00:00+00:00",
        not_after="2035-01-01T00:00:00+00:00",
    )
    b.finding(pq, "ML-DSA-65", "", "signature", SIGNATURE)
    ssh = b.asset("endpoint", "10.0.0.6:22", "10.0.0.6:22", "10.0.0.6", protocol="ssh")
    b.finding(ssh, "SSH", "2.0", "protocol")
    b.finding(ssh, "X25519MLKEM768", "", "key-exchange")
    b.finding(ssh, "Ed25519", "", "authentication")
    lib = b.asset(
        "package",
        "pkg:pypi/cryptography@44.0.0",
        name="cryptography 44.0.0",
        ecosystem="pypi",
        package="cryptography",
        version="44.0.0",
        crypto_library="pyca-cryptography",
    )
    b.finding(lib, "RSA", "", "signature")
    b.finding(lib, "ML-KEM-768", "", "key-exchange")
    src = b.asset("file", "/src/app/keys.py", name="keys.py", kind="source", code_hits=HITS)
    b.finding(src, "RSA", "2048", "key")
    b.finding(src, "ML-KEM-768", "", "key-exchange")
    b.finding(src, "AES", "256", "encryption")
    b.finding(src, "Frobnicate", "", "key")  # not in the catalog: unknown
    return b.build()


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return inventory()


@pytest.fixture(scope="module")
def items(snapshot: Snapshot) -> tuple[RankedItem, ...]:
    mapping = map_assets(snapshot, [])
    return rank(snapshot, [], mapping, load_profile(), date(2026, 1, 1)).items


def components(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["bom-ref"]: c for c in doc["components"]}


def props(holder: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in holder.get("properties", []):
        out.setdefault(p["name"], []).append(p["value"])
    return out


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_export_validates_against_the_official_schema(
    snapshot: Snapshot, items: tuple[RankedItem, ...], spec: str
) -> None:
    text = to_cbom(snapshot, items, spec)
    assert validate(text, spec) is None
    doc = json.loads(text)
    assert doc["specVersion"] == spec
    assert doc["bomFormat"] == "CycloneDX"
    assert "timestamp" not in doc["metadata"]


def test_validator_rejects_a_broken_cbom(snapshot: Snapshot) -> None:
    doc = json.loads(to_cbom(snapshot, (), "1.6"))
    comp = next(c for c in doc["components"] if c["bom-ref"].startswith("crypto/algorithm/"))
    comp["cryptoProperties"]["algorithmProperties"]["nistQuantumSecurityLevel"] = 9
    assert validate(json.dumps(doc), "1.6") is not None
    doc2 = json.loads(to_cbom(snapshot, (), "1.6"))
    proto = next(c for c in doc2["components"] if c["bom-ref"].startswith("crypto/protocol/tls"))
    proto["cryptoProperties"]["protocolProperties"]["cipherSuites"][0]["tlsGroups"] = ["x"]
    assert validate(json.dumps(doc2), "1.6") is not None  # tlsGroups is 1.7 only


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_export_is_deterministic_and_serial_follows_content(
    snapshot: Snapshot, items: tuple[RankedItem, ...], spec: str
) -> None:
    first, second = to_cbom(snapshot, items, spec), to_cbom(inventory(), items, spec)
    assert first == second
    serial = json.loads(first)["serialNumber"]
    assert serial.startswith("urn:uuid:")
    other = Snapshot(snapshot.assets, snapshot.findings[:-2], snapshot.links)
    assert json.loads(to_cbom(other, items, spec))["serialNumber"] != serial
    refs = [c["bom-ref"] for c in json.loads(first)["components"]]
    assert refs == sorted(refs)


def test_timestamp_only_when_asked(snapshot: Snapshot) -> None:
    when = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    doc = json.loads(to_cbom(snapshot, (), "1.6", when))
    assert doc["metadata"]["timestamp"] == "2026-11-01T12:00:00+00:00"
    with pytest.raises(CbomError):
        to_cbom(snapshot, (), "1.5")


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_every_reference_resolves(
    snapshot: Snapshot, items: tuple[RankedItem, ...], spec: str
) -> None:
    doc = json.loads(to_cbom(snapshot, items, spec))
    known = set(components(doc)) | {s["bom-ref"] for s in doc["services"]}
    known.add(doc["metadata"]["component"]["bom-ref"])
    used: list[str] = []
    for dep in doc["dependencies"]:
        used += [dep["ref"], *dep.get("dependsOn", []), *dep.get("provides", [])]
    for comp in doc["components"]:
        cp = comp.get("cryptoProperties", {})
        cert = cp.get("certificateProperties", {})
        used += [cert[k] for k in ("signatureAlgorithmRef", "subjectPublicKeyRef") if k in cert]
        rcm = cp.get("relatedCryptoMaterialProperties", {})
        used += [rcm["algorithmRef"]] if "algorithmRef" in rcm else []
        proto = cp.get("protocolProperties", {})
        used += proto.get("cryptoRefArray", [])
        for suite in proto.get("cipherSuites", []):
            used += suite.get("algorithms", [])
    assert used and set(used) <= known, set(used) - known
    # the structure is there: certificate -> key -> algorithm, service -> protocol + cert
    comps = components(doc)
    cert = comps[f"cert:{CERT}"]["cryptoProperties"]["certificateProperties"]
    assert cert["subjectPublicKeyRef"] == f"key:{SPKI}"
    assert cert["signatureAlgorithmRef"] == "crypto/algorithm/rsa-2048@1.2.840.113549.1.1.1"
    assert cert["subjectName"] == "CN=pay.example.test"
    key = comps[f"key:{SPKI}"]["cryptoProperties"]["relatedCryptoMaterialProperties"]
    assert key["type"] == "private-key"
    deps = {d["ref"]: d for d in doc["dependencies"]}
    service = deps["service:10.0.0.5:443"]["dependsOn"]
    assert f"cert:{CERT}" in service and "crypto/protocol/tls-1.3@10.0.0.5:443" in service
    assert (
        "crypto/algorithm/ml-kem-768@2.16.840.1.101.3.4.4.2"
        in (deps["pkg:pypi/cryptography@44.0.0"]["provides"])
    )
    library = comps["pkg:pypi/cryptography@44.0.0"]
    assert library["type"] == "library" and library["purl"] == "pkg:pypi/cryptography@44.0.0"
    ssh = comps["crypto/protocol/ssh-2.0@10.0.0.6:22"]["cryptoProperties"]["protocolProperties"]
    assert ssh["type"] == "ssh"


def test_hybrid_endpoint_carries_tls_groups_in_1_7_only(snapshot: Snapshot) -> None:
    ref = "crypto/protocol/tls-1.3@10.0.0.5:443"
    doc17 = json.loads(to_cbom(snapshot, (), "1.7"))
    proto = components(doc17)[ref]["cryptoProperties"]["protocolProperties"]
    assert proto["type"] == "tls" and proto["version"] == "1.3"
    (suite,) = proto["cipherSuites"]  # 0x1302 is not supported: not listed
    assert suite["name"] == "TLS_AES_128_GCM_SHA256"
    assert suite["identifiers"] == ["0x13", "0x01"]
    assert suite["tlsGroups"] == ["X25519MLKEM768", "x25519"]  # MLKEM768 was not tested
    assert suite["tlsSignatureSchemes"] == ["ecdsa_secp256r1_sha256"]
    assert set(suite["algorithms"]) == {
        "crypto/algorithm/aes-128",
        "crypto/algorithm/hmac-sha256@1.2.840.113549.2.9",
    }
    cert17 = components(doc17)[f"cert:{CERT}"]["cryptoProperties"]["certificateProperties"]
    assert cert17["fingerprint"] == {"alg": "SHA-256", "content": CERT}
    assert cert17["serialNumber"] == "01"
    doc16 = json.loads(to_cbom(snapshot, (), "1.6"))
    assert (
        "fingerprint"
        not in components(doc16)[f"cert:{CERT}"]["cryptoProperties"]["certificateProperties"]
    )
    suite16 = components(doc16)[ref]["cryptoProperties"]["protocolProperties"]["cipherSuites"][0]
    assert "tlsGroups" not in suite16 and "tlsSignatureSchemes" not in suite16
    assert "X25519MLKEM768" in props(components(doc16)[ref])["pqcscan:tls-group"]


def test_algorithm_levels_oids_and_occurrences(snapshot: Snapshot) -> None:
    doc = json.loads(to_cbom(snapshot, (), "1.6"))
    comps = components(doc)

    def alg(ref: str) -> dict[str, Any]:
        comp = comps[ref]
        assert comp["cryptoProperties"]["assetType"] == "algorithm"
        return dict(comp["cryptoProperties"]["algorithmProperties"])

    mlkem = alg("crypto/algorithm/ml-kem-768@2.16.840.1.101.3.4.4.2")
    assert mlkem["primitive"] == "kem" and mlkem["nistQuantumSecurityLevel"] == 3
    assert set(mlkem["cryptoFunctions"]) == {"encapsulate", "decapsulate"}
    assert (
        comps["crypto/algorithm/ml-kem-768@2.16.840.1.101.3.4.4.2"]["cryptoProperties"]["oid"]
        == "2.16.840.1.101.3.4.4.2"
    )
    mldsa = alg(algorithm_ref(get_catalog(), "ML-DSA-65", ""))
    assert mldsa["primitive"] == "signature" and mldsa["nistQuantumSecurityLevel"] == 3
    rsa = alg("crypto/algorithm/rsa-2048@1.2.840.113549.1.1.1")
    assert rsa["nistQuantumSecurityLevel"] == 0  # Shor
    assert rsa["classicalSecurityLevel"] == 112 and rsa["parameterSetIdentifier"] == "2048"
    assert rsa["certificationLevel"] == ["none"]
    ecdsa = alg("crypto/algorithm/ecdsa-p-256@1.2.840.10045.2.1")
    assert ecdsa["curve"] == "P-256" and ecdsa["nistQuantumSecurityLevel"] == 0
    hybrid = alg(algorithm_ref(get_catalog(), "X25519MLKEM768", ""))
    assert hybrid["nistQuantumSecurityLevel"] == 3
    assert alg("crypto/algorithm/aes-256")["nistQuantumSecurityLevel"] == 5
    occurrences = comps["crypto/algorithm/rsa-2048@1.2.840.113549.1.1.1"]["evidence"]["occurrences"]
    assert occurrences == [
        {
            "location": "/src/app/keys.py",
            "line": 12,
            "additionalContext": "rsa.generate_private_key(65537, 2048)",
        }
    ]
    assert not any("frobnicate" in ref for ref in comps)
    assert props(doc["metadata"])["pqcscan:unknown-findings"] == ["1"]


def test_risk_properties_on_the_components_they_concern(
    snapshot: Snapshot, items: tuple[RankedItem, ...]
) -> None:
    doc = json.loads(to_cbom(snapshot, items, "1.6"))
    cert_items = [i for i in items if i.locator == "pay.example.test:443#1"]
    assert cert_items
    worst = max(cert_items, key=lambda i: (i.score, i.key))
    cert = props(components(doc)[f"cert:{CERT}"])
    assert cert["pqcscan:risk:score"] == [f"{worst.score:.1f}"]
    assert cert["pqcscan:risk:wave"] == [worst.wave.value]
    assert cert["pqcscan:risk:rule"] == [worst.wave_rule]
    assert cert["pqcscan:risk:mosca-gap"] == [f"{worst.mosca.gap:.2f}"]
    service = next(s for s in doc["services"] if s["bom-ref"] == "service:10.0.0.5:443")
    assert "pqcscan:risk:wave" in props(service)
    assert service["endpoints"] == ["https://pay.example.test:443/"]


# -- import ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_import_of_an_export_gives_back_its_algorithms(
    snapshot: Snapshot, tmp_path: Path, spec: str
) -> None:
    path = tmp_path / f"bom-{spec}.cdx.json"
    path.write_text(to_cbom(snapshot, (), spec), encoding="utf-8")
    item = collect_file(path)
    assert not item.errors
    exported = {
        (f.algorithm, f.parameter, f.quantum_status)
        for f in snapshot.findings
        if f.algorithm != "Frobnicate"
    }
    imported = {(f.algorithm, f.parameter, f.quantum_status.value) for f in item.findings}
    assert exported <= imported
    # the rest is the crypto-library knowledge the importer applies to the package it names
    extra = imported - exported
    by_package = {
        (f.algorithm, f.parameter, f.quantum_status.value)
        for f in item.findings
        if f.asset.type.value == "package"
    }
    assert extra and extra <= by_package
    assert {f.evidence.collector for f in item.findings} == {"cbom"}
    certs = {a.fingerprint for a in item.assets if a.type.value == "certificate"}
    assert CERT in certs
    packages = {a.fingerprint for a in item.assets if a.type.value == "package"}
    assert packages == {"pkg:pypi/cryptography@44.0.0"}


def test_import_xml_cbom_with_supplier_attribution() -> None:
    item = collect_file(DATA / "supplier-cbom.xml")
    assert not item.errors
    document = next(a for a in item.assets if a.locator.endswith("supplier-cbom.xml"))
    details = document.details_dict()
    assert details["supplier"] == "Acme HSM Ltd"
    assert details["component"] == "Acme PayShield 3.2"
    found = {
        (f.algorithm, f.parameter, f.usage.value, f.quantum_status.value) for f in item.findings
    }
    assert ("RSA", "2048", "signature", "quantum-vulnerable") in found  # by OID + parameter
    assert ("ML-DSA-65", "", "signature", "quantum-safe") in found  # by name, no OID
    assert ("TLS", "1.3", "protocol", "quantum-safe") in found
    assert ("X25519MLKEM768", "", "key-exchange", "hybrid") in found  # 1.7 tlsGroups
    assert ("unknown", "Frobnicator-9000", "key", "unknown") in found
    assert all("Acme HSM Ltd" in (f.evidence.detail or "") for f in item.findings)
    libs = [a for a in item.assets if a.type.value == "package"]
    assert [a.fingerprint for a in libs] == ["pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78"]
    assert dict(libs[0].details)["crypto_library"]  # known crypto library knowledge applied


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken.json", "invalid JSON"),
        ("not-cyclonedx.json", "not a CycloneDX BOM"),
        ("entity.xml", "refused XML"),
    ],
)
def test_import_of_a_broken_file_is_an_error_item(name: str, message: str) -> None:
    item = collect_file(DATA / name)
    assert not item.assets and not item.findings
    (error,) = item.errors
    assert error.kind.value == "malformed" and message in error.message


def test_read_bom_xml_shape() -> None:
    bom = read_bom("x.xml", (DATA / "supplier-cbom.xml").read_bytes())
    assert bom.format == "cyclonedx-xml" and bom.doc["specVersion"] == "1.7"
    item = build_item("/x.xml", bom)
    assert any(a.type.value == "certificate" for a in item.assets)
