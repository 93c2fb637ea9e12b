"""The sample inventory (``inventory.db.sample``): Example Bank's demo estate scanned three
times over 2026 while its migration starts, with business context and a ranking after each
round. ``scripts/make_sample_inventory.py`` writes it; a test opens it with the current
migrations and runs every export, report, stats and diff command on it.

Reproducible byte for byte: every key, salt, serial and signature comes from one seeded
stream (:func:`pqcscan.demo.builders.entropy.deterministic`), every timestamp from a clock
that moves one minute per step of the round from the round's date, the files live under a fixed
folder, units are scanned one at a time in plan order, and the loopback lab is reached
through relays on fixed addresses (:mod:`pqcscan.demo.lab.relay`) since its servers bind
ephemeral ports. Only servers written in Python or running the OpenSSL that ``cryptography``
bundles are used, so the result does not depend on the machine's own OpenSSH or OpenSSL.

What changes between the rounds (so ``pqcscan diff`` has something to show):

* June: the internet-banking front end gains the hybrid X25519MLKEM768 group; the
  ``www`` certificate is re-issued on an ECDSA P-384 key instead of RSA-2048; risk-analytics
  upgrades ``cryptography`` and drops PyCryptodome.
* September: the TLS 1.0 portal is decommissioned (its address stops answering); the legacy
  SSH bastion is replaced by one offering only mlkem768x25519-sha256; the ``api``
  certificate is re-issued on an ML-DSA-44 key by the (classical) issuing CA.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final

from pqcscan.collectors.certs import CertificateCollector, CertScanOptions
from pqcscan.collectors.code.collector import CodeCollector, CodeScanOptions
from pqcscan.collectors.declared import DeclaredCollector
from pqcscan.collectors.net import NetCollector
from pqcscan.collectors.planned import PlannedCollector
from pqcscan.collectors.ssh.collector import SshCollector, SshOptions
from pqcscan.collectors.tls.collector import TlsCollector, TlsOptions
from pqcscan.context.load import load_context_files
from pqcscan.context.mapping import map_assets
from pqcscan.demo.builders import keyfiles, keys
from pqcscan.demo.builders.entropy import deterministic
from pqcscan.demo.builders.keyfiles import PrivateKeyFormat
from pqcscan.demo.code import build_repos
from pqcscan.demo.lab import serve
from pqcscan.demo.lab.relay import relay
from pqcscan.demo.lab.ssh import responder
from pqcscan.demo.planning import CONTEXT_SAMPLE, HARDWARE_SAMPLE, SAMPLES
from pqcscan.demo.tree import DEMO_PASSWORD, DemoPki, build_demo_tree, server_certificate
from pqcscan.inventory import Inventory
from pqcscan.inventory.context_store import asset_locations, load_contexts, save_context
from pqcscan.inventory.risk_store import save_result
from pqcscan.inventory.snapshot import load_snapshot
from pqcscan.risk import load_profile, rank
from pqcscan.scan import run_scan
from pqcscan.targets.specs import TargetPlan

SAMPLE_NAME: Final = "inventory.db.sample"
SEED: Final = b"pqcscan inventory.db.sample v1"
ROOT: Final = Path("/tmp/pqcscan-sample")
"""Where the estate's files are written (recorded in the inventory as they are: fixed)."""
ORGANISATION: Final = "Example Bank plc"


@dataclass(frozen=True)
class Endpoint:
    """A lab server behind a fixed address: a TLS catalogue name or an SSH responder name."""

    address: str
    port: int
    server: str
    ssh: bool = False

    @property
    def endpoint(self) -> str:
        return f"{self.address}:{self.port}"


@dataclass(frozen=True)
class Round:
    """One scan round: its date, the servers answering, what changed on disk before it."""

    name: str
    when: datetime
    servers: tuple[Endpoint, ...]
    change: Callable[[Path, DemoPki], None] | None = None
    targets: tuple[str, ...] = field(default=())


