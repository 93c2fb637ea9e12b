"""The lab's own tables agree with the IANA data in the catalog, and the fact types refuse
inconsistent values."""

from __future__ import annotations

import ssl

import pytest

from pqcscan.catalog import get_catalog
from pqcscan.demo.lab import CATALOGUE, GROUP_CODES, PQC_GROUPS, STANDARD, LabServer, TlsVersion
from pqcscan.demo.lab.certs import RSA2048, chain
from pqcscan.demo.lab.model import (
    CIPHER_SUITES,
    TLS13_DEFAULT_SUITES,
    Engine,
    Expected,
    HostileBehaviour,
    HostileFacts,
    ServerKind,
    TlsFacts,
    check_loopback,
)
from pqcscan.results import ErrorKind


def test_group_table_matches_the_iana_catalog() -> None:
    catalog = get_catalog()
    for name, code in GROUP_CODES.items():
        entry = catalog.classify_named("tls-group", code)
        assert entry.algorithm != "unknown", name
    assert {"X25519MLKEM768", "SecP384r1MLKEM1024", "MLKEM768"} <= PQC_GROUPS
    assert GROUP_CODES["X25519MLKEM768"] == 0x11EC
    assert GROUP_CODES["SecP384r1MLKEM1024"] == 0x11ED
    assert GROUP_CODES["MLKEM768"] == 0x0201


def test_suite_table_matches_the_iana_catalog_and_openssl() -> None:
    catalog = get_catalog()
    openssl_ids = {c["name"]: c["id"] & 0xFFFF for c in _all_python_ciphers()}
    for openssl_name, suite in CIPHER_SUITES.items():
        assert catalog.cipher_suite(suite.code).name == suite.iana, openssl_name
        if openssl_name in openssl_ids:  # 3DES is gone from OpenSSL 3.0 here
            assert openssl_ids[openssl_name] == suite.code, openssl_name
    assert set(TLS13_DEFAULT_SUITES) <= {s.iana for s in CIPHER_SUITES.values()}


def _all_python_ciphers() -> list[dict[str, int | str]]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    return ctx.get_ciphers()  # type: ignore[return-value]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.42", "::1"])
def test_loopback_addresses_are_accepted(host: str) -> None:
    assert check_loopback(host) == host


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.1", "192.168.1.1", "::", "localhost", ""])
def test_anything_else_is_refused(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        check_loopback(host)


def test_tls_facts_refuse_unknown_names_and_inconsistent_versions() -> None:
    cert = chain(RSA2048).facts
    with pytest.raises(ValueError, match="lab tables"):
        TlsFacts(
            frozenset({TlsVersion.TLS1_3}), ("X25519Kyber768",), (), TLS13_DEFAULT_SUITES, cert
        )
    with pytest.raises(ValueError, match=r"TLS 1\.3 suites"):
        TlsFacts(frozenset({TlsVersion.TLS1_2}), (), (), TLS13_DEFAULT_SUITES, cert)


def test_tls_facts_derived_properties() -> None:
    cert = chain(RSA2048).facts
    facts = TlsFacts(frozenset({TlsVersion.TLS1_3}), ("MLKEM768",), (), TLS13_DEFAULT_SUITES, cert)
    assert facts.pqc_only and facts.pqc_key_exchange
    assert facts.group_codes == (0x0201,)
    assert "x25519" in facts.refused_groups and "MLKEM768" not in facts.refused_groups
    assert facts.refused_versions == (
        TlsVersion.SSL3,
        TlsVersion.TLS1_0,
        TlsVersion.TLS1_1,
        TlsVersion.TLS1_2,
    )
    assert TlsVersion.TLS1_2.code == 0x0303


def test_hostile_facts_need_an_acceptable_preferred_error() -> None:
    with pytest.raises(ValueError):
        HostileFacts(HostileBehaviour.SILENT, ErrorKind.RESET, frozenset({ErrorKind.TIMEOUT}))


def test_endpoint_brackets_ipv6() -> None:
    server = LabServer("x", ServerKind.HOSTILE, Engine.HANDMADE, "::1", 443, "d", Expected())
    assert server.endpoint == "[::1]:443"
    with pytest.raises(AttributeError):
        server.tls  # noqa: B018


def test_catalogue_facts_are_consistent() -> None:
    assert set(STANDARD) <= set(CATALOGUE)
    kinds = {s.kind for s in CATALOGUE.values()}
    assert kinds == set(ServerKind)
    assert {s.behaviour for s in CATALOGUE.values() if hasattr(s, "behaviour")} == set(
        HostileBehaviour
    )
    for name, spec in CATALOGUE.items():
        expected = spec.expected()
        if spec.kind is ServerKind.HOSTILE:
            assert expected.hostile is not None and expected.tls is None, name
        else:
            assert expected.tls is not None and expected.hostile is None, name
            assert (expected.starttls is not None) == (spec.kind is ServerKind.STARTTLS), name
