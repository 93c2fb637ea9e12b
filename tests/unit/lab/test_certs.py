"""Lab certificate chains: what the facts say is what the certificates hold, and OpenSSL 3.5
verifies the ML-DSA chain's real ML-DSA signatures."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from OpenSSL import SSL, crypto

from pqcscan.demo.builders import private_key_pem
from pqcscan.demo.lab.certs import (
    ECDSA_P384,
    ED25519,
    ML_DSA_65,
    RSA1024,
    RSA2048,
    RSA2048_SHA1,
    CertProfile,
    chain,
)


@pytest.mark.parametrize(
    ("profile", "key", "signature"),
    [
        (RSA2048, "RSA-2048", "sha256WithRSAEncryption"),
        (RSA2048_SHA1, "RSA-2048", "sha1WithRSAEncryption"),
        (RSA1024, "RSA-1024", "sha256WithRSAEncryption"),
        (ECDSA_P384, "EC-P-384", "ecdsa-with-SHA384"),
        (ED25519, "Ed25519", "id-Ed25519"),
        (ML_DSA_65, "ML-DSA-65", "id-ml-dsa-65"),
    ],
)
def test_chain_facts_match_the_certificates(profile: CertProfile, key: str, signature: str) -> None:
    lab_chain = chain(profile)
    facts = lab_chain.facts
    assert facts.key_algorithm == key and facts.signature_algorithm == signature
    assert len(facts.chain) == 2 and facts.root.self_signed and not facts.leaf.self_signed
    leaf = x509.load_der_x509_certificate(facts.leaf.der)
    root = x509.load_der_x509_certificate(facts.root.der)
    assert leaf.signature_algorithm_oid.dotted_string == facts.leaf.signature_oid
    assert leaf.public_key_algorithm_oid.dotted_string == facts.leaf.key_oid
    assert leaf.issuer == root.subject
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"] == list(facts.san)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert lab_chain.chain_pem.count(b"BEGIN CERTIFICATE") == 2
    assert chain(profile) is lab_chain  # built once per process


def test_openssl_35_verifies_the_ml_dsa_chain() -> None:
    facts = chain(ML_DSA_65).facts
    leaf = crypto.load_certificate(crypto.FILETYPE_ASN1, facts.leaf.der)
    root = crypto.load_certificate(crypto.FILETYPE_ASN1, facts.root.der)
    assert leaf.get_signature_algorithm() == b"ML-DSA-65"
    store = crypto.X509Store()
    store.add_cert(root)
    crypto.X509StoreContext(store, leaf).verify_certificate()  # raises if a signature is bad
    assert facts.pqc and not chain(RSA2048).facts.pqc


@pytest.mark.parametrize("form", ["seed", "expanded", "both"])
def test_openssl_35_loads_every_rfc9881_private_key_form(form: str, tmp_path: Path) -> None:
    """The lab writes the seed form; OpenSSL 3.5 also takes the other two."""
    leaf = chain(ML_DSA_65).leaf
    (tmp_path / "leaf.pem").write_bytes(leaf.pem)
    (tmp_path / "key.pem").write_bytes(private_key_pem(leaf.key, form=form))
    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.use_certificate_file(str(tmp_path / "leaf.pem"))
    ctx.use_privatekey_file(str(tmp_path / "key.pem"))
    ctx.check_privatekey()  # the private key matches the certificate's public key