IB_WEB = "127.80.0.10"  # internet banking front end
CORE_API = "127.80.0.11"  # core banking API
PQ_PILOT = "127.80.0.12"  # the PQC pilot gateway
PORTAL = "127.80.0.13"  # an old TLS 1.0 portal
MAIL = "127.80.0.14"  # SMTP relay with STARTTLS
STUCK = "127.80.0.15"  # a host that accepts and never answers
BASTION = "127.80.0.20"  # SSH bastion
PILOT_SSH = "127.80.0.21"  # SSH on the pilot segment


def _stable() -> tuple[Endpoint, ...]:
    return (
        Endpoint(CORE_API, 8443, "classic-ecdsa-p256-tls12"),
        Endpoint(PQ_PILOT, 8443, "pqc-mlkem768-only"),
        Endpoint(MAIL, 2525, "starttls-smtp"),
        Endpoint(STUCK, 8443, "hostile-silent"),
    )


def _reissue_www(files: Path, pki: DemoPki) -> None:
    """June: ``www`` moves from RSA-2048 to ECDSA P-384 (same name, same issuing CA)."""
    tls = files / "etc/pki/tls"
    key = keys.ec_key("P-384")
    cert = server_certificate(key, "www.example-bank.test", pki.issuing, serial=0x2026_06)
    (tls / "certs/www.example-bank.test.crt").write_bytes(cert.pem)
    (tls / "private/www.example-bank.test.key").write_bytes(
        keyfiles.private_key_pem(key, PrivateKeyFormat.SEC1)
    )
    (tls / "private/www.example-bank.test.pub").write_bytes(keyfiles.public_key_pem(key))
    (tls / "private/www.example-bank.test.rsa.pub").unlink()
    requirements = files / "srv/repos/risk-analytics/requirements.txt"
    lines = requirements.read_text().splitlines()
    kept = [line for line in lines if not line.startswith("pycryptodome")]
    upgraded = [
        "cryptography==45.0.7" if line.startswith("cryptography==") else line for line in kept
    ]
    requirements.write_text("\n".join(upgraded) + "\n")


def _reissue_api(files: Path, pki: DemoPki) -> None:
    """September: ``api`` gets an ML-DSA-44 key, still issued by the ECDSA issuing CA."""
    tls = files / "etc/pki/tls"
    key = keys.ml_dsa_key(44)
    cert = server_certificate(key, "api.example-bank.test", pki.issuing, serial=0x2026_09)
    (tls / "certs/api.example-bank.test.crt").write_bytes(cert.pem)
    (tls / "private/api.example-bank.test.key").write_bytes(keyfiles.private_key_pem(key))


ROUNDS: Final = (
    Round(
        "march",
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        (
            Endpoint(IB_WEB, 8443, "classic-rsa2048"),
            *_stable(),
            Endpoint(PORTAL, 8443, "weak-tls10"),
            Endpoint(BASTION, 2222, "ssh-legacy", ssh=True),
        ),
    ),
    Round(
        "june",
        datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
        (
            Endpoint(IB_WEB, 8443, "pqc-hybrid"),
            *_stable(),
            Endpoint(PORTAL, 8443, "weak-tls10"),
            Endpoint(BASTION, 2222, "ssh-legacy", ssh=True),
        ),
        _reissue_www,
    ),
    Round(
        "september",
        datetime(2026, 9, 1, 9, 0, tzinfo=UTC),
        (
            Endpoint(IB_WEB, 8443, "pqc-hybrid"),
            *_stable(),
            Endpoint(BASTION, 2222, "ssh-pq-only-mlkem", ssh=True),
        ),
        _reissue_api,
        targets=(f"{PORTAL}:8443",),  # still in the plan: it no longer answers
    ),
)


class StepClock:
    """A clock for reproducible runs: it stands still, and :meth:`step` moves it on a minute.
    (A clock read by the writer would tick at a rate that depends on how fast the servers
    answered, so each run and ranking gets its own fixed minute instead.)"""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def step(self) -> StepClock:
        self.now += timedelta(minutes=1)
        return self


