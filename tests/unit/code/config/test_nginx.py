"""nginx: protocols, ciphers, curves, conf commands, upstream settings, syntax."""

from __future__ import annotations

import pytest

from pqcscan.collectors.code.model import CodeParseError
from pqcscan.results import Usage
from tests.unit.code.config._util import by_rule, parse_file, parse_text, rows


def test_debian_default_nginx_conf_enables_tls_1_0_to_1_3() -> None:
    hits = parse_file("nginx", "nginx.conf")
    assert rows(hits) == [
        ("TLS", "1.0", 33, 16),
        ("TLS", "1.1", 33, 22),
        ("TLS", "1.2", 33, 30),
        ("TLS", "1.3", 33, 38),
    ]
    assert {h.rule_id for h in hits} == {"nginx-ssl-protocols"}
    first = hits[0]
    assert (first.end_line, first.end_column, first.snippet) == (33, 21, "TLSv1")
    assert first.usage is Usage.PROTOCOL and first.confidence == 1.0
    assert first.message == "ssl_protocols enables TLS 1.0"


def test_mozilla_intermediate_site() -> None:
    hits = parse_file("nginx", "nginx-site-intermediate.conf")
    assert rows(hits, "nginx-ssl-protocols") == [("TLS", "1.2", 25, 19), ("TLS", "1.3", 25, 27)]
    assert rows(hits, "nginx-ssl-ecdh-curve") == [
        ("X25519", "", 26, 20),
        ("ECDH", "P-256", 26, 27),
        ("ECDH", "P-384", 26, 38),
    ]
    classic = by_rule(hits, "nginx-classic-groups-only")
    assert len(classic) == 1
    assert classic[0].line == 26 and classic[0].column == 20 and classic[0].end_column == 47
    assert classic[0].message == (
        "ssl_ecdh_curve allows only classical groups (X25519, prime256v1, secp384r1): "
        "no X25519MLKEM768"
    )
    ciphers = by_rule(hits, "nginx-ssl-ciphers")
    # four suites, four parts each; the quoted value starts one column after the quote
    assert len(ciphers) == 16
    first = ciphers[0]
    assert (first.line, first.column, first.snippet) == (27, 18, "ECDHE-ECDSA-AES128-GCM-SHA256")
    assert [(h.algorithm, h.parameter, h.usage) for h in ciphers[:4]] == [
        ("ECDH", "", Usage.KEY_EXCHANGE),
        ("ECDSA", "", Usage.AUTHENTICATION),
        ("AES", "128", Usage.ENCRYPTION),
        ("HMAC-SHA256", "", Usage.KDF),
    ]
    assert "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" in first.message


def test_upstream_settings_multi_line_and_keywords() -> None:
    hits = parse_file("nginx", "nginx-site-intermediate.conf")
    # proxy_ssl_protocols spans three lines: each version keeps its own line
    assert rows(hits, "nginx-proxy-ssl-protocols") == [
        ("TLS", "1.0", 37, 13),
        ("TLS", "1.2", 38, 13),
    ]
    upstream = by_rule(hits, "nginx-proxy-ssl-ciphers")
    named = [(h.algorithm, h.parameter) for h in upstream if h.usage is Usage.ENCRYPTION]
    assert ("3DES", "168") in named and ("RC4", "128") in named
    keyword = [h for h in upstream if h.algorithm == "unknown"]
    assert len(keyword) == 1
    assert keyword[0].snippet == "DES-CBC3-SHA:RC4-SHA:HIGH:!aNULL:!MD5"
    assert keyword[0].confidence < 0.5
    assert "keywords or names the catalog does not know (HIGH):" in keyword[0].message


def test_pqc_site_has_no_classic_only_finding() -> None:
    hits = parse_file("nginx", "nginx-site-pqc.conf")
    assert not by_rule(hits, "nginx-classic-groups-only")
    assert rows(hits, "nginx-ssl-ecdh-curve")[0] == ("X25519MLKEM768", "", 9, 20)
    # OpenSSL 3.5 group syntax: ? (ignore unknown), * (key share), / (tuples)
    assert rows(hits, "nginx-ssl-conf-command-groups") == [
        ("X25519MLKEM768", "", 10, 30),
        ("X25519", "", 10, 46),
        ("ECDH", "P-256", 10, 53),
    ]
    suites = by_rule(hits, "nginx-ssl-conf-command-ciphers")
    assert [(h.algorithm, h.parameter) for h in suites if h.usage is Usage.ENCRYPTION] == [
        ("AES", "256"),
        ("ChaCha20", "256"),
    ]


def test_comments_quotes_and_blocks() -> None:
    text = (
        "stream {\n"
        "  # ssl_protocols SSLv3;\n"
        "  server { ssl_protocols 'TLSv1.2' \"TLSv1.3\"; }\n"
        "}\n"
        "ssl_ciphers 'HIGH:!aNULL'; # comment; ssl_protocols SSLv2;\n"
    )
    hits = parse_text("nginx", text)
    assert rows(hits, "nginx-ssl-protocols") == [("TLS", "1.2", 3, 27), ("TLS", "1.3", 3, 37)]
    assert [h.snippet for h in by_rule(hits, "nginx-ssl-ciphers")] == ["HIGH:!aNULL"]


def test_keyword_groups_are_not_a_classic_pin() -> None:
    hits = parse_text("nginx", "ssl_ecdh_curve auto;\n")
    assert [(h.algorithm, h.confidence) for h in hits] == [("unknown", 0.3)]


def test_unknown_group_lowers_classic_only_confidence() -> None:
    hits = parse_text("nginx", "ssl_ecdh_curve X25519:p256_frodo640aes;\n")
    classic = by_rule(hits, "nginx-classic-groups-only")
    assert len(classic) == 1 and classic[0].confidence == 0.7
    assert ("unknown", "", 1, 23) in rows(hits, "nginx-ssl-ecdh-curve")


def test_unterminated_quote_is_a_parse_error() -> None:
    with pytest.raises(CodeParseError, match="line 2: unterminated"):
        parse_text("nginx", "ssl_protocols TLSv1.2;\nssl_ciphers 'HIGH:!aNULL;\n")
