"""Java keystores: our JKS/JCEKS writers read by the real keytool, and keytool's own stores
checked against our format expectations."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from pqcscan.demo.builders import java, keys
from pqcscan.demo.builders.java import PrivateKeyEntry, TrustedCertEntry
from pqcscan.demo.builders.keys import FixtureKey
from pqcscan.demo.builders.pbe import java_keystore_digest
from pqcscan.demo.builders.x509 import FixtureCert

from .conftest import needs_keytool, needs_openssl, openssl, write

PW = "changeit"


def header(data: bytes) -> tuple[int, int, int]:
    magic, version, count = struct.unpack(">III", data[:12])
    return magic, version, count


def spki_of(private: object) -> bytes:
    public = private.public_key()  # type: ignore[attr-defined]
    return bytes(
        public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


@pytest.fixture(scope="module")
def entries(
    rsa_ca: FixtureCert,
    ec_key: FixtureKey,
    ec_leaf: FixtureCert,
    rsa_leaf_key: FixtureKey,
    rsa_leaf: FixtureCert,
) -> list[java.KeystoreEntry]:
    return [
        TrustedCertEntry("Bank-Root", rsa_ca),
        PrivateKeyEntry("gateway", rsa_leaf_key, [rsa_leaf, rsa_ca]),
        PrivateKeyEntry("api", ec_key, [ec_leaf, rsa_ca]),
    ]


@pytest.mark.parametrize(("store_type", "magic"), [("JKS", 0xFEEDFEED), ("JCEKS", 0xCECECECE)])
def test_layout_and_integrity_digest(
    entries: list[java.KeystoreEntry], store_type: java.StoreType, magic: int
) -> None:
    data = java.keystore(entries, PW, store_type, jceks_iterations=1000)
    assert header(data) == (magic, 2, 3)
    assert data[-20:] == java_keystore_digest(PW, data[:-20])
    # first entry: tag 2 (trusted cert), lower-cased alias, then the 8-byte timestamp
    tag, alias_len = struct.unpack(">IH", data[12:18])
    assert tag == 2 and data[18 : 18 + alias_len] == b"bank-root"


@needs_keytool
@pytest.mark.parametrize("store_type", ["JKS", "JCEKS"])
def test_keytool_lists_our_keystores(
    tmp_path: Path,
    entries: list[java.KeystoreEntry],
    store_type: java.StoreType,
    rsa_ca: FixtureCert,
) -> None:
    path = write(
        tmp_path / f"store.{store_type.lower()}",
        java.keystore(entries, PW, store_type, jceks_iterations=1000),
    )
    listing = java.keytool_list(path, PW, store_type)
    assert f"Keystore type: {store_type}" in listing
    assert "Your keystore contains 3 entries" in listing
    assert "Alias name: bank-root" in listing and "Alias name: gateway" in listing
    assert listing.count("Entry type: PrivateKeyEntry") == 2
    assert listing.count("Entry type: trustedCertEntry") == 1
    assert listing.count("Certificate chain length: 2") == 2
    assert "Signature algorithm name: SHA256withRSA" in listing
    assert "Subject Public Key Algorithm: 256-bit EC (secp256r1) key" in listing
    assert "Subject Public Key Algorithm: 2048-bit RSA key" in listing
    with pytest.raises(RuntimeError, match=r"password was incorrect|tampered"):
        java.keytool_list(path, "wrong-password", store_type)


@needs_keytool
@needs_openssl
@pytest.mark.parametrize("store_type", ["JKS", "JCEKS"])
def test_keytool_decrypts_our_private_keys(
    tmp_path: Path,
    entries: list[java.KeystoreEntry],
    store_type: str,
    rsa_leaf_key: FixtureKey,
    ec_key: FixtureKey,
) -> None:
    """keytool -importkeystore must undo our key protection to copy the keys into a PKCS#12,
    which cryptography then reads: the keys must be the ones we stored."""
    src = write(tmp_path / "src", java.keystore(entries, PW, store_type, jceks_iterations=1000))  # type: ignore[arg-type]
    dest = tmp_path / "dest.p12"
    result = java.run_keytool(
        "-importkeystore", "-noprompt", "-srckeystore", str(src), "-srcstoretype", store_type,
        "-srcstorepass:env", "{PASS}", "-destkeystore", str(dest), "-deststoretype", "PKCS12",
        "-deststorepass:env", "{PASS}", password=PW,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 entries successfully imported" in result.stdout + result.stderr
    dumped = openssl("pkcs12", "-in", str(dest), "-nocerts", "-nodes", "-passin", f"pass:{PW}")
    assert dumped.returncode == 0, dumped.stderr
    blocks = re.findall(
        r"-----BEGIN PRIVATE KEY-----.*?-----END PRIVATE KEY-----", dumped.stdout, re.S
    )
    stored = {spki_of(serialization.load_pem_private_key(b.encode(), None)) for b in blocks}
    assert stored == {rsa_leaf_key.spki_der, ec_key.spki_der}


@needs_keytool
def test_keytool_reads_a_private_key_entry_with_an_ml_dsa_key(
    tmp_path: Path, mldsa_leaf: FixtureCert, mldsa_root: FixtureCert
) -> None:
    store = java.jks([PrivateKeyEntry("pq", mldsa_leaf.key, [mldsa_leaf, mldsa_root])], PW)
    listing = java.keytool_list(write(tmp_path / "pq.jks", store), PW, "JKS")
    assert "Entry type: PrivateKeyEntry" in listing and "Certificate chain length: 2" in listing
    assert "2.16.840.1.101.3.4.3.17" in listing or "ML-DSA" in listing


@needs_keytool
def test_separate_key_password(
    tmp_path: Path, rsa_leaf_key: FixtureKey, rsa_leaf: FixtureCert
) -> None:
    store = java.jks([PrivateKeyEntry("k", rsa_leaf_key, [rsa_leaf], key_password="keypass")], PW)
    path = write(tmp_path / "k.jks", store)
    dest = tmp_path / "out.p12"
    ok = java.run_keytool(
        "-importkeystore", "-noprompt", "-srckeystore", str(path), "-srcstoretype", "JKS",
        "-srcstorepass", PW, "-srckeypass", "keypass", "-srcalias", "k", "-destkeystore", str(dest),
        "-deststoretype", "PKCS12", "-deststorepass", PW, "-destkeypass", PW,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    loaded = pkcs12.load_pkcs12(dest.read_bytes(), PW.encode())
    assert loaded.key is not None and spki_of(loaded.key) == rsa_leaf_key.spki_der


@needs_keytool
@pytest.mark.parametrize(("store_type", "magic"), [("JKS", 0xFEEDFEED), ("JCEKS", 0xCECECECE)])
def test_keystores_written_by_java_match_our_expectations(
    tmp_path: Path, store_type: str, magic: int, rsa_ca: FixtureCert
) -> None:
    path = tmp_path / f"java.{store_type.lower()}"
    java.keytool_genkeypair(path, "Server", PW, store_type, keyalg="EC", keysize=256)  # type: ignore[arg-type]
    cert_file = write(tmp_path / "ca.pem", rsa_ca.pem)
    java.keytool_importcert(path, "ca", cert_file, PW, store_type)  # type: ignore[arg-type]
    data = path.read_bytes()
    assert header(data) == (magic, 2, 2)
    assert data[-20:] == java_keystore_digest(PW, data[:-20])  # our digest = Java's digest
    assert rsa_ca.der in data


def test_keytool_missing_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(java, "keytool_path", lambda: None)
    with pytest.raises(keys.FixtureUnavailable, match="keytool"):
        java.run_keytool("-help")
