"""HAProxy: ssl-default-* settings and bind/server options."""

from __future__ import annotations

from pqcscan.results import Usage
from tests.unit.code.config._util import by_rule, parse_file, parse_text, rows


def test_global_defaults() -> None:
    hits = parse_file("haproxy", "haproxy.cfg")
    assert rows(hits, "haproxy-ssl-default-bind-curves") == [
        ("X25519", "", 13, 29),
        ("ECDH", "P-256", 13, 36),
        ("ECDH", "P-384", 13, 47),
    ]
    assert [h.line for h in by_rule(hits, "haproxy-classic-groups-only")] == [13]
    # ssl-min-ver TLSv1.2 (up to the default maximum TLSv1.3), placed on the version word
    assert rows(hits, "haproxy-ssl-default-bind-options") == [
        ("TLS", "1.2", 16, 64),
        ("TLS", "1.3", 16, 64),
    ]
    # no-sslv3 no-tlsv10 without ssl-min-ver: HAProxy's own minimum applies, less certain
    server_opts = by_rule(hits, "haproxy-ssl-default-server-options")
    assert [(h.parameter, h.column, h.confidence) for h in server_opts] == [
        ("1.2", 32, 0.8),
        ("1.3", 32, 0.8),
    ]
    suites = by_rule(hits, "haproxy-ssl-default-bind-ciphersuites")
    assert [(h.algorithm, h.parameter) for h in suites if h.usage is Usage.ENCRYPTION] == [
        ("AES", "128"),
        ("AES", "256"),
        ("ChaCha20", "256"),
    ]
    assert len(by_rule(hits, "haproxy-ssl-default-bind-ciphers")) == 3 * 4
    assert len(by_rule(hits, "haproxy-ssl-default-server-ciphers")) == 4


def test_bind_and_server_lines() -> None:
    hits = parse_file("haproxy", "haproxy.cfg")
    assert rows(hits, "haproxy-bind-curves") == [
        ("X25519MLKEM768", "", 42, 57),
        ("X25519", "", 42, 72),
    ]
    pq_classic = [h for h in by_rule(hits, "haproxy-classic-groups-only") if h.line == 42]
    assert pq_classic == []
    assert rows(hits, "haproxy-bind-protocols") == [("TLS", "1.3", 42, 91)]
    assert "frontend ft_pq" in by_rule(hits, "haproxy-bind-protocols")[0].message
    server = by_rule(hits, "haproxy-server-ciphers")
    assert {(h.algorithm, h.parameter) for h in server if h.usage is Usage.ENCRYPTION} == {
        ("AES", "128"),
        ("3DES", "168"),
    }
    assert rows(hits, "haproxy-server-protocols") == [("TLS", "1.2", 46, 126)]
    # the plain-HTTP bind on :80 and the non-ssl server produce nothing
    assert not [h for h in hits if h.line in (35, 47)]


def test_force_and_comments() -> None:
    text = (
        "global\n"
        "  # ssl-default-bind-options force-sslv3\n"
        "  ssl-default-bind-options force-tlsv12 # pinned\n"
        "listen legacy\n"
        "  bind :4443 ssl crt /x.pem ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.1\n"
    )
    hits = parse_text("haproxy", text)
    assert rows(hits, "haproxy-ssl-default-bind-options") == [("TLS", "1.2", 3, 28)]
    assert rows(hits, "haproxy-bind-protocols") == [("TLS", "1.0", 5, 41), ("TLS", "1.1", 5, 41)]
