"""``pqcscan scan tls``, ``scan ssh`` and ``scan net``: endpoints across network ranges.

Targets and scope are checked before any packet is sent (a bad spec or a target outside
``--allow`` is a usage error, exit 2); then targets are streamed, a large range is never
expanded into memory.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from pqcscan.cli.context import AppContext
from pqcscan.cli.options import F, fail_on_option
from pqcscan.cli.progress import ProgressLine
from pqcscan.cli.scan import (
    chosen_shard,
    finish,
    recorded_strings,
    resume_option,
    resumed_arguments,
    scan,
    shard_option,
)
from pqcscan.collectors.base import AsyncCollector
from pqcscan.collectors.planned import PlannedCollector
from pqcscan.distributed.jobs import DEFAULT_BATCH
from pqcscan.errors import UsageError
from pqcscan.net.pacing import RateLimiter, open_connection
from pqcscan.scan import run_scan
from pqcscan.targets.ports import DEFAULT_SSH_PORTS, DEFAULT_TLS_PORTS, parse_ports
from pqcscan.targets.scope import Scope
from pqcscan.targets.shard import Shard
from pqcscan.targets.specs import TargetPlan


def network_options(func: F) -> F:
    """The options every network scan takes: targets, ports, scope, pacing, resume."""
    decorators: list[Callable[[F], F]] = [
        click.argument("targets", nargs=-1),
        click.option(
            "--targets-file",
            "targets_files",
            multiple=True,
            type=click.Path(path_type=Path, dir_okay=False),
            help="Read targets from a file (one spec per line; nmap -oG / -oX output too).",
        ),
        click.option(
            "-p",
            "--ports",
            metavar="LIST",
            help="Ports for targets that name none, e.g. 443,8443,8000-8100.",
        ),
        click.option(
            "--allow",
            multiple=True,
            metavar="CIDR",
            help="Only these networks may be contacted (repeatable).",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="CIDR",
            help="Never contact these networks (repeatable).",
        ),
        click.option(
            "--scope-file",
            "scope_files",
            multiple=True,
            type=click.Path(path_type=Path, dir_okay=False),
            help="Scope rules: 'allow NET', 'deny NET' lines.",
        ),
        click.option(
            "--rate",
            type=click.FloatRange(min=0, min_open=True),
            metavar="N",
            help="New connections per second for the whole scan [default: no cap].",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(min=1),
            metavar="N",
            help="Endpoints in flight at once.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help="Per connection.",
        ),
        click.option(
            "--retries",
            type=click.IntRange(min=0),
            metavar="N",
            help="Extra attempts after a timeout.",
        ),
        click.option(
            "--budget",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help="Time one endpoint may take in all; what is not reached is 'not-tested'.",
        ),
        shard_option(),
        click.option(
            "--distribute",
            is_flag=True,
            help="Do not scan: plan the run as jobs in the shared PostgreSQL inventory for "
            "'pqcscan worker' processes, print the run id and return.",
        ),
        click.option(
            "--job-size",
            type=click.IntRange(min=1),
            default=DEFAULT_BATCH,
            show_default=True,
            metavar="N",
            help="With --distribute: endpoints per job.",
        ),
        resume_option(),
        fail_on_option(),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@dataclass(frozen=True, slots=True)
class NetworkArgs:
    """The parsed network options (after ``--resume`` filled in what was recorded)."""

    targets: tuple[str, ...]
    targets_files: tuple[str, ...]
    ports: tuple[int, ...]
    allow: tuple[str, ...]
    exclude: tuple[str, ...]
    scope_files: tuple[str, ...]
    rate: float | None
    limiter: RateLimiter | None
    shard: Shard | None = None

    def recorded(self) -> dict[str, object]:
        """What a run records to be resumable (specs and scope, never secrets)."""
        return {
            "targets": list(self.targets),
            "targets_files": list(self.targets_files),
            "ports": list(self.ports),
            "allow": list(self.allow),
            "exclude": list(self.exclude),
            "scope_files": list(self.scope_files),
        }

    def scope(self) -> Scope:
        return Scope.build(self.allow, self.exclude, self.scope_files)

    def plan(self) -> TargetPlan:
        return TargetPlan(
            self.targets, files=self.targets_files, default_ports=self.ports, scope=self.scope()
        )


def network_args(
    app: AppContext, collector: str, default_ports: tuple[int, ...], kw: dict[str, Any]
) -> NetworkArgs:
    recorded = resumed_arguments(app, kw["resume"], collector)
    targets: tuple[str, ...] = kw["targets"]
    files = tuple(str(f) for f in kw["targets_files"])
    if recorded and not targets and not files:
        targets = recorded_strings(recorded, "targets")
        files = recorded_strings(recorded, "targets_files")
    if not targets and not files:
        raise UsageError("give targets (hosts, addresses, ranges, @file) or --targets-file")
    ports = parse_ports(kw["ports"], spec="--ports") if kw["ports"] else default_ports
    if recorded and not kw["ports"] and recorded_strings(recorded, "ports"):
        ports = tuple(int(p) for p in recorded_strings(recorded, "ports"))
    scope = (
        tuple(kw["allow"]) or recorded_strings(recorded, "allow"),
        tuple(kw["exclude"]) or recorded_strings(recorded, "exclude"),
        tuple(str(f) for f in kw["scope_files"]) or recorded_strings(recorded, "scope_files"),
    )
    rate = kw["rate"]
    shard = chosen_shard(kw["shard"], recorded, kw["resume"])
    if kw["distribute"] and kw["resume"] is not None:
        raise UsageError(
            "--distribute and --resume do not go together: the workers of a distributed run "
            "take over what is unfinished"
        )
    limiter = RateLimiter(rate) if rate else None
    return NetworkArgs(targets, files, ports, *scope, rate, limiter, shard)


#: Command-line options that set the collector option of the same name when given.
TUNING = ("concurrency", "timeout", "retries", "budget")


def override(options: Any, kw: dict[str, Any], *names: str) -> dict[str, Any]:
    """The options the user gave, for the fields of a collector's options dataclass."""
    return {n: kw[n] for n in names if kw.get(n) is not None and hasattr(options, n)}


