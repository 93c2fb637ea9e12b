"""The certificate collector end to end on real files: classification by OID, the error
kinds of hostile input, and secrets that never reach the results."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from pqcscan.collectors.certs import CertificateCollector, CertScanOptions, scan_file
from pqcscan.demo import builders as b
from pqcscan.demo.builders import broken
from pqcscan.demo.builders import keys as k
from pqcscan.results import AssetType, CollectedItem, ErrorKind, Finding, Relation, Usage
from tests.conftest import unprivileged
from tests.unit.collectors.certs.conftest import Pki


def scan(path: Path, **options: object) -> CollectedItem:
    return scan_file(path, path.stat().st_size, CertScanOptions((path,), **options))  # type: ignore[arg-type]


def by_usage(item: CollectedItem) -> dict[str, Finding]:
    return {f.usage.value: f for f in item.findings}


@pytest.mark.parametrize(
    ("level", "name", "category"),
    [(44, "ML-DSA-44", 2), (65, "ML-DSA-65", 3), (87, "ML-DSA-87", 5)],
)
def test_ml_dsa_certificates_are_classified_by_oid(
    tmp_path: Path, level: int, name: str, category: int
) -> None:
    key = k.ml_dsa_key(level, seed=f"root-{level}")
    path = tmp_path / "root.crt"
    path.write_bytes(b.issue(key, f"CN=PQ Root {level}", ca=True).pem)
    item = scan(path)
    [cert] = [a for a in item.assets if a.type is AssetType.CERTIFICATE]
    found = {(f.usage, f.algorithm, f.quantum_status.value, f.nist_category) for f in item.findings}
    assert (Usage.SIGNATURE, name, "quantum-safe", category) in found
    assert all(f.evidence.identifier == f"oid:{key.oid}" for f in item.findings)
    assert cert.details_dict()["is_ca"] is True


@pytest.mark.parametrize(
    ("parameter_set", "name"),
    [("SHA2-128f", "SLH-DSA-SHA2-128f"), ("SHAKE-256f", "SLH-DSA-SHAKE-256f")],
)
def test_slh_dsa_certificate_signed_by_rsa(
    tmp_path: Path, pki: Pki, parameter_set: str, name: str
) -> None:
    key = k.slh_dsa_structure_only(parameter_set, seed="fw")
    path = tmp_path / "firmware.crt"
    path.write_bytes(b.issue(key, "CN=firmware signer", pki.root).der)
    got = {
        (f.usage.value, f.algorithm, f.parameter, f.quantum_status.value)
        for f in scan(path).findings
    }
    assert ("authentication", name, "", "quantum-safe") in got
    assert ("signature", "RSA", "3072", "quantum-vulnerable") in got
    assert ("hash", "SHA-256", "", "quantum-weakened") in got


def test_ml_kem_certificate_is_key_exchange_and_composite_is_hybrid(
    tmp_path: Path, pki: Pki
) -> None:
    kem = tmp_path / "kem.crt"
    kem.write_bytes(
        b.issue(
            k.ml_kem_key(768, seed="kem"), "CN=kem", pki.root, key_usage=("key_encipherment",)
        ).pem
    )
    assert by_usage(scan(kem))["key-exchange"].algorithm == "ML-KEM-768"
    composite = tmp_path / "composite.crt"
    composite.write_bytes(b.issue(k.composite_ml_dsa_key(), "CN=hybrid", ca=True).pem)
    signatures = [f for f in scan(composite).findings if f.usage is Usage.SIGNATURE]
    assert signatures and {f.quantum_status.value for f in signatures} == {"hybrid"}


def test_classical_strengths(tmp_path: Path, pki: Pki) -> None:
    weak = tmp_path / "weak.crt"
    weak.write_bytes(b.issue(k.rsa_key(1024), "CN=legacy", pki.root, hash_name="sha1").pem)
    got = {(f.usage.value, f.algorithm, f.parameter): f for f in scan(weak).findings}
    assert got[("authentication", "RSA", "1024")].quantum_status.value == "classically-broken"
    assert got[("authentication", "RSA", "1024")].classical_bits == 80
    assert got[("hash", "SHA-1", "")].quantum_status.value == "classically-broken"
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(pki.ec_leaf.pem)
    ec = by_usage(scan(leaf))["authentication"]
    assert (ec.algorithm, ec.parameter, ec.classical_bits) == ("ECDSA", "P-256", 128)


def test_bundle_and_keystore_are_containers(tmp_path: Path, pki: Pki) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b.pem_bundle([pki.ec_leaf, pki.issuing, pki.root]))
    item = scan(bundle)
    files = [a for a in item.assets if a.type is AssetType.FILE]
    assert [a.fingerprint for a in files] == [str(bundle)]
    contained = [lk for lk in item.links if lk.relation is Relation.CONTAINS]
    assert len(contained) == 3
    single = tmp_path / "single.pem"
    single.write_bytes(pki.root.pem)
    assert [a.type for a in scan(single).assets] == [AssetType.CERTIFICATE]


def test_private_key_file_contains_its_key(tmp_path: Path) -> None:
    path = tmp_path / "server.key"
    path.write_bytes(b.private_key_pem(k.rsa_key(2048)))
    item = scan(path)
    assert {a.type for a in item.assets} == {AssetType.FILE, AssetType.KEY}
    [link] = item.links
    assert link.relation is Relation.CONTAINS and link.target.type is AssetType.KEY


def test_huge_crypto_file_is_reported_not_read(tmp_path: Path) -> None:
    path = broken.sparse_pem_file(tmp_path / "huge.pem")
    item = scan(path)
    [error] = item.errors
    assert error.kind is ErrorKind.TOO_LARGE and "over the" in error.message
    small = tmp_path / "c.pem"
    small.write_bytes(b"-----BEGIN CERTIFICATE-----\n" + b"A" * 4000)
    assert scan(small, max_size=1000).errors[0].kind is ErrorKind.TOO_LARGE


def test_huge_non_crypto_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "disk.img"
    with path.open("wb") as fh:
        fh.truncate(3 * 1024**3)
    assert scan(path).skipped


def test_unreadable_file_is_an_error(open_tmp: Path, pki: Pki) -> None:
    path = broken.unreadable_file(open_tmp / "locked.pem", pki.root)
    with unprivileged():
        item = scan(path)
    assert [e.kind for e in item.errors] == [ErrorKind.UNREADABLE]


def test_a_scan_of_many_files_survives_bad_ones(tmp_path: Path, pki: Pki) -> None:
    for i in range(40):
        (tmp_path / f"c{i:02}.pem").write_bytes(pki.root.pem if i % 2 else pki.ec_leaf.pem)
    broken.truncated_der_certificate(tmp_path / "t.der", pki.root)
    broken.pem_with_garbage_body(tmp_path / "g.pem")
    broken.random_garbage(tmp_path / "noise.bin")
    broken.symlink_loop(tmp_path / "loop")
    items = list(CertificateCollector(CertScanOptions((tmp_path,))).collect())
    errors = {Path(e.locator).name: e.kind for i in items for e in i.errors}
    assert errors == {
        "t.der": ErrorKind.MALFORMED,
        "g.pem": ErrorKind.MALFORMED,
        "loop-a.pem": ErrorKind.SYMLINK_LOOP,
        "loop-b.pem": ErrorKind.SYMLINK_LOOP,
    }
    assert sum(1 for i in items if i.findings) == 40


def test_passwords_and_private_keys_never_reach_the_results(tmp_path: Path, pki: Pki) -> None:
    secret = "Tr0ub4dor&3-unique-canary"
    (tmp_path / "store.p12").write_bytes(b.pkcs12(pki.rsa_key, [pki.rsa_leaf], secret))
    (tmp_path / "k.pem").write_bytes(b.encrypted_pkcs8_pem(pki.ec_key, secret))
    plain = b.private_key_pem(pki.ed_key)
    (tmp_path / "ed.pem").write_bytes(plain)
    collector = CertificateCollector(CertScanOptions((tmp_path,), passwords=(secret,)))
    items = list(collector.collect())
    blob = pickle.dumps(items) + repr(collector.arguments()).encode()
    assert secret.encode() not in blob
    assert plain.split(b"\n")[1] not in blob  # the base64 body of the private key
    assert sum(len(i.findings) for i in items) > 5


def test_rsa_pss_signature_digest_comes_from_its_parameters(tmp_path: Path, pki: Pki) -> None:
    path = tmp_path / "pss.crt"
    path.write_bytes(b.issue(pki.ed_key, "CN=pss", pki.root, pss=True, hash_name="sha384").pem)
    got = {(f.usage.value, f.algorithm, f.parameter) for f in scan(path).findings}
    assert ("signature", "RSASSA-PSS", "3072") in got
    assert ("hash", "SHA-384", "") in got
