"""``pqcscan scan certs``: certificates, keys and keystores in files and folders."""

from __future__ import annotations

from pathlib import Path

import click

from pqcscan.cli.context import AppContext
from pqcscan.cli.options import (
    ByteSize,
    existing_paths,
    fail_on_option,
    file_scan_options,
    gather_passwords,
    password_options,
)
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
from pqcscan.collectors.certs import DEFAULT_MAX_SIZE, CertificateCollector, CertScanOptions
from pqcscan.scan import run_scan


@scan.command("certs")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@file_scan_options(".git, .svn, __pycache__ and the like")
@click.option(
    "--max-size",
    type=ByteSize(),
    default=DEFAULT_MAX_SIZE,
    show_default="16M",
    help="Larger crypto files are reported, not read.",
)
@password_options()
@shard_option()
@resume_option()
@fail_on_option()
@click.pass_obj
def certs(
    app: AppContext,
    paths: tuple[Path, ...],
    excludes: tuple[str, ...],
    no_default_excludes: bool,
    max_size: int,
    passwords: tuple[str, ...],
    password_envs: tuple[str, ...],
    password_files: tuple[Path, ...],
    jobs: int,
    shard: str | None,
    resume: int | None,
    fail_on: tuple[str, ...],
) -> None:
    """Find certificates, keys, CSRs and keystores in files and folders.

    Files are recognised by content: PEM, DER, PKCS#7, PKCS#12, JKS/JCEKS, PKCS#1/#8/SEC1
    keys, CSRs, OpenSSH keys, authorized_keys and known_hosts. Passwords are never stored
    (give them again with --resume).
    """
    recorded = resumed_arguments(app, resume, CertificateCollector.name)
    if recorded and not paths:
        paths = tuple(Path(p) for p in recorded_strings(recorded, "paths"))
        excludes, no_default_excludes = recorded_strings(recorded, "excludes"), True
        max_size = int(str(recorded.get("max_size", max_size)))
    options = CertScanOptions(
        paths=existing_paths(paths),
        excludes=excludes,
        default_excludes=not no_default_excludes,
        max_size=max_size,
        passwords=gather_passwords(passwords, password_envs, password_files),
    )
    summary = run_scan(
        app.inventory,
        CertificateCollector(options),
        ProgressLine("certs", app.interactive),
        jobs=jobs,
        resume=resume,
        shard=chosen_shard(shard, recorded, resume),
    )
    finish(app, summary, fail_on)
