"""Builders of real fixture files: keys of every family (classical and PQC), certificates and
requests, PEM/DER/PKCS#7/PKCS#12 containers, Java keystores, OpenSSH files, and broken or
hostile files. Used by the demo (:mod:`pqcscan.demo.tree`) and by the tests.

Modules: :mod:`.keys` (``FixtureKey``), :mod:`.x509` (``issue``, ``csr``), :mod:`.keyfiles`,
:mod:`.containers`, :mod:`.java`, :mod:`.ssh`, :mod:`.broken`; :mod:`.pbe` and :mod:`.mlkem`
hold the password-based encryption and ML-KEM key generation they share.
"""

from __future__ import annotations

from pqcscan.demo.builders.containers import (
    P12Encryption,
    certificate_pem,
    pem_bundle,
    pkcs7_certs,
    pkcs12,
    pkcs12_structure,
)
from pqcscan.demo.builders.java import PrivateKeyEntry, TrustedCertEntry, jceks, jks
from pqcscan.demo.builders.keyfiles import (
    PrivateKeyFormat,
    dek_info_pem,
    encrypted_pkcs8_pem,
    private_key_pem,
    public_key_pem,
    rsa_public_key_pem,
)
from pqcscan.demo.builders.keys import (
    FixtureKey,
    FixtureUnavailable,
    KeyFamily,
    composite_ml_dsa_key,
    key,
    ml_dsa_key,
    ml_kem_key,
    slh_dsa_key,
)
from pqcscan.demo.builders.x509 import FixtureCert, FixtureCSR, csr, issue, name

__all__ = [
    "FixtureCSR",
    "FixtureCert",
    "FixtureKey",
    "FixtureUnavailable",
    "KeyFamily",
    "P12Encryption",
    "PrivateKeyEntry",
    "PrivateKeyFormat",
    "TrustedCertEntry",
    "certificate_pem",
    "composite_ml_dsa_key",
    "csr",
    "dek_info_pem",
    "encrypted_pkcs8_pem",
    "issue",
    "jceks",
    "jks",
    "key",
    "ml_dsa_key",
    "ml_kem_key",
    "name",
    "pem_bundle",
    "pkcs7_certs",
    "pkcs12",
    "pkcs12_structure",
    "private_key_pem",
    "public_key_pem",
    "rsa_public_key_pem",
    "slh_dsa_key",
]
