"""PKCS#12 files and Java keystores (ours and keytool's), with and without passwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqcscan.collectors.certs.formats import ParseOptions, parse, sniff
from pqcscan.collectors.certs.parsed import (
    KeyKind,
    ParsedCertificate,
    ParsedFile,
    ParsedKey,
    ParseFailure,
)
from pqcscan.demo import builders as b
from pqcscan.demo.builders import broken, java
from pqcscan.demo.builders import keys as k
from pqcscan.demo.builders.containers import P12Encryption
from pqcscan.results import ErrorKind
from tests.unit.collectors.certs.conftest import Pki, spki_sha256

PASSWORD = "changeit"
SHA256 = "oid:2.16.840.1.101.3.4.2.1"
SHA1 = "oid:1.3.14.3.2.26"
PBE_3DES = "oid:1.2.840.113549.1.12.1.3"
PBE_RC2_40 = "oid:1.2.840.113549.1.12.1.6"
JKS_PROTECTOR = "oid:1.3.6.1.4.1.42.2.17.1.1"
JCEKS_PBE = "oid:1.3.6.1.4.1.42.2.19.1"
needs_keytool = pytest.mark.skipif(java.keytool_path() is None, reason="keytool not installed")


def read(data: bytes, passwords: tuple[str, ...] = (), name: str = "store.p12") -> ParsedFile:
    fmt = sniff(data[:65536], name, len(data))
    assert fmt is not None
    return parse(data, fmt, ParseOptions(passwords), name)


def certs(parsed: ParsedFile) -> dict[str, ParsedCertificate]:
    return {e.suffix: e.obj for e in parsed.entries if isinstance(e.obj, ParsedCertificate)}


def keys(parsed: ParsedFile) -> dict[str, ParsedKey]:
    return {e.suffix: e.obj for e in parsed.entries if isinstance(e.obj, ParsedKey)}


def kinds(parsed: ParsedFile) -> list[ErrorKind]:
    return [e.kind for e in parsed.errors]


def test_pkcs12_with_the_password(pki: Pki) -> None:
    data = b.pkcs12(pki.rsa_key, [pki.rsa_leaf, pki.root], PASSWORD, friendly_name="www")
    parsed = read(data, ("other", PASSWORD))
    assert parsed.keystore and parsed.format == "pkcs12" and kinds(parsed) == []
    assert {c.subject_cn for c in certs(parsed).values()} == {"www.example.test", "Test Root"}
    [(suffix, key)] = keys(parsed).items()
    assert suffix == "!www"
    assert key.public_key is not None and key.public_key.spki_sha256 == spki_sha256(pki.rsa_key)
    assert SHA256 in parsed.protection  # the MAC digest


def test_pkcs12_without_a_password_keeps_its_protection(pki: Pki) -> None:
    data = b.pkcs12(pki.rsa_key, [pki.rsa_leaf], PASSWORD)
    parsed = read(data)
    assert kinds(parsed) == [ErrorKind.PASSWORD_REQUIRED]
    [key] = keys(parsed).values()
    assert key.public_key is None and key.encrypted
    assert key.protection[:1] == ("oid:1.2.840.113549.1.5.12",)  # PBKDF2 under PBES2
    wrong = read(data, ("nope",))
    assert kinds(wrong) == [ErrorKind.WRONG_PASSWORD]


@pytest.mark.parametrize(
    ("encryption", "expected"),
    [
        (P12Encryption.LEGACY_3DES, {SHA1, PBE_3DES}),
        (P12Encryption.LEGACY_RC2_40, {SHA1, PBE_RC2_40}),
    ],
)
def test_legacy_pkcs12_protection_is_named(
    pki: Pki, encryption: P12Encryption, expected: set[str]
) -> None:
    data = b.pkcs12(pki.ec_key, [pki.ec_leaf], PASSWORD, encryption)
    parsed = read(data, (PASSWORD,))
    assert expected <= set(parsed.protection)
    [key] = keys(parsed).values()
    assert key.public_key is not None and key.public_key.spki_sha256 == spki_sha256(pki.ec_key)


def test_pkcs12_trust_store(pki: Pki) -> None:
    data = b.pkcs12(None, [pki.root, pki.issuing], PASSWORD, java_trusted=True)
    locked = read(data, name="truststore.p12")
    assert certs(locked) == {} and kinds(locked) == [ErrorKind.PASSWORD_REQUIRED]
    parsed = read(data, (PASSWORD,), "truststore.p12")
    assert {c.subject_cn for c in certs(parsed).values()} == {"Test Root", "Test Issuing"}
    assert keys(parsed) == {} and kinds(parsed) == []


def test_pkcs12_with_certificates_in_clear(pki: Pki) -> None:
    data = b.pkcs12(pki.ec_key, [pki.ec_leaf, pki.root], None, P12Encryption.NONE)
    parsed = read(data)
    assert {c.subject_cn for c in certs(parsed).values()} == {"api.example.test", "Test Root"}


def test_unencrypted_pkcs12(pki: Pki) -> None:
    leaf = b.issue(pki.ed_key, "CN=edge.example.test", pki.root)
    parsed = read(b.pkcs12(pki.ed_key, [leaf], None, P12Encryption.NONE))
    assert kinds(parsed) == []
    [key] = keys(parsed).values()
    assert key.public_key is not None and key.public_key.spki_sha256 == spki_sha256(pki.ed_key)


def test_pkcs12_holding_an_ml_dsa_key(pki: Pki) -> None:
    key = k.ml_dsa_key(44, seed="p12")
    cert = b.issue(key, "CN=pq.example.test", pki.root)
    parsed = read(b.pkcs12(key, [cert], PASSWORD), (PASSWORD,))
    assert kinds(parsed) == []
    assert [c.public_key.algorithm_oid for c in certs(parsed).values()] == [key.oid]
    [opened] = keys(parsed).values()
    assert opened.public_key is not None and opened.public_key.spki_sha256 == spki_sha256(key)
    assert kinds(read(b.pkcs12(key, [cert], PASSWORD), ("wrong",))) == [ErrorKind.WRONG_PASSWORD]


def test_corrupt_pkcs12_is_malformed() -> None:
    data = bytes.fromhex("3082000a020103") + b"\x00" * 7
    with pytest.raises(ParseFailure) as failure:
        read(data, name="bad.p12")
    assert failure.value.kind is ErrorKind.MALFORMED


def jks_entries(pki: Pki) -> list[java.TrustedCertEntry | java.PrivateKeyEntry]:
    return [
        java.TrustedCertEntry("root", pki.root),
        java.PrivateKeyEntry("api", pki.ec_key, [pki.ec_leaf, pki.issuing, pki.root]),
    ]


@pytest.mark.parametrize(
    ("store_type", "protector"), [("JKS", JKS_PROTECTOR), ("JCEKS", JCEKS_PBE)]
)
def test_java_keystore_without_password(pki: Pki, store_type: str, protector: str) -> None:
    data = java.keystore(jks_entries(pki), PASSWORD, store_type, jceks_iterations=1000)  # type: ignore[arg-type]
    parsed = read(data, name="server.keystore")
    assert parsed.format == store_type.lower() and parsed.keystore
    assert kinds(parsed) == []  # no password given: the integrity check is just not made
    assert {s: c.subject_cn for s, c in certs(parsed).items()} == {
        "!root": "Test Root",
        "!api#1": "api.example.test",
        "!api#2": "Test Issuing",
        "!api#3": "Test Root",
    }
    key = keys(parsed)["!api"]
    assert key.kind is KeyKind.PRIVATE and key.protection == (protector,)
    assert key.public_key is not None and key.public_key.spki_sha256 == spki_sha256(pki.ec_key)
    assert parsed.protection == ("jks-integrity:SHA-1",)


def test_java_keystore_password_checks(pki: Pki, tmp_path: Path) -> None:
    data = java.jks(jks_entries(pki), PASSWORD)
    assert kinds(read(data, (PASSWORD,), "a.jks")) == []
    assert kinds(read(data, ("wrong",), "a.jks")) == [ErrorKind.WRONG_PASSWORD]
    tampered = broken.keystore_bad_digest(tmp_path / "t.jks", data).read_bytes()
    assert kinds(read(tampered, (PASSWORD,), "t.jks")) == [ErrorKind.WRONG_PASSWORD]
    cut = broken.truncated_keystore(tmp_path / "cut.jks", data).read_bytes()
    parsed = read(cut, (), "cut.jks")
    assert ErrorKind.MALFORMED in kinds(parsed)
    assert "!root" in certs(parsed)  # what came before the cut still counts


def test_truncated_keystore_header_is_malformed() -> None:
    with pytest.raises(ParseFailure):
        read(b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x05", name="x.jks")


@needs_keytool
@pytest.mark.parametrize("store_type", ["JKS", "JCEKS"])
def test_keystores_written_by_keytool(tmp_path: Path, store_type: str) -> None:
    path = tmp_path / f"kt.{store_type.lower()}"
    java.keytool_genkeypair(path, "ec", PASSWORD, store_type, keyalg="EC", keysize=384)  # type: ignore[arg-type]
    java.keytool_genkeypair(path, "rsa", PASSWORD, store_type, keyalg="RSA", keysize=3072)  # type: ignore[arg-type]
    parsed = read(path.read_bytes(), (PASSWORD,), path.name)
    assert kinds(parsed) == []
    params = {s: key.public_key.parameter for s, key in keys(parsed).items() if key.public_key}
    assert params == {"!ec": "secp384r1", "!rsa": "3072"}


@needs_keytool
def test_jceks_secret_key_is_unsealed_with_the_password(tmp_path: Path) -> None:
    path = tmp_path / "secrets.jceks"
    done = java.run_keytool(
        "-genseckey", "-alias", "payload-aes", "-keyalg", "AES", "-keysize", "256",
        "-storetype", "JCEKS", "-keystore", str(path),
        "-storepass:env", "{PASS}", "-keypass:env", "{PASS}",
        password=PASSWORD,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    sealed = keys(read(path.read_bytes(), (), path.name))["!payload-aes"]
    assert sealed.kind is KeyKind.SECRET and sealed.secret is None
    assert sealed.protection == (JCEKS_PBE,)
    opened = keys(read(path.read_bytes(), (PASSWORD,), path.name))["!payload-aes"]
    assert opened.secret == ("AES", "256")
