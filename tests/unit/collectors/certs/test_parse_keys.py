"""Private and public keys in every encoding, classical and post-quantum, with and without
passwords. Keys are reduced to public facts; the SPKI fingerprint ties a key to its
certificate."""

from __future__ import annotations

import pytest

from pqcscan.collectors.certs.formats import ParseOptions, parse, sniff
from pqcscan.collectors.certs.parsed import KeyKind, ParsedFile, ParsedKey
from pqcscan.demo import builders as b
from pqcscan.demo.builders import keys as k
from pqcscan.demo.builders.keyfiles import PrivateKeyFormat
from pqcscan.results import ErrorKind
from tests.unit.collectors.certs.conftest import spki_sha256

PASSWORD = "s3cret-Pa55"
PBKDF2 = "oid:1.2.840.113549.1.5.12"
HMAC_SHA256 = "oid:1.2.840.113549.2.9"
AES256_CBC = "oid:2.16.840.1.101.3.4.1.42"


def read(data: bytes, passwords: tuple[str, ...] = (), name: str = "key.pem") -> ParsedFile:
    fmt = sniff(data[:65536], name, len(data))
    assert fmt is not None
    return parse(data, fmt, ParseOptions(passwords), name)


def only_key(parsed: ParsedFile) -> ParsedKey:
    [entry] = parsed.entries
    assert isinstance(entry.obj, ParsedKey)
    return entry.obj


CLASSICAL = ["RSA-2048", "DSA-2048", "EC-P-256", "EC-P-521", "EC-secp256k1", "Ed25519", "Ed448"]


@pytest.mark.parametrize("name", CLASSICAL)
def test_pkcs8_pem_and_der_give_the_spki_fingerprint(name: str) -> None:
    key = k.key(name)
    for data in (b.private_key_pem(key), b.keyfiles.private_key_der(key)):
        got = only_key(read(data, name="key.der"))
        assert got.kind is KeyKind.PRIVATE and not got.encrypted
        assert got.public_key is not None
        assert got.public_key.spki_sha256 == spki_sha256(key)
        assert got.public_key.algorithm_oid == key.oid


@pytest.mark.parametrize(
    ("name", "fmt", "label"),
    [
        ("RSA-2048", PrivateKeyFormat.PKCS1, "pkcs1"),
        ("EC-P-384", PrivateKeyFormat.SEC1, "sec1"),
        ("DSA-2048", PrivateKeyFormat.TRADITIONAL, "dsa"),
    ],
)
def test_traditional_private_keys(name: str, fmt: PrivateKeyFormat, label: str) -> None:
    key = k.key(name)
    got = only_key(read(b.private_key_pem(key, fmt)))
    assert got.format == label
    assert got.public_key is not None and got.public_key.spki_sha256 == spki_sha256(key)


def test_rsa_public_keys_spki_and_pkcs1() -> None:
    key = k.rsa_key(3072)
    spki = only_key(read(b.public_key_pem(key)))
    pkcs1 = only_key(read(b.rsa_public_key_pem(key)))
    assert spki.kind is KeyKind.PUBLIC and spki.format == "spki"
    assert pkcs1.format == "pkcs1-public"
    for got in (spki, pkcs1):
        assert got.public_key is not None
        assert got.public_key.parameter == "3072"
        assert got.public_key.spki_sha256 == spki_sha256(key)


def test_encrypted_pkcs8_without_password_shows_its_protection() -> None:
    key = k.ec_key("P-256")
    data = b.encrypted_pkcs8_pem(key, PASSWORD, "pbes2-aes256")
    parsed = read(data)
    got = only_key(parsed)
    assert got.encrypted and got.public_key is None
    assert got.protection == (PBKDF2, HMAC_SHA256, AES256_CBC)
    assert parsed.errors == ()  # nobody claimed to have the password


def test_encrypted_pkcs8_with_the_password_is_classified() -> None:
    key = k.ec_key("P-256")
    data = b.encrypted_pkcs8_pem(key, PASSWORD, "pbes2-aes256")
    parsed = read(data, ("wrong", PASSWORD))
    got = only_key(parsed)
    assert got.public_key is not None and got.public_key.spki_sha256 == spki_sha256(key)
    assert got.protection == (PBKDF2, HMAC_SHA256, AES256_CBC)
    assert parsed.errors == ()


def test_encrypted_pkcs8_with_wrong_passwords_is_an_error() -> None:
    parsed = read(b.encrypted_pkcs8_pem(k.rsa_key(2048), PASSWORD), ("nope", "nada"))
    assert only_key(parsed).public_key is None
    [error] = parsed.errors
    assert error.kind is ErrorKind.WRONG_PASSWORD and "2 passwords" in error.message


