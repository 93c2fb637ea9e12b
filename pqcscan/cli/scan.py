"""``pqcscan init``, the ``pqcscan scan`` group and what its commands share: resuming a run,
the closing summary and exit code. Each ``scan`` command lives in its own module."""

from __future__ import annotations

from collections.abc import Callable

import click

from pqcscan.cli.context import AppContext
from pqcscan.cli.options import F
from pqcscan.errors import UsageError
from pqcscan.inventory import FindingFilter, RunSummary


@click.command()
@click.pass_obj
def init(app: AppContext) -> None:
    """Create (or upgrade) the inventory database."""
    inv = app.inventory
    click.echo(f"inventory ready: {inv.display_url}")


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
