"""java.security: disabledAlgorithms (what stays enabled), namedGroups, keystore.type."""

from __future__ import annotations

from pqcscan.results import Usage
from tests.unit.code.config._util import by_rule, parse_file, parse_text, rows


def test_jdk17_java_security() -> None:
    hits = parse_file("java-security", "java.security")
    # JDK 17 disables every weak protocol and cipher of the list: only key-size floors remain
    assert rows(hits, "java-security-tls-disabled-algorithms") == [
        ("DH", "1024", 48, 5),
        ("ECDSA", "224", 48, 23),
    ]
    assert rows(hits, "java-security-certpath-disabled-algorithms") == [
        ("RSA", "1024", 29, 5),
        ("DSA", "1024", 29, 24),
        ("ECDSA", "224", 29, 44),
    ]
    dh = by_rule(hits, "java-security-tls-disabled-algorithms")[0]
    assert dh.snippet == "DH keySize < 1024"
    assert dh.message == (
        "jdk.tls.disabledAlgorithms still accepts DH keys of 1024 bits (DH keySize < 1024)"
    )
    assert rows(hits, "java-security-keystore-type") == [("unknown", "", 13, 15)]
    # the commented example with RSA keySize < 2048 is not read
    assert not [h for h in hits if h.line in (45, 46)]


def test_weak_algorithms_left_enabled() -> None:
    text = (
        "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, \\\n"
        "    DH keySize <= 767, 3DES_EDE_CBC, anon, NULL\n"
        "keystore.type=jks\n"
    )
    hits = parse_text("java-security", text, "java.security")
    weak = by_rule(hits, "java-security-tls-disabled-algorithms")
    assert [(h.algorithm, h.parameter, h.line) for h in weak] == [
        ("TLS", "1.0", 1),
        ("TLS", "1.1", 1),
        ("DH", "768", 2),
    ]
    assert weak[0].message == (
        "jdk.tls.disabledAlgorithms does not disable TLSv1: the JDK still accepts TLS 1.0"
    )
    assert (weak[0].end_line, weak[0].end_column) == (2, 48)
    assert rows(hits, "java-security-keystore-type") == [("JKS-KeyProtector", "", 3, 15)]


def test_named_groups() -> None:
    classic = parse_text("java-security", "jdk.tls.namedGroups=x25519, secp256r1, ffdhe2048\n")
    assert rows(classic, "java-security-named-groups") == [
        ("X25519", "", 1, 21),
        ("ECDH", "P-256", 1, 29),
        ("DH", "ffdhe2048", 1, 40),
    ]
    assert len(by_rule(classic, "java-security-classic-groups-only")) == 1
    pq = parse_text("java-security", "jdk.tls.namedGroups=X25519MLKEM768, x25519\n")
    assert not by_rule(pq, "java-security-classic-groups-only")


def test_quoted_named_groups_and_usages() -> None:
    hits = parse_text("java-security", 'jdk.tls.namedGroups="secp384r1, ffdhe3072"\n')
    assert rows(hits, "java-security-named-groups") == [
        ("ECDH", "P-384", 1, 22),
        ("DH", "ffdhe3072", 1, 33),
    ]
    weak = parse_text("java-security", "jdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1, DES\n")
    assert [(h.algorithm, h.usage) for h in weak] == [
        ("RC4", Usage.ENCRYPTION),
        ("3DES", Usage.ENCRYPTION),
        ("NULL", Usage.ENCRYPTION),
        ("anon", Usage.AUTHENTICATION),
    ]
    sizes = parse_text("java-security", "jdk.certpath.disabledAlgorithms=MD2, MD5\n")
    assert [(h.algorithm, h.usage) for h in sizes] == [("SHA-1", Usage.HASH)]
