"""What each migration regime says about classified algorithms, and when."""

from __future__ import annotations

from datetime import date

from pqcscan.catalog import Classification, Deadline, get_catalog


def _by(deadlines: tuple[Deadline, ...], regime: str) -> set[tuple[str, int, str]]:
    return {(d.action, d.year, d.scope) for d in deadlines if d.regime == regime}


def _deadlines(c: Classification, scope: str | None = None) -> tuple[Deadline, ...]:
    return get_catalog().deadlines(c, scope)


def test_rsa_2048_nist_ir_8547() -> None:
    got = _deadlines(get_catalog().classify("RSA", "2048"))
    assert _by(got, "nist-ir-8547") == {("deprecated", 2031, ""), ("disallowed", 2036, "")}
    deprecated = next(d for d in got if d.action == "deprecated")
    assert deprecated.effective == date(2031, 1, 1)
    assert "https://csrc.nist.gov/pubs/ir/8547/ipd" in deprecated.citation
    assert deprecated.note


def test_rsa_3072_is_only_disallowed_after_2035() -> None:
    got = _deadlines(get_catalog().classify("RSA", "3072"))
    assert _by(got, "nist-ir-8547") == {("disallowed", 2036, "")}


def test_broken_algorithms_are_already_disallowed() -> None:
    cat = get_catalog()
    for c in (cat.classify("RSA", "1024"), cat.classify("MD5"), cat.classify("RC4", "128")):
        assert ("disallowed", 2024, "") in _by(_deadlines(c), "nist-ir-8547")
        assert ("not-approved", 2024, "") in _by(_deadlines(c), "asd-ism")


def test_112_bit_symmetric_and_hash_strength_ends_in_2030() -> None:
    cat = get_catalog()
    for c in (cat.classify("SHA-224"), cat.classify("3DES", "168"), cat.classify("SHA3-224")):
        assert ("disallowed", 2030, "") in _by(_deadlines(c), "nist-ir-8547"), c.algorithm
    for c in (cat.classify("SHA-256"), cat.classify("AES", "128"), cat.classify("RSA", "2048")):
        assert ("disallowed", 2030, "") not in _by(_deadlines(c), "nist-ir-8547"), c.algorithm


def test_sha1_is_retired_for_all_uses_after_2030() -> None:
    got = _deadlines(get_catalog().classify("HMAC-SHA1"))
    sha1 = [d for d in got if d.regime == "nist-ir-8547"]
    assert [(d.action, d.year) for d in sha1] == [("disallowed", 2031)]
    assert "sha-1" in sha1[0].citation.lower() and "https://" in sha1[0].citation


def test_quantum_safe_and_hybrid_get_no_nist_deadline() -> None:
    cat = get_catalog()
    for c in (
        cat.classify("ML-KEM-768"),
        cat.classify_named("tls-group", 0x11EC),
        cat.classify("AES", "256"),
        cat.classify("SHA-384"),
    ):
        assert _by(_deadlines(c), "nist-ir-8547") == set(), c.algorithm


def test_cnsa_categories_for_a_quantum_vulnerable_key() -> None:
    ecdsa = get_catalog().classify("ECDSA", "P-384")
    expected = {
        "software-firmware-signing": {("prefer-by", 2025), ("migrate-by", 2030)},
        "web-cloud": {("prefer-by", 2025), ("migrate-by", 2033)},
        "networking": {("prefer-by", 2026), ("migrate-by", 2030)},
        "operating-systems": {("prefer-by", 2027), ("migrate-by", 2033)},
        "niche-equipment": {("prefer-by", 2030), ("migrate-by", 2033)},
        "custom-legacy": {("migrate-by", 2033)},
    }
    everything = _deadlines(ecdsa)
    for scope, dates in expected.items():
        assert {(a, y) for a, y, s in _by(everything, "cnsa-2.0") if s == scope} == dates
        scoped = _deadlines(ecdsa, scope)
        assert {(d.action, d.year) for d in scoped if d.regime == "cnsa-2.0"} == dates
        # Rules without a scope (NIST, ASD) still apply when a scope is asked for.
        assert any(d.regime == "nist-ir-8547" for d in scoped)


def test_cnsa_does_not_approve_the_smaller_parameter_sets() -> None:
    cat = get_catalog()
    not_approved = [
        cat.classify("AES", "128"),
        cat.classify("AES", "192"),
        cat.classify("SHA-256"),
        cat.classify("ML-KEM-512"),
        cat.classify("ML-KEM-768"),
        cat.classify("ML-DSA-44"),
        cat.classify("ML-DSA-65"),
        cat.classify_named("tls-group", "X25519MLKEM768"),
        cat.classify("SLH-DSA-SHA2-128s"),
        cat.classify("sntrup761"),
    ]
    for c in not_approved:
        actions = {a for a, _, _ in _by(_deadlines(c), "cnsa-2.0")}
        assert "not-approved" in actions, c.algorithm
    approved = [
        cat.classify("AES", "256"),
        cat.classify("SHA-384"),
        cat.classify("SHA-512"),
        cat.classify("ML-KEM-1024"),
        cat.classify("ML-DSA-87"),
        cat.classify("LMS"),
        cat.classify("XMSS"),
    ]
    for c in approved:
        assert _by(_deadlines(c), "cnsa-2.0") == set(), c.algorithm


def test_eu_roadmap_by_risk_level() -> None:
    x25519 = get_catalog().classify("X25519")
    assert _by(_deadlines(x25519), "eu-pqc-roadmap") == {
        ("migrate-by", 2031, "high-risk"),
        ("migrate-by", 2036, "medium-risk"),
    }
    assert _by(_deadlines(x25519, "high-risk"), "eu-pqc-roadmap") == {
        ("migrate-by", 2031, "high-risk")
    }


def test_asd_ism_after_2030() -> None:
    cat = get_catalog()
    after_2030 = [
        cat.classify("RSA", "3072"),
        cat.classify("DH", "ffdhe3072"),
        cat.classify("ECDH", "P-256"),
        cat.classify("AES", "128"),
        cat.classify("AES", "192"),
        cat.classify("SHA-224"),
        cat.classify("SHA-256"),
        cat.classify("ML-KEM-768"),
        cat.classify("ML-DSA-65"),
    ]
    for c in after_2030:
        assert ("not-approved", 2031, "") in _by(_deadlines(c), "asd-ism"), c.algorithm
    for c in (cat.classify("AES", "256"), cat.classify("ML-KEM-1024"), cat.classify("SHA-512")):
        assert _by(_deadlines(c), "asd-ism") == set(), c.algorithm


def test_every_regime_cites_a_url_and_every_deadline_carries_it() -> None:
    cat = get_catalog()
    for regime in cat.regimes:
        assert "https://" in regime.citation
    for d in _deadlines(cat.classify("DSA", "2048")):
        assert "https://" in d.citation and d.regime_name
