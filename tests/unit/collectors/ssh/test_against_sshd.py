"""The SSH collector against Debian's sshd, started by the lab on loopback with keys made here.

Skipped (with the reason) where /usr/sbin/sshd is not installed; CI installs openssh-server.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pqcscan.catalog import QuantumStatus
from pqcscan.collectors.certs import CertScanOptions, scan_file
from pqcscan.collectors.ssh import SshCollector, SshOptions
from pqcscan.demo.lab import ssh as lab
from pqcscan.results import AssetType, CollectedItem, Relation, Usage
from pqcscan.targets.model import Endpoint

SIGNALS = ("kex-strict-", "ext-info-")


@contextlib.contextmanager
def start(config: lab.SshdConfig | str) -> Iterator[lab.SshLabServer]:
    """The lab's sshd, or a skip saying why it cannot run here."""
    try:
        with lab.sshd_server(config) as server:
            yield server
    except lab.SshdUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def sshd() -> Iterator[lab.SshLabServer]:
    with start("sshd") as server:
        yield server


def scan(server: lab.SshLabServer, **options: object) -> CollectedItem:
    endpoint = Endpoint(server.address, server.port)
    return SshCollector([endpoint], SshOptions(**options)).collect_sync(endpoint)  # type: ignore[arg-type]


def details(item: CollectedItem) -> dict[str, object]:
    [endpoint] = [a for a in item.assets if a.type is AssetType.ENDPOINT]
    return endpoint.details_dict()


def capabilities(item: CollectedItem) -> dict[str, str]:
    return dict(details(item)["capabilities"])  # type: ignore[arg-type]


