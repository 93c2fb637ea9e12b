"""Classic servers (Python ssl): each accepts exactly the versions, groups and suites its facts
list, and sends the chain they describe. Clients: Python ssl, the hand-made ClientHello, openssl
s_client (for the versions Python no longer offers) and pyOpenSSL (for the chain)."""

from __future__ import annotations

import contextlib
import hashlib
import ssl

import pytest

from pqcscan.demo.lab import CATALOGUE, GROUP_CODES, ClassicTlsSpec, Lab, TlsVersion
from pqcscan.demo.lab.model import CIPHER_SUITES, SUITE_CODES
from tests.unit.lab.clients import (
    accepted_groups,
    accepted_tls13_suites,
    hello_probe,
    pyopenssl_chain,
    python_context,
    python_tls,
    s_client,
)

CLASSIC = [n for n, s in CATALOGUE.items() if isinstance(s, ClassicTlsSpec)]
PY_CURVES = {"x25519": "X25519", "x448": "X448", "secp256r1": "prime256v1",
             "secp384r1": "secp384r1", "secp521r1": "secp521r1"}  # fmt: skip
OPENSSL_NAME = {s.iana: s.openssl for s in CIPHER_SUITES.values()}


@pytest.mark.parametrize("name", CLASSIC)
def test_versions_are_exactly_the_expected_ones(lab: Lab, name: str) -> None:
    server = lab[name]
    tls = server.tls
    for version in (TlsVersion.TLS1_2, TlsVersion.TLS1_3):
        ctx = python_context(server, version=version.value)
        if version in tls.versions:
            assert python_tls(server, ctx).version == version.value
        else:
            with pytest.raises(ssl.SSLError):
                python_tls(server, ctx)
    for flag in ("-tls1", "-tls1_1"):  # Python's ssl no longer offers these
        facts = s_client(server, flag, "-cipher", "ALL:@SECLEVEL=0")
        assert facts["established"] == "no", facts["output"]


@pytest.mark.parametrize("name", CLASSIC)
def test_groups_are_exactly_the_expected_ones(lab: Lab, name: str) -> None:
    server = lab[name]
    tls = server.tls
    if TlsVersion.TLS1_3 in tls.versions:
        assert accepted_groups(server) == set(tls.groups)
    else:  # TLS 1.2 only: a Python client offering one curve at a time
        accepted = set()
        for group, curve in PY_CURVES.items():
            ctx = python_context(server, version="TLSv1.2", curve=curve)
            try:
                python_tls(server, ctx)
            except ssl.SSLError:
                continue
            accepted.add(group)
        assert accepted == set(tls.groups)


@pytest.mark.parametrize("name", CLASSIC)
def test_suites_are_exactly_the_expected_ones(lab: Lab, name: str) -> None:
    server = lab[name]
    tls = server.tls
    if TlsVersion.TLS1_2 in tls.versions:
        accepted = set()
        for cipher in python_context().get_ciphers():
            if cipher["protocol"] != "TLSv1.2":
                continue
            ctx = python_context(server, version="TLSv1.2", ciphers=cipher["name"])
            with contextlib.suppress(ssl.SSLError):
                accepted.add(python_tls(server, ctx).cipher)
        assert accepted == {OPENSSL_NAME[s] for s in tls.cipher_suites}
    if TlsVersion.TLS1_3 in tls.versions:
        suites = accepted_tls13_suites(server, GROUP_CODES[tls.groups[0]])
        assert suites == {SUITE_CODES[s] for s in tls.tls13_cipher_suites}


@pytest.mark.parametrize("name", CLASSIC)
def test_chain_is_the_expected_one_and_verifies(lab: Lab, name: str) -> None:
    server = lab[name]
    cert = server.tls.certificate
    sent = pyopenssl_chain(server)
    assert [hashlib.sha256(der).hexdigest() for der in sent] == [c.sha256 for c in cert.chain]
    # Python's ssl verifies the chain to the lab root and the name "localhost".
    handshake = python_tls(server, python_context(server))
    assert hashlib.sha256(handshake.leaf_der).hexdigest() == cert.leaf.sha256


def test_server_preference_decides_the_tls12_suite(lab: Lab) -> None:
    """cipher_suites is in the server's order: its first choice wins whatever the client
    prefers."""
    server = lab["classic-rsa2048"]
    reverse = ":".join(OPENSSL_NAME[s] for s in reversed(server.tls.cipher_suites))
    ctx = python_context(server, version="TLSv1.2", ciphers=reverse)
    assert python_tls(server, ctx).cipher == OPENSSL_NAME[server.tls.cipher_suites[0]]


def test_a_tls13_only_server_refuses_a_tls12_hello(lab: Lab) -> None:
    server = lab["classic-rsa3072-tls13"]
    result = hello_probe(server, GROUP_CODES["x25519"])
    assert result.kind == "hrr"
    with pytest.raises(ssl.SSLError):
        python_tls(server, python_context(server, version="TLSv1.2"))
