"""The inventory mapping: the endpoint asset and its details, one finding per supported
thing (never for refused or untested ones), certificates built by the certificate collector's
code at ``host:port#n``, and the presents / issued-by links."""

from __future__ import annotations

import hashlib

from pqcscan.catalog import QuantumStatus
from pqcscan.results import AssetKey, AssetType, Finding, Relation, Usage

from .conftest import Scan, ScanLab


def _endpoint_findings(scan: Scan) -> list[Finding]:
    return [f for f in scan.item.findings if f.asset.type is AssetType.ENDPOINT]


def _has(findings: list[Finding], usage: Usage, algorithm: str, parameter: str = "") -> Finding:
    for f in findings:
        if (f.usage, f.algorithm, f.parameter) == (usage, algorithm, parameter):
            return f
    seen = [(f.usage.value, f.algorithm, f.parameter) for f in findings]
    raise AssertionError(f"no {usage} {algorithm} {parameter} in {seen}")


def test_hybrid_endpoint_item(scan_lab: ScanLab) -> None:
    scan = scan_lab("pqc-hybrid")
    item = scan.item
    locator = scan.endpoint.locator
    assert item.locator == locator and item.errors == ()
    endpoint = next(a for a in item.assets if a.type is AssetType.ENDPOINT)
    assert (
        endpoint.fingerprint
        == scan.endpoint.fingerprint
        == f"127.0.0.1:{scan.endpoint.port}:localhost"
    )
    assert endpoint.locator == locator and endpoint.name == "localhost"
    details = endpoint.details_dict()
    assert details["protocol"] == "tls" and details["sni"] == "localhost"
    assert details["versions"] == ("TLS 1.3", "TLS 1.2")
    assert ("TLS 1.3", "0x11ec X25519MLKEM768") in details["preferred_groups"]  # type: ignore[operator]
    capabilities = dict(details["capabilities"])  # type: ignore[arg-type]
    assert capabilities["tls-group:0x11ec X25519MLKEM768"] == "supported"
    assert capabilities["tls-group:0x0201 MLKEM768"].startswith("not-supported: alert")
    assert capabilities["tls-version:TLS 1.0"].startswith("not-supported")
    assert details["trust"] == "not-trusted: unknown issuer"
    assert details["pq_intolerant"] is False
    assert details["certificate_signature_scheme"] == "0x0403 ecdsa_secp256r1_sha256"

    findings = _endpoint_findings(scan)
    hybrid = _has(findings, Usage.KEY_EXCHANGE, "X25519MLKEM768")
    assert hybrid.quantum_status is QuantumStatus.HYBRID
    assert hybrid.evidence.collector == "tls" and hybrid.evidence.location == locator
    assert hybrid.evidence.identifier == "tls-group:0x11ec"
    _has(findings, Usage.PROTOCOL, "TLS", "1.3")
    _has(findings, Usage.PROTOCOL, "TLS", "1.2")
    _has(findings, Usage.KEY_EXCHANGE, "X25519")
    _has(findings, Usage.ENCRYPTION, "AES", "256")
    _has(findings, Usage.ENCRYPTION, "ChaCha20", "256")
    _has(findings, Usage.MAC, "HMAC-SHA384")
    _has(findings, Usage.AUTHENTICATION, "ECDSA", "P-256")
    # Refused things never become findings.
    assert not [f for f in findings if f.algorithm in ("ML-KEM-768", "SecP384r1MLKEM1024")]
    assert not [f for f in findings if f.usage is Usage.PROTOCOL and f.parameter == "1.0"]
    for f in findings:
        assert f.evidence.identifier and f.evidence.identifier.split(":")[0] in (
            "tls-version", "tls-group", "tls-suite", "tls-signature-scheme",
        )  # fmt: skip


def test_certificates_and_links(scan_lab: ScanLab) -> None:
    scan = scan_lab("pqc-mldsa65")
    locator = scan.endpoint.locator
    certs = [a for a in scan.item.assets if a.type is AssetType.CERTIFICATE]
    chain = scan.server.tls.certificate.chain
    assert [a.fingerprint for a in certs] == [hashlib.sha256(c.der).hexdigest() for c in chain]
    assert [a.locator for a in certs] == [f"{locator}#1", f"{locator}#2"]
    endpoint = next(a for a in scan.item.assets if a.type is AssetType.ENDPOINT)
    leaf, root = (AssetKey.of(a) for a in certs)
    links = set(scan.item.links)
    assert (AssetKey.of(endpoint), Relation.PRESENTS, leaf) in {
        (lk.source, lk.relation, lk.target) for lk in links
    }
    assert (leaf, Relation.ISSUED_BY, root) in {(lk.source, lk.relation, lk.target) for lk in links}
    leaf_findings = [f for f in scan.item.findings if f.asset == leaf]
    assert _has(leaf_findings, Usage.AUTHENTICATION, "ML-DSA-65").evidence.collector == "tls"
    assert _has(leaf_findings, Usage.SIGNATURE, "ML-DSA-65").evidence.location == f"{locator}#1"
    cv = _has(_endpoint_findings(scan), Usage.AUTHENTICATION, "ML-DSA-65")
    assert cv.quantum_status is QuantumStatus.QUANTUM_SAFE
    assert cv.evidence.method == "TLS 1.3 CertificateVerify signature (scheme used)"
    assert cv.evidence.detail is not None and cv.evidence.detail.startswith("signature valid")


def test_weak_servers_findings(scan_lab: ScanLab) -> None:
    rsa_kx = _endpoint_findings(scan_lab("weak-rsa-kx"))
    kt = _has(rsa_kx, Usage.KEY_EXCHANGE, "RSAES-PKCS1-v1_5", "2048")
    assert kt.evidence.identifier in ("tls-suite:0x009d", "tls-suite:0x002f")
    _has(rsa_kx, Usage.AUTHENTICATION, "RSA", "2048")
    dhe = _has(_endpoint_findings(scan_lab("weak-dhe1024")), Usage.KEY_EXCHANGE, "DH", "1024")
    assert dhe.quantum_status is QuantumStatus.CLASSICALLY_BROKEN
    des = _has(_endpoint_findings(scan_lab("weak-3des")), Usage.ENCRYPTION, "3DES", "168")
    assert des.evidence.identifier == "tls-suite:0x000a"
    tls10 = _has(_endpoint_findings(scan_lab("weak-tls10")), Usage.PROTOCOL, "TLS", "1.0")
    assert tls10.evidence.identifier == "tls-version:TLS 1.0"
    sha1 = scan_lab("weak-sha1-cert")
    leaf_fp = hashlib.sha256(sha1.server.tls.certificate.leaf.der).hexdigest()
    leaf_findings = [f for f in sha1.item.findings if f.asset.fingerprint == leaf_fp]
    assert [f for f in leaf_findings if f.usage is Usage.HASH and f.algorithm == "SHA-1"]


def test_no_finding_for_pseudo_suites_or_untested_things(scan_lab: ScanLab) -> None:
    scan = scan_lab("classic-ecdsa-p256-tls12")
    findings = _endpoint_findings(scan)
    assert not [
        f for f in findings if f.evidence.identifier in ("tls-suite:0x00ff", "tls-suite:0x5600")
    ]
    assert not [
        f for f in findings if "1.3" in f.parameter or "TLS 1.3" in (f.evidence.detail or "")
    ]
    keys = {
        (f.algorithm, f.parameter, f.usage)
        for f in scan.item.findings
        if f.asset.type is AssetType.ENDPOINT
    }
    assert len(keys) == len(findings)  # one finding per (algorithm, parameter, usage)