def build_sample(out: Path, root: Path = ROOT) -> list[str]:
    """Write the sample inventory to ``out`` (replacing it); return one line per step."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    work = root / "inventory.db"
    log: list[str] = []
    with deterministic(SEED), Inventory.open(str(work)) as inventory:
        files = root / "files"
        pki = build_demo_tree(files)
        build_repos(files / "srv" / "repos")
        for number, stage in enumerate(ROUNDS, start=1):
            clock = StepClock(stage.when)
            if stage.change is not None:
                stage.change(files, pki)
            log += _scan_round(inventory, files, stage, clock, first=number == 1)
    out.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(work)) as conn:
        conn.execute("VACUUM INTO ?", (str(out),))
    shutil.rmtree(root)
    return log


def _scan_round(
    inventory: Inventory, files: Path, stage: Round, clock: StepClock, first: bool
) -> list[str]:
    log = []
    certs = CertificateCollector(CertScanOptions(paths=(files,), passwords=(DEMO_PASSWORD,)))
    summary = run_scan(inventory, certs, jobs=1, clock=clock)
    log.append(f"{stage.name}: certs run {summary.run_id}, {summary.findings} findings")
    code = CodeCollector(CodeScanOptions(paths=(files / "srv" / "repos",)))
    summary = run_scan(inventory, code, jobs=1, clock=clock.step())
    log.append(f"{stage.name}: code run {summary.run_id}, {summary.findings} findings")
    with _lab(stage.servers) as endpoints:
        collector = _network_collector([*endpoints, *stage.targets])
        summary = run_scan(inventory, collector, clock=clock.step())
    log.append(f"{stage.name}: net run {summary.run_id}, {summary.findings} findings")
    engine = inventory.engine
    if first:  # copied under the fixed folder: the inventory records the CSV's path
        context = files.parent / "context"
        context.mkdir(exist_ok=True)
        for name in (CONTEXT_SAMPLE, HARDWARE_SAMPLE):
            (context / name).write_bytes(SAMPLES.joinpath(name).read_bytes())
        loaded = load_context_files([context / CONTEXT_SAMPLE])
        save_context(engine, loaded.context, f"pqcscan sample {CONTEXT_SAMPLE}", clock.step()())
        hardware = DeclaredCollector.open(context / HARDWARE_SAMPLE)
        run_scan(inventory, hardware, clock=clock.step())
    contexts = load_contexts(engine)
    snapshot = load_snapshot(engine)
    mapping = map_assets(snapshot, contexts, asset_locations(engine))
    as_of: date = stage.when.date()
    result = rank(snapshot, contexts, mapping, load_profile("default"), as_of)
    risk_run = save_result(engine, result, clock.step()())
    log.append(f"{stage.name}: risk run {risk_run}, {len(result.items)} items")
    return log


def _network_collector(endpoints: list[str]) -> PlannedCollector:
    """``scan net`` with one target at a time, so rows arrive in plan order."""
    tls = TlsCollector((), TlsOptions(timeout=2.0, budget=45.0, retries=0))
    ssh = SshCollector((), SshOptions(timeout=2.0, budget=30.0, retries=0))
    collector = NetCollector(tls, ssh, timeout=1.5, concurrency=1)
    return PlannedCollector(collector, TargetPlan(endpoints), {"sample": "lab"})


@contextlib.contextmanager
def _lab(servers: tuple[Endpoint, ...]) -> Iterator[list[str]]:
    """Start the round's servers, each behind a relay on its fixed address."""
    with contextlib.ExitStack() as stack:
        endpoints = []
        for s in servers:
            if s.ssh:
                running = stack.enter_context(responder(s.server))
                back_host, back_port = running.address, running.port
            else:
                tls = stack.enter_context(serve(s.server))
                back_host, back_port = tls.address, tls.port
            endpoints.append(stack.enter_context(relay(s.address, s.port, back_host, back_port)))
        yield endpoints
