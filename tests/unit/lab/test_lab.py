"""Starting and stopping: the standard and mixed labs, loopback only, nothing left behind
(processes, listeners, the loop thread), servers that survive rude clients."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pqcscan.demo.lab import (
    MIXED_TLS,
    STANDARD,
    Engine,
    Lab,
    LabServer,
    LabStartError,
    OpenSslCliSpec,
    ServerKind,
    TlsVersion,
    serve,
)
from pqcscan.demo.lab.certs import RSA2048
from tests.unit.lab.clients import TIMEOUT, client_hello, python_context, python_tls
from tests.unit.lab.conftest import assert_gone


def children() -> set[int]:
    """Pids of this process's live (not zombie) children, from /proc."""
    out = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            out.add(int(entry.name))
    return out


def refused(server: LabServer) -> bool:
    try:
        socket.create_connection((server.address, server.port), timeout=TIMEOUT).close()
    except ConnectionRefusedError:
        return True
    return False


def test_standard_lab() -> None:
    before = children()
    with Lab.standard() as lab:
        assert tuple(s.name for s in lab) == STANDARD
        assert {s.kind for s in lab} == set(ServerKind)
        assert lab["pqc-hybrid"].tls.groups[0] == "X25519MLKEM768"
        assert lab["pqc-mlkem768-only"].tls.pqc_only
        assert lab["weak-tls10"].tls.versions == {TlsVersion.TLS1_0}
        assert lab.startup_seconds is not None
        servers, pids = lab.servers, lab.pids
        assert len(pids) == 3  # two OpenSSL 3.5 servers and one s_server
        assert set(pids) <= children()
    assert_gone(pids)
    assert all(refused(s) for s in servers)
    assert children() == before


def test_mixed_lab_names_hosts_and_shared_processes() -> None:
    with Lab.mixed(len(MIXED_TLS) * 2, hosts=("127.0.0.2", "::1")) as lab:
        names = [s.name for s in lab]
        assert len(set(names)) == len(names) == 20
        assert names[0] == f"{MIXED_TLS[0]}-00" and names[11] == f"{MIXED_TLS[1]}-11"
        assert [s.address for s in lab][:4] == ["127.0.0.2", "::1", "127.0.0.2", "::1"]
        assert len({s.port for s in lab if s.address == "::1"}) == 10
        pyopenssl = [s for s in lab if s.engine is Engine.PYOPENSSL]
        # each (spec, host) pair shares one OpenSSL 3.5 process
        assert len({s.pid for s in pyopenssl}) < len(pyopenssl)
        for server in lab:
            tls12 = server.kind is ServerKind.TLS and TlsVersion.TLS1_2 in server.tls.versions
            if tls12 and server.engine is not Engine.OPENSSL_CLI:  # not RSA key transport
                python_tls(server, python_context(server, version="TLSv1.2"))
        pids = lab.pids
    assert_gone(pids)


def test_fifty_mixed_endpoints_start_and_stop() -> None:
    with Lab.mixed(50) as lab:
        assert len(lab) == 50 and len({s.port for s in lab}) == 50
        pids = lab.pids
    assert_gone(pids)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::", "example.com"])
def test_only_loopback_is_ever_bound(host: str) -> None:
    before = children()
    with pytest.raises(ValueError, match="loopback"):
        Lab(["classic-rsa2048"], host=host)
    with pytest.raises(ValueError, match="loopback"), serve("weak-tls10", host):
        pass
    with pytest.raises(ValueError, match="loopback"):
        Lab.mixed(3, hosts=("127.0.0.1", host))
    assert children() == before


def test_serve_stops_the_server_when_the_body_raises() -> None:
    with pytest.raises(RuntimeError, match="boom"), serve("weak-tls10") as server:
        pid = server.pid
        assert pid is not None
        raise RuntimeError("boom")
    assert_gone([pid])
    assert refused(server)


def test_a_server_that_fails_to_start_stops_the_others() -> None:
    broken = OpenSslCliSpec(
        "broken", "a suite Debian's OpenSSL does not have", RSA2048, TlsVersion.TLS1_2,
        ("DES-CBC3-SHA",),
    )  # fmt: skip
    before = children()
    with (
        pytest.raises(LabStartError, match="no cipher match"),
        Lab(["pqc-hybrid", "classic-rsa2048", broken, "weak-tls10"]),
    ):
        pass
    assert children() == before


def test_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        Lab(["classic-rsa2048", "classic-rsa2048"])
    with pytest.raises(KeyError, match="known"):
        Lab(["no-such-server"])


def test_servers_survive_rude_clients(lab: Lab) -> None:
    """Hundreds of half-sent hellos, resets and silent connections, then a real handshake."""
    for name in ("classic-rsa2048", "pqc-hybrid", "starttls-smtp", "weak-3des"):
        server = lab[name]
        hello = client_hello([0x001D])
        for i in range(150):
            sock = socket.create_connection((server.address, server.port), timeout=TIMEOUT)
            if i % 3 == 0:
                sock.sendall(hello[: len(hello) // 2])
            elif i % 3 == 1:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            sock.close()
        if name == "weak-3des":
            from tests.unit.lab.clients import nassl_legacy

            assert nassl_legacy(server, "TLSv1.2", "DES-CBC3-SHA")[0] == "DES-CBC3-SHA"
        elif name == "starttls-smtp":
            continue  # its own test proves the dialogue; here: still accepting
        else:
            python_tls(server, python_context(server))


def test_concurrent_handshakes(lab: Lab) -> None:
    servers = [lab["classic-rsa2048"], lab["pqc-hybrid"], lab["classic-ed25519"]]
    errors: list[BaseException] = []

    def work(server: LabServer) -> None:
        try:
            for _ in range(5):
                python_tls(server, python_context(server))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in servers for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors


CHILD = """
import json, os, sys
from pqcscan.demo.lab import Lab
lab = Lab(["pqc-hybrid", "weak-tls10", "classic-rsa2048"]).start()
print(json.dumps(lab.pids), flush=True)
os._exit(0)  # dies without stopping anything
"""


def test_subprocess_servers_die_with_their_parent() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120
    )
    pids = json.loads(done.stdout)
    assert len(pids) == 2
    deadline = time.monotonic() + 30  # generous: only a guard against waiting forever
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            alive.append(pid)
        if not alive:
            return
        time.sleep(0.05)
    pytest.fail(f"orphaned lab servers still running: {alive}")


def test_a_tls_server_refuses_cleanly_without_a_common_version(lab: Lab) -> None:
    server = lab["classic-rsa3072-tls13"]
    with pytest.raises(ssl.SSLError):
        python_tls(server, python_context(server, version="TLSv1.2"))
