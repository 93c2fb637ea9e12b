"""Apache httpd mod_ssl: SSLProtocol set semantics, SSLCipherSuite, SSLOpenSSLConfCmd."""

from __future__ import annotations

from pqcscan.results import Usage
from tests.unit.code.config._util import by_rule, parse_file, parse_text, rows


def test_mozilla_intermediate() -> None:
    hits = parse_file("apache", "apache-intermediate.conf")
    assert rows(hits, "apache-ssl-protocol") == [("TLS", "1.2", 26, 30), ("TLS", "1.3", 26, 39)]
    assert rows(hits, "apache-ssl-openssl-conf-cmd-groups") == [
        ("X25519", "", 27, 32),
        ("ECDH", "P-256", 27, 39),
        ("ECDH", "P-384", 27, 50),
    ]
    classic = by_rule(hits, "apache-classic-groups-only")
    assert [(h.line, h.column, h.snippet) for h in classic] == [
        (27, 32, "X25519:prime256v1:secp384r1")
    ]
    suites = by_rule(hits, "apache-ssl-cipher-suite")
    assert len(suites) == 9 * 4
    kex = [(h.algorithm, h.column) for h in suites if h.usage is Usage.KEY_EXCHANGE]
    assert kex[0] == ("ECDH", 25) and kex[-1] == ("DH", 251)
    assert not [h for h in suites if h.algorithm == "unknown"]


def test_debian_ssl_conf_all_minus_sslv3() -> None:
    hits = parse_file("apache", "apache2-ssl.conf")
    assert rows(hits, "apache-ssl-protocol") == [
        ("TLS", "1.0", 46, 14),
        ("TLS", "1.1", 46, 14),
        ("TLS", "1.2", 46, 14),
        ("TLS", "1.3", 46, 14),
    ]
    assert {h.confidence for h in by_rule(hits, "apache-ssl-protocol")} == {0.9}
    keyword = by_rule(hits, "apache-ssl-cipher-suite")
    assert [(h.algorithm, h.parameter, h.line, h.snippet) for h in keyword] == [
        ("unknown", "", 37, "HIGH:!aNULL")
    ]


def test_protocol_semantics() -> None:
    # a bare word replaces, + adds, - removes; directives are case-insensitive
    hits = parse_text("apache", "sslprotocol TLSv1 +SSLv3 -TLSv1 +tlsv1.3\n")
    assert rows(hits) == [("SSL", "3.0", 1, 19), ("TLS", "1.3", 1, 33)]
    hits = parse_text("apache", "SSLProtocol all\n")
    assert ("SSL", "3.0", 1, 13) in rows(hits)
    assert by_rule(hits, "apache-ssl-protocol")[0].confidence == 0.8
    hits = parse_text("apache", "SSLProxyProtocol -all +TLSv1.2\n")
    assert rows(hits, "apache-ssl-proxy-protocol") == [("TLS", "1.2", 1, 23)]


def test_tls13_cipher_suite_form_and_continuation() -> None:
    text = (
        "<VirtualHost *:443>\n"
        "  SSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\n"
        "  SSLProxyCipherSuite \\\n"
        "      RC4-MD5\n"
        "  # SSLProtocol SSLv2\n"
        "  SSLOpenSSLConfCmd Groups X25519MLKEM768:X25519\n"
        "</VirtualHost>\n"
    )
    hits = parse_text("apache", text)
    enc = [(h.algorithm, h.line, h.column) for h in by_rule(hits, "apache-ssl-cipher-suite")
           if h.usage is Usage.ENCRYPTION]  # fmt: skip
    assert enc == [("AES", 2, 26), ("ChaCha20", 2, 49)]
    proxy = by_rule(hits, "apache-ssl-proxy-cipher-suite")
    assert [(h.algorithm, h.parameter, h.line, h.column) for h in proxy][2] == ("RC4", "128", 4, 7)
    assert not by_rule(hits, "apache-classic-groups-only")
    assert rows(hits, "apache-ssl-openssl-conf-cmd-groups")[0] == ("X25519MLKEM768", "", 6, 28)
