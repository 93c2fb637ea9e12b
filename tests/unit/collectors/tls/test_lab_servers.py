"""The probe engine against the lab's real servers: what it reports equals the facts each
server was configured with (versions, suites, preferred suite, groups, DH size, chain)."""

from __future__ import annotations

import pytest

from pqcscan.collectors.tls.report import TlsReport
from pqcscan.collectors.tls.wire import TlsVersion
from pqcscan.demo.lab import GROUP_CODES, Engine, TlsFacts, serve
from pqcscan.demo.lab.model import SUITE_CODES
from pqcscan.results import Support

from .conftest import ScanLab, endpoint_of, run_report

VERSIONS = {
    "SSLv3": TlsVersion.SSL3,
    "TLSv1.0": TlsVersion.TLS10,
    "TLSv1.1": TlsVersion.TLS11,
    "TLSv1.2": TlsVersion.TLS12,
    "TLSv1.3": TlsVersion.TLS13,
}
TLS_SERVERS = (
    "classic-rsa2048",
    "classic-rsa3072-tls13",
    "classic-ecdsa-p256-tls12",
    "classic-ecdsa-p384",
    "classic-ed25519",
    "weak-tls10",
    "weak-tls11",
    "weak-rsa-kx",
    "weak-dhe1024",
    "weak-3des",
    "weak-sha1-cert",
    "weak-rsa1024",
    "pqc-hybrid",
    "pqc-p384-mlkem1024",
    "pqc-mlkem768-only",
    "pqc-every-mlkem",
    "pqc-classic-groups",
    "pqc-mldsa65",
)


def _legacy_suites(report: TlsReport) -> set[int]:
    return {c for v in report.versions if v.version != TlsVersion.TLS13 for c in v.suites}


@pytest.mark.parametrize("name", TLS_SERVERS)
def test_versions_suites_and_chain_match_the_server(scan_lab: ScanLab, name: str) -> None:
    scan = scan_lab(name)
    facts: TlsFacts = scan.server.tls
    report = scan.report
    assert report.errors == ()
    # Versions: exactly the configured ones are supported, every other one refused (tested).
    expected_versions = {VERSIONS[v.value] for v in facts.versions}
    assert set(report.supported_versions) == expected_versions
    for v in report.versions:
        if v.version not in expected_versions:
            assert v.support.state is Support.NOT_SUPPORTED, (v.version, v.support)
    # Suites: the TLS 1.3 ones and the TLS <= 1.2 ones, each enumeration complete.
    tls13 = report.version(TlsVersion.TLS13)
    assert set(tls13.suites) == {SUITE_CODES[s] for s in facts.tls13_cipher_suites}
    assert _legacy_suites(report) == {SUITE_CODES[s] for s in facts.cipher_suites}
    for v in report.versions:
        if v.supported:
            assert v.suite_enumeration.state is Support.SUPPORTED, v.suite_enumeration
    # The certificate chain, exactly as the server sends it.
    assert report.certificate_chain == tuple(c.der for c in facts.certificate.chain)
    # The chain is signed by the lab's own root: not trusted, issuer unknown.
    assert report.trust.trusted is False
    assert report.trust.reason.startswith("unknown issuer")


@pytest.mark.parametrize("name", TLS_SERVERS)
def test_groups_match_the_server(scan_lab: ScanLab, name: str) -> None:
    report = scan_lab(name).report
    facts = scan_lab(name).server.tls
    expected = set(facts.group_codes)
    if TlsVersion.TLS13 in report.supported_versions:
        found = report.version(TlsVersion.TLS13)
        # Every candidate group of the lab table is either accepted or refused, as configured.
        for group_name, code in GROUP_CODES.items():
            state = found.group(code).state
            want = Support.SUPPORTED if code in expected else Support.NOT_SUPPORTED
            assert state is want, (group_name, found.group(code))
        return
    legacy = max(report.supported_versions)
    curves = set(report.version(legacy).supported_groups())
    # Facts list the curves a one-curve hello succeeds with. On an ECDSA server that is only
    # the certificate's curve (RFC 8422 §5.1), but the server also uses the others when the
    # client lists the certificate's curve too: we report those, reasoned.
    assert expected <= curves
    for code in curves - expected:
        cap = report.version(legacy).group(code)
        assert cap.reason == "used when the certificate's curve is offered too"


