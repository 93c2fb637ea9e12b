"""Every hostile server of the lab, TLS and SSH catalogues alike, scanned by BOTH network
collectors in one run, next to a well-behaved server of each protocol.

For each behaviour (parametrized over the catalogues, so a new behaviour is covered
automatically) and each collector: the unit ends within the collector's budget, as an item
(nothing raised), with a recorded error (of the catalogued kind when the protocol matches),
and the well-behaved server scanned in the same run still gives its facts: one hostile target
never stops the scan of the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from pqcscan.collectors.ssh import SshCollector, SshOptions
from pqcscan.collectors.tls import TlsCollector, TlsOptions
from pqcscan.demo.lab import CATALOGUE, HostileSpec, serve
from pqcscan.demo.lab import ssh as ssh_lab
from pqcscan.results import AssetType, CollectedItem, ErrorKind
from pqcscan.targets.model import Endpoint

TLS_HOSTILE = [name for name, spec in CATALOGUE.items() if isinstance(spec, HostileSpec)]
SSH_HOSTILE = [str(b) for b in ssh_lab.SshHostileBehaviour]
TIMEOUT = 1.5
BUDGET = 12.0
SLACK = 5.0
"""Seconds over the budget allowed for a unit to end (event-loop scheduling on a shared
machine); a hang would take the lab's hold time, hours."""
GUARD = 300.0
"""Outer limit of the whole run: only a hang reaches it."""
NETWORK_KINDS = frozenset(
    {
        ErrorKind.TIMEOUT,
        ErrorKind.RESET,
        ErrorKind.NOT_TLS,
        ErrorKind.HANDSHAKE_FAILURE,
        ErrorKind.PROTOCOL_ERROR,
        ErrorKind.TOO_LARGE,
        ErrorKind.REFUSED,
    }
)


@dataclass(frozen=True)
class Scanned:
    item: CollectedItem
    seconds: float


@dataclass(frozen=True)
class Run:
    """Every target's item and duration, by collector ("tls", "ssh") and target name."""

    results: dict[tuple[str, str], Scanned]
    acceptable: dict[str, frozenset[ErrorKind]]
    first: dict[str, ErrorKind]


async def _timed(collector: TlsCollector | SshCollector, endpoint: Endpoint) -> Scanned:
    started = time.monotonic()
    item = await collector.collect_one_async(endpoint)
    return Scanned(item, time.monotonic() - started)


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    """Start every hostile server plus one good TLS and one good SSH server, and scan all of
    them with each collector concurrently, as one scan would."""
    with contextlib.ExitStack() as stack:
        targets: dict[str, Endpoint] = {}
        acceptable: dict[str, frozenset[ErrorKind]] = {}
        first: dict[str, ErrorKind] = {}
        for name in TLS_HOSTILE:
            server = stack.enter_context(serve(name))
            facts = server.expected.hostile
            assert facts is not None
            targets[name] = Endpoint(server.address, server.port)
            acceptable[name] = facts.acceptable_errors | {facts.error}
            first[name] = facts.error
        for behaviour in SSH_HOSTILE:
            ssh_server = stack.enter_context(ssh_lab.hostile_server(behaviour))
            key = f"ssh-{behaviour}"
            targets[key] = Endpoint(ssh_server.address, ssh_server.port)
            expected = ssh_server.expected
            assert expected.error is not None
            acceptable[key] = expected.acceptable_errors | {expected.error}
            first[key] = expected.error
        good_tls = stack.enter_context(serve("classic-ecdsa-p256-tls12"))
        targets["good-tls"] = Endpoint(good_tls.address, good_tls.port)
        good_ssh = stack.enter_context(ssh_lab.responder("ssh-legacy"))
        targets["good-ssh"] = Endpoint(good_ssh.address, good_ssh.port)

        endpoints = list(targets.values())
        tls = TlsCollector(endpoints, TlsOptions(timeout=TIMEOUT, retries=0, budget=BUDGET))
        ssh = SshCollector(endpoints, SshOptions(timeout=TIMEOUT, retries=0, budget=BUDGET))

        async def scan_all() -> list[Scanned]:
            jobs = [_timed(c, e) for c in (tls, ssh) for e in endpoints]
            return await asyncio.wait_for(asyncio.gather(*jobs), GUARD)

        scanned = asyncio.run(scan_all())
        keys = [(c, name) for c in ("tls", "ssh") for name in targets]
        yield Run(dict(zip(keys, scanned, strict=True)), acceptable, first)


