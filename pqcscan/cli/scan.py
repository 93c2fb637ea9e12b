"""``pqcscan init``, the ``pqcscan scan`` group and what its commands share: resuming a run,
the closing summary and exit code. Each ``scan`` command lives in its own module."""

from __future__ import annotations

from collections.abc import Callable

import click

from pqcscan.cli.context import AppContext
from pqcscan.cli.options import F
from pqcscan.errors import UsageError
from pqcscan.inventory import FindingFilter, RunSummary
from pqcscan.inventory.database import database_url
from pqcscan.targets.shard import Shard


@click.command()
@click.option(
    "--queue",
    is_flag=True,
    help="Also install (or upgrade) the job queue of distributed scans (PostgreSQL only).",
)
@click.pass_obj
def init(app: AppContext, queue: bool) -> None:
    """Create (or upgrade) the inventory database."""
    if queue:
        from pqcscan.distributed.queue import libpq_url

        libpq_url(database_url(app.db))  # SQLite: a clear error, and no file is created
    inv = app.inventory
    click.echo(f"inventory ready: {inv.display_url}")
    if queue:
        import asyncio

        from pqcscan.distributed.queue import install

        done = asyncio.run(install(inv.url))
        click.echo(f"job queue {done}")


@click.group()
def scan() -> None:
    """Scan targets and record what cryptography they use."""


def resume_option() -> Callable[[F], F]:
    return click.option(
        "--resume",
        "resume",
        type=int,
        metavar="RUN",
        help="Complete the unfinished scan run RUN (interrupted or killed) without redoing "
        "what it finished; its recorded targets are used when none are given.",
    )


def shard_option() -> Callable[[F], F]:
    return click.option(
        "--shard",
        metavar="K/N",
        help="Scan only shard K of N (1 <= K <= N): the units whose SHA-256 of their key "
        "(host:port, path) is K-1 modulo N. N scans with K=1..N cover every unit once.",
    )


def chosen_shard(
    given: str | None, recorded: dict[str, object], run_id: int | None
) -> Shard | None:
    """``--shard``, or the shard of the run being resumed (they must agree)."""
    shard = Shard.parse(given) if given else None
    before = recorded.get("shard")
    if isinstance(before, str):
        if shard is not None and str(shard) != before:
            raise UsageError(f"--shard {shard}: run {run_id} scans shard {before}")
        return Shard.parse(before)
    return shard


def resumed_arguments(app: AppContext, run_id: int | None, collector: str) -> dict[str, object]:
    """The recorded arguments of the run to resume (empty when not resuming)."""
    if run_id is None:
        return {}
    run = app.inventory.run(run_id)
    if run is None:
        raise UsageError(f"--resume: there is no scan run {run_id}")
    if run.collector != collector:
        raise UsageError(f"--resume: run {run_id} is a {run.collector} scan, not {collector}")
    if run.status == "completed":
        raise UsageError(f"--resume: run {run_id} is already complete")
    return dict(run.arguments)


def recorded_strings(recorded: dict[str, object], key: str) -> tuple[str, ...]:
    """A list of strings from a run's recorded arguments."""
    value = recorded.get(key) or []
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def finish(app: AppContext, summary: RunSummary, fail_on: tuple[str, ...]) -> None:
    """Print the run summary and exit with the documented code."""
    if not app.quiet:
        click.echo(
            f"scan run {summary.run_id} {summary.status}: {summary.items} items examined, "
            f"{summary.assets} assets, {summary.findings} findings "
            f"({summary.new_findings} new), {summary.errors} errors",
            err=True,
        )
        counts = app.inventory.status_counts(summary.run_id)
        if counts:
            click.echo(
                "  by quantum status: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
                err=True,
            )
        if summary.errors:
            click.echo(f"  see the errors with: pqcscan errors {summary.run_id}", err=True)
    if fail_on:
        flt = FindingFilter(statuses=tuple(fail_on), run_id=summary.run_id)
        if next(iter(app.inventory.findings(flt)), None) is not None:
            raise click.exceptions.Exit(1)
    if summary.errors:
        raise click.exceptions.Exit(3)