@pytest.mark.parametrize(
    "name", [n for n in TLS_SERVERS if n.startswith("classic-") and "tls13" not in n]
)
def test_preferred_suite_of_python_servers(scan_lab: ScanLab, name: str) -> None:
    """Python's ssl servers enforce their own order: the first configured suite wins, in
    TLS 1.2 and in TLS 1.3, and the reversed-list check says so."""
    scan = scan_lab(name)
    assert scan.server.engine is Engine.PYTHON_SSL
    facts = scan.server.tls
    for v in scan.report.versions:
        if not v.supported or len(v.suites) < 2:
            continue
        order = facts.tls13_cipher_suites if v.version == TlsVersion.TLS13 else facts.cipher_suites
        assert v.server_suite_order.state is Support.SUPPORTED
        assert v.preferred_suite == SUITE_CODES[order[0]]


def test_client_order_servers_have_no_preferred_suite(scan_lab: ScanLab) -> None:
    """openssl s_server follows the client's order: reversing the list changes the answer."""
    v = scan_lab("weak-rsa-kx").report.version(TlsVersion.TLS12)
    assert v.server_suite_order.state is Support.NOT_SUPPORTED
    assert v.preferred_suite is None


def test_dhe_prime_size(scan_lab: ScanLab) -> None:
    report = scan_lab("weak-dhe1024").report
    kx = dict(report.version(TlsVersion.TLS12).key_exchanges)
    assert {k.kind for k in kx.values()} == {"DHE"}
    assert {k.dh_bits for k in kx.values()} == {1024}
    assert all(k.dh_group is None for k in kx.values())  # RFC 2409 group 2, not an ffdhe one


def test_rsa_key_transport_and_3des(scan_lab: ScanLab) -> None:
    for name, suites in (("weak-rsa-kx", {0x009D, 0x002F}), ("weak-3des", {0x000A})):
        v = scan_lab(name).report.version(TlsVersion.TLS12)
        assert set(v.suites) == suites
        assert {k.kind for _, k in v.key_exchanges} == {"RSA"}
        # Nothing signs an RSA key exchange: no TLS 1.2 signature scheme can be tested.
        assert all(c.state is Support.NOT_TESTED for _, c in v.signature_schemes)


def test_tls10_server_reports_its_curves_and_chain(scan_lab: ScanLab) -> None:
    report = scan_lab("weak-tls10").report
    v = report.version(TlsVersion.TLS10)
    assert set(v.supported_groups()) == {0x001D, 0x0017}
    assert report.certificate is not None and report.certificate.version == TlsVersion.TLS10


def test_decided_things_are_skipped_with_a_reason(scan_lab: ScanLab) -> None:
    report = scan_lab("classic-ecdsa-p256-tls12").report
    tls13 = report.version(TlsVersion.TLS13)
    assert tls13.support.state is Support.NOT_SUPPORTED
    assert tls13.groups and all(c.state is Support.NOT_TESTED for _, c in tls13.groups)
    assert {c.reason for _, c in tls13.groups} == {"no TLS 1.3"}
    assert {c.reason for _, c in tls13.signature_schemes} == {"no TLS 1.3"}


def test_signature_schemes(scan_lab: ScanLab) -> None:
    ed = scan_lab("classic-ed25519").report
    assert ed.version(TlsVersion.TLS13).supported_schemes() == (0x0807,)
    assert ed.certificate is not None and ed.certificate.signature_scheme == 0x0807
    assert ed.certificate.signature_valid is True
    rsa = scan_lab("classic-rsa3072-tls13").report
    schemes = set(rsa.version(TlsVersion.TLS13).supported_schemes())
    assert {0x0804, 0x0805, 0x0806} <= schemes
    assert not schemes & {0x0403, 0x0807, 0x0905}
    p256 = scan_lab("classic-ecdsa-p256-tls12").report.version(TlsVersion.TLS12)
    assert 0x0403 in p256.supported_schemes()
    assert p256.scheme(0x0804).state is Support.NOT_SUPPORTED


def test_lab_root_as_custom_trust_store() -> None:
    """The same chains validate once the lab root is a custom root; what the Web PKI profile
    forbids (a SHA-1-signed leaf) stays untrusted, with that reason."""
    for name, trusted, reason in (
        ("classic-rsa2048", True, ""),
        ("classic-ecdsa-p384", True, ""),
        ("weak-sha1-cert", False, "the Web PKI profile forbids the signature algorithm"),
    ):
        with serve(name) as server:
            root = server.tls.certificate.root.der
            report = run_report(endpoint_of(server), trust_roots=(root,))
        assert report.trust.trusted is trusted, (name, report.trust)
        assert report.trust.reason.startswith(reason)
        assert ("custom", "trusted" if trusted else "not trusted") in report.trust.stores