def _check_bounded(scanned: Scanned, endpoint_name: str) -> None:
    assert isinstance(scanned.item, CollectedItem)
    assert scanned.seconds <= BUDGET + SLACK, (endpoint_name, scanned.seconds)


@pytest.mark.slow
@pytest.mark.parametrize("name", TLS_HOSTILE)
def test_tls_collector_on_a_hostile_tls_server(run: Run, name: str) -> None:
    scanned = run.results[("tls", name)]
    _check_bounded(scanned, name)
    kinds = [e.kind for e in scanned.item.errors]
    assert kinds, scanned.item
    assert set(kinds) <= run.acceptable[name], scanned.item.errors
    if name != "hostile-close":  # FIN then our write: EOF or RST, a socket race
        assert kinds[0] is run.first[name], scanned.item.errors
    assert not [a for a in scanned.item.assets if a.type is AssetType.ENDPOINT]
    assert scanned.item.findings == ()


@pytest.mark.slow
@pytest.mark.parametrize("behaviour", SSH_HOSTILE)
def test_ssh_collector_on_a_hostile_ssh_server(run: Run, behaviour: str) -> None:
    key = f"ssh-{behaviour}"
    scanned = run.results[("ssh", key)]
    _check_bounded(scanned, key)
    kinds = [e.kind for e in scanned.item.errors]
    assert kinds, scanned.item
    assert set(kinds) <= run.acceptable[key], scanned.item.errors
    assert not [a for a in scanned.item.assets if a.type is AssetType.KEY]


@pytest.mark.slow
@pytest.mark.parametrize("name", TLS_HOSTILE)
def test_ssh_collector_on_a_hostile_tls_server(run: Run, name: str) -> None:
    """A TLS port that misbehaves is no SSH server either: an error, in time."""
    scanned = run.results[("ssh", name)]
    _check_bounded(scanned, name)
    kinds = {e.kind for e in scanned.item.errors}
    assert kinds, scanned.item
    assert kinds <= NETWORK_KINDS, scanned.item.errors
    assert not [a for a in scanned.item.assets if a.type is AssetType.KEY]


@pytest.mark.slow
@pytest.mark.parametrize("behaviour", SSH_HOSTILE)
def test_tls_collector_on_a_hostile_ssh_server(run: Run, behaviour: str) -> None:
    """An SSH port that misbehaves is no TLS server either (except the one that *is* a TLS
    server): an error, in time."""
    key = f"ssh-{behaviour}"
    scanned = run.results[("tls", key)]
    _check_bounded(scanned, key)
    kinds = {e.kind for e in scanned.item.errors}
    endpoint = [a for a in scanned.item.assets if a.type is AssetType.ENDPOINT]
    if behaviour == ssh_lab.SshHostileBehaviour.TLS:
        assert endpoint, scanned.item  # a real TLS server: the TLS collector reads it
        return
    assert kinds, scanned.item
    assert kinds <= NETWORK_KINDS, scanned.item.errors
    assert not endpoint


@pytest.mark.slow
def test_good_servers_scanned_in_the_same_run(run: Run) -> None:
    """The hostile targets did not stop the scan: the good ones give their facts."""
    tls = run.results[("tls", "good-tls")]
    assert not tls.item.errors, tls.item.errors
    assert [a for a in tls.item.assets if a.type is AssetType.ENDPOINT]
    assert tls.item.findings
    ssh = run.results[("ssh", "good-ssh")]
    assert not ssh.item.errors, ssh.item.errors
    assert [a for a in ssh.item.assets if a.type is AssetType.ENDPOINT]
    # and each collector refused the other protocol's good server with an error, in time
    for collector, name in (("tls", "good-ssh"), ("ssh", "good-tls")):
        other = run.results[(collector, name)]
        _check_bounded(other, name)
        assert other.item.errors, (collector, name)
