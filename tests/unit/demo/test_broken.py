"""Broken and hostile files do what their docstrings promise."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from pqcscan.demo.builders import broken, java, keys
from pqcscan.demo.builders.java import TrustedCertEntry
from pqcscan.demo.builders.keys import FixtureKey
from pqcscan.demo.builders.x509 import FixtureCert
from tests.conftest import unprivileged

from .conftest import SSH_KEYGEN, needs_keytool, needs_openssl, needs_ssh_keygen, openssl, run

SCAN_PASSWORD = "changeit"


def test_truncated_der_does_not_load(tmp_path: Path, ec_leaf: FixtureCert) -> None:
    path = broken.truncated_der_certificate(tmp_path / "t.der", ec_leaf)
    data = path.read_bytes()
    assert data == ec_leaf.der[: len(data)] and len(data) < len(ec_leaf.der)
    with pytest.raises(ValueError):
        cx509.load_der_x509_certificate(data)


@needs_openssl
def test_openssl_refuses_the_truncated_der(tmp_path: Path, ec_leaf: FixtureCert) -> None:
    path = broken.truncated_der_certificate(tmp_path / "t.der", ec_leaf)
    assert openssl("x509", "-inform", "DER", "-in", str(path), "-noout").returncode != 0


def test_pem_with_garbage_body(tmp_path: Path) -> None:
    data = broken.pem_with_garbage_body(tmp_path / "g.pem", seed=b"s").read_bytes()
    assert data.startswith(b"-----BEGIN CERTIFICATE-----\n") and data.endswith(
        b"-----END CERTIFICATE-----\n"
    )
    assert any(b > 0x7F for b in data)  # binary, not base64
    with pytest.raises(ValueError):
        cx509.load_pem_x509_certificate(data)


def test_pem_without_end(tmp_path: Path, ec_leaf: FixtureCert) -> None:
    data = broken.pem_without_end(tmp_path / "n.pem", ec_leaf).read_bytes()
    assert data.startswith(b"-----BEGIN CERTIFICATE-----") and b"-----END" not in data
    with pytest.raises(ValueError):
        cx509.load_pem_x509_certificate(data)


def test_empty_and_garbage_and_text(tmp_path: Path) -> None:
    assert broken.empty_file(tmp_path / "e.crt").stat().st_size == 0
    garbage = broken.random_garbage(tmp_path / "r.der", 4096, seed=b"x").read_bytes()
    assert len(garbage) == 4096
    with pytest.raises(ValueError):
        cx509.load_der_x509_certificate(garbage)
    text = broken.text_named_pem(tmp_path / "note.pem").read_text()
    assert "-----BEGIN" not in text and text.isascii()
    noise = broken.base64_noise_pem(tmp_path / "noise.key", seed=b"n").read_bytes()
    assert noise.startswith(b"-----BEGIN PRIVATE KEY-----")
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(noise, None)


def test_bad_asn1_length(tmp_path: Path, ec_leaf: FixtureCert) -> None:
    data = broken.bad_asn1_length(tmp_path / "b.crt", ec_leaf).read_bytes()
    assert len(data) == len(ec_leaf.der)
    n = data[1] & 0x7F
    assert int.from_bytes(data[2 : 2 + n], "big") == len(data) - 2 - n + 1
    with pytest.raises(ValueError):
        cx509.load_der_x509_certificate(data)


def test_pkcs12_with_another_password(
    tmp_path: Path, ec_key: FixtureKey, ec_leaf: FixtureCert
) -> None:
    data = broken.pkcs12_wrong_password(
        tmp_path / "w.p12", ec_key, [ec_leaf], "other-password"
    ).read_bytes()
    with pytest.raises(ValueError):
        pkcs12.load_pkcs12(data, SCAN_PASSWORD.encode())
    assert pkcs12.load_pkcs12(data, b"other-password").key is not None


@pytest.fixture(scope="module")
def small_jks(rsa_ca: FixtureCert) -> bytes:
    return java.jks([TrustedCertEntry("root", rsa_ca)], SCAN_PASSWORD)


@needs_keytool
def test_truncated_keystore(tmp_path: Path, small_jks: bytes) -> None:
    path = broken.truncated_keystore(tmp_path / "t.jks", small_jks)
    assert path.read_bytes()[:4] == b"\xfe\xed\xfe\xed" and len(path.read_bytes()) < len(small_jks)
    with pytest.raises(RuntimeError):
        java.keytool_list(path, SCAN_PASSWORD, "JKS")


@needs_keytool
def test_keystore_with_a_bad_digest(tmp_path: Path, small_jks: bytes) -> None:
    path = broken.keystore_bad_digest(tmp_path / "d.jks", small_jks)
    assert path.read_bytes()[:-1] == small_jks[:-1]
    with pytest.raises(RuntimeError, match=r"tampered with, or password was incorrect"):
        java.keytool_list(path, SCAN_PASSWORD, "JKS")


@needs_openssl
def test_undecryptable_pkcs8(tmp_path: Path) -> None:
    path = broken.undecryptable_pkcs8(tmp_path / "u.key", keys.ec_key(), seed=b"u")
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    for password in (SCAN_PASSWORD, ""):
        with pytest.raises((ValueError, TypeError)):
            serialization.load_pem_private_key(path.read_bytes(), password.encode() or None)
    assert (
        openssl("pkey", "-in", str(path), "-passin", f"pass:{SCAN_PASSWORD}", "-noout").returncode
        != 0
    )


@needs_ssh_keygen
def test_openssh_key_with_corrupted_base64(tmp_path: Path) -> None:
    path = broken.openssh_corrupted_base64(tmp_path / "id_ed25519", keys.ed25519_key())
    path.chmod(0o600)
    data = path.read_bytes()
    assert data.startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----") and b"!!**" in data
    with pytest.raises(ValueError):
        serialization.load_ssh_private_key(data, None)
    assert run([str(SSH_KEYGEN), "-y", "-f", str(path)]).returncode != 0


def test_sparse_two_gib_file_uses_no_disk(tmp_path: Path) -> None:
    path = broken.sparse_pem_file(tmp_path / "huge.pem")
    info = path.stat()
    assert info.st_size == broken.TWO_GIB
    assert info.st_blocks * 512 < 1024 * 1024  # sparse: next to nothing allocated
    with path.open("rb") as fh:
        assert fh.read(27) == b"-----BEGIN CERTIFICATE-----"


def test_symlink_loop(tmp_path: Path) -> None:
    a, b = broken.symlink_loop(tmp_path)
    assert a.is_symlink() and b.is_symlink()
    with pytest.raises(OSError) as info:
        a.stat()
    assert info.value.errno == errno.ELOOP


def test_unreadable_file(open_tmp: Path, ec_leaf: FixtureCert) -> None:
    path = broken.unreadable_file(open_tmp / "locked.crt", ec_leaf)
    assert path.stat().st_mode & 0o777 == 0
    with unprivileged(), pytest.raises(PermissionError):
        path.read_bytes()
    path.chmod(0o644)
    assert cx509.load_pem_x509_certificate(path.read_bytes()).subject == ec_leaf.subject
