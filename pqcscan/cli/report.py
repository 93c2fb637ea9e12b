"""``pqcscan report``: the inventory, its history and the top of the backlog as one HTML page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from pqcscan.cli import cli
from pqcscan.cli.context import AppContext
from pqcscan.cli.output import write_output
from pqcscan.errors import UsageError


def _generated_at(value: str | None, times: list[datetime]) -> str:
    """``--generated-at``: "now", an ISO date/time, or (default) the newest run's time."""
    if value == "now":
        return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise UsageError(
                f"--generated-at {value!r}: expected now or an ISO date/time (2026-11-24T10:00)"
            ) from exc
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC)
        return parsed.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if parsed.tzinfo else "")
    if not times:
        return "never (the inventory is empty)"
    newest = max(t if t.tzinfo else t.replace(tzinfo=UTC) for t in times)
    return newest.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") + " (newest run)"


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the page here [default: standard output].",
)
@click.option("--run", "run_id", type=int, metavar="ID", help="Risk run [default: the newest].")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=15,
    show_default=True,
    metavar="N",
    help="Backlog items explained (and charted) in the report.",
)
@click.option(
    "--generated-at",
    "generated_at",
    metavar="now|ISO",
    help="The page's generated-at line [default: the newest scan or risk run's time].",
)
@click.pass_obj
def report(
    app: AppContext, output: Path | None, run_id: int | None, top: int, generated_at: str | None
) -> None:
    """One self-contained HTML page: findings by quantum status, asset type and wave, hybrid
    PQC adoption on TLS endpoints, readiness over scan history, and the top of the backlog
    with explanations, dependencies and Mosca's numbers. No script, no external resource."""
    from pqcscan.exporters.report import ReportInput, render
    from pqcscan.inventory.history import readiness_history
    from pqcscan.inventory.query import list_runs
    from pqcscan.inventory.risk_store import ranked_items, risk_run
    from pqcscan.inventory.snapshot import load_snapshot

    engine = app.inventory.engine
    run = risk_run(engine, run_id)
    if run is None and run_id is not None:
        raise UsageError(f"there is no risk run {run_id}")
    items = ranked_items(engine, run.id) if run is not None else []
    history = readiness_history(engine)
    times = [r.finished_at or r.started_at for r in list_runs(engine)]
    if run is not None:
        times.append(run.created_at)
    data = ReportInput(
        snapshot=load_snapshot(engine),
        history=history,
        risk_run=run,
        items=items,
        top=top,
        generated_at=_generated_at(generated_at, times),
    )
    write_output(render(data), output)
    if output is not None and not app.quiet:
        click.echo(f"report written to {output}", err=True)


cli.add_command(report)
