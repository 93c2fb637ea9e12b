"""Properties that must hold for every catalog entry, whatever gets added later."""

from __future__ import annotations

import re

import pytest

from pqcscan.catalog import Primitive, QuantumStatus, get_catalog, is_grease

SAFE = QuantumStatus.QUANTUM_SAFE
PUBLIC_KEY = {Primitive.SIGNATURE, Primitive.KEM, Primitive.KEY_AGREE, Primitive.PKE}


def test_nothing_quantum_safe_is_classically_weak() -> None:
    """A quantum-safe rating with under 128 classical bits would be a contradiction."""
    for alg in get_catalog().algorithms.values():
        if alg.status is SAFE and alg.classical_bits is not None:
            assert alg.classical_bits >= 128, alg.name
        for pset in alg.parameter_sets:
            status = pset.status or alg.status
            bits = pset.classical_bits if pset.classical_bits is not None else alg.classical_bits
            if status is SAFE and bits is not None:
                assert bits >= 128, f"{alg.name} {pset.name}"


def test_every_hybrid_has_a_quantum_safe_and_a_classical_part() -> None:
    cat = get_catalog()
    hybrids = [a for a in cat.algorithms.values() if a.status is QuantumStatus.HYBRID]
    assert len(hybrids) >= 30
    for alg in hybrids:
        parts = [cat.algorithm(c) for c in alg.components]
        assert len(parts) >= 2, alg.name
        statuses = {p.status for p in parts if p is not None}
        assert SAFE in statuses, alg.name
        assert statuses - {SAFE}, f"{alg.name} has no classical part"


def test_only_public_key_algorithms_are_quantum_vulnerable() -> None:
    """Protocol versions are the exception: TLS 1.2 cannot negotiate PQC key exchange."""
    for alg in get_catalog().algorithms.values():
        if alg.status is QuantumStatus.QUANTUM_VULNERABLE and alg.family != "SSL/TLS":
            assert set(alg.primitives) <= PUBLIC_KEY, alg.name


def test_minimum_strength_rule_breaks_weak_sizes() -> None:
    cat = get_catalog()
    for alg in cat.algorithms.values():
        if alg.min_classical_bits is None:
            continue
        for pset in alg.parameter_sets:
            got = cat.classify(alg.name, pset.name)
            if pset.classical_bits is not None and pset.classical_bits < alg.min_classical_bits:
                assert got.status is QuantumStatus.CLASSICALLY_BROKEN, f"{alg.name} {pset.name}"


def test_pseudo_algorithms_are_unknown_and_never_get_deadlines() -> None:
    cat = get_catalog()
    pseudo = [a for a in cat.algorithms.values() if a.pseudo]
    assert {a.name for a in pseudo} >= {"TLS-SCSV", "SSH-extension-signal", "zlib"}
    for alg in pseudo:
        c = cat.classify(alg.name)
        assert c.status is QuantumStatus.UNKNOWN and c.pseudo and c.known
        assert cat.deadlines(c) == ()


def test_nist_categories_of_the_standards() -> None:
    cat = get_catalog()
    expected = {
        "ML-KEM-512": 1,
        "ML-KEM-768": 3,
        "ML-KEM-1024": 5,
        "ML-DSA-44": 2,
        "ML-DSA-65": 3,
        "ML-DSA-87": 5,
        "FN-DSA-512": 1,
        "FN-DSA-1024": 5,
        "HQC-128": 1,
        "HQC-192": 3,
        "HQC-256": 5,
    }
    for name, category in expected.items():
        assert cat.classify(name).nist_category == category, name
    for alg in cat.algorithms.values():
        if alg.family == "SLH-DSA":
            level = re.search(r"(128|192|256)", alg.name)
            assert level is not None
            assert alg.nist_category == {"128": 1, "192": 3, "256": 5}[level.group(1)], alg.name


# --- TLS -------------------------------------------------------------------------------------


def test_the_iana_cipher_suite_registry_is_complete_enough() -> None:
    suites = get_catalog().cipher_suites
    assert len(suites) >= 330
    for code in (0x0000, 0x0005, 0x00C6, 0x00FF, 0x1301, 0x1307, 0x5600, 0xC0B5, 0xC106, 0xD005):
        assert code in suites, hex(code)


