"""The SSH collector against the lab's Python servers: the KEXINIT responder's configurations
(PQ-only ML-KEM, SSH-1, legacy algorithms...) and every hostile behaviour."""

from __future__ import annotations

import asyncio
import socket

import pytest

from pqcscan.catalog import QuantumStatus
from pqcscan.collectors.ssh import SshCollector, SshOptions
from pqcscan.demo.lab import ssh as lab
from pqcscan.net.pacing import open_connection
from pqcscan.results import AssetType, CollectedItem, Relation, Usage
from pqcscan.targets.model import Endpoint

#: A guard against hangs only: every scan here returns long before it.
GUARD = 120.0


def scan(server: lab.SshLabServer, **options: object) -> CollectedItem:
    endpoint = Endpoint(server.address, server.port)
    collector = SshCollector([endpoint], SshOptions(**options))  # type: ignore[arg-type]

    async def run() -> CollectedItem:
        return await asyncio.wait_for(collector.collect_one_async(endpoint), GUARD)

    return asyncio.run(run())


def details(item: CollectedItem) -> dict[str, object]:
    [endpoint] = [a for a in item.assets if a.type is AssetType.ENDPOINT]
    return endpoint.details_dict()


def capabilities(item: CollectedItem) -> dict[str, str]:
    return dict(details(item)["capabilities"])  # type: ignore[arg-type]


def test_pq_only_mlkem_server() -> None:
    with lab.responder("ssh-pq-only-mlkem") as server:
        item = scan(server)
    assert not item.errors
    [kex] = [f for f in item.findings if f.usage is Usage.KEY_EXCHANGE]
    assert (kex.algorithm, kex.quantum_status) == ("X25519MLKEM768", QuantumStatus.HYBRID)
    assert kex.evidence.identifier == "ssh-kex:mlkem768x25519-sha256"
    caps = capabilities(item)
    assert caps["pq-key-exchange"] == "supported: mlkem768x25519-sha256"
    # the host key was fetched through the hybrid exchange itself, and its signature verified
    assert caps["host-key:ssh-ed25519"] == "supported: fetched with mlkem768x25519-sha256"
    assert caps["host-key-signature:ssh-ed25519"].startswith("supported")
    [key] = [a for a in item.assets if a.type is AssetType.KEY]
    [fact] = server.expected.host_keys
    assert key.details_dict()["ssh_fingerprint"] == fact.ssh_fingerprint


def test_ssh1_server_is_classically_broken() -> None:
    with lab.responder("ssh-1") as server:
        item = scan(server)
    assert not item.errors
    [protocol] = [f for f in item.findings if f.usage is Usage.PROTOCOL]
    assert (protocol.algorithm, protocol.parameter) == ("SSH", "1.5")
    assert protocol.quantum_status is QuantumStatus.CLASSICALLY_BROKEN
    d = details(item)
    assert d["banner"] == server.expected.banner and "kex_algorithms" not in d


def test_ssh_1_99_accepts_both_versions() -> None:
    with lab.responder("ssh-1.99") as server:
        item = scan(server)
    statuses = {(f.parameter, f.quantum_status) for f in item.findings if f.usage is Usage.PROTOCOL}
    assert statuses == {
        ("2.0", QuantumStatus.QUANTUM_SAFE),
        ("1.5", QuantumStatus.CLASSICALLY_BROKEN),
    }
    assert details(item)["pre_banner"] == server.expected.pre_banner
    assert [a.type for a in item.assets].count(AssetType.KEY) == 1


def test_legacy_server() -> None:
    with lab.responder("ssh-legacy") as server:
        item = scan(server)
    assert not item.errors
    broken = {
        (f.usage, f.algorithm)
        for f in item.findings
        if f.quantum_status is QuantumStatus.CLASSICALLY_BROKEN
    }
    assert {
        (Usage.KEY_EXCHANGE, "DH"),
        (Usage.ENCRYPTION, "3DES"),
        (Usage.MAC, "HMAC-MD5"),
        (Usage.HASH, "SHA-1"),
        (Usage.AUTHENTICATION, "RSA"),  # 1024-bit host key
    } <= broken
    caps = capabilities(item)
    assert caps["host-key:ssh-rsa"] == "supported: fetched with diffie-hellman-group1-sha1"
    assert caps["host-key-signature:ssh-rsa"] == "supported: ssh-rsa signature over H verified"


def test_sntrup_only_server_host_keys_not_tested() -> None:
    with lab.responder("ssh-sntrup-only") as server:
        item = scan(server)
    assert not item.errors
    assert {f.quantum_status for f in item.findings if f.usage is Usage.KEY_EXCHANGE} == {
        QuantumStatus.HYBRID
    }
    caps = capabilities(item)
    assert caps["host-key:ssh-ed25519"].startswith("not-tested: no key exchange method")
    assert not server.expected.host_keys_fetchable


def test_unknown_names_are_reported_raw() -> None:
    with lab.responder("ssh-unknown-names") as server:
        item = scan(server)
    unknown = {f.evidence.identifier for f in item.findings if f.algorithm == "unknown"}
    assert unknown == {
        "ssh-kex:frobnicate-kex@example.com",
        "ssh-cipher:rot13@example.com",
        "ssh-mac:crc32@example.com",
    }


