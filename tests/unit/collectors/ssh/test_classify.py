"""Mapping a probe to inventory results, on probe values built here (no network)."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from pqcscan.catalog import QuantumStatus
from pqcscan.collectors.certs import CertScanOptions, scan_file
from pqcscan.collectors.ssh import build_item
from pqcscan.collectors.ssh.hostkeys import group_algorithms
from pqcscan.collectors.ssh.probe import HostKeyResult, ProbeFailure, SshProbe
from pqcscan.collectors.ssh.wire import KexInit, parse_banner
from pqcscan.results import (
    AssetType,
    Capability,
    CollectedItem,
    ErrorKind,
    Finding,
    Relation,
    Support,
    Usage,
)
from pqcscan.targets.model import Endpoint
from tests.unit.collectors.ssh.conftest import public_blob

ENDPOINT = Endpoint("127.0.0.1", 2222)
OPENSSH = parse_banner(b"SSH-2.0-OpenSSH_9.2p1 Debian-2")


def kexinit(
    kex: tuple[str, ...], host_key: tuple[str, ...] = ("ssh-ed25519",), **lists: tuple[str, ...]
) -> KexInit:
    ciphers = lists.get("ciphers", ("aes256-gcm@openssh.com",))
    macs = lists.get("macs", ("hmac-sha2-256",))
    compression = lists.get("compression", ("none", "zlib@openssh.com"))
    return KexInit(kex, host_key, ciphers, ciphers, macs, macs, compression, compression)


def probe(**fields: object) -> SshProbe:
    values: dict[str, object] = {"banner": OPENSSH}
    values.update(fields)
    return SshProbe(ENDPOINT, **values)  # type: ignore[arg-type]


def endpoint_findings(item: CollectedItem) -> list[Finding]:
    return [f for f in item.findings if f.asset.type is AssetType.ENDPOINT]


def found(item: CollectedItem, usage: Usage) -> set[tuple[str, str, QuantumStatus, str | None]]:
    return {
        (f.algorithm, f.parameter, f.quantum_status, f.evidence.identifier)
        for f in endpoint_findings(item)
        if f.usage is usage
    }


def test_endpoint_asset_and_lists_in_server_order() -> None:
    k = kexinit(
        (
            "mlkem768x25519-sha256",
            "curve25519-sha256",
            "ext-info-s",
            "kex-strict-s-v00@openssh.com",
        ),
        ("rsa-sha2-512", "ssh-ed25519"),
    )
    item = build_item(probe(kexinit=k))
    [endpoint] = [a for a in item.assets if a.type is AssetType.ENDPOINT]
    assert (
        endpoint.fingerprint == "127.0.0.1:2222"
        and endpoint.locator == item.locator == "127.0.0.1:2222"
    )
    d = endpoint.details_dict()
    assert d["protocol"] == "ssh"
    assert d["banner"] == "SSH-2.0-OpenSSH_9.2p1 Debian-2"
    assert (d["software"], d["software_product"], d["software_version"]) == (
        "OpenSSH_9.2p1",
        "OpenSSH",
        "9.2p1",
    )
    assert d["kex_algorithms"] == k.kex  # in the server's order, signals included
    assert d["host_key_algorithms"] == ("rsa-sha2-512", "ssh-ed25519")
    assert d["compression_client_to_server"] == ("none", "zlib@openssh.com")
    assert d["strict_kex"] is True and d["ext_info"] is True
    caps = dict(d["capabilities"])  # type: ignore[arg-type]
    assert caps["pq-key-exchange"] == "supported: mlkem768x25519-sha256"
    assert caps["strict-kex"].startswith("supported")
    assert caps["ssh-1"].startswith("not-supported")


def test_hybrid_and_classical_key_exchange_findings() -> None:
    item = build_item(
        probe(
            kexinit=kexinit(
                ("mlkem768x25519-sha256", "sntrup761x25519-sha512", "curve25519-sha256")
            )
        )
    )
    kex = found(item, Usage.KEY_EXCHANGE)
    assert ("X25519MLKEM768", "", QuantumStatus.HYBRID, "ssh-kex:mlkem768x25519-sha256") in kex
    assert ("sntrup761x25519", "", QuantumStatus.HYBRID, "ssh-kex:sntrup761x25519-sha512") in kex
    assert ("X25519", "", QuantumStatus.QUANTUM_VULNERABLE, "ssh-kex:curve25519-sha256") in kex
    f = next(f for f in item.findings if f.evidence.identifier == "ssh-kex:mlkem768x25519-sha256")
    assert f.evidence.collector == "ssh" and f.evidence.location == "127.0.0.1:2222"
    assert f.nist_category == 3


def test_pseudo_names_are_never_findings() -> None:
    k = kexinit(
        ("curve25519-sha256", "ext-info-s", "kex-strict-s-v00@openssh.com", "ext-info-c"),
        compression=("none", "zlib", "zlib@openssh.com"),
    )
    item = build_item(probe(kexinit=k))
    identifiers = {f.evidence.identifier for f in item.findings}
    assert not any(
        "ext-info" in str(i) or "kex-strict" in str(i) or "compression" in str(i)
        for i in identifiers
    )
    assert all(
        f.algorithm not in ("SSH-extension-signal", "zlib", "no-compression") for f in item.findings
    )


def test_unknown_names_are_unknown_findings_with_the_raw_name() -> None:
    k = kexinit(
        ("frobnicate@example.com",),
        ("ssh-frob@example.com",),
        ciphers=("rot13@example.com",),
        macs=("crc32@example.com",),
    )
    item = build_item(probe(kexinit=k))
    unknown = {
        (f.usage, f.evidence.identifier)
        for f in item.findings
        if f.quantum_status is QuantumStatus.UNKNOWN
    }
    assert unknown == {
        (Usage.KEY_EXCHANGE, "ssh-kex:frobnicate@example.com"),
        (Usage.AUTHENTICATION, "ssh-host-key:ssh-frob@example.com"),
        (Usage.ENCRYPTION, "ssh-cipher:rot13@example.com"),
        (Usage.MAC, "ssh-mac:crc32@example.com"),
    }
    assert all(
        f.evidence.detail for f in item.findings if f.quantum_status is QuantumStatus.UNKNOWN
    )


def test_legacy_algorithms_are_classically_broken() -> None:
    k = kexinit(
        ("diffie-hellman-group1-sha1",), ("ssh-rsa",), ciphers=("3des-cbc",), macs=("hmac-md5",)
    )
    item = build_item(probe(kexinit=k))
    broken = {
        (f.usage, f.algorithm)
        for f in item.findings
        if f.quantum_status is QuantumStatus.CLASSICALLY_BROKEN
    }
    assert {
        (Usage.KEY_EXCHANGE, "DH"),
        (Usage.ENCRYPTION, "3DES"),
        (Usage.MAC, "HMAC-MD5"),
    } <= broken
    assert (Usage.HASH, "SHA-1") in broken  # the exchange hash / ssh-rsa signature digest


def test_protocol_versions() -> None:
    v2 = found(build_item(probe()), Usage.PROTOCOL)
    assert v2 == {("SSH", "2.0", QuantumStatus.QUANTUM_SAFE, "ssh-version:2.0")}
    v1 = found(build_item(probe(banner=parse_banner(b"SSH-1.5-OpenSSH_2.5.2p2"))), Usage.PROTOCOL)
    assert v1 == {("SSH", "1.5", QuantumStatus.CLASSICALLY_BROKEN, "ssh-version:1.5")}
    both = found(build_item(probe(banner=parse_banner(b"SSH-1.99-Cisco-1.25"))), Usage.PROTOCOL)
    assert {(a, p, s) for a, p, s, _ in both} == {
        ("SSH", "2.0", QuantumStatus.QUANTUM_SAFE),
        ("SSH", "1.5", QuantumStatus.CLASSICALLY_BROKEN),
    }
    odd = found(build_item(probe(banner=parse_banner(b"SSH-3.0-Future"))), Usage.PROTOCOL)
    assert odd == {("unknown", "3.0", QuantumStatus.UNKNOWN, "ssh-version:3.0")}


def test_ssh1_server_without_kexinit() -> None:
    item = build_item(
        probe(
            banner=parse_banner(b"SSH-1.5-OpenSSH_2.5.2p2"),
            host_keys_note="SSH-1.5 server: no SSH-2 KEXINIT",
        )
    )
    assert not item.errors
    caps = dict(item.assets[0].details_dict()["capabilities"])  # type: ignore[arg-type]
    assert caps["ssh-1"].startswith("supported") and caps["ssh-2"].startswith("not-supported")
    assert caps["pq-key-exchange"] == "not-tested: SSH-1.5 server: no SSH-2 KEXINIT"


def test_failure_before_the_banner_is_an_error_only() -> None:
    item = build_item(
        SshProbe(ENDPOINT, failure=ProbeFailure(ErrorKind.REFUSED, "connection refused"))
    )
    assert item.assets == () and item.findings == ()
    assert [(e.locator, e.kind) for e in item.errors] == [("127.0.0.1:2222", ErrorKind.REFUSED)]


def test_failure_after_the_banner_keeps_what_was_learned() -> None:
    item = build_item(probe(failure=ProbeFailure(ErrorKind.PROTOCOL_ERROR, "truncated KEXINIT")))
    assert [e.kind for e in item.errors] == [ErrorKind.PROTOCOL_ERROR]
    assert [f.usage for f in item.findings] == [Usage.PROTOCOL]
    caps = dict(item.assets[0].details_dict()["capabilities"])  # type: ignore[arg-type]
    assert caps["pq-key-exchange"] == "not-tested: protocol-error: truncated KEXINIT"


def _fetched(algorithms: tuple[str, ...], blob: bytes) -> HostKeyResult:
    [group] = group_algorithms(algorithms)
    return HostKeyResult(
        group,
        Capability(Support.SUPPORTED, "fetched with curve25519-sha256"),
        group.request,
        "curve25519-sha256",
        blob,
        group.request,
        Capability(Support.SUPPORTED, "verified"),
    )


def test_host_keys_are_key_assets_presented_by_the_endpoint(tmp_path: Path) -> None:
    ed = ed25519.Ed25519PrivateKey.generate()
    rs = rsa.generate_private_key(65537, 3072)
    k = kexinit(("curve25519-sha256",), ("ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256"))
    item = build_item(
        probe(
            kexinit=k,
            host_keys=(
                _fetched(("ssh-ed25519",), public_blob(ed)),
                _fetched(("rsa-sha2-512", "rsa-sha2-256"), public_blob(rs)),
            ),
        )
    )
    keys = {a.fingerprint: a for a in item.assets if a.type is AssetType.KEY}
    assert len(keys) == 2
    presents = {lk.target.fingerprint for lk in item.links if lk.relation is Relation.PRESENTS}
    assert presents == set(keys)
    key_findings = {
        (f.algorithm, f.parameter, f.usage) for f in item.findings if f.asset.type is AssetType.KEY
    }
    assert key_findings == {
        ("Ed25519", "", Usage.AUTHENTICATION),
        ("RSA", "3072", Usage.AUTHENTICATION),
    }
    assert all(f.evidence.collector == "ssh" for f in item.findings)
    # RSA host-key algorithms get the key's size
    auth = found(item, Usage.AUTHENTICATION)
    assert ("RSA", "3072", QuantumStatus.QUANTUM_VULNERABLE, "ssh-host-key:rsa-sha2-512") in auth
    assert ("RSA", "3072", QuantumStatus.QUANTUM_VULNERABLE, "ssh-host-key:rsa-sha2-256") in auth
    # The same key in a .pub file is the same asset
    for key in (ed, rs):
        line = b"ssh-ed25519 " if key is ed else b"ssh-rsa "
        path = tmp_path / ("ed.pub" if key is ed else "rsa.pub")
        path.write_bytes(line + base64.b64encode(public_blob(key)) + b" root@host\n")
        file_item = scan_file(path, path.stat().st_size, CertScanOptions((path,)))
        [file_key] = [a for a in file_item.assets if a.type is AssetType.KEY]
        assert file_key.fingerprint in keys
    details = item.assets[0].details_dict()
    assert [k for k, _ in details["host_keys"]] == ["ssh-ed25519", "ssh-rsa"]  # type: ignore[union-attr]


def test_hash_findings_once_per_digest() -> None:
    k = kexinit(
        ("curve25519-sha256", "ecdh-sha2-nistp256", "diffie-hellman-group14-sha256"),
        ("ecdsa-sha2-nistp256",),
    )
    hashes = [f for f in build_item(probe(kexinit=k)).findings if f.usage is Usage.HASH]
    assert [(f.algorithm, f.evidence.identifier) for f in hashes] == [
        ("SHA-256", "ssh-kex:curve25519-sha256")
    ]


def test_host_keys_not_tested_are_in_the_capability_matrix() -> None:
    [group] = group_algorithms(("ssh-ed25519",))
    reason = (
        "no key exchange method this scanner implements (server offers: sntrup761x25519-sha512)"
    )
    item = build_item(
        probe(
            kexinit=kexinit(("sntrup761x25519-sha512",)),
            host_keys=(HostKeyResult(group, Capability(Support.NOT_TESTED, reason)),),
        )
    )
    caps = dict(item.assets[0].details_dict()["capabilities"])  # type: ignore[arg-type]
    assert caps["host-key:ssh-ed25519"] == f"not-tested: {reason}"
    assert not [a for a in item.assets if a.type is AssetType.KEY]
    assert not item.errors
