"""Shared keys, certificates and tool runners for the fixture-builder tests.

Every builder output is checked by an independent reader: ``cryptography`` loaders and
verifiers, dilithium-py, slhdsa, and the Debian ``openssl``, ``keytool`` and ``ssh-keygen``.
Tests that need a missing tool are skipped with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pqcscan.demo.builders import keys, x509
from pqcscan.demo.builders.keys import FixtureKey
from pqcscan.demo.builders.x509 import FixtureCert

OPENSSL = shutil.which("openssl")
KEYTOOL = shutil.which("keytool")
SSH_KEYGEN = shutil.which("ssh-keygen")

needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed")
needs_keytool = pytest.mark.skipif(
    KEYTOOL is None, reason="keytool (a Java JDK/JRE) is not installed"
)
needs_ssh_keygen = pytest.mark.skipif(
    SSH_KEYGEN is None, reason="ssh-keygen (OpenSSH client) is not installed"
)
needs_slhdsa = pytest.mark.skipif(
    not keys.slh_dsa_available(), reason="the slh-dsa package (test extra) is not installed"
)


def run(argv: Sequence[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run a tool and capture text output; never raises on a non-zero exit."""
    return subprocess.run(
        list(argv),
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        timeout=120,
    )


def openssl(*args: str) -> subprocess.CompletedProcess[str]:
    assert OPENSSL is not None
    return run([OPENSSL, *args])


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture(scope="session")
def rsa_ca() -> FixtureCert:
    """A self-signed RSA-2048 CA."""
    return x509.issue(
        keys.rsa_key(2048),
        "CN=Test Root CA,O=pqcscan tests,C=GB",
        ca=True,
        path_length=1,
        key_usage=("key_cert_sign", "crl_sign"),
    )


@pytest.fixture(scope="session")
def ec_key() -> FixtureKey:
    return keys.ec_key("P-256")


@pytest.fixture(scope="session")
def ec_leaf(rsa_ca: FixtureCert, ec_key: FixtureKey) -> FixtureCert:
    return x509.issue(
        ec_key,
        "CN=leaf.example.test",
        rsa_ca,
        san=["leaf.example.test"],
        key_usage=("digital_signature",),
        extended_key_usage=("serverAuth",),
    )


@pytest.fixture(scope="session")
def rsa_leaf_key() -> FixtureKey:
    return keys.rsa_key(2048)


@pytest.fixture(scope="session")
def rsa_leaf(rsa_ca: FixtureCert, rsa_leaf_key: FixtureKey) -> FixtureCert:
    return x509.issue(rsa_leaf_key, "CN=rsa.example.test", rsa_ca, san=["rsa.example.test"])


@pytest.fixture(scope="session")
def mldsa_root() -> FixtureCert:
    return x509.issue(keys.ml_dsa_key(65, seed="root"), "CN=ML-DSA Root", ca=True, path_length=0)


@pytest.fixture(scope="session")
def mldsa_leaf(mldsa_root: FixtureCert) -> FixtureCert:
    return x509.issue(keys.ml_dsa_key(44, seed="leaf"), "CN=pq.example.test", mldsa_root, ca=False)


def slh_params(name: str) -> Any:
    """An slhdsa parameter set by name (e.g. "sha2_128f"); they are not visible to mypy."""
    import importlib

    return getattr(importlib.import_module("slhdsa"), name)
