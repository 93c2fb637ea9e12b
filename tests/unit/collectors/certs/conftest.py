"""A small real PKI, built once per test session with the demo's fixture builders."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from pqcscan.demo import builders as b
from pqcscan.demo.builders import keys as k


@dataclass(frozen=True)
class Pki:
    root_key: b.FixtureKey
    root: b.FixtureCert
    issuing_key: b.FixtureKey
    issuing: b.FixtureCert
    rsa_key: b.FixtureKey
    rsa_leaf: b.FixtureCert
    ec_key: b.FixtureKey
    ec_leaf: b.FixtureCert
    ed_key: b.FixtureKey


@pytest.fixture(scope="session")
def pki() -> Pki:
    root_key = k.rsa_key(3072)
    root = b.issue(root_key, "CN=Test Root,O=Example Bank", ca=True)
    issuing_key = k.ec_key("P-384")
    issuing = b.issue(issuing_key, "CN=Test Issuing,O=Example Bank", root, ca=True, path_length=0)
    rsa_key = k.rsa_key(2048)
    rsa_leaf = b.issue(
        rsa_key,
        "CN=www.example.test",
        root,
        key_usage=("digital_signature", "key_encipherment"),
        extended_key_usage=("serverAuth",),
    )
    ec_key = k.ec_key("P-256")
    ec_leaf = b.issue(ec_key, "CN=api.example.test", issuing)
    return Pki(
        root_key, root, issuing_key, issuing, rsa_key, rsa_leaf, ec_key, ec_leaf, k.ed25519_key()
    )


def spki_sha256(key: b.FixtureKey) -> str:
    return hashlib.sha256(key.spki_der).hexdigest()
