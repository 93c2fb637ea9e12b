"""Post-quantum endpoints (OpenSSL 3.5 lab servers): hybrid and pure ML-KEM groups, PQ-only
endpoints whose certificate only our own TLS 1.3 handshake can fetch, and ML-DSA-65
certificates verified with dilithium-py. sslyze is run against the same servers to show what
it cannot do."""

from __future__ import annotations

from sslyze import (
    ScanCommand,
    Scanner,
    ServerNetworkLocation,
    ServerScanRequest,
    ServerScanStatusEnum,
)

from pqcscan.collectors.tls import TrustValidator
from pqcscan.collectors.tls.trust import METHOD_REDUCED
from pqcscan.collectors.tls.wire import TlsVersion
from pqcscan.demo.lab import LabServer, serve
from pqcscan.results import Support

from .conftest import ScanLab, endpoint_of, run_report

X25519MLKEM768, SECP384R1MLKEM1024, MLKEM768 = 0x11EC, 0x11ED, 0x0201


def test_hybrid_default_is_supported_and_preferred(scan_lab: ScanLab) -> None:
    report = scan_lab("pqc-hybrid").report
    tls13 = report.version(TlsVersion.TLS13)
    assert tls13.group(X25519MLKEM768).state is Support.SUPPORTED
    assert tls13.preferred_group == X25519MLKEM768
    assert tls13.server_group_order.state is Support.SUPPORTED
    assert report.certificate is not None and report.certificate.group == X25519MLKEM768
    assert report.pq_intolerant is False


def test_pq_only_endpoints_give_their_certificate(scan_lab: ScanLab) -> None:
    for name, group in (
        ("pqc-p384-mlkem1024", SECP384R1MLKEM1024),
        ("pqc-mlkem768-only", MLKEM768),
    ):
        scan = scan_lab(name)
        tls13 = scan.report.version(TlsVersion.TLS13)
        assert tls13.supported_groups() == (group,)
        assert tls13.group(0x001D).state is Support.NOT_SUPPORTED  # no X25519
        check = scan.report.certificate
        assert check is not None
        assert (check.version, check.group) == (TlsVersion.TLS13, group)
        assert check.signature_valid is True and check.finished_ok is True
        assert scan.report.certificate_chain[0] == scan.server.tls.certificate.leaf.der


def test_every_mlkem_group(scan_lab: ScanLab) -> None:
    report = scan_lab("pqc-every-mlkem").report
    groups = set(report.version(TlsVersion.TLS13).supported_groups())
    assert groups == {0x0200, 0x0201, 0x0202, 0x11EB, 0x11EC, 0x11ED}


def test_mldsa65_certificate_verify_and_chain(scan_lab: ScanLab) -> None:
    scan = scan_lab("pqc-mldsa65")
    check = scan.report.certificate
    assert check is not None
    assert check.signature_scheme == 0x0905  # mldsa65
    assert check.signature_valid is True
    assert "dilithium-py" in check.detail
    assert scan.report.certificate_verify_scheme == 0x0905
    assert scan.report.version(TlsVersion.TLS13).supported_schemes() == (0x0905,)
    assert scan.report.certificate_chain == tuple(c.der for c in scan.server.tls.certificate.chain)
    # Not trusted by any public store; with the lab root as a custom root the ML-DSA chain
    # validates through the reduced path check (ML-DSA signatures checked by dilithium-py).
    assert scan.report.trust.trusted is False
    assert scan.report.trust.method == METHOD_REDUCED
    root = scan.server.tls.certificate.root.der
    trusted = TrustValidator([root]).validate(scan.report.certificate_chain, "localhost")
    assert trusted.trusted is True, trusted
    assert trusted.method == METHOD_REDUCED
    assert ("custom", "trusted") in trusted.stores


def _sslyze_connects(server: LabServer) -> bool:
    location = ServerNetworkLocation(server.hostname, server.port, server.address)
    scanner = Scanner()
    scanner.queue_scans([ServerScanRequest(location, scan_commands={ScanCommand.CERTIFICATE_INFO})])
    (result,) = list(scanner.get_results())
    return result.scan_status == ServerScanStatusEnum.COMPLETED


def test_sslyze_cannot_connect_where_we_read_the_certificate() -> None:
    for name in ("pqc-mlkem768-only", "pqc-mldsa65"):
        with serve(name) as server:
            assert not _sslyze_connects(server), name
            report = run_report(endpoint_of(server))
            assert report.certificate_chain == tuple(c.der for c in server.tls.certificate.chain)
    with serve("pqc-hybrid") as server:  # control: sslyze does reach a hybrid server
        assert _sslyze_connects(server)