def run_network_scan(
    app: AppContext, inner: AsyncCollector, args: NetworkArgs, kw: dict[str, Any]
) -> None:
    collector = PlannedCollector(inner, args.plan(), args.recorded())
    summary = run_scan(
        app.inventory,
        collector,
        ProgressLine(inner.name, app.interactive, network=True),
        resume=kw["resume"],
        shard=args.shard,
    )
    finish(app, summary, kw["fail_on"])


def run_network_command(
    app: AppContext,
    command: str,
    default_ports: tuple[int, ...],
    kw: dict[str, Any],
    settings: dict[str, Any],
) -> None:
    """Parse the shared options, then scan here or (``--distribute``) plan for workers.

    ``settings`` are the command's own options as JSON values; with the shared ones they are
    everything :func:`build_collector` needs, here or in a worker on another machine.
    """
    args = network_args(app, command, default_ports, kw)
    settings = {
        **settings,
        "ports": list(args.ports),
        "rate": args.rate,
        **{n: kw[n] for n in TUNING if kw.get(n) is not None},
    }
    if kw["distribute"]:
        from pqcscan.cli.worker import distribute

        distribute(app, command, args, settings, kw["job_size"])
        return
    run_network_scan(app, build_collector(command, settings, args.limiter), args, kw)


def build_collector(
    command: str, settings: dict[str, Any], limiter: RateLimiter | None
) -> AsyncCollector:
    """The collector of ``pqcscan scan COMMAND`` from its settings (see
    :func:`run_network_command`); workers rebuild a distributed run's collector with it."""
    tuning = {n: settings[n] for n in TUNING if settings.get(n) is not None}
    rate = settings.get("rate")
    ports = tuple(int(p) for p in settings.get("ports") or ())
    if command == "tls":
        from pqcscan.collectors.tls.collector import TlsCollector, TlsOptions

        options = TlsOptions(
            ports=ports,
            rate=rate,
            real_key_share=bool(settings.get("real_key_share", True)),
            starttls=settings.get("starttls"),
            trust_roots=tuple(base64.b64decode(r) for r in settings.get("trust_roots") or ()),
            **override(TlsOptions(), tuning, *TUNING),
        )
        return TlsCollector((), options, limiter=limiter)
    if command == "ssh":
        from pqcscan.collectors.ssh.collector import SshCollector, SshOptions

        ssh_options = SshOptions(
            fetch_host_keys=bool(settings.get("fetch_host_keys", True)),
            **override(SshOptions(), tuning, *TUNING),
        )
        connect = functools.partial(open_connection, limiter=limiter)
        return SshCollector((), ssh_options, connect)
    if command == "net":
        from pqcscan.collectors.net import NetCollector
        from pqcscan.collectors.ssh.collector import SshCollector, SshOptions
        from pqcscan.collectors.tls.collector import TlsCollector, TlsOptions

        per_protocol = override(TlsOptions(), tuning, "timeout", "retries", "budget")
        tls = TlsCollector(
            (),
            TlsOptions(
                rate=rate,
                real_key_share=bool(settings.get("real_key_share", True)),
                **per_protocol,
            ),
            limiter=limiter,
        )
        ssh = SshCollector(
            (),
            SshOptions(**override(SshOptions(), tuning, "timeout", "retries", "budget")),
            functools.partial(open_connection, limiter=limiter),
        )
        net_options: dict[str, Any] = {"limiter": limiter}
        for name in ("concurrency", "timeout"):
            if tuning.get(name) is not None:
                net_options[name] = tuning[name]
        return NetCollector(tls, ssh, **net_options)
    raise UsageError(f"unknown network scan {command!r}")


