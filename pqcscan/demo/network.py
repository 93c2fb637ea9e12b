"""The demo's network part: a small loopback lab, scanned with ``scan net``, summarised.

The lab (``pqcscan.demo.lab``): a classic RSA TLS server, an X25519MLKEM768 hybrid, a
PQ-only ML-KEM-768 server (sslyze cannot connect to it), a TLS 1.0 server, SMTP with
STARTTLS, a silent (hostile) server, and SSH: Debian's sshd when it can run here (it offers
sntrup761x25519), a server offering only mlkem768x25519-sha256, and a legacy one (group1,
3DES, MD5). Everything binds 127.0.0.1 and is stopped when the demo ends, even on error.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from pqcscan.catalog import STATUS_SEVERITY, QuantumStatus
from pqcscan.collectors.net import NetCollector
from pqcscan.collectors.planned import PlannedCollector
from pqcscan.collectors.ssh.collector import SshCollector, SshOptions
from pqcscan.collectors.tls.collector import TlsCollector, TlsOptions
from pqcscan.demo.lab import STANDARD, serve
from pqcscan.demo.lab.process import LabStartError
from pqcscan.demo.lab.ssh import SshLabError, responder, sshd_server
from pqcscan.inventory import FindingRecord, Inventory, RunSummary
from pqcscan.scan import run_scan
from pqcscan.targets.specs import TargetPlan

SSH_RESPONDERS = ("ssh-pq-only-mlkem", "ssh-legacy")


@dataclass(frozen=True, slots=True)
class LabEndpoint:
    name: str
    endpoint: str
    description: str


@contextlib.contextmanager
def running_lab() -> Iterator[list[LabEndpoint]]:
    """Start the demo lab; yield its endpoints; stop everything on the way out.

    A server that cannot start here (Debian's ``openssl`` or ``sshd`` missing) is left out
    with a note; the rest of the demo goes on.
    """
    with contextlib.ExitStack() as stack:
        servers: list[LabEndpoint] = []
        for name in STANDARD:
            try:
                tls = stack.enter_context(serve(name, "127.0.0.1"))
            except (LabStartError, OSError) as exc:
                servers.append(LabEndpoint(name, "", f"could not start here: {exc}"))
                continue
            servers.append(LabEndpoint(tls.name, tls.endpoint, tls.description))
        for name in SSH_RESPONDERS:
            ssh = stack.enter_context(responder(name))
            servers.append(LabEndpoint(name, ssh.endpoint, ssh.description))
        with contextlib.suppress(SshLabError):  # no sshd here: the demo goes on without it
            sshd = stack.enter_context(sshd_server("sshd-hybrid"))
            servers.append(LabEndpoint(sshd.name, sshd.endpoint, sshd.description))
        yield servers


def scan_lab(inventory: Inventory, servers: list[LabEndpoint]) -> RunSummary:
    """``scan net`` over the lab's endpoints, with short timeouts (it is all loopback)."""
    tls = TlsCollector((), TlsOptions(timeout=2.0, budget=45.0, retries=0))
    ssh = SshCollector((), SshOptions(timeout=2.0, budget=30.0, retries=0))
    collector = NetCollector(tls, ssh, timeout=1.5)
    plan = TargetPlan([s.endpoint for s in servers if s.endpoint])
    return run_scan(inventory, PlannedCollector(collector, plan, {"demo": "lab"}))


def summarize_lab(
    servers: list[LabEndpoint], findings: list[FindingRecord], errors: dict[str, str]
) -> list[str]:
    """One line per lab server: protocol versions, key exchange, and its worst status."""
    by_endpoint: dict[str, list[FindingRecord]] = defaultdict(list)
    for f in findings:
        if f.asset_type == "endpoint":
            by_endpoint[f.locator].append(f)
    lines = ["", "Network lab (loopback servers the demo started and stopped again):"]
    for server in servers:
        got = by_endpoint.get(server.endpoint, [])
        versions = sorted({f"{f.algorithm} {f.parameter}" for f in got if f.usage == "protocol"})
        exchange = _key_exchange(got)
        if not server.endpoint:
            what = server.description
        elif server.endpoint in errors:
            what = f"error: {errors[server.endpoint]}"
        elif not got:
            what = "open, no cryptography found"
        else:
            what = f"{', '.join(versions)}; key exchange {exchange}"
        lines.append(f"  {server.name:<20} {server.endpoint:<17} {what}")
    return lines


def _key_exchange(findings: list[FindingRecord]) -> str:
    """The key exchanges an endpoint offers, safest first, with the status of each."""
    offered = sorted(
        {(f.algorithm, f.quantum_status) for f in findings if f.usage == "key-exchange"},
        key=lambda pair: (STATUS_SEVERITY[QuantumStatus(pair[1])], pair[0]),
    )
    if not offered:
        return "none seen"
    shown = [f"{name} ({status})" for name, status in offered[:3]]
    more = f" and {len(offered) - 3} more" if len(offered) > 3 else ""
    return ", ".join(shown) + more
