"""Key files (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8, DEK-Info PEM, public keys) and containers
(PEM bundles, PKCS#7, PKCS#12), read back by cryptography and openssl."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc5208, rfc8018

from pqcscan.demo.builders import containers, keyfiles, keys, oids
from pqcscan.demo.builders.containers import P12Encryption
from pqcscan.demo.builders.keyfiles import PrivateKeyFormat
from pqcscan.demo.builders.keys import FixtureKey
from pqcscan.demo.builders.x509 import FixtureCert

from .conftest import needs_keytool, needs_openssl, openssl, run, write

PW = "s3cret-pw"


def same_key(loaded: object, key: FixtureKey) -> bool:
    public = loaded.public_key()  # type: ignore[attr-defined]
    spki = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return bool(spki == key.spki_der)


@pytest.mark.parametrize(
    ("name", "fmt", "label"),
    [
        ("RSA-2048", PrivateKeyFormat.PKCS1, "RSA PRIVATE KEY"),
        ("RSA-2048", PrivateKeyFormat.TRADITIONAL, "RSA PRIVATE KEY"),
        ("EC-P-256", PrivateKeyFormat.SEC1, "EC PRIVATE KEY"),
        ("DSA-2048", PrivateKeyFormat.TRADITIONAL, "DSA PRIVATE KEY"),
        ("Ed25519", PrivateKeyFormat.PKCS8, "PRIVATE KEY"),
        ("X448", PrivateKeyFormat.PKCS8, "PRIVATE KEY"),
        ("EC-brainpoolP384r1", PrivateKeyFormat.PKCS8, "PRIVATE KEY"),
    ],
)
def test_plain_private_keys_load(name: str, fmt: PrivateKeyFormat, label: str) -> None:
    key = keys.key(name)
    pem = keyfiles.private_key_pem(key, fmt)
    assert pem.startswith(f"-----BEGIN {label}-----\n".encode())
    assert same_key(serialization.load_pem_private_key(pem, None), key)
    assert same_key(
        serialization.load_der_private_key(keyfiles.private_key_der(key, fmt), None), key
    )


def test_format_mismatches_are_refused() -> None:
    with pytest.raises(ValueError, match="PKCS#1 is for RSA"):
        keyfiles.private_key_der(keys.ec_key(), PrivateKeyFormat.PKCS1)
    with pytest.raises(ValueError, match="SEC1 is for EC"):
        keyfiles.private_key_der(keys.rsa_key(), PrivateKeyFormat.SEC1)
    with pytest.raises(ValueError, match="no traditional"):
        keyfiles.private_key_pem(keys.ml_dsa_key(44), PrivateKeyFormat.TRADITIONAL)


@pytest.mark.parametrize("scheme", ["pbes2-aes256", "pbes2-aes128", "pkcs12-3des"])
def test_encrypted_pkcs8_loads_in_cryptography(scheme: str) -> None:
    key = keys.ec_key("P-384")
    pem = keyfiles.encrypted_pkcs8_pem(key, PW, scheme)  # type: ignore[arg-type]
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert same_key(serialization.load_pem_private_key(pem, PW.encode()), key)
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(pem, b"wrong")


def test_pbes2_parameters_decrypt_independently() -> None:
    """Read the PBES2 parameters from the file with pyasn1 and decrypt with hashlib + AES."""
    key = keys.ml_dsa_key(44, seed="enc")
    der = keyfiles.encrypted_pkcs8_der(key, PW)
    info, _ = decoder.decode(der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    assert str(info["encryptionAlgorithm"]["algorithm"]) == oids.PBES2
    params, _ = decoder.decode(
        bytes(info["encryptionAlgorithm"]["parameters"]), asn1Spec=rfc8018.PBES2_params()
    )
    kdf, _ = decoder.decode(
        bytes(params["keyDerivationFunc"]["parameters"]), asn1Spec=rfc8018.PBKDF2_params()
    )
    assert str(kdf["prf"]["algorithm"]) == oids.HMAC_SHA256
    assert str(params["encryptionScheme"]["algorithm"]) == oids.AES256_CBC
    iv, _ = decoder.decode(bytes(params["encryptionScheme"]["parameters"]))
    salt = bytes(kdf["salt"]["specified"])
    aes_key = hashlib.pbkdf2_hmac("sha256", PW.encode(), salt, int(kdf["iterationCount"]), 32)
    dec = Cipher(algorithms.AES(aes_key), modes.CBC(bytes(iv))).decryptor()
    padded = dec.update(bytes(info["encryptedData"])) + dec.finalize()
    unpad = sym_padding.PKCS7(128).unpadder()
    assert unpad.update(padded) + unpad.finalize() == key.pkcs8_der


@needs_openssl
@pytest.mark.parametrize("scheme", ["pbes2-aes256", "pbes2-aes128", "pbes1-md5-des", "pkcs12-3des"])
def test_openssl_decrypts_encrypted_pkcs8(tmp_path: Path, scheme: str) -> None:
    key = keys.rsa_key(2048)
    path = write(tmp_path / "k.pem", keyfiles.encrypted_pkcs8_pem(key, PW, scheme))  # type: ignore[arg-type]
    legacy = ["-provider", "legacy", "-provider", "default"] if scheme == "pbes1-md5-des" else []
    out = openssl("pkey", *legacy, "-in", str(path), "-passin", f"pass:{PW}", "-pubout")
    assert out.returncode == 0, out.stderr
    assert (
        serialization.load_pem_public_key(out.stdout.encode()).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == key.spki_der
    )


@needs_openssl
@pytest.mark.parametrize("name", ["ML-KEM-768", "ML-DSA-87", "MLDSA65-ECDSA-P256-SHA512"])
def test_openssl_decrypts_pqc_pkcs8_up_to_the_unknown_algorithm(tmp_path: Path, name: str) -> None:
    """OpenSSL 3.0 decrypts the PKCS#8 and then stops at the algorithm it does not know: the
    error names our OID, which proves the decryption worked."""
    key = keys.key(name, seed="p")
    path = write(tmp_path / "k.pem", keyfiles.encrypted_pkcs8_pem(key, PW, "pkcs12-3des"))
    good = openssl("pkcs8", "-in", str(path), "-passin", f"pass:{PW}", "-outform", "DER")
    assert f"TYPE={key.oid}" in good.stderr
    bad = openssl("pkcs8", "-in", str(path), "-passin", "pass:wrong", "-outform", "DER")
    assert f"TYPE={key.oid}" not in bad.stderr and bad.returncode != 0


@pytest.mark.parametrize("cipher", ["AES-128-CBC", "AES-256-CBC", "DES-EDE3-CBC"])
@pytest.mark.parametrize("name", ["RSA-2048", "EC-P-256", "DSA-2048"])
def test_dek_info_pem_loads(name: str, cipher: str) -> None:
    key = keys.key(name)
    pem = keyfiles.dek_info_pem(key, PW, cipher)  # type: ignore[arg-type]
    lines = pem.decode().splitlines()
    assert lines[1] == "Proc-Type: 4,ENCRYPTED"
    assert lines[2].startswith(f"DEK-Info: {cipher},") and lines[3] == ""
    assert same_key(serialization.load_pem_private_key(pem, PW.encode()), key)


@needs_openssl
def test_openssl_reads_dek_info_pem(tmp_path: Path) -> None:
    path = write(
        tmp_path / "k.pem", keyfiles.dek_info_pem(keys.ec_key("P-384"), PW, "DES-EDE3-CBC")
    )
    assert openssl("pkey", "-in", str(path), "-passin", f"pass:{PW}", "-noout").returncode == 0
    assert openssl("pkey", "-in", str(path), "-passin", "pass:nope", "-noout").returncode != 0


def test_public_key_encodings() -> None:
    rsa_key = keys.rsa_key(2048)
    assert (
        serialization.load_pem_public_key(keyfiles.public_key_pem(rsa_key)).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == rsa_key.spki_der
    )
    pkcs1 = keyfiles.rsa_public_key_pem(rsa_key)
    assert pkcs1.startswith(b"-----BEGIN RSA PUBLIC KEY-----")
    serialization.load_pem_public_key(pkcs1)
    assert serialization.load_der_public_key(keyfiles.public_key_der(keys.ed448_key()))
    pq = keyfiles.public_key_pem(keys.ml_kem_key(1024))
    assert pq.startswith(b"-----BEGIN PUBLIC KEY-----")
    with pytest.raises(ValueError, match="RSA only"):
        keyfiles.rsa_public_key_pem(keys.ec_key())


# --------------------------------------------------------------------------- containers


def test_pem_bundle_with_text_and_crlf(
    rsa_ca: FixtureCert, ec_leaf: FixtureCert, mldsa_root: FixtureCert
) -> None:
    for crlf in (False, True):
        data = containers.pem_bundle([ec_leaf, rsa_ca, mldsa_root], crlf=crlf)
        assert data.startswith(b"# ")
        assert b"subject=CN=leaf.example.test" in data
        assert (b"\r\n" in data) is crlf
        loaded = cx509.load_pem_x509_certificates(data)
        assert [c.subject for c in loaded] == [ec_leaf.subject, rsa_ca.subject, mldsa_root.subject]
    plain = containers.pem_bundle([ec_leaf], commentary=False)
    assert plain == ec_leaf.pem


@needs_openssl
def test_pkcs7_certs_only_pem_and_der(
    tmp_path: Path, rsa_ca: FixtureCert, mldsa_leaf: FixtureCert
) -> None:
    pem = containers.pkcs7_certs([mldsa_leaf, rsa_ca])
    der = containers.pkcs7_certs([mldsa_leaf, rsa_ca], serialization.Encoding.DER)
    assert pem.startswith(b"-----BEGIN PKCS7-----")
    # certificates is a SET OF: DER sorts it, so compare without order
    assert {c.subject for c in pkcs7.load_pem_pkcs7_certificates(pem)} == {
        mldsa_leaf.subject,
        rsa_ca.subject,
    }
    assert len(pkcs7.load_der_pkcs7_certificates(der)) == 2
    out = openssl("pkcs7", "-in", str(write(tmp_path / "c.p7b", pem)), "-print_certs", "-noout")
    assert out.returncode == 0 and "CN = pq.example.test" in out.stdout
    out = openssl(
        "pkcs7",
        "-inform",
        "DER",
        "-in",
        str(write(tmp_path / "c.p7c", der)),
        "-print_certs",
        "-noout",
    )
    assert out.returncode == 0 and "CN = Test Root CA" in out.stdout


@pytest.mark.parametrize(
    "encryption", [P12Encryption.AES256, P12Encryption.LEGACY_3DES, P12Encryption.NONE]
)
@pytest.mark.parametrize("writer", ["auto", "own"])
def test_pkcs12_loads_in_cryptography(
    encryption: P12Encryption,
    writer: str,
    ec_key: FixtureKey,
    ec_leaf: FixtureCert,
    rsa_ca: FixtureCert,
) -> None:
    build = containers.pkcs12 if writer == "auto" else containers.pkcs12_structure
    password = None if encryption is P12Encryption.NONE else PW
    data = build(ec_key, [ec_leaf, rsa_ca], password, encryption, friendly_name="server")
    loaded = pkcs12.load_pkcs12(data, password.encode() if password else None)
    assert loaded.key is not None and same_key(loaded.key, ec_key)
    assert loaded.cert is not None and loaded.cert.certificate.subject == ec_leaf.subject
    assert loaded.cert.friendly_name == b"server"
    assert [c.certificate.subject for c in loaded.additional_certs] == [rsa_ca.subject]
    if password:
        with pytest.raises(ValueError):
            pkcs12.load_pkcs12(data, b"wrong")


@needs_openssl
@pytest.mark.parametrize(
    ("encryption", "expect"),
    [
        (P12Encryption.AES256, ["MAC: sha256", "AES-256-CBC", "PRF hmacWithSHA256"]),
        (P12Encryption.LEGACY_3DES, ["MAC: sha1", "pbeWithSHA1And3-KeyTripleDES-CBC"]),
        (
            P12Encryption.LEGACY_RC2_40,
            ["MAC: sha1", "pbeWithSHA1And40BitRC2-CBC", "pbeWithSHA1And3-KeyTripleDES-CBC"],
        ),
    ],
)
def test_openssl_reads_pkcs12(
    tmp_path: Path,
    encryption: P12Encryption,
    expect: list[str],
    rsa_leaf_key: FixtureKey,
    rsa_leaf: FixtureCert,
    rsa_ca: FixtureCert,
) -> None:
    path = write(
        tmp_path / "k.p12", containers.pkcs12(rsa_leaf_key, [rsa_leaf, rsa_ca], PW, encryption)
    )
    info = openssl(
        "pkcs12", "-legacy", "-in", str(path), "-info", "-noout", "-passin", f"pass:{PW}"
    )
    assert info.returncode == 0, info.stderr
    for text in expect:
        assert text in info.stdout + info.stderr
    keys_out = openssl(
        "pkcs12", "-legacy", "-in", str(path), "-nocerts", "-nodes", "-passin", f"pass:{PW}"
    )
    assert same_key(
        serialization.load_pem_private_key(keys_out.stdout.encode(), None), rsa_leaf_key
    )
    if encryption is P12Encryption.LEGACY_RC2_40:
        assert same_key(
            pkcs12.load_key_and_certificates(path.read_bytes(), PW.encode())[0], rsa_leaf_key
        )


@needs_openssl
@pytest.mark.parametrize("encryption", [P12Encryption.AES256, P12Encryption.LEGACY_3DES])
def test_pkcs12_with_ml_dsa_key(
    tmp_path: Path, encryption: P12Encryption, mldsa_leaf: FixtureCert, mldsa_root: FixtureCert
) -> None:
    """Our writer holds PQC keys: openssl verifies the MAC, decrypts the certificates, and
    decrypts the key bag up to the algorithm it does not know."""
    path = write(
        tmp_path / "pq.p12",
        containers.pkcs12(mldsa_leaf.key, [mldsa_leaf, mldsa_root], PW, encryption),
    )
    certs = openssl("pkcs12", "-legacy", "-in", str(path), "-nokeys", "-passin", f"pass:{PW}")
    assert certs.returncode == 0, certs.stderr
    assert [c.subject for c in cx509.load_pem_x509_certificates(certs.stdout.encode())] == [
        mldsa_leaf.subject,
        mldsa_root.subject,
    ]
    key_out = openssl(
        "pkcs12", "-legacy", "-in", str(path), "-nocerts", "-nodes", "-passin", f"pass:{PW}"
    )
    assert f"TYPE={oids.ML_DSA[44]}" in key_out.stderr
    wrong = openssl(
        "pkcs12", "-legacy", "-in", str(path), "-info", "-noout", "-passin", "pass:wrong"
    )
    assert "Mac verify error" in wrong.stderr


def test_pkcs12_with_ml_dsa_key_holds_the_right_pkcs8(
    mldsa_leaf: FixtureCert, mldsa_root: FixtureCert
) -> None:
    """Without a password the key bag is plain: read it with pyasn1 and compare."""
    data = containers.pkcs12(mldsa_leaf.key, [mldsa_leaf, mldsa_root], None, P12Encryption.NONE)
    assert mldsa_leaf.key.pkcs8_der in data
    assert mldsa_leaf.der in data and mldsa_root.der in data


@needs_keytool
def test_java_reads_pkcs12_trust_store(
    tmp_path: Path, rsa_ca: FixtureCert, mldsa_root: FixtureCert
) -> None:
    path = write(
        tmp_path / "truststore.p12",
        containers.pkcs12(None, [rsa_ca, mldsa_root], PW, java_trusted=True, friendly_name="roots"),
    )
    out = run(
        ["keytool", "-list", "-keystore", str(path), "-storepass", PW, "-storetype", "PKCS12"]
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Your keystore contains 2 entries" in out.stdout
    assert out.stdout.count("trustedCertEntry") == 2
    assert "roots-0" in out.stdout and "roots-1" in out.stdout


def test_pkcs12_trust_store_without_java_attributes_loads(
    rsa_ca: FixtureCert, ec_leaf: FixtureCert
) -> None:
    data = containers.pkcs12(None, [rsa_ca, ec_leaf], PW)
    loaded = pkcs12.load_pkcs12(data, PW.encode())
    assert loaded.key is None and len(loaded.additional_certs) == 2


def test_rc2_pkcs12_without_openssl_is_reported(
    monkeypatch: pytest.MonkeyPatch, rsa_leaf_key: FixtureKey, rsa_leaf: FixtureCert
) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)
    with pytest.raises(keys.FixtureUnavailable, match="openssl"):
        containers.pkcs12(rsa_leaf_key, [rsa_leaf], PW, P12Encryption.LEGACY_RC2_40)
    with pytest.raises(ValueError, match="RC2-40"):
        containers.pkcs12_structure(rsa_leaf_key, [rsa_leaf], PW, P12Encryption.LEGACY_RC2_40)
