"""Trust validation: the reasons users need (self-signed, unknown issuer, expired, name
mismatch), custom roots, the sslyze stores, and the reduced path check for ML-DSA chains."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from pqcscan.collectors.tls.trust import (
    METHOD_CRYPTOGRAPHY,
    METHOD_REDUCED,
    TrustValidator,
    name_matches,
    sslyze_trust_stores,
)
from pqcscan.demo.builders import FixtureCert, issue
from pqcscan.demo.builders import keys as k

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CA_USAGE = ("key_cert_sign", "crl_sign", "digital_signature")
LONG = 3650


@dataclass(frozen=True)
class Pki:
    root: FixtureCert
    intermediate: FixtureCert
    leaf: FixtureCert
    expired: FixtureCert
    self_signed: FixtureCert


@pytest.fixture(scope="module")
def pki() -> Pki:
    root = issue(k.ec_key("P-384"), "CN=Lab Root", ca=True, key_usage=CA_USAGE, days=LONG)
    inter = issue(
        k.ec_key("P-256"), "CN=Lab Issuing", root, ca=True, path_length=0,
        key_usage=CA_USAGE, days=LONG,
    )  # fmt: skip
    leaf = issue(
        k.rsa_key(2048), "CN=www.example.test", inter, san=["www.example.test", "*.api.test"],
        extended_key_usage=("serverAuth",), days=LONG,
    )  # fmt: skip
    expired = issue(
        k.ec_key("P-256"), "CN=old.example.test", inter, san=["old.example.test"],
        not_before=datetime(2020, 1, 1, tzinfo=UTC), days=30,
    )  # fmt: skip
    self_signed = issue(k.ec_key("P-256"), "CN=device", san=["device.test"], days=LONG)
    return Pki(root, inter, leaf, expired, self_signed)


def test_lab_chain_with_its_root_as_a_custom_store_is_trusted(pki: Pki) -> None:
    chain = [pki.leaf.der, pki.intermediate.der]
    result = TrustValidator([pki.root.der]).validate(chain, "www.example.test", NOW)
    assert result.trusted is True and result.reason == ""
    assert result.method == METHOD_CRYPTOGRAPHY
    assert ("custom", "trusted") in result.stores
    assert ("Mozilla", "not trusted") in result.stores


def test_unknown_issuer(pki: Pki) -> None:
    chain = [pki.leaf.der, pki.intermediate.der, pki.root.der]
    result = TrustValidator().validate(chain, "www.example.test", NOW)
    assert result.trusted is False
    assert result.reason == "unknown issuer"


def test_self_signed(pki: Pki) -> None:
    result = TrustValidator().validate([pki.self_signed.der], "device.test", NOW)
    assert (result.trusted, result.reason) == (False, "self-signed")


def test_expired(pki: Pki) -> None:
    chain = [pki.expired.der, pki.intermediate.der]
    result = TrustValidator([pki.root.der]).validate(chain, "old.example.test", NOW)
    assert (result.trusted, result.reason) == (False, "expired")
    later = TrustValidator().validate(
        [pki.leaf.der, pki.intermediate.der], None, NOW + timedelta(days=LONG * 2)
    )
    assert later.reason == "unknown issuer; expired; expired intermediate"


def test_name_mismatch_and_wildcards(pki: Pki) -> None:
    chain = [pki.leaf.der, pki.intermediate.der]
    validator = TrustValidator([pki.root.der])
    assert validator.validate(chain, "evil.test", NOW).reason == "name mismatch"
    assert validator.validate(chain, "v1.api.test", NOW).trusted is True
    no_name = validator.validate(chain, None, NOW)
    assert no_name.trusted is True and no_name.reason == "name not checked (no hostname)"
    leaf = pki.leaf.load()
    assert name_matches(leaf, "WWW.Example.Test")
    assert not name_matches(leaf, "a.b.api.test")
    assert not name_matches(leaf, "api.test")
    assert not name_matches(leaf, "127.0.0.1")


def test_ed25519_chain_is_refused_by_the_web_pki_profile() -> None:
    root_key = k.ed25519_key()
    root = issue(root_key, "CN=Ed Root", ca=True, key_usage=CA_USAGE, days=LONG)
    leaf = issue(k.ed25519_key(), "CN=localhost", root, san=["localhost"], days=LONG)
    result = TrustValidator([root.der]).validate([leaf.der], "localhost", NOW)
    assert result.trusted is False
    assert result.reason == "the Web PKI profile forbids the public key algorithm Ed25519"


def test_sslyze_stores_are_loaded_once() -> None:
    stores = sslyze_trust_stores()
    assert [s.name for s in stores] == [
        "Mozilla", "Apple", "Microsoft", "Google AOSP", "OpenJDK", "Oracle Java",
    ]  # fmt: skip
    assert all(len(s.roots) > 50 for s in stores)
    assert sslyze_trust_stores() is stores


def test_an_impostor_of_a_mozilla_root_is_an_unknown_issuer() -> None:
    """The stores are real roots: a leaf naming a Mozilla root as its issuer, but signed by
    another key under that name, is not anchored."""
    mozilla = sslyze_trust_stores()[0]
    impostor = issue(
        k.ec_key("P-256"), mozilla.roots[0].subject, ca=True, key_usage=CA_USAGE, days=LONG
    )
    leaf = issue(k.ec_key("P-256"), "CN=bank.test", impostor, san=["bank.test"], days=LONG)
    result = TrustValidator().validate([leaf.der], "bank.test", NOW)
    assert (result.trusted, result.reason) == (False, "unknown issuer")


def _mldsa_pki() -> tuple[FixtureCert, FixtureCert]:
    root = issue(k.ml_dsa_key(65), "CN=PQ Root", ca=True, key_usage=CA_USAGE, days=LONG)
    leaf = issue(k.ml_dsa_key(65), "CN=localhost", root, san=["localhost"], days=LONG)
    return root, leaf


def test_mldsa_chain_reduced_check() -> None:
    root, leaf = _mldsa_pki()
    chain = [leaf.der, root.der]
    trusted = TrustValidator([root.der]).validate(chain, "localhost", NOW)
    assert trusted.trusted is True and trusted.method == METHOD_REDUCED
    unknown = TrustValidator().validate(chain, "localhost", NOW)
    assert (unknown.trusted, unknown.reason) == (False, "unknown issuer")
    mismatch = TrustValidator([root.der]).validate(chain, "other.test", NOW)
    assert mismatch.reason == "name mismatch"
    # A leaf with a corrupted ML-DSA signature.
    broken = bytearray(leaf.der)
    broken[-10] ^= 0x01
    bad = TrustValidator([root.der]).validate([bytes(broken), root.der], "localhost", NOW)
    assert bad.trusted is False and "bad signature" in bad.reason


def test_uncheckable_signatures_are_not_tested() -> None:
    slh = pytest.importorskip("slhdsa")
    del slh
    root = issue(k.slh_dsa_key("SHA2-128f"), "CN=SLH Root", ca=True, days=LONG)
    result = TrustValidator([root.der]).validate([root.der], None, NOW)
    assert result.trusted is None and "cannot be verified here" in result.reason


def test_garbage_is_not_tested() -> None:
    assert TrustValidator().validate([b"\x30\x03\x02\x01\x01"], None, NOW).trusted is None
    assert TrustValidator().validate([], None, NOW).reason == "no certificate"
