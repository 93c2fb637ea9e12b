"""Migration items: one asset x one use, from a real scan and from constructed snapshots."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pqcscan.catalog import get_catalog
from pqcscan.inventory.snapshot import Snapshot
from pqcscan.risk.items import ItemBuilder, WorkItem, display
from pqcscan.risk.model import Threat
from tests.unit.risk.builders import SnapshotBuilder

AS_OF = date(2026, 1, 1)


def _items(snapshot: Snapshot) -> dict[str, WorkItem]:
    return {i.key: i for i in ItemBuilder(snapshot, get_catalog(), AS_OF).build()}


def _by_locator(items: dict[str, WorkItem], suffix: str, use: str) -> WorkItem:
    found = [i for i in items.values() if i.asset.locator.endswith(suffix) and i.use == use]
    assert len(found) == 1, (suffix, use, [i.key for i in found])
    return found[0]


def test_demo_items_shapes(demo_snapshot: tuple[Snapshot, Path]) -> None:
    snapshot, _ = demo_snapshot
    items = _items(snapshot)
    assert len(items) == len(set(items))
    for key, item in items.items():
        assert key == f"{item.asset.type}:{item.asset.fingerprint}#{item.use}"
        assert item.findings and item.evidence and item.title
    # A self-signed root: one subject-key item, its self-signature is no work item.
    root = _by_locator(items, "truststore.p12!bank-ca-0", "subject-key")
    assert {"ca", "root", "self-signed"} <= root.signals
    assert root.title.startswith("root CA key RSA-4096")
    assert not [i for i in items.values() if i.asset.id == root.asset.id and i.use != "subject-key"]
    # The issuing CA: subject key (its key file folded in), issuer signature, and the key
    # file's protection as an item of its own.
    issuing = _by_locator(items, "truststore.p12!bank-ca-1", "subject-key")
    assert "ca" in issuing.signals and "root" not in issuing.signals
    assert len(issuing.members) == 2  # the certificate and the key asset it certifies
    assert {f.asset_id for f in issuing.findings} == set(issuing.members)
    signature = _by_locator(items, "truststore.p12!bank-ca-1", "signature")
    assert signature.displays == ("RSA-4096", "SHA-384")
    assert signature.threat is Threat.FORGERY
    key_id = issuing.members[1]
    assert not any(i.asset.id == key_id and i.use in ("key", "host-key") for i in items.values())
    assert any(i.asset.id == key_id and i.use == "protection" for i in items.values())
    # Broken today.
    weak = _by_locator(items, "legacy-batch-rsa1024.crt", "subject-key")
    assert weak.status == "classically-broken" and weak.threat is Threat.WEAK
    sha1 = _by_locator(items, "sftp-sha1.crt", "signature")
    assert sha1.threat is Threat.WEAK
    # Key stores: protection items; PQC certificates: nothing to do.
    assert _by_locator(items, "truststore.jks", "protection").status == "classically-broken"
    pq = _by_locator(items, "kem-mlkem768.crt", "subject-key")
    assert pq.status == "quantum-safe" and pq.threat is Threat.NONE and pq.confidentiality
    # SSH keys in known_hosts are keys; a bare RSA key of unknown purpose counts as
    # confidentiality-relevant (RSA also encrypts), an Ed25519 one does not.
    ssh_rsa = _by_locator(items, "known_hosts:3", "key")
    assert ssh_rsa.displays == ("RSA-2048",)
    # An encrypted key no password opened is an evidence gap.
    hidden = _by_locator(items, "wrong-password.p12!fixture", "key")
    assert "evidence-gap" in hidden.signals and hidden.status == "unknown"


def test_tls_endpoint_items_and_signals() -> None:
    b = SnapshotBuilder()
    e = b.endpoint(
        "www.example.test",
        "81.2.69.142",
        443,
        [("X25519MLKEM768", ""), ("X25519", "")],
        ["1.0", "1.2", "1.3"],
        trust_stores={"Mozilla": "trusted", "custom": "trusted"},
    )
    b.finding(e, "RSAES-PKCS1-v1_5", "2048", "key-exchange", "suite enumeration")
    b.finding(e, "ECDSA", "P-256", "authentication", "signature scheme probe")
    b.finding(e, "AES", "128", "encryption", "suite enumeration")
    b.finding(e, "HMAC-SHA256", "", "mac", "suite enumeration")
    items = _items(b.build())
    assert sorted(i.use for i in items.values()) == [
        "authentication",
        "ciphers",
        "key-exchange",
        "protocol",
    ]
    kex = items["endpoint:81.2.69.142:443#key-exchange"]
    assert {
        "tls",
        "tls13",
        "hybrid-accepted",
        "classical-fallback",
        "static-rsa",
        "legacy-protocol",
        "public-address",
        "publicly-trusted",
    } <= kex.signals
    assert "legacy-only" not in kex.signals
    assert kex.title == (
        "TLS key exchange on www.example.test:443: RSA key transport 2048, X25519, X25519MLKEM768"
    )
    assert kex.confidentiality and kex.threat is Threat.HNDL
    auth = items["endpoint:81.2.69.142:443#authentication"]
    assert not auth.confidentiality and auth.threat is Threat.FORGERY


def test_custom_trust_store_is_not_public() -> None:
    b = SnapshotBuilder()
    b.endpoint("lab", "127.0.0.1", 443, trust_stores=[["custom", "trusted"]])
    kex = next(iter(_items(b.build()).values()))
    assert not {"public-address", "publicly-trusted"} & kex.signals
    assert "legacy-only" not in kex.signals and "tls13" not in kex.signals


def test_ssh_endpoint_routes_digests_and_host_keys() -> None:
    b = SnapshotBuilder()
    e = b.asset("endpoint", "10.0.0.9:22", "bastion:22", "bastion:22", protocol="ssh")
    b.finding(e, "SSH", "2.0", "protocol", "SSH identification string")
    b.finding(e, "X25519", "", "key-exchange", "SSH KEXINIT kex_algorithms")
    b.finding(e, "SHA-1", "", "hash", "SSH key exchange hash")
    b.finding(e, "SHA-512", "", "hash", "SSH host key signature digest")
    b.finding(e, "Ed25519", "", "authentication", "SSH KEXINIT server_host_key_algorithms")
    b.finding(e, "AES", "256", "encryption", "SSH KEXINIT encryption_algorithms")
    k = b.asset("key", "SHA256:abc", "bastion:22", "Ed25519 public key")
    b.finding(k, "Ed25519", "", "authentication", "key algorithm OID")
    b.link(e, "presents", k)
    items = _items(b.build())
    kex = items["endpoint:10.0.0.9:22#key-exchange"]
    assert kex.displays == ("SHA-1", "X25519")  # the exchange hash belongs to the kex
    assert kex.threat is Threat.WEAK and "ssh" in kex.signals
    assert items["endpoint:10.0.0.9:22#authentication"].displays == ("Ed25519", "SHA-512")
    host = items["key:SHA256:abc#host-key"]
    assert host.title == "SSH host key Ed25519 at bastion:22"
    assert items["endpoint:10.0.0.9:22#ciphers"].status == "quantum-safe"


def test_hardware_and_package_items() -> None:
    b = SnapshotBuilder()
    atm = b.asset(
        "hardware",
        "atm-fleet-1",
        "branch ATMs",
        "ATM fleet",
        kind="atm",
        vendor="Acme",
        product="ATM 9000",
        support_end="2029-06-30",
        vendor_controlled=True,
        owner="branch-it",
    )
    b.finding(atm, "RSA", "2048", "signature")
    b.finding(atm, "3DES", "168", "encryption")
    hsm = b.asset("hardware", "hsm-1", "dc1", "HSM", kind="payment-hsm", pqc_capable="yes")
    b.finding(hsm, "AES", "256", "encryption")
    pkg = b.asset("package", "pkg:pypi/cryptography@41.0.0", name="cryptography 41")
    b.finding(pkg, "RSA", "2048", "signature")
    items = _items(b.build())
    fleet = items["hardware:atm-fleet-1#algorithms"]
    assert {"embedded", "vendor-controlled"} <= fleet.signals
    assert fleet.kind == "atm"
    assert fleet.support_end == date(2029, 6, 30)
    assert fleet.threat is Threat.WEAK and fleet.title == "appliance ATM fleet: 3DES-168, RSA-2048"
    assert {"hsm", "pqc-capable"} <= items["hardware:hsm-1#algorithms"].signals
    assert items["package:pkg:pypi/cryptography@41.0.0#crypto"].title.startswith("library ")


def test_display_names() -> None:
    assert display("RSA", "2048") == "RSA-2048"
    assert display("ECDH", "P-256") == "ECDH P-256"
    assert display("TLS", "1.2") == "TLS 1.2"
    assert display("RSAES-PKCS1-v1_5", "1024") == "RSA key transport 1024"
    assert display("ML-KEM-768", "") == "ML-KEM-768"
