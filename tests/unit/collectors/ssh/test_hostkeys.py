"""Host-key algorithm grouping and verification of the signature over the exchange hash."""

from __future__ import annotations

import base64
import datetime
import os
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

from pqcscan.collectors.ssh import hostkeys
from pqcscan.results import Support
from tests.unit.collectors.ssh.conftest import HostPrivateKey, public_blob, sign, sshstr

CERT = "-cert-v01@openssh.com"


def test_rsa_names_share_one_key() -> None:
    groups = hostkeys.group_algorithms(
        ("rsa-sha2-256", "ssh-ed25519", "ssh-rsa", "rsa-sha2-512", "ecdsa-sha2-nistp256")
    )
    assert [(g.key_type, g.algorithms) for g in groups] == [
        ("ssh-rsa", ("rsa-sha2-256", "ssh-rsa", "rsa-sha2-512")),
        ("ssh-ed25519", ("ssh-ed25519",)),
        ("ecdsa-sha2-nistp256", ("ecdsa-sha2-nistp256",)),
    ]
    assert groups[0].request == "rsa-sha2-512"  # the strongest signature is asked for


def test_certificates_are_their_own_keys() -> None:
    names = (
        "rsa-sha2-512" + CERT,
        "ssh-rsa" + CERT,
        "ssh-ed25519" + CERT,
        "ssh-ed25519",
        "rsa-sha2-256",
    )
    groups = hostkeys.group_algorithms(names)
    assert [g.key_type for g in groups] == [
        "ssh-rsa" + CERT,
        "ssh-ed25519" + CERT,
        "ssh-ed25519",
        "ssh-rsa",
    ]
    assert groups[0].request == "rsa-sha2-512" + CERT
    assert hostkeys.signature_name("rsa-sha2-256" + CERT) == "rsa-sha2-256"


def test_only_ssh_rsa() -> None:
    [group] = hostkeys.group_algorithms(("ssh-rsa",))
    assert group.request == "ssh-rsa"


_RSA = rsa.generate_private_key(65537, 2048)
_KEYS: dict[str, Callable[[], HostPrivateKey]] = {
    "ssh-ed25519": ed25519.Ed25519PrivateKey.generate,
    "ecdsa-sha2-nistp256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ecdsa-sha2-nistp384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "ecdsa-sha2-nistp521": lambda: ec.generate_private_key(ec.SECP521R1()),
    "rsa-sha2-512": lambda: _RSA,
    "rsa-sha2-256": lambda: _RSA,
    "ssh-rsa": lambda: _RSA,
    "ssh-dss": lambda: dsa.generate_private_key(1024),
}


@pytest.mark.filterwarnings("ignore:SSH DSA")
@pytest.mark.parametrize("algorithm", list(_KEYS))
def test_signatures_verify_and_tampering_is_caught(algorithm: str) -> None:
    key = _KEYS[algorithm]()
    h = os.urandom(32)
    blob = public_blob(key)
    name, result = hostkeys.verify(algorithm, blob, sign(key, algorithm, h), h)
    assert (name, result.state) == (algorithm, Support.SUPPORTED), result
    _, wrong = hostkeys.verify(algorithm, blob, sign(key, algorithm, h), os.urandom(32))
    assert wrong.state is Support.NOT_SUPPORTED


def test_signature_of_another_algorithm_is_not_accepted() -> None:
    key = rsa.generate_private_key(65537, 2048)
    h = os.urandom(32)
    name, result = hostkeys.verify("rsa-sha2-512", public_blob(key), sign(key, "ssh-rsa", h), h)
    assert name == "ssh-rsa" and result.state is Support.NOT_SUPPORTED
    assert "rsa-sha2-512 was negotiated" in result.reason


def test_malformed_signature_blob() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    _, result = hostkeys.verify("ssh-ed25519", public_blob(key), b"\0\0\0", b"h")
    assert result.state is Support.NOT_SUPPORTED


def test_unknown_key_type_is_not_tested() -> None:
    blob = sshstr(b"ssh-mldsa-65") + sshstr(os.urandom(1952))
    sig = sshstr(b"ssh-mldsa-65") + sshstr(os.urandom(3309))
    name, result = hostkeys.verify("ssh-mldsa-65", blob, sig, b"h")
    assert name == "ssh-mldsa-65" and result.state is Support.NOT_TESTED


def test_certificate_signature_uses_the_certified_key() -> None:
    ca = ed25519.Ed25519PrivateKey.generate()
    host = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        serialization.SSHCertificateBuilder()
        .public_key(host.public_key())
        .serial(1)
        .type(serialization.SSHCertificateType.HOST)
        .key_id(b"bastion")
        .valid_principals([b"bastion.example.test"])
        .valid_after(int(now.timestamp()) - 60)
        .valid_before(int(now.timestamp()) + 3600)
        .sign(ca)
    )
    raw = base64.b64decode(cert.public_bytes().split()[1])
    h = os.urandom(32)
    algorithm = "ecdsa-sha2-nistp256" + CERT
    name, result = hostkeys.verify(algorithm, raw, sign(host, "ecdsa-sha2-nistp256", h), h)
    assert name == "ecdsa-sha2-nistp256" and result.state is Support.SUPPORTED