def test_tls13_suites_have_no_key_exchange_or_authentication() -> None:
    tls13 = [s for s in get_catalog().cipher_suites.values() if s.tls13]
    assert {s.code for s in tls13} >= set(range(0x1301, 0x1308)) | {0xC0B4, 0xC0B5}
    for suite in tls13:
        assert suite.key_exchange is None and suite.authentication is None, suite.name
        assert suite.cipher is not None and suite.mac is not None, suite.name
        assert suite.mac.mode in ("HKDF", "HMAC"), suite.name


def test_scsvs_are_signals_that_classify_as_nothing() -> None:
    cat = get_catalog()
    for code in (0x00FF, 0x5600):
        suite = cat.cipher_suite(code)
        assert suite is not None and suite.signal
        assert suite.parts() == ()
        assert cat.classify_suite(code) == ()
    assert [s.code for s in cat.cipher_suites.values() if s.signal] == [0x00FF, 0x5600]


CIPHER_IN_NAME = re.compile(
    r"_(?P<alg>AES|CAMELLIA|ARIA)_(?P<bits>128|256)_(?P<mode>CBC|GCM|CCM_8|CCM)(_|$)"
)


@pytest.mark.parametrize("code", sorted(get_catalog().cipher_suites), ids=lambda c: f"0x{c:04X}")
def test_suite_parts_agree_with_the_suite_name(code: int) -> None:
    """Read the name independently of the data and compare: catches copy-paste slips."""
    suite = get_catalog().cipher_suite(code)
    assert suite is not None
    name = suite.name
    if suite.signal:
        assert name.endswith("_SCSV")
        return
    assert suite.cipher is not None and suite.mac is not None
    m = CIPHER_IN_NAME.search(name)
    if m:
        alg = {"AES": "AES", "CAMELLIA": "Camellia", "ARIA": "ARIA"}[m["alg"]]
        got = (suite.cipher.algorithm, suite.cipher.parameter, suite.cipher.mode)
        assert got == (alg, m["bits"], m["mode"])
    if "_3DES_EDE_CBC_" in name:
        assert (suite.cipher.algorithm, suite.cipher.parameter) == ("3DES", "168")
    if "_RC4_128_" in name:
        assert (suite.cipher.algorithm, suite.cipher.parameter) == ("RC4", "128")
    if "CHACHA20_POLY1305" in name:
        assert suite.cipher.algorithm == "ChaCha20"
    if "_WITH_NULL_" in name:
        assert suite.cipher.algorithm == "NULL"
    tail = name.rsplit("_", 1)[1]
    mac = {"MD5": "HMAC-MD5", "SHA": "HMAC-SHA1", "SHA256": "HMAC-SHA256", "SHA384": "HMAC-SHA384"}
    if tail in mac:
        assert suite.mac.algorithm == mac[tail]
    kx = name[4:].split("_WITH_")[0] if "_WITH_" in name else ""
    if kx.startswith("ECDHE_") or kx.startswith("ECDH_"):
        assert suite.key_exchange is not None and suite.key_exchange.algorithm == "ECDH"
    if kx.startswith(("DHE_", "DH_")):
        assert suite.key_exchange is not None and suite.key_exchange.algorithm == "DH"
    if kx in ("RSA", "RSA_EXPORT"):
        assert suite.key_exchange is not None
        assert suite.key_exchange.algorithm == "RSAES-PKCS1-v1_5"
    if "_anon" in kx:
        assert suite.authentication is not None and suite.authentication.algorithm == "anon"
    if "EXPORT" in kx:
        assert suite.key_exchange is not None and suite.key_exchange.parameter in ("512", "")
    if suite.cipher.mode in ("GCM", "CCM", "CCM_8", "CHACHA20-POLY1305") and not suite.tls13:
        assert suite.mac.mode == "PRF", name


def test_every_tls_identifier_code_is_a_16_bit_value() -> None:
    for (namespace, key), item in get_catalog().named.items():
        if namespace.startswith("tls-") and key.startswith("0x"):
            assert 0 <= int(key, 16) <= 0xFFFF, item.name