@pytest.mark.parametrize(
    ("scheme", "protection"),
    [
        ("pbes1-md5-des", ("oid:1.2.840.113549.1.5.3",)),
        ("pkcs12-3des", ("oid:1.2.840.113549.1.12.1.3",)),
        ("pbes2-aes128", (PBKDF2, HMAC_SHA256, "oid:2.16.840.1.101.3.4.1.2")),
    ],
)
def test_legacy_key_encryption_is_named(scheme: str, protection: tuple[str, ...]) -> None:
    got = only_key(read(b.encrypted_pkcs8_pem(k.rsa_key(2048), PASSWORD, scheme)))  # type: ignore[arg-type]
    assert got.protection[: len(protection)] == protection


@pytest.mark.parametrize("cipher", ["AES-128-CBC", "AES-256-CBC", "DES-EDE3-CBC"])
def test_dek_info_pem(cipher: str) -> None:
    key = k.rsa_key(2048)
    data = b.dek_info_pem(key, PASSWORD, cipher)  # type: ignore[arg-type]
    locked = only_key(read(data))
    assert locked.protection == (f"pem-dek:{cipher}",)
    assert locked.public_key is not None  # the label says RSA, even without the password
    assert locked.public_key.algorithm_oid == "1.2.840.113549.1.1.1"
    assert locked.public_key.spki_sha256 is None
    opened = only_key(read(data, (PASSWORD,)))
    assert opened.public_key is not None and opened.public_key.spki_sha256 == spki_sha256(key)


@pytest.mark.parametrize("level", [44, 65, 87])
@pytest.mark.parametrize("form", ["seed", "expanded", "both"])
def test_ml_dsa_private_keys_yield_their_public_key(level: int, form: str) -> None:
    key = k.ml_dsa_key(level, seed=f"ml-dsa-{level}")
    got = only_key(read(b.private_key_pem(key, form=form)))
    assert got.public_key is not None
    assert got.public_key.algorithm_oid == key.oid
    assert got.public_key.spki_sha256 == spki_sha256(key)


def test_slh_dsa_private_key_yields_its_public_key() -> None:
    key = k.slh_dsa_key("SHA2-128f", seed="slh")
    got = only_key(read(b.private_key_pem(key)))
    assert got.public_key is not None and got.public_key.algorithm_oid == key.oid
    assert got.public_key.spki_sha256 == spki_sha256(key)


@pytest.mark.parametrize("level", [512, 768, 1024])
def test_ml_kem_private_keys(level: int) -> None:
    key = k.ml_kem_key(level, seed=f"kem-{level}")
    seed_form = only_key(read(b.private_key_pem(key, form="seed")))
    assert seed_form.public_key is not None and seed_form.public_key.algorithm_oid == key.oid
    expanded = only_key(read(b.private_key_pem(key, form="expanded")))
    assert expanded.public_key is not None
    assert expanded.public_key.spki_sha256 == spki_sha256(key)


def test_pqc_public_key_pem_is_classified_by_oid() -> None:
    for key in (k.ml_dsa_key(65, seed="p"), k.ml_kem_key(768, seed="p"), k.composite_ml_dsa_key()):
        got = only_key(read(b.public_key_pem(key)))
        assert got.public_key is not None
        assert got.public_key.algorithm_oid == key.oid
        assert got.public_key.spki_sha256 == spki_sha256(key)


@pytest.mark.parametrize("scheme", ["pbes2-aes256", "pbes2-aes128"])
def test_encrypted_pqc_keys_are_opened_and_classified(scheme: str) -> None:
    """cryptography 46 cannot load the ML-DSA key it decrypts: pqcscan decrypts PBES2 itself."""
    key = k.ml_dsa_key(44, seed="enc")
    parsed = read(b.encrypted_pkcs8_pem(key, PASSWORD, scheme), ("wrong", PASSWORD))  # type: ignore[arg-type]
    got = only_key(parsed)
    assert parsed.errors == ()
    assert got.encrypted and got.protection[0] == PBKDF2
    assert got.public_key is not None and got.public_key.spki_sha256 == spki_sha256(key)
    wrong = read(b.encrypted_pkcs8_pem(key, PASSWORD, scheme), ("wrong",))  # type: ignore[arg-type]
    assert only_key(wrong).public_key is None
    assert [e.kind for e in wrong.errors] == [ErrorKind.WRONG_PASSWORD]


def test_private_key_bytes_never_reach_the_results() -> None:
    import pickle

    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = k.rsa_key(2048)
    pem = b.private_key_pem(key, PrivateKeyFormat.PKCS1)
    d = load_pem_private_key(pem, None).private_numbers().d  # type: ignore[union-attr]
    blob = pickle.dumps(read(pem))
    assert d.to_bytes((d.bit_length() + 7) // 8, "big")[:16] not in blob
    assert b.keyfiles.private_key_der(key)[40:72] not in blob
    seeded = k.ml_dsa_key(65, seed="secret-seed")
    blob = pickle.dumps(read(b.private_key_pem(seeded, form="both")))
    assert seeded.private("seed") not in blob