def test_several_keys_one_connection_each() -> None:
    config = lab.ResponderConfig(
        "ssh-three-keys",
        "three host keys, RSA under three names",
        host_key_algorithms=(
            "rsa-sha2-512",
            "ssh-ed25519",
            "rsa-sha2-256",
            "ssh-rsa",
            "ecdsa-sha2-nistp256",
        ),
        host_keys=("ed25519", "rsa", "ecdsa"),
        rsa_bits=2048,
    )
    with lab.responder(config) as server:
        item = scan(server)
    keys = {
        str(a.details_dict()["ssh_fingerprint"]) for a in item.assets if a.type is AssetType.KEY
    }
    assert keys == {f.ssh_fingerprint for f in server.expected.host_keys}
    auth = {
        (f.evidence.identifier, f.parameter)
        for f in item.findings
        if f.usage is Usage.AUTHENTICATION and f.asset.type is AssetType.ENDPOINT
    }
    assert ("ssh-host-key:ssh-rsa", "2048") in auth and (
        "ssh-host-key:rsa-sha2-256",
        "2048",
    ) in auth
    assert len([lk for lk in item.links if lk.relation is Relation.PRESENTS]) == 3


def test_a_host_key_connection_that_fails_is_not_tested_and_the_rest_stands() -> None:
    """The first connection reaches the server; later ones reach a silent one and time out."""
    with (
        lab.responder(
            lab.ResponderConfig(
                "two",
                "two keys",
                host_key_algorithms=("ssh-ed25519", "ecdsa-sha2-nistp256"),
                host_keys=("ed25519", "ecdsa"),
            )
        ) as good,
        lab.hostile_server("silent") as silent,
    ):
        calls = 0

        async def connect(
            endpoint: Endpoint, timeout: float
        ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
            nonlocal calls
            calls += 1
            target = good if calls == 1 else silent
            return await open_connection(Endpoint(target.address, target.port), timeout)

        endpoint = Endpoint(good.address, good.port)
        collector = SshCollector([endpoint], SshOptions(timeout=2, budget=30), connect=connect)
        item = collector.collect_sync(endpoint)
    caps = capabilities(item)
    assert caps["host-key:ssh-ed25519"].startswith("supported")
    assert caps["host-key:ecdsa-sha2-nistp256"].startswith("not-tested: timeout")
    assert not item.errors  # the endpoint itself was read
    assert len([a for a in item.assets if a.type is AssetType.KEY]) == 1


def test_out_of_budget_host_keys_are_not_tested() -> None:
    with (
        lab.responder(
            lab.ResponderConfig(
                "two",
                "two keys",
                host_key_algorithms=("ssh-ed25519", "ecdsa-sha2-nistp256"),
                host_keys=("ed25519", "ecdsa"),
            )
        ) as good,
        lab.hostile_server("silent") as silent,
    ):
        calls = 0

        async def connect(
            endpoint: Endpoint, timeout: float
        ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
            nonlocal calls
            calls += 1
            target = good if calls == 1 else silent
            return await open_connection(Endpoint(target.address, target.port), timeout)

        endpoint = Endpoint(good.address, good.port)
        # the budget ends while the second connection waits: nothing is left for it
        item = SshCollector(
            [endpoint], SshOptions(timeout=30, budget=3), connect=connect
        ).collect_sync(endpoint)
    caps = capabilities(item)
    assert caps["host-key:ssh-ed25519"].startswith("supported")
    assert caps["host-key:ecdsa-sha2-nistp256"].startswith("not-tested: out of time budget")


@pytest.mark.parametrize("behaviour", lab.HOSTILE_BEHAVIOURS, ids=str)
def test_hostile_servers_become_scan_errors(behaviour: lab.SshHostileBehaviour) -> None:
    with lab.hostile_server(behaviour) as server:
        item = scan(server, timeout=2, retries=0, budget=10)
    assert len(item.errors) == 1, item
    [error] = item.errors
    assert error.kind in server.expected.acceptable_errors, (error, server.expected)
    assert error.locator == server.endpoint
    # a hostile server never yields a key or a key exchange finding
    assert not [a for a in item.assets if a.type is AssetType.KEY]
    assert not [f for f in item.findings if f.usage is not Usage.PROTOCOL]


def test_hostile_retries_stay_within_budget() -> None:
    with lab.hostile_server("silent") as server:
        item = scan(server, timeout=2, retries=5, budget=5)
    assert [e.kind.value for e in item.errors] == ["timeout"]


def test_lab_servers_bind_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"), lab.responder("ssh-1", host="0.0.0.0"):
        pass


def test_lab_servers_are_stopped_when_the_block_fails() -> None:
    seen: list[lab.SshLabServer] = []
    with pytest.raises(RuntimeError, match="test failed"), lab.responder("ssh-legacy") as server:
        seen.append(server)
        raise RuntimeError("test failed")
    [server] = seen
    item = scan(server, retries=0)
    assert [e.kind.value for e in item.errors] == ["refused"]


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_endpoint() -> None:
    with lab.responder("ssh-pq-only-mlkem", host="::1") as server:
        item = scan(server)
    assert not item.errors
    assert item.locator == server.endpoint == f"[::1]:{server.port}"
    [endpoint] = [a for a in item.assets if a.type is AssetType.ENDPOINT]
    assert endpoint.fingerprint == f"[::1]:{server.port}"
