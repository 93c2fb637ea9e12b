"""Private- and public-key files in every common encoding.

Private keys: PKCS#1 (``RSA PRIVATE KEY``), SEC1 (``EC PRIVATE KEY``), DSA traditional, PKCS#8
(``PRIVATE KEY``, any algorithm including PQC), encrypted PKCS#8 (PBES2 AES-256/PBKDF2-SHA256,
PBES1 MD5-DES, PKCS#12-PBE 3DES; ``ENCRYPTED PRIVATE KEY``) and OpenSSL traditional encrypted PEM
with ``Proc-Type``/``DEK-Info``. Public keys: SPKI (``PUBLIC KEY``, PEM or DER, any algorithm)
and PKCS#1 (``RSA PUBLIC KEY``).
"""

from __future__ import annotations

from enum import StrEnum

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

from pqcscan.demo.builders import _asn1 as asn1
from pqcscan.demo.builders.keys import FixtureKey
from pqcscan.demo.builders.pbe import (
    PemCipher,
    Pkcs8Scheme,
    encrypted_pkcs8,
    traditional_encrypted_pem,
)


class PrivateKeyFormat(StrEnum):
    """Private-key container formats."""

    PKCS1 = "pkcs1"  # RSA only
    SEC1 = "sec1"  # EC only
    TRADITIONAL = "traditional"  # PKCS#1 for RSA, SEC1 for EC, OpenSSL's DSA structure for DSA
    PKCS8 = "pkcs8"


def traditional_der(key: FixtureKey) -> tuple[str, bytes]:
    """(PEM label, DER) of the pre-PKCS#8 "traditional" encoding of an RSA, EC or DSA key."""
    private = key.classical
    labels = {rsa.RSAPrivateKey: "RSA PRIVATE KEY", ec.EllipticCurvePrivateKey: "EC PRIVATE KEY"}
    labels[dsa.DSAPrivateKey] = "DSA PRIVATE KEY"
    for cls, label in labels.items():
        if isinstance(private, cls) and not key.is_pqc:
            assert private is not None
            der = private.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
            return label, der
    raise ValueError(f"{key.algorithm} has no traditional (PKCS#1/SEC1/DSA) encoding")


def private_key_der(key: FixtureKey, fmt: PrivateKeyFormat = PrivateKeyFormat.PKCS8) -> bytes:
    """Unencrypted private-key DER."""
    if fmt is PrivateKeyFormat.PKCS8:
        return key.pkcs8_der
    label, der = traditional_der(key)
    if fmt is PrivateKeyFormat.PKCS1 and label != "RSA PRIVATE KEY":
        raise ValueError("PKCS#1 is for RSA keys")
    if fmt is PrivateKeyFormat.SEC1 and label != "EC PRIVATE KEY":
        raise ValueError("SEC1 is for EC keys")
    return der


def private_key_pem(
    key: FixtureKey, fmt: PrivateKeyFormat = PrivateKeyFormat.PKCS8, *, form: str = "default"
) -> bytes:
    """Unencrypted private-key PEM with the label that goes with ``fmt``; for PKCS#8 of ML-DSA
    and ML-KEM keys, ``form`` picks the private-key CHOICE arm ("seed", "expanded", "both")."""
    if fmt is PrivateKeyFormat.PKCS8:
        return asn1.pem("PRIVATE KEY", key.pkcs8(form))
    label, _ = traditional_der(key)
    return asn1.pem(label, private_key_der(key, fmt))


def encrypted_pkcs8_der(
    key: FixtureKey,
    password: str,
    scheme: Pkcs8Scheme = "pbes2-aes256",
    *,
    iterations: int = 2048,
    seed: bytes | None = None,
) -> bytes:
    """EncryptedPrivateKeyInfo DER (works for PQC keys too)."""
    return encrypted_pkcs8(key.pkcs8_der, password, scheme, iterations=iterations, seed=seed)


def encrypted_pkcs8_pem(
    key: FixtureKey,
    password: str,
    scheme: Pkcs8Scheme = "pbes2-aes256",
    *,
    iterations: int = 2048,
    seed: bytes | None = None,
) -> bytes:
    """``-----BEGIN ENCRYPTED PRIVATE KEY-----``."""
    der = encrypted_pkcs8_der(key, password, scheme, iterations=iterations, seed=seed)
    return asn1.pem("ENCRYPTED PRIVATE KEY", der)


def dek_info_pem(
    key: FixtureKey, password: str, cipher: PemCipher = "AES-128-CBC", *, seed: bytes | None = None
) -> bytes:
    """OpenSSL traditional encrypted PEM (``Proc-Type: 4,ENCRYPTED``, ``DEK-Info: <cipher>,<iv>``)
    around the PKCS#1/SEC1/DSA structure."""
    label, der = traditional_der(key)
    return traditional_encrypted_pem(der, label, password, cipher, seed=seed)


def public_key_der(key: FixtureKey) -> bytes:
    """SubjectPublicKeyInfo DER."""
    return key.spki_der


def public_key_pem(key: FixtureKey) -> bytes:
    """``-----BEGIN PUBLIC KEY-----`` (SPKI, any algorithm)."""
    return asn1.pem("PUBLIC KEY", key.spki_der)


def rsa_public_key_pem(key: FixtureKey) -> bytes:
    """``-----BEGIN RSA PUBLIC KEY-----`` (PKCS#1 RSAPublicKey)."""
    if not isinstance(key.classical, rsa.RSAPrivateKey):
        raise ValueError("PKCS#1 public keys are RSA only")
    return key.classical.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    )
