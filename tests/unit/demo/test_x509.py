"""Certificates and requests for any subject key signed by any issuer key, proven by
``cryptography`` (parse + classical verification), dilithium-py, slhdsa and ``openssl``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87

from pqcscan.demo.builders import keys, oids
from pqcscan.demo.builders.keys import FixtureKey, KeyFamily
from pqcscan.demo.builders.x509 import FixtureCert, csr, issue

from .conftest import needs_openssl, needs_slhdsa, openssl, slh_params, write

ML_DSA = {oids.ML_DSA[44]: ML_DSA_44, oids.ML_DSA[65]: ML_DSA_65, oids.ML_DSA[87]: ML_DSA_87}


def verify_signature(cert: cx509.Certificate, issuer: FixtureCert) -> None:
    """Check the certificate signature with a reader that is not the builder."""
    issuer_key = issuer.key
    sig_oid = cert.signature_algorithm_oid.dotted_string
    tbs, sig = cert.tbs_certificate_bytes, cert.signature
    if sig_oid in ML_DSA:
        assert ML_DSA[sig_oid].verify(issuer_key.public_key_bits, tbs, sig)
    elif sig_oid in oids.SLH_DSA.values():
        import slhdsa

        par = {oids.SLH_DSA["SHA2-128f"]: slh_params("sha2_128f")}[sig_oid]
        assert slhdsa.PublicKey.from_digest(issuer_key.public_key_bits, par).verify_pure(tbs, sig)
    elif sig_oid in oids.COMPOSITE_ML_DSA.values():
        name = next(n for n, o in oids.COMPOSITE_ML_DSA.items() if o == sig_oid)
        profile = keys.COMPOSITE_PROFILES[name]
        size = keys.ML_DSA_SIZES[profile.level]
        m_prime = keys.composite_message(name, tbs)
        impl = ML_DSA[oids.ML_DSA[profile.level]]
        pk = issuer_key.public_key_bits
        assert impl.verify(pk[: size[0]], m_prime, sig[: size[2]], ctx=f"COMPSIG-{name}".encode())
        point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pk[size[0] :])
        point.verify(sig[size[2] :], m_prime, ec.ECDSA(hashes.SHA256()))
    elif sig_oid == oids.SHA1_WITH_RSA:  # cryptography's verify_directly_issued_by refuses SHA-1
        public = serialization.load_der_public_key(issuer_key.spki_der)
        assert isinstance(public, rsa.RSAPublicKey)
        public.verify(sig, tbs, padding.PKCS1v15(), hashes.SHA1())
    else:
        cert.verify_directly_issued_by(issuer.load())


PAIRS = [
    ("RSA-2048", "EC-P-256", {}),
    ("RSA-2048", "ML-DSA-87", {}),
    ("RSA-2048", "ML-KEM-768", {"key_usage": ("key_encipherment",)}),
    ("RSA-2048", "X25519", {"key_usage": ("key_agreement",)}),
    ("RSA-2048", "DH", {"key_usage": ("key_agreement",)}),
    ("RSA-2048", "RSA-2048", {"pss": True, "hash_name": "sha256"}),
    ("RSA-2048", "RSA-1024", {"hash_name": "sha1"}),
    ("EC-P-384", "Ed25519", {}),
    ("EC-P-521", "EC-secp256k1", {}),
    ("Ed25519", "Ed448", {}),
    ("Ed448", "RSA-2048", {}),
    ("DSA-2048", "EC-brainpoolP256r1", {"hash_name": "sha256"}),
    ("ML-DSA-65", "ML-DSA-44", {}),
    ("ML-DSA-44", "RSA-2048", {}),
    ("ML-DSA-87", "ML-KEM-1024", {"key_usage": ("key_encipherment",)}),
    ("MLDSA65-ECDSA-P256-SHA512", "ML-DSA-65", {}),
]


@pytest.mark.parametrize(("issuer_name", "subject_name", "options"), PAIRS)
def test_any_key_signed_by_any_key(
    issuer_name: str, subject_name: str, options: dict[str, Any]
) -> None:
    issuer_key = keys.key(issuer_name, seed="issuer")
    ca = issue(issuer_key, f"CN={issuer_name} CA", ca=True, path_length=0)
    subject_key = keys.key(subject_name, seed="subject")
    cert = issue(
        subject_key, f"CN={subject_name} leaf,O=Example", ca, san=["leaf.example.test"], **options
    )
    loaded = cert.load()
    assert loaded.public_key_algorithm_oid.dotted_string == subject_key.oid
    assert loaded.issuer == ca.subject
    verify_signature(loaded, ca)
    verify_signature(ca.load(), ca)  # the self-signed CA too
    aki = loaded.extensions.get_extension_for_class(cx509.AuthorityKeyIdentifier).value
    ski = ca.load().extensions.get_extension_for_class(cx509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    if subject_key.is_pqc:
        with pytest.raises(Exception):  # noqa: B017 - cryptography 46 cannot load PQC keys
            loaded.public_key()


def test_signature_algorithm_oids_match_the_issuer() -> None:
    cases = [
        (keys.rsa_key(2048), None, False, oids.SHA256_WITH_RSA),
        (keys.rsa_key(2048), "sha384", True, oids.RSASSA_PSS),
        (keys.ec_key("P-384"), None, False, oids.ECDSA_WITH_SHA384),
        (keys.ed25519_key(), None, False, oids.ED25519),
        (keys.ml_dsa_key(65), None, False, oids.ML_DSA[65]),
        (
            keys.composite_ml_dsa_key(),
            None,
            False,
            oids.COMPOSITE_ML_DSA["MLDSA65-ECDSA-P256-SHA512"],
        ),
    ]
    for key, h, pss, oid in cases:
        cert = issue(key, "CN=x", hash_name=h, pss=pss).load()  # type: ignore[arg-type]
        assert cert.signature_algorithm_oid.dotted_string == oid


@needs_slhdsa
def test_slh_dsa_self_signed_certificate_verifies_with_slhdsa() -> None:
    key = keys.slh_dsa_key("SHA2-128f", seed="cert")
    cert = issue(key, "CN=SLH-DSA Root", ca=True, key_usage=("key_cert_sign",))
    loaded = cert.load()
    assert loaded.signature_algorithm_oid.dotted_string == oids.SLH_DSA["SHA2-128f"]
    verify_signature(loaded, cert)


def test_structure_only_slh_dsa_certificate_signed_by_rsa(rsa_ca: FixtureCert) -> None:
    key = keys.slh_dsa_structure_only("SHA2-128s", seed="x")
    loaded = issue(key, "CN=slh", rsa_ca).load()
    assert loaded.public_key_algorithm_oid.dotted_string == oids.SLH_DSA["SHA2-128s"]
    verify_signature(loaded, rsa_ca)
    with pytest.raises(ValueError, match="cannot sign"):
        issue(keys.rsa_key(2048), "CN=x", issue(key, "CN=slh-ca", rsa_ca))


def test_extensions_are_what_was_asked(rsa_ca: FixtureCert) -> None:
    cert = issue(
        keys.ml_dsa_key(44),
        "CN=api.example.test,O=Example Bank,C=GB",
        rsa_ca,
        serial=4242,
        ca=False,
        key_usage=("digital_signature",),
        extended_key_usage=("serverAuth", "clientAuth", "1.3.6.1.4.1.99999.1"),
        san=["api.example.test", "10.1.2.3", "ops@example.test", "https://example.test/x"],
        not_before=datetime(2024, 6, 1, tzinfo=UTC),
        days=90,
    ).load()
    assert cert.serial_number == 4242
    assert cert.version is cx509.Version.v3
    assert cert.not_valid_before_utc == datetime(2024, 6, 1, tzinfo=UTC)
    assert cert.not_valid_after_utc == datetime(2024, 8, 30, tzinfo=UTC)
    ext = cert.extensions
    bc = ext.get_extension_for_class(cx509.BasicConstraints)
    assert bc.critical and not bc.value.ca
    ku = ext.get_extension_for_class(cx509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and not ku.value.key_encipherment
    eku = ext.get_extension_for_class(cx509.ExtendedKeyUsage).value
    assert (
        ExtendedKeyUsageOID.SERVER_AUTH in eku
        and cx509.ObjectIdentifier("1.3.6.1.4.1.99999.1") in eku
    )
    san = ext.get_extension_for_class(cx509.SubjectAlternativeName).value
    assert san.get_values_for_type(cx509.DNSName) == ["api.example.test"]
    assert [str(ip) for ip in san.get_values_for_type(cx509.IPAddress)] == ["10.1.2.3"]
    assert san.get_values_for_type(cx509.RFC822Name) == ["ops@example.test"]
    assert san.get_values_for_type(cx509.UniformResourceIdentifier) == ["https://example.test/x"]


def test_ca_path_length_and_generalized_time() -> None:
    cert = issue(
        keys.ec_key("P-256"),
        "CN=Long Root",
        ca=True,
        path_length=2,
        not_before=datetime(2040, 1, 1, tzinfo=UTC),
        days=365 * 20,
    ).load()
    bc = cert.extensions.get_extension_for_class(cx509.BasicConstraints).value
    assert bc.ca and bc.path_length == 2
    assert cert.not_valid_after_utc.year == 2059  # encoded as GeneralizedTime (>= 2050)
    assert b"\x18\x0f2059" in cert.tbs_certificate_bytes


def test_v1_certificate_has_no_extensions(rsa_ca: FixtureCert) -> None:
    cert = issue(keys.rsa_key(2048), "CN=v1 host", rsa_ca, version=1, hash_name="sha1").load()
    assert cert.version is cx509.Version.v1
    assert len(cert.extensions) == 0
    verify_signature(cert, rsa_ca)


def test_classical_issuer_verifies_with_verify_directly_issued_by(rsa_ca: FixtureCert) -> None:
    leaf = issue(keys.ml_dsa_key(87), "CN=pq", rsa_ca).load()
    leaf.verify_directly_issued_by(rsa_ca.load())
    ec_ca = issue(keys.ec_key("P-384"), "CN=EC CA", ca=True)
    issue(keys.ed25519_key(), "CN=ed", ec_ca).load().verify_directly_issued_by(ec_ca.load())


def test_ml_dsa_root_and_leaf_verify_with_dilithium(
    mldsa_root: FixtureCert, mldsa_leaf: FixtureCert
) -> None:
    root, leaf = mldsa_root.load(), mldsa_leaf.load()
    assert ML_DSA_65.verify(
        mldsa_root.key.public_key_bits, root.tbs_certificate_bytes, root.signature
    )
    assert ML_DSA_65.verify(
        mldsa_root.key.public_key_bits, leaf.tbs_certificate_bytes, leaf.signature
    )
    assert not ML_DSA_65.verify(
        mldsa_root.key.public_key_bits, leaf.tbs_certificate_bytes + b"x", leaf.signature
    )


def test_pqc_seeded_certificates_are_reproducible() -> None:
    a = issue(keys.ml_dsa_key(44, seed="same"), "CN=same", ca=True)
    b = issue(keys.ml_dsa_key(44, seed="same"), "CN=same", ca=True)
    assert a.der == b.der


def test_key_agreement_key_cannot_issue() -> None:
    with pytest.raises(ValueError, match="cannot sign"):
        issue(keys.x25519_key(), "CN=self-signed x25519")


@needs_openssl
@pytest.mark.parametrize(
    "subject_name",
    ["RSA-2048", "EC-P-384", "Ed25519", "ML-DSA-65", "ML-KEM-512", "MLDSA44-Ed25519-SHA512"],
)
def test_openssl_reads_the_certificate_structure(
    tmp_path: Path, rsa_ca: FixtureCert, subject_name: str
) -> None:
    key = keys.key(subject_name, seed="o")
    cert = issue(
        key, "CN=openssl.example.test,O=Example", rsa_ca, san=["openssl.example.test"], serial=77
    )
    pem = write(tmp_path / "c.pem", cert.pem)
    der = write(tmp_path / "c.der", cert.der)
    out = openssl(
        "x509",
        "-in",
        str(pem),
        "-noout",
        "-subject",
        "-issuer",
        "-serial",
        "-ext",
        "subjectAltName",
    )
    assert out.returncode == 0, out.stderr
    assert "CN = openssl.example.test" in out.stdout and "serial=4D" in out.stdout
    assert "DNS:openssl.example.test" in out.stdout
    assert (
        openssl("x509", "-inform", "DER", "-in", str(der), "-noout", "-fingerprint").returncode == 0
    )
    if not key.is_pqc:
        ca_file = write(tmp_path / "ca.pem", rsa_ca.pem)
        verify = openssl("verify", "-no_check_time", "-CAfile", str(ca_file), str(pem))
        assert verify.returncode == 0, verify.stdout + verify.stderr
    else:
        text = openssl("x509", "-in", str(pem), "-noout", "-text")
        assert key.oid in text.stdout


def test_csr_for_classical_key_verifies(rsa_leaf_key: FixtureKey) -> None:
    request = csr(
        rsa_leaf_key,
        "CN=portal.example.test,O=Example",
        san=["portal.example.test"],
        key_usage=("digital_signature",),
        extended_key_usage=("serverAuth",),
    )
    loaded = cx509.load_pem_x509_csr(request.pem)
    assert loaded.is_signature_valid
    assert loaded.subject.rfc4514_string() == "CN=portal.example.test,O=Example"
    san = loaded.extensions.get_extension_for_class(cx509.SubjectAlternativeName).value
    assert san.get_values_for_type(cx509.DNSName) == ["portal.example.test"]
    ed = csr(keys.ed25519_key(), "CN=ed")
    assert cx509.load_der_x509_csr(ed.der).is_signature_valid


def test_csr_for_ml_dsa_key_verifies_with_dilithium() -> None:
    key = keys.ml_dsa_key(65, seed="csr")
    loaded = cx509.load_der_x509_csr(csr(key, "CN=pq-portal", san=["pq.example.test"]).der)
    assert loaded.signature_algorithm_oid.dotted_string == oids.ML_DSA[65]
    assert ML_DSA_65.verify(key.public_key_bits, loaded.tbs_certrequest_bytes, loaded.signature)


def test_csr_refuses_kem_keys() -> None:
    with pytest.raises(ValueError, match="cannot sign"):
        csr(keys.ml_kem_key(768), "CN=kem")


@needs_openssl
def test_openssl_reads_requests(tmp_path: Path) -> None:
    classical = write(
        tmp_path / "r.csr", csr(keys.ec_key("P-256"), "CN=ec-req", san=["a.test"]).pem
    )
    out = openssl("req", "-in", str(classical), "-noout", "-verify", "-subject")
    assert out.returncode == 0 and "CN = ec-req" in out.stdout, out.stderr
    pq = write(tmp_path / "pq.csr", csr(keys.ml_dsa_key(44), "CN=pq-req").pem)
    out = openssl("req", "-in", str(pq), "-noout", "-subject")
    assert out.returncode == 0 and "CN = pq-req" in out.stdout, out.stderr


def test_key_family_of_built_certificates(mldsa_leaf: FixtureCert) -> None:
    assert mldsa_leaf.key.family is KeyFamily.ML_DSA
    assert mldsa_leaf.load().public_key_algorithm_oid.dotted_string == oids.ML_DSA[44]