@scan.command("tls")
@network_options
@click.option(
    "--starttls",
    metavar="PROTO",
    help="Upgrade with STARTTLS first: smtp, imap, pop3, ftp, ldap, xmpp, postgresql "
    "(default: by port or nmap service; 'none' never).",
)
@click.option(
    "--no-real-key-share",
    is_flag=True,
    help="Skip the full-size X25519MLKEM768 ClientHello (the PQ-intolerance check).",
)
@click.option(
    "--trust-store",
    "trust_stores",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also trust the root certificates in this PEM file (repeatable).",
)
@click.pass_obj
def tls(app: AppContext, /, **kw: Any) -> None:
    """Inventory the TLS of endpoints: versions, suites, groups (hybrid and ML-KEM
    included), signature schemes, certificate chains and trust, STARTTLS.

    TARGETS: hostnames (used as SNI), addresses, CIDR ranges, a.b.c.d-e ranges, host:port,
    @file, nmap -oG/-oX output.
    """
    from pqcscan.collectors.tls.collector import TlsCollector

    settings = {
        "real_key_share": not kw["no_real_key_share"],
        "starttls": kw["starttls"],
        "trust_roots": [
            base64.b64encode(r).decode("ascii") for r in _trust_roots(kw["trust_stores"])
        ],
    }
    run_network_command(app, TlsCollector.name, DEFAULT_TLS_PORTS, kw, settings)


@scan.command("ssh")
@network_options
@click.option("--no-host-keys", is_flag=True, help="Read the algorithm lists only.")
@click.pass_obj
def ssh(app: AppContext, /, **kw: Any) -> None:
    """Inventory SSH servers: banner and version, key exchange (hybrid PQC included),
    host-key, cipher and MAC lists, and the host keys themselves, without logging in.

    TARGETS: as for 'scan tls'; the default port is 22.
    """
    from pqcscan.collectors.ssh.collector import SshCollector

    settings = {"fetch_host_keys": not kw["no_host_keys"]}
    run_network_command(app, SshCollector.name, DEFAULT_SSH_PORTS, kw, settings)


@scan.command("net")
@network_options
@click.option("--starttls", metavar="PROTO", hidden=True)
@click.option(
    "--no-real-key-share",
    is_flag=True,
    help="Skip the full-size X25519MLKEM768 ClientHello (the PQ-intolerance check).",
)
@click.pass_obj
def net(app: AppContext, /, **kw: Any) -> None:
    """Sweep ranges, detect what speaks on each open port, and inventory TLS (implicit or
    STARTTLS) and SSH endpoints; other open services are recorded without findings.

    TARGETS: as for 'scan tls'. Default ports: the TLS ports, 22 and the STARTTLS ports.
    """
    from pqcscan.collectors.net import DEFAULT_NET_PORTS, NetCollector

    settings = {"real_key_share": not kw["no_real_key_share"]}
    run_network_command(app, NetCollector.name, DEFAULT_NET_PORTS, kw, settings)


def _trust_roots(files: tuple[Path, ...]) -> tuple[bytes, ...]:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    roots: list[bytes] = []
    for file in files:
        try:
            certs = x509.load_pem_x509_certificates(file.read_bytes())
        except (OSError, ValueError) as exc:
            raise UsageError(f"--trust-store {file}: not a readable PEM file ({exc})") from exc
        roots.extend(c.public_bytes(Encoding.DER) for c in certs)
    return tuple(roots)
