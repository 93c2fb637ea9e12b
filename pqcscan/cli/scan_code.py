"""``pqcscan scan code``: dependencies, cryptographic API calls and TLS/SSH settings in code."""

from __future__ import annotations

from dataclasses import replace
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
from pqcscan.collectors.code.analyse import Limits
from pqcscan.collectors.code.collector import CodeCollector, CodeScanOptions
from pqcscan.scan import run_scan


@scan.command("code")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@file_scan_options(".git, caches and build outputs (target, build, dist, bin, obj...)")
@click.option("--no-archives", is_flag=True, help="Do not look inside .zip/.jar/.war/.whl/.tar.gz.")
@click.option(
    "--max-source-size",
    type=ByteSize(),
    default=Limits().source_bytes,
    show_default="2M",
    help="Larger source files (minified bundles) are reported, not parsed.",
)
@password_options()
@shard_option()
@resume_option()
@fail_on_option()
@click.pass_obj
def code(
    app: AppContext,
    paths: tuple[Path, ...],
    excludes: tuple[str, ...],
    no_default_excludes: bool,
    no_archives: bool,
    max_source_size: int,
    passwords: tuple[str, ...],
    password_envs: tuple[str, ...],
    password_files: tuple[Path, ...],
    jobs: int,
    shard: str | None,
    resume: int | None,
    fail_on: tuple[str, ...],
) -> None:
    """Find cryptography in code: dependencies (manifests, lockfiles, SBOMs), cryptographic
    API calls in Python, Java, JavaScript/TypeScript, Go, C# and C/C++, TLS/SSH settings in
    configuration (nginx, Apache, HAProxy, OpenSSL, OpenSSH, java.security, Spring), and the
    certificates and keys met on the way. Archives (.jar, .war, .whl, .tar.gz...) are read
    in memory with size, depth and bomb limits.
    """
    recorded = resumed_arguments(app, resume, CodeCollector.name)
    if recorded and not paths:
        paths = tuple(Path(p) for p in recorded_strings(recorded, "paths"))
        excludes, no_default_excludes = recorded_strings(recorded, "excludes"), True
        no_archives = not bool(recorded.get("archives", True))
    options = CodeScanOptions(
        paths=existing_paths(paths),
        excludes=excludes,
        default_excludes=not no_default_excludes,
        limits=replace(Limits(), source_bytes=max_source_size),
        archives=not no_archives,
        passwords=gather_passwords(passwords, password_envs, password_files),
    )
    summary = run_scan(
        app.inventory,
        CodeCollector(options),
        ProgressLine("code", app.interactive),
        jobs=jobs,
        resume=resume,
        shard=chosen_shard(shard, recorded, resume),
    )
    finish(app, summary, fail_on)
