"""Hostile input: binary, invalid UTF-8, huge lines, unterminated quotes, includes, fuzz."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.code.config import parse_config
from pqcscan.collectors.code.config._base import MAX_BYTES
from pqcscan.collectors.code.model import CodeParseError

KINDS = ("nginx", "apache", "haproxy", "openssl", "sshd", "ssh", "java-security", "spring")
SAMPLES = {
    "nginx": b"ssl_protocols TLSv1.2;\nssl_ecdh_curve X25519;\n",
    "apache": b"SSLProtocol -all +TLSv1.2\nSSLCipherSuite HIGH\n",
    "haproxy": b"global\n ssl-default-bind-ciphers AES128-SHA\n",
    "openssl": b"[system_default_sect]\nGroups = X25519\n",
    "sshd": b"KexAlgorithms curve25519-sha256\n",
    "ssh": b"Host *\n Ciphers aes128-ctr\n",
    "java-security": b"jdk.tls.namedGroups=x25519\n",
    "spring": b"server.ssl.enabled-protocols=TLSv1.2\n",
}


@pytest.mark.parametrize("kind", KINDS)
def test_binary_content_is_refused(kind: str) -> None:
    with pytest.raises(CodeParseError, match="binary"):
        parse_config(kind, "x", b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)))


@pytest.mark.parametrize("kind", KINDS)
def test_invalid_utf8_still_parses(kind: str) -> None:
    data = b"# r\xe9glage \xff\xfe\n" + SAMPLES[kind]
    assert len(parse_config(kind, "application.properties", data)) >= 1


@pytest.mark.parametrize("kind", KINDS)
def test_huge_line_is_linear(kind: str) -> None:
    data = b"# " + b"A" * 3_000_000 + b"\n" + SAMPLES[kind] + b"x" * 2_000_000
    start = time.monotonic()
    with contextlib.suppress(CodeParseError):
        parse_config(kind, "application.properties", data)
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("kind", KINDS)
def test_oversized_file_is_refused(kind: str) -> None:
    with pytest.raises(CodeParseError, match="too large"):
        parse_config(kind, "x", b"#" * (MAX_BYTES + 1))


def test_huge_cipher_list_is_bounded() -> None:
    value = ":".join(["AES128-SHA"] * 1500)
    with pytest.raises(CodeParseError, match=r"too long|more than"):
        parse_config("nginx", "x", f"ssl_ciphers {value};\n".encode())


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("nginx", 'ssl_ciphers "HIGH:!aNULL;\n'),
        ("apache", "SSLCipherSuite 'HIGH\n"),
        ("haproxy", 'global\n ssl-default-bind-ciphers "HIGH\n'),
        ("openssl", '[system_default_sect]\nCipherString = "DEFAULT\n'),
        ("sshd", 'KexAlgorithms "curve25519-sha256\n'),
    ],
)
def test_unterminated_quotes_in_settings(kind: str, text: str) -> None:
    with pytest.raises(CodeParseError, match="unterminated"):
        parse_config(kind, "x", text.encode())


def test_unterminated_quote_elsewhere_is_tolerated() -> None:
    # a stray quote on a line the parser does not read does not spoil the file
    hits = parse_config("sshd", "x", b'Banner "oops\nKexAlgorithms curve25519-sha256\n')
    assert [h.algorithm for h in hits if h.rule_id == "sshd-kex-algorithms"] == ["X25519"]


def test_includes_are_not_followed() -> None:
    loops = {
        "nginx": b"include /etc/nginx/nginx.conf;\ninclude *.conf;\n",
        "apache": b"Include /etc/apache2/apache2.conf\nIncludeOptional *.conf\n",
        "openssl": b".include /etc/ssl/openssl.cnf\n.include = openssl.cnf\n",
        "sshd": b"Include /etc/ssh/sshd_config\n",
        "java-security": b"include ${java.home}/conf/security/java.security\n",
    }
    for kind, data in loops.items():
        assert parse_config(kind, "x", data) == ()


def test_unknown_kind() -> None:
    with pytest.raises(CodeParseError, match="unknown configuration kind"):
        parse_config("postfix", "main.cf", b"smtpd_tls_protocols = !SSLv2\n")


def test_unbalanced_braces_and_truncation() -> None:
    assert parse_config("nginx", "x", b"}}}} server { ssl_protocols TLSv1.3") != ()
    assert parse_config("nginx", "x", b"http { server { ssl_ciphers") == ()


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(KINDS), data=st.binary(max_size=400))
def test_fuzz_never_crashes(kind: str, data: bytes) -> None:
    with contextlib.suppress(CodeParseError):
        parse_config(kind, "application.yml" if kind == "spring" else "x", data)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    text=st.text(alphabet=st.sampled_from(list("ab =:;,{}[]#'\"\\\n\t+-!^*?/TLSv1.2X25519")),
                 max_size=300),
)  # fmt: skip
def test_fuzz_syntax_never_crashes(kind: str, text: str) -> None:
    with contextlib.suppress(CodeParseError):
        parse_config(kind, "application.yml" if kind == "spring" else "x", text.encode())
