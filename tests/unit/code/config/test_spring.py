"""Spring Boot application.yml / application.properties."""

from __future__ import annotations

import pytest

from pqcscan.collectors.code.config.spring import normalise
from pqcscan.collectors.code.model import CodeParseError
from pqcscan.results import Usage
from tests.unit.code.config._util import by_rule, parse_file, parse_text, rows


def test_application_yml() -> None:
    hits = parse_file("spring", "application.yml")
    assert rows(hits, "spring-ssl-enabled-protocols") == [
        ("TLS", "1.2", 10, 24),
        ("TLS", "1.3", 10, 32),
        ("TLS", "1.3", 34, 25),  # second document (dev profile), quoted value
    ]
    assert rows(hits, "spring-ssl-protocol") == [("TLS", "", 9, 15)]
    assert by_rule(hits, "spring-ssl-protocol")[0].confidence == 0.5
    ciphers = by_rule(hits, "spring-ssl-ciphers")
    assert [(h.algorithm, h.line, h.column) for h in ciphers if h.usage is Usage.KEY_EXCHANGE] == [
        ("ECDH", 12, 9),
        ("ECDH", 13, 9),
    ]
    assert ("HMAC-SHA1", "", 13, 9) in rows(hits, "spring-ssl-ciphers")
    assert rows(hits, "spring-ssl-key-store-type") == [("unknown", "", 7, 21)]
    assert rows(hits, "spring-ssl-bundle-key-store-type") == [("JKS-KeyProtector", "", 24, 19)]
    assert rows(hits, "spring-ssl-bundle-enabled-protocols") == [
        ("TLS", "1.1", 26, 33),
        ("TLS", "1.2", 26, 42),
    ]


def test_application_properties() -> None:
    hits = parse_file("spring", "application.properties")
    assert rows(hits, "spring-ssl-enabled-protocols") == [
        ("TLS", "1.0", 7, 30),
        ("TLS", "1.1", 7, 36),
        ("TLS", "1.2", 7, 44),
    ]
    kex = [(h.algorithm, h.line, h.column) for h in by_rule(hits, "spring-ssl-ciphers")
           if h.usage is Usage.KEY_EXCHANGE]  # fmt: skip
    # a continued value keeps each entry on its own line
    assert kex == [("RSAES-PKCS1-v1_5", 8, 20), ("ECDH", 9, 3)]
    assert rows(hits, "spring-ssl-key-store-type") == [("JKS-KeyProtector", "", 6, 27)]
    assert [h.algorithm for h in by_rule(hits, "spring-ssl-bundle-ciphers")] == [
        "AES",
        "HMAC-SHA384",
    ]


def test_relaxed_binding() -> None:
    assert normalise("server.ssl.enabledProtocols[0]") == "server.ssl.enabledprotocols"
    assert normalise("server.ssl.enabled_protocols") == "server.ssl.enabledprotocols"
    assert normalise("spring.ssl.bundle.jks.my-client.options.ciphers") == (
        "spring.ssl.bundle.jks.*.options.ciphers"
    )
    hits = parse_text(
        "spring", "server.ssl.enabledProtocols[0]=TLSv1.3\n", "application-prod.properties"
    )
    assert rows(hits) == [("TLS", "1.3", 1, 32)]


def test_yaml_errors_and_bombs() -> None:
    with pytest.raises(CodeParseError, match="line 2"):
        parse_text("spring", "server:\n\tssl: x\n", "application.yml")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    assert parse_text("spring", bomb, "application.yml") == ()
    # a mapping "billion laughs": the walk is bounded instead of expanding 10^9 nodes
    maps = "a: &a {k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v, k8: v, k9: v}\n"
    for i in range(1, 10):
        p, c = chr(97 + i - 1), chr(97 + i)
        maps += f"{c}: &{c} {{" + ", ".join(f"m{j}: *{p}" for j in range(10)) + "}\n"
    with pytest.raises(CodeParseError, match="too large"):
        parse_text("spring", maps, "application.yml")
    deep = "server:\n" + "  " * 0 + "x: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(CodeParseError):
        parse_text("spring", deep, "application.yml")
    assert parse_text("spring", "", "application.yml") == ()
    assert parse_text("spring", "just a string\n", "application.yml") == ()
