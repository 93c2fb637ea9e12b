"""OpenSSL 3.5 servers: the hand-made single-group ClientHello proves the exact group lists; a
pyOpenSSL client on OpenSSL 3.5 (a subprocess whose OPENSSL_CONF picks the groups it offers)
completes handshakes and reports the negotiated group and the chain, which it verifies (ML-DSA
signatures included); Python's ssl (OpenSSL 3.0, no ML-KEM, no ML-DSA) is refused where a
classic-only client must be."""

from __future__ import annotations

import hashlib
import ssl
from typing import Any

import pytest
from cryptography import x509

from pqcscan.demo.lab import CATALOGUE, GROUP_CODES, Lab, PqcTlsSpec, TlsVersion
from pqcscan.demo.lab.model import SUITE_CODES
from pqcscan.demo.lab.tls import OPENSSL_GROUP_NAMES
from tests.unit.lab.clients import (
    accepted_groups,
    accepted_tls13_suites,
    ossl35,
    ossl35_job,
    python_context,
    python_tls,
)

PQC = [n for n, s in CATALOGUE.items() if isinstance(s, PqcTlsSpec)]


@pytest.mark.parametrize("name", PQC)
def test_groups_are_exactly_the_expected_ones(lab: Lab, name: str) -> None:
    server = lab[name]
    assert accepted_groups(server) == set(server.tls.groups)


@pytest.mark.parametrize("name", PQC)
def test_tls13_suites_are_the_defaults(lab: Lab, name: str) -> None:
    server = lab[name]
    suites = accepted_tls13_suites(server, GROUP_CODES[server.tls.groups[0]])
    assert suites == {SUITE_CODES[s] for s in server.tls.tls13_cipher_suites}


def test_the_facts_say_what_the_names_say(lab: Lab) -> None:
    assert lab["pqc-hybrid"].tls.groups[0] == "X25519MLKEM768"
    assert lab["pqc-hybrid"].tls.pqc_key_exchange and not lab["pqc-hybrid"].tls.pqc_only
    assert lab["pqc-mlkem768-only"].tls.groups == ("MLKEM768",)
    assert lab["pqc-mlkem768-only"].tls.pqc_only
    assert lab["pqc-p384-mlkem1024"].tls.groups == ("SecP384r1MLKEM1024",)
    assert lab["pqc-every-mlkem"].tls.pqc_only
    assert not lab["pqc-classic-groups"].tls.pqc_key_exchange
    assert lab["pqc-mldsa65"].expected.pqc_certificate


@pytest.fixture(scope="module")
def handshakes(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Any]:
    """(server, client groups) -> the OpenSSL 3.5 client's result: every PQC server, each
    client offering one of its accepted groups (the server's first and, where it has any,
    x25519), in TLS 1.3, verifying the chain against the server's root. One client process
    per group configuration."""
    folder = tmp_path_factory.mktemp("roots")
    by_groups: dict[str, list[str]] = {}
    for name in PQC:
        tls = lab[name].tls
        for group in {tls.groups[0], *(g for g in tls.groups if g == "x25519")}:
            by_groups.setdefault(group, []).append(name)
    results: dict[tuple[str, str], Any] = {}
    for group, names in by_groups.items():
        jobs = []
        for name in names:
            root = folder / f"{name}.pem"
            root.write_bytes(lab[name].ca_pem)
            jobs.append(ossl35_job(lab[name], cafile=str(root)))
        for name, result in zip(names, ossl35(jobs, OPENSSL_GROUP_NAMES[group]), strict=True):
            results[(name, group)] = result
    return results


@pytest.mark.parametrize("name", PQC)
def test_openssl35_client_negotiates_each_offered_group(
    lab: Lab, name: str, handshakes: dict[tuple[str, str], Any]
) -> None:
    server = lab[name]
    cert = server.tls.certificate
    tried = [(n, g) for (n, g) in handshakes if n == name]
    assert tried
    for _, group in tried:
        result = handshakes[(name, group)]
        assert result["ok"], result
        assert result["group"] == group and result["version"] == "TLSv1.3"
        assert result["verified"]  # OpenSSL 3.5 verified the chain up to the lab root
        assert [hashlib.sha256(bytes.fromhex(d)).hexdigest() for d in result["chain"]] == [
            c.sha256 for c in cert.chain
        ]
        assert result["reply"].startswith("HTTP/1.1 200 OK")


def test_a_client_offering_an_unaccepted_group_is_refused(lab: Lab) -> None:
    jobs = [ossl35_job(lab[n]) for n in ("pqc-mlkem768-only", "pqc-classic-groups")]
    refused = ossl35(jobs, "X25519MLKEM768")
    assert all(not r["ok"] and "handshake failure" in r["error"] for r in refused)


def test_tls12_is_accepted_exactly_where_expected(lab: Lab) -> None:
    names = PQC
    jobs = [ossl35_job(lab[n], "TLSv1.2") for n in names]
    jobs += [ossl35_job(lab[n], "TLSv1.1", ciphers="ALL:@SECLEVEL=0") for n in names]
    results = ossl35(jobs, "X25519:P-256:P-384")
    for name, tls12, tls11 in zip(names, results[: len(names)], results[len(names) :], strict=True):
        assert tls12["ok"] == (TlsVersion.TLS1_2 in lab[name].tls.versions), (name, tls12)
        assert not tls11["ok"], (name, tls11)


def test_the_ml_dsa_server_sends_an_ml_dsa_65_chain(
    lab: Lab, handshakes: dict[tuple[str, str], Any]
) -> None:
    result = handshakes[("pqc-mldsa65", "X25519MLKEM768")]
    leaf, root = (x509.load_der_x509_certificate(bytes.fromhex(d)) for d in result["chain"])
    ml_dsa_65 = "2.16.840.1.101.3.4.3.18"
    for cert in (leaf, root):
        assert cert.public_key_algorithm_oid.dotted_string == ml_dsa_65
        assert cert.signature_algorithm_oid.dotted_string == ml_dsa_65
    assert result["verified"]


@pytest.mark.parametrize(
    ("name", "connects"),
    [
        ("pqc-hybrid", True),  # classic groups are accepted too
        ("pqc-classic-groups", True),
        ("pqc-mlkem768-only", False),  # OpenSSL 3.0 cannot offer ML-KEM
        ("pqc-p384-mlkem1024", False),
        ("pqc-every-mlkem", False),
        ("pqc-mldsa65", False),  # nor verify or even accept an ML-DSA CertificateVerify
    ],
)
def test_a_classic_only_client(lab: Lab, name: str, connects: bool) -> None:
    server = lab[name]
    ctx = python_context(server, version="TLSv1.3")
    if connects:
        assert python_tls(server, ctx).version == "TLSv1.3"
    else:
        with pytest.raises(ssl.SSLError):
            python_tls(server, ctx)


def test_the_ossl35_servers_are_subprocesses(lab: Lab) -> None:
    pids = {lab[n].pid for n in PQC}
    assert None not in pids and len(pids) == len(PQC)
