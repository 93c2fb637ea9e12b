"""Weak servers: openssl s_client (Debian 3.0) proves each s_server configuration; nassl's
OpenSSL 1.0.2 client proves the hand-written 3DES server (no other client here has 3DES)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from pqcscan.demo.lab import CATALOGUE, GROUP_CODES, Lab, OpenSslCliSpec, TlsVersion
from pqcscan.demo.lab.model import CIPHER_SUITES
from tests.unit.lab.clients import hello_probe, nassl_legacy, pyopenssl_chain, s_client

WEAK = [n for n, s in CATALOGUE.items() if isinstance(s, OpenSslCliSpec)]
FLAGS = {
    TlsVersion.TLS1_0: "-tls1",
    TlsVersion.TLS1_1: "-tls1_1",
    TlsVersion.TLS1_2: "-tls1_2",
    TlsVersion.TLS1_3: "-tls1_3",
}
S_CLIENT_VERSION = {"TLSv1": TlsVersion.TLS1_0, "TLSv1.1": TlsVersion.TLS1_1,
                    "TLSv1.2": TlsVersion.TLS1_2, "TLSv1.3": TlsVersion.TLS1_3}  # fmt: skip
CURVES = {"x25519": "X25519", "secp256r1": "P-256", "secp384r1": "P-384",
          "secp521r1": "P-521", "x448": "X448"}  # fmt: skip
OPENSSL_NAME = {s.iana: s.openssl for s in CIPHER_SUITES.values()}
ANY = "ALL:@SECLEVEL=0"


def _only_version(lab: Lab, name: str) -> TlsVersion:
    (version,) = lab[name].tls.versions
    return version


@pytest.mark.parametrize("name", WEAK)
def test_exactly_one_version_is_accepted(lab: Lab, name: str) -> None:
    server = lab[name]
    for version, flag in FLAGS.items():
        facts = s_client(server, flag, "-cipher", ANY)
        accepted = facts["established"] == "yes"
        assert accepted == (version in server.tls.versions), (flag, facts["output"])
        if accepted:
            assert S_CLIENT_VERSION[facts["Protocol version"]] is version


@pytest.mark.parametrize("name", WEAK)
def test_exactly_the_expected_suites_are_accepted(lab: Lab, name: str) -> None:
    server = lab[name]
    flag = FLAGS[_only_version(lab, name)]
    expected = [OPENSSL_NAME[s] for s in server.tls.cipher_suites]
    for suite in expected:
        facts = s_client(server, flag, "-cipher", f"{suite}:@SECLEVEL=0")
        assert facts.get("Ciphersuite") == suite, facts["output"]
    others = "ALL:COMPLEMENTOFALL:" + ":".join(f"!{s}" for s in expected) + ":@SECLEVEL=0"
    assert s_client(server, flag, "-cipher", others)["established"] == "no"


@pytest.mark.parametrize("name", WEAK)
def test_key_exchange_groups(lab: Lab, name: str) -> None:
    server = lab[name]
    tls = server.tls
    flag = FLAGS[_only_version(lab, name)]
    if not tls.groups:  # RSA key transport or DHE: no named group, DHE of the stated size
        facts = s_client(server, flag, "-cipher", ANY)
        temp_key = facts.get("Server Temp Key")
        if tls.dh_bits is None:
            assert temp_key is None, facts["output"]
        else:
            assert temp_key == f"DH, {tls.dh_bits} bits"
        return
    # ECDHE suites only, or the server falls back to RSA key transport when it has it
    ecdhe = ":".join(OPENSSL_NAME[s] for s in tls.cipher_suites if "_ECDHE_" in s)
    accepted = set()
    for group, openssl_name in CURVES.items():
        facts = s_client(server, flag, "-cipher", f"{ecdhe}:@SECLEVEL=0", "-groups", openssl_name)
        if facts["established"] == "yes":
            accepted.add(group)
    assert accepted == set(tls.groups)


@pytest.mark.parametrize("name", WEAK)
def test_the_chain_is_the_expected_one(lab: Lab, name: str, ca_file: Callable[..., Path]) -> None:
    server = lab[name]
    cert = server.tls.certificate
    sent = pyopenssl_chain(server, _only_version(lab, name).value)
    assert [hashlib.sha256(der).hexdigest() for der in sent] == [c.sha256 for c in cert.chain]
    leaf = x509.load_der_x509_certificate(sent[0])
    assert leaf.signature_algorithm_oid.dotted_string == cert.leaf.signature_oid
    key = leaf.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert cert.key_algorithm == f"RSA-{key.key_size}"
    # s_client verifies the chain to the lab root once the security level allows it
    facts = s_client(
        server, FLAGS[_only_version(lab, name)], "-cipher", ANY, "-auth_level", "0",
        ca_file=ca_file(server),
    )  # fmt: skip
    assert facts.get("Verification") == "OK", facts["output"]


def test_sha1_and_rsa1024_are_what_the_facts_say(lab: Lab) -> None:
    assert lab["weak-sha1-cert"].tls.certificate.signature_algorithm == "sha1WithRSAEncryption"
    assert lab["weak-rsa1024"].tls.certificate.key_algorithm == "RSA-1024"
    assert lab["weak-dhe1024"].tls.dh_bits == 1024


# --------------------------------------------------------------------------- 3DES


def test_3des_server_completes_a_handshake_with_openssl_102(lab: Lab) -> None:
    server = lab["weak-3des"]
    cipher, chain_length, reply = nassl_legacy(server, "TLSv1.2", "DES-CBC3-SHA")
    assert cipher == "DES-CBC3-SHA" and server.tls.cipher_suites == (
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    )
    assert chain_length == len(server.tls.certificate.chain) == 2
    assert reply.startswith(b"HTTP/1.1 200 OK")


def test_3des_server_accepts_nothing_else(lab: Lab) -> None:
    server = lab["weak-3des"]
    for version in ("TLSv1.0", "TLSv1.1"):
        with pytest.raises(Exception, match=r"(?i)version|alert"):
            nassl_legacy(server, version, "DES-CBC3-SHA")
    with pytest.raises(Exception, match=r"(?i)handshake failure"):
        nassl_legacy(server, "TLSv1.2", "ALL:!3DES")
    # Debian's OpenSSL 3.0 has no 3DES at all, so nothing it offers is accepted ...
    assert s_client(server, "-cipher", ANY)["established"] == "no"
    # ... and a TLS 1.3 hello is refused with handshake_failure
    assert hello_probe(server, GROUP_CODES["x25519"]).alert == 40
