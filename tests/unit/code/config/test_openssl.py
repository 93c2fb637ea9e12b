"""OpenSSL configuration: SSL_CONF sections wired through openssl_conf / ssl_conf."""

from __future__ import annotations

from pqcscan.results import Usage
from tests.unit.code.config._util import by_rule, parse_file, parse_text, rows


def test_debian_openssl_cnf() -> None:
    hits = parse_file("openssl", "openssl.cnf")
    assert [(h.rule_id, h.algorithm, h.line, h.column, h.snippet) for h in hits] == [
        ("openssl-cipher-string", "unknown", 126, 16, "DEFAULT:@SECLEVEL=2")
    ]
    assert "[system_default_sect]" in hits[0].message


def test_hardening_fragment_without_wiring() -> None:
    hits = parse_file("openssl", "openssl-tls-hardening.cnf")
    assert rows(hits, "openssl-min-protocol") == [("TLS", "1.2", 3, 15), ("TLS", "1.3", 3, 15)]
    assert rows(hits, "openssl-groups") == [
        ("X25519", "", 6, 10),
        ("ECDH", "P-256", 6, 17),
        ("ECDH", "P-384", 6, 27),
    ]
    classic = by_rule(hits, "openssl-classic-groups-only")
    assert [(h.line, h.snippet) for h in classic] == [(6, "X25519:secp256r1:secp384r1")]
    assert rows(hits, "openssl-signature-algorithms") == [
        ("ECDSA", "P-256", 7, 23),
        ("RSASSA-PSS", "", 7, 46),
        ("Ed25519", "", 7, 66),
        ("RSA", "", 7, 74),
    ]
    assert {h.usage for h in by_rule(hits, "openssl-signature-algorithms")} == {Usage.SIGNATURE}
    assert [h.snippet for h in by_rule(hits, "openssl-cipher-string")] == [
        "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL"
    ]


def test_only_wired_sections_are_read() -> None:
    text = (
        "openssl_conf = openssl_init\n"
        "[openssl_init]\n"
        "ssl_conf = ssl_sect\n"
        "[ssl_sect]\n"
        "system_default = tls_defaults\n"
        "nginx = nginx_tls\n"
        "[tls_defaults]\n"
        "MinProtocol = TLSv1.2\n"
        "MaxProtocol = TLSv1.2\n"
        'Groups = "X25519MLKEM768:X25519"\n'
        "[nginx_tls]\n"
        "Curves = P-256:P-384\n"
        "[unrelated]\n"
        "Groups = X448\n"
    )
    hits = parse_text("openssl", text, "openssl.cnf")
    assert rows(hits, "openssl-min-protocol") == [("TLS", "1.2", 8, 15)]
    assert not by_rule(hits, "openssl-max-protocol")  # reported with the minimum
    assert rows(hits, "openssl-groups") == [
        ("X25519MLKEM768", "", 10, 11),
        ("X25519", "", 10, 26),
        ("ECDH", "P-256", 12, 10),
        ("ECDH", "P-384", 12, 16),
    ]
    classic = by_rule(hits, "openssl-classic-groups-only")
    assert [(h.line, h.algorithm, h.parameter) for h in classic] == [
        (12, "ECDH", "classic groups only")
    ]
    assert "no X25519MLKEM768" in classic[0].message and "[nginx_tls]" in classic[0].message


def test_max_protocol_alone() -> None:
    hits = parse_text("openssl", "[system_default_sect]\nMaxProtocol = TLSv1.1\n")
    assert [(h.parameter, h.confidence) for h in hits] == [("1.0", 0.7), ("1.1", 0.7)]
