"""Distributed network scans: ``scan tls|ssh|net --distribute`` (planning, via
:func:`distribute`) and ``pqcscan worker`` (executing). See docs/distributed.md."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import click

from pqcscan.cli.context import AppContext
from pqcscan.errors import UsageError
from pqcscan.inventory.database import database_url
from pqcscan.net.pacing import RateLimiter

if TYPE_CHECKING:
    from pqcscan.cli.scan_net import NetworkArgs
    from pqcscan.collectors.base import AsyncCollector
    from pqcscan.distributed.worker import JobReport
    from pqcscan.inventory import RunRecord, RunSummary


def distribute(
    app: AppContext, command: str, args: NetworkArgs, settings: dict[str, Any], job_size: int
) -> None:
    """Plan a distributed run: jobs in the queue, the run opened; print its id on stdout."""
    from pqcscan.collectors.planned import PlannedCollector
    from pqcscan.distributed.planner import plan_run
    from pqcscan.distributed.queue import libpq_url

    libpq_url(database_url(app.db))  # SQLite: a clear error, and no file is created
    from pqcscan.cli.scan_net import build_collector

    plan = args.plan()
    inner = build_collector(command, settings, None)
    collector = PlannedCollector(inner, plan, args.recorded())
    spec = {"command": command, "settings": settings, "scope": plan.scope.to_records()}
    planned = plan_run(app.inventory, collector, spec, shard=args.shard, batch=job_size)
    click.echo(planned.run_id)
    if not app.quiet:
        extra = f", {planned.duplicates} duplicate endpoints dropped" if planned.duplicates else ""
        click.echo(
            f"scan run {planned.run_id} planned: {planned.units} units in {planned.jobs} jobs"
            f"{extra}; start workers with: pqcscan --db URL worker --run {planned.run_id}",
            err=True,
        )


def collector_for(run: RunRecord) -> AsyncCollector:
    """Rebuild a distributed run's collector from its recorded settings (its own limiter)."""
    from pqcscan.cli.scan_net import build_collector

    spec = run.arguments["distributed"]
    settings: dict[str, Any] = dict(spec["settings"])
    rate = settings.get("rate")
    limiter = RateLimiter(float(rate)) if rate else None
    return build_collector(str(spec["command"]), settings, limiter)


class OneLineWarnings(logging.Handler):
    """pgqueuer's warnings and errors (a job that failed) as one stderr line each, never a
    traceback."""

    def emit(self, record: logging.LogRecord) -> None:
        message = _first_line(record.getMessage())
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            message += f": {type(exc).__name__}: {_first_line(str(exc))}"
        click.echo(f"pqcscan: warning: {message}", err=True)


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]


def quiet_pgqueuer_logs() -> None:
    logger = logging.getLogger("pgqueuer")
    logger.handlers[:] = [OneLineWarnings(logging.WARNING)]
    logger.propagate = False


@click.command()
@click.option(
    "--run",
    "runs",
    multiple=True,
    type=int,
    metavar="RUN",
    help="Work only on this distributed run (repeatable) [default: every one].",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    metavar="N",
    help="Endpoints in flight at once in this worker [default: the run's --concurrency].",
)
@click.option(
    "--until-idle",
    is_flag=True,
    help="Stop when no job is left for the runs served [default: wait for new runs].",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=0.5),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="A job whose worker has not renewed it for this long (a dead worker) is taken "
    "over. Give every worker the same value.",
)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="How often to look for new and finished runs.",
)
@click.pass_obj
def worker(
    app: AppContext,
    runs: tuple[int, ...],
    concurrency: int | None,
    until_idle: bool,
    lease: float,
    poll: float,
) -> None:
    """Take jobs of distributed network scans (planned with 'scan tls|ssh|net
    --distribute') from the shared PostgreSQL inventory, scan them and record the results.

    Any number of workers, on any machines, may serve the same runs; the jobs of a worker
    that dies are taken over after --lease seconds. The last worker closes the run.
    """
    from pqcscan.distributed.queue import libpq_url
    from pqcscan.distributed.worker import Worker, WorkerOptions

    libpq_url(database_url(app.db))
    inventory = app.inventory
    for run_id in runs:
        record = inventory.run(run_id)
        if record is None:
            raise UsageError(f"--run: there is no scan run {run_id}")
        if "distributed" not in record.arguments:
            raise UsageError(f"--run: run {run_id} is not a distributed run (--distribute)")

    def on_job(report: JobReport) -> None:
        if not app.quiet:
            skipped = f", {report.skipped} already recorded" if report.skipped else ""
            click.echo(
                f"run {report.run_id}: job {report.job_id} of {report.units} units done "
                f"({report.errors} errors{skipped})",
                err=True,
            )

    def on_close(summary: RunSummary) -> None:
        if not app.quiet:
            click.echo(
                f"scan run {summary.run_id} {summary.status}: {summary.items} items, "
                f"{summary.assets} assets, {summary.findings} findings, {summary.errors} errors",
                err=True,
            )

    def on_problem(message: str) -> None:
        click.echo(f"pqcscan: warning: {message}", err=True)

    def on_start(identity: str) -> None:
        if not app.quiet:
            click.echo(f"worker {identity} started (pid {os.getpid()})", err=True)

    quiet_pgqueuer_logs()
    options = WorkerOptions(
        concurrency=concurrency, lease=lease, poll=poll, runs=runs, until_idle=until_idle
    )
    stats = Worker(inventory, collector_for, options, on_job, on_close, on_problem, on_start).run()
    if not app.quiet:
        click.echo(
            f"worker done: {stats.jobs} jobs, {stats.units} units scanned, "
            f"{stats.skipped} skipped as already recorded",
            err=True,
        )
