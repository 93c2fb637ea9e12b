"""Seeded fixtures: the same seed gives the same keys, certificates and signatures, and they are
real (they verify); without a seed everything is fresh."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, padding, rsa
from cryptography.hazmat.primitives.serialization import load_ssh_public_identity

from pqcscan.demo.builders import entropy, issue, ssh
from pqcscan.demo.builders import keys as k

NAMES = [
    "RSA-2048",
    "DSA-2048",
    "EC-P-256",
    "EC-P-521",
    "EC-secp256k1",
    "EC-brainpoolP512r1",
    "Ed25519",
    "Ed448",
    "X25519",
    "X448",
    "DH",
    "ML-DSA-44",
    "ML-KEM-768",
    "MLDSA65-ECDSA-P256-SHA512",
]


def build(seed: bytes | None) -> list[bytes]:
    def run() -> list[bytes]:
        out = [k.key(name).spki_der for name in NAMES]
        root = issue(k.key("RSA-2048"), "CN=Root", hash_name="sha256", pss=True)
        out += [root.der, issue(k.key("DSA-2048"), "CN=Leaf DSA").der]
        out.append(ssh.user_certificate_line(k.ed25519_key(), k.ed25519_key()).encode())
        return out

    if seed is None:
        return run()
    with entropy.deterministic(seed):
        return run()


def test_the_same_seed_reproduces_everything_and_others_do_not() -> None:
    first, again = build(b"one"), build(b"one")
    assert first == again
    other, unseeded = build(b"two"), build(None)
    assert all(a != b for a, b in zip(first, other, strict=True))
    assert all(a != b for a, b in zip(first, unseeded, strict=True))
    assert not entropy.seeded()


def test_seeded_signatures_are_real() -> None:
    with entropy.deterministic(b"verify"):
        rsa_key, dsa_key = k.rsa_key(2048), k.dsa_key(2048)
        pss = rsa_key.sign(b"message", "sha256", pss=True)
        dss = dsa_key.sign(b"message", "sha256")
        line = ssh.user_certificate_line(k.ed25519_key(), k.ed25519_key())
    public = rsa_key.classical.public_key()  # type: ignore[union-attr]
    assert isinstance(public, rsa.RSAPublicKey)
    pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    public.verify(pss, b"message", pad, hashes.SHA256())
    dsa_public = dsa_key.classical.public_key()  # type: ignore[union-attr]
    assert isinstance(dsa_public, dsa.DSAPublicKey)
    dsa_public.verify(dss, b"message", hashes.SHA256())
    certificate = load_ssh_public_identity(line.encode())
    certificate.verify_cert_signature()  # type: ignore[union-attr]


def test_seeded_keys_have_the_sizes_asked_for() -> None:
    with entropy.deterministic(b"sizes"):
        assert k.rsa_key(3072).algorithm == "RSA-3072"
        assert k.dsa_key(1024).algorithm == "DSA-1024"
        assert k.ec_key("P-384").algorithm == "EC-P-384"


def test_a_deterministic_block_restores_the_previous_source() -> None:
    with entropy.deterministic(b"outer"):
        with entropy.deterministic(b"inner"):
            inner = entropy.random_bytes("x", 8)
        assert entropy.seeded()
    assert not entropy.seeded()
    with entropy.deterministic(b"inner"):
        assert entropy.random_bytes("x", 8) == inner
    with pytest.raises(ValueError, match="Ed25519 CA"), entropy.deterministic(b"ca"):
        ssh.user_certificate_line(k.ec_key("P-256"), k.ed25519_key())