def test_grease_values_are_recognised_and_not_catalogued() -> None:
    cat = get_catalog()
    greases = [0x0A0A + 0x1010 * i for i in range(16)]
    assert all(is_grease(g) for g in greases)
    assert not any(is_grease(c) for c in (0x0A0B, 0x1301, 0x11EC, 0x0A1A, 0xC02F))
    for g in greases:
        assert cat.cipher_suite(g) is None
        assert cat.classify_named("tls-group", g).status is QuantumStatus.UNKNOWN


# --- unknown stays unknown -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lookup", "identifier"),
    [
        (lambda c: c.classify_oid("1.2.3.4"), "oid:1.2.3.4"),
        (lambda c: c.classify_named("tls-group", 0xFAFA), "tls-group:0xfafa"),
        (lambda c: c.classify_named("tls-signature-scheme", 0xFE00), "tls-signature-scheme:0xfe00"),
        (lambda c: c.classify("FooCipher"), "name:FooCipher"),
        (lambda c: c.classify("FooCipher-256"), "name:FooCipher-256"),
        (lambda c: c.classify("FOO-256-CBC"), "name:FOO-256-CBC"),
        (
            lambda c: c.classify_named("ssh-kex", "foo-sha256@example.com"),
            "ssh-kex:foo-sha256@example.com",
        ),
        (lambda c: c.classify_named("ssh-cipher", "aes512-ctr"), "ssh-cipher:aes512-ctr"),
        (lambda c: c.classify_named("ssh-kex", "gss-"), "ssh-kex:gss-"),
    ],
)
def test_unknown_identifiers_are_unknown_with_the_raw_identifier(lookup, identifier) -> None:  # type: ignore[no-untyped-def]
    got = lookup(get_catalog())
    assert got.algorithm == "unknown"
    assert got.status is QuantumStatus.UNKNOWN
    assert got.identifier == identifier
    assert not got.known
    assert get_catalog().deadlines(got) == ()


def test_curve_oids_are_not_algorithms() -> None:
    cat = get_catalog()
    got = cat.classify_oid("1.2.840.10045.3.1.7")
    assert got.status is QuantumStatus.UNKNOWN and got.identifier == "oid:1.2.840.10045.3.1.7"
    assert cat.cipher_suite(0xFFFF) is None and cat.classify_suite(0xFFFF) is None


def test_oid_kinds_match_the_algorithm() -> None:
    cat = get_catalog()
    allowed = {
        "signature": {Primitive.SIGNATURE},
        "kem": {Primitive.KEM},
        "hash": {Primitive.HASH, Primitive.XOF},
        "mac": {Primitive.MAC},
        "kdf": {Primitive.KDF},
        "public-key": PUBLIC_KEY,
        "cipher": {Primitive.BLOCK_CIPHER, Primitive.STREAM_CIPHER, Primitive.AEAD},
        "key-wrap": {Primitive.BLOCK_CIPHER},
    }
    for entry in cat.oids.values():
        if entry.algorithm is None or entry.kind not in allowed:
            continue
        alg = cat.algorithm(entry.algorithm)
        assert alg is not None
        assert set(alg.primitives) & allowed[entry.kind], f"{entry.oid} {entry.kind} {alg.name}"


def test_names_resolve_case_and_separator_insensitively() -> None:
    cat = get_catalog()
    assert cat.classify("ml_kem_768").algorithm == "ML-KEM-768"
    assert cat.classify("sha-256").algorithm == "SHA-256"
    assert cat.classify_named("ssh-kex", "MLKEM768X25519-SHA256").algorithm == "X25519MLKEM768"
    assert cat.classify_named("tls-group", "x25519mlkem768").algorithm == "X25519MLKEM768"


def test_public_names_are_exported() -> None:
    import pqcscan.catalog as module

    for name in module.__all__:
        assert hasattr(module, name), name


def test_split_names_need_a_known_parameter() -> None:
    cat = get_catalog()
    assert (cat.classify("ECDSA-P256").algorithm, cat.classify("ECDSA-P256").parameter) == (
        "ECDSA",
        "P-256",
    )
    assert cat.classify("HMAC-SHA256-128").algorithm == "unknown"
    assert cat.classify("AES-512").algorithm == "unknown"