def keygen_fingerprint(path: Path) -> str:
    """``ssh-keygen -lf`` (OpenSSH's own fingerprint of a .pub file)."""
    exe = shutil.which("ssh-keygen")
    if exe is None:
        pytest.skip("ssh-keygen is not installed")
    out = subprocess.run(
        [exe, "-lf", str(path)], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.split()[1]


def test_algorithm_lists_match_the_server_configuration(sshd: lab.SshLabServer) -> None:
    item = scan(sshd)
    assert not item.errors
    d = details(item)
    assert str(d["banner"]).startswith("SSH-2.0-OpenSSH_")
    assert d["software_product"] == "OpenSSH" and d["ssh_version"] == "2.0"
    kex = tuple(n for n in d["kex_algorithms"] if not n.startswith(SIGNALS))  # type: ignore[union-attr]
    assert kex == sshd.expected.kex  # what `sshd -T` says, in the same order
    assert d["host_key_algorithms"] == sshd.expected.host_key_algorithms
    assert d["ciphers_client_to_server"] == d["ciphers_server_to_client"] == sshd.expected.ciphers
    assert d["macs_client_to_server"] == d["macs_server_to_client"] == sshd.expected.macs


def test_host_keys_have_the_fingerprints_ssh_keygen_prints(sshd: lab.SshLabServer) -> None:
    item = scan(sshd)
    keys = [a for a in item.assets if a.type is AssetType.KEY]
    assert len(keys) == 3
    wire = {str(a.details_dict()["ssh_fingerprint"]) for a in keys}
    assert sshd.expected.host_keys
    files = {keygen_fingerprint(f.public_path) for f in sshd.expected.host_keys if f.public_path}
    assert wire == files
    caps = capabilities(item)
    for key_type in ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"):
        assert caps[f"host-key:{key_type}"].startswith("supported")
        assert caps[f"host-key-signature:{key_type}"].startswith("supported"), caps
    presented = {lk.target for lk in item.links if lk.relation is Relation.PRESENTS}
    assert {(k.type, k.fingerprint) for k in presented} == {(a.type, a.fingerprint) for a in keys}
    on_keys = {(f.algorithm, f.parameter) for f in item.findings if f.asset.type is AssetType.KEY}
    assert on_keys == {("Ed25519", ""), ("ECDSA", "P-256"), ("RSA", "3072")}
    assert all(
        f.usage is Usage.AUTHENTICATION for f in item.findings if f.asset.type is AssetType.KEY
    )


def test_host_key_files_and_the_wire_are_the_same_assets(sshd: lab.SshLabServer) -> None:
    wire = {a.fingerprint for a in scan(sshd).assets if a.type is AssetType.KEY}
    files = set()
    for fact in sshd.expected.host_keys:
        assert fact.public_path is not None
        item = scan_file(
            fact.public_path, fact.public_path.stat().st_size, CertScanOptions((fact.public_path,))
        )
        files |= {a.fingerprint for a in item.assets if a.type is AssetType.KEY}
    assert wire == files and len(wire) == 3


# Every key exchange the collector runs, each against an sshd offering only that one: the
# host key must come back with a signature that verifies over the exchange hash we computed.
KEX_METHODS = [
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group1-sha1",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group-exchange-sha1",
]


@pytest.mark.parametrize("method", KEX_METHODS)
def test_each_key_exchange_against_sshd(method: str) -> None:
    config = lab.SshdConfig(
        f"sshd-{method}", f"only {method}", host_keys=("ed25519", "ecdsa"), kex=(method,)
    )
    with start(config) as server:
        item = scan(server)
        assert not item.errors
        caps = capabilities(item)
        for key_type in ("ssh-ed25519", "ecdsa-sha2-nistp256"):
            assert caps[f"host-key:{key_type}"] == f"supported: fetched with {method}"
            assert caps[f"host-key-signature:{key_type}"].startswith("supported"), caps
        if "group-exchange" in method:
            assert isinstance(details(item)["gex_group_bits"], int)


def test_hybrid_sshd_has_a_hybrid_key_exchange_finding() -> None:
    with start("sshd-hybrid") as server:
        item = scan(server)
        kex = {
            (f.algorithm, f.quantum_status) for f in item.findings if f.usage is Usage.KEY_EXCHANGE
        }
        assert kex == {
            ("sntrup761x25519", QuantumStatus.HYBRID),
            ("X25519", QuantumStatus.QUANTUM_VULNERABLE),
        }
        caps = capabilities(item)
        assert caps["pq-key-exchange"] == "supported: sntrup761x25519-sha512@openssh.com"
        assert caps["host-key:ssh-ed25519"] == "supported: fetched with curve25519-sha256"


def test_pq_only_sshd_host_keys_not_tested_with_the_reason() -> None:
    with start("sshd-pq-only") as server:
        item = scan(server)
        assert not item.errors
        assert [f.algorithm for f in item.findings if f.usage is Usage.KEY_EXCHANGE] == [
            "sntrup761x25519"
        ]
        assert not [a for a in item.assets if a.type is AssetType.KEY]
        caps = capabilities(item)
        for key_type in ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"):
            assert caps[f"host-key:{key_type}"].startswith("not-tested: no key exchange method")
            assert "sntrup761x25519-sha512@openssh.com" in caps[f"host-key:{key_type}"]
        # what is offered is still fully recorded
        assert details(item)["host_key_algorithms"] == server.expected.host_key_algorithms


def test_weak_sshd_is_classically_broken() -> None:
    with start("sshd-weak") as server:
        item = scan(server)
        assert not item.errors
        broken = {
            (f.usage, f.algorithm, f.parameter)
            for f in item.findings
            if f.quantum_status is QuantumStatus.CLASSICALLY_BROKEN
        }
        assert {
            (Usage.KEY_EXCHANGE, "DH", "modp1024"),
            (Usage.ENCRYPTION, "3DES", "168"),
            (Usage.MAC, "HMAC-MD5", ""),
            (Usage.HASH, "SHA-1", ""),
            (Usage.AUTHENTICATION, "RSA", "1024"),
        } <= broken
        keys = {
            (f.algorithm, f.parameter, f.quantum_status)
            for f in item.findings
            if f.asset.type is AssetType.KEY
        }
        assert ("RSA", "1024", QuantumStatus.CLASSICALLY_BROKEN) in keys
        assert ("DSA", "1024", QuantumStatus.CLASSICALLY_BROKEN) in keys
        caps = capabilities(item)
        assert caps["host-key-signature:ssh-rsa"] == "supported: ssh-rsa signature over H verified"
        assert caps["host-key-signature:ssh-dss"] == "supported: ssh-dss signature over H verified"
        assert caps["pq-key-exchange"].startswith("not-supported")


def test_host_certificate() -> None:
    with start("sshd-certificate") as server:
        item = scan(server)
        [cert] = [a for a in item.assets if a.type is AssetType.CERTIFICATE]
        assert cert.fingerprint.startswith("ssh:")
        assert cert.details_dict()["ssh_cert_type"] == "host"
        presented = {lk.target.fingerprint for lk in item.links if lk.relation is Relation.PRESENTS}
        assert cert.fingerprint in presented
        [issued] = [lk for lk in item.links if lk.relation is Relation.ISSUED_BY]
        assert issued.source.fingerprint == cert.fingerprint
        caps = capabilities(item)
        assert caps["host-key-signature:ssh-ed25519-cert-v01@openssh.com"].startswith("supported")
        auth = {f.evidence.identifier for f in item.findings if f.usage is Usage.AUTHENTICATION}
        assert "ssh-host-key:ssh-ed25519-cert-v01@openssh.com" in auth
        # the certificate file scanned by the certificate collector is the same asset
        [fact] = [f for f in server.expected.host_keys if f.certificate]
        assert fact.public_path is not None
        file_item = scan_file(
            fact.public_path, fact.public_path.stat().st_size, CertScanOptions((fact.public_path,))
        )
        assert cert.fingerprint in {a.fingerprint for a in file_item.assets}


def test_without_host_keys_one_connection_and_no_key_assets(sshd: lab.SshLabServer) -> None:
    item = scan(sshd, fetch_host_keys=False)
    assert not item.errors and not [a for a in item.assets if a.type is AssetType.KEY]
    assert details(item)["host_key_algorithms"] == sshd.expected.host_key_algorithms


def test_sshd_is_gone_after_the_block() -> None:
    with start("sshd-pq-only") as server:
        pid = server.pid
        log = server.log
    assert pid is not None and log is not None
    assert (
        not Path(f"/proc/{pid}").exists()
        or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    )
    assert not log.parent.exists()


def test_sshd_is_stopped_when_the_block_fails() -> None:
    seen: list[lab.SshLabServer] = []
    with pytest.raises(RuntimeError, match="test failed"), start("sshd-pq-only") as server:
        seen.append(server)
        raise RuntimeError("test failed")
    [server] = seen
    assert server.pid is not None and server.log is not None
    assert not Path(f"/proc/{server.pid}").exists()
    assert not server.log.parent.exists()
