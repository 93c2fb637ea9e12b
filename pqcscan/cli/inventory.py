"""``pqcscan inventory``, ``pqcscan scans`` and ``pqcscan errors``: reading the inventory."""

from __future__ import annotations

import click

from pqcscan.cli.context import AppContext
from pqcscan.cli.options import STATUS_CHOICE, fail_on_option
from pqcscan.cli.output import csv_text, table, to_json
from pqcscan.inventory import FindingFilter
from pqcscan.results import AssetType

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)

FINDING_COLUMNS = (
    "asset_type",
    "locator",
    "algorithm",
    "parameter",
    "usage",
    "quantum_status",
    "classical_bits",
    "first_seen",
    "last_seen",
)


@click.command()
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=STATUS_CHOICE,
    help="Only this quantum status (repeatable).",
)
@click.option(
    "--type",
    "asset_types",
    multiple=True,
    type=click.Choice([t.value for t in AssetType]),
    help="Only this asset type (repeatable).",
)
@click.option(
    "--algorithm",
    "algorithms",
    multiple=True,
    metavar="NAME",
    help="Only this algorithm, by canonical name (repeatable).",
)
@click.option(
    "--run", "run_id", type=int, metavar="ID", help="Only findings seen by this scan run."
)
@FORMAT
@fail_on_option()
@click.pass_obj
def inventory(
    app: AppContext,
    statuses: tuple[str, ...],
    asset_types: tuple[str, ...],
    algorithms: tuple[str, ...],
    run_id: int | None,
    fmt: str,
    fail_on: tuple[str, ...],
) -> None:
    """List findings: what algorithm, where, for what, and how it stands."""
    flt = FindingFilter(
        statuses=statuses, asset_types=asset_types, algorithms=algorithms, run_id=run_id
    )
    records = app.inventory.findings(flt)
    failing = {s.lower() for s in fail_on}
    matched = False
    if fmt == "json":
        out = []
        for r in records:
            matched = matched or r.quantum_status in failing
            out.append(r.to_json())
        click.echo(to_json({"findings": out}))
    else:
        rows = []
        for r in records:
            matched = matched or r.quantum_status in failing
            d = r.to_json()
            rows.append([d[c] for c in FINDING_COLUMNS])
        if fmt == "csv":
            click.echo(csv_text(FINDING_COLUMNS, rows), nl=False)
        else:
            click.echo(table(FINDING_COLUMNS, rows))
            if not app.quiet:
                click.echo(f"{len(rows)} findings", err=True)
    if matched:
        raise click.exceptions.Exit(1)


@click.command()
@click.option("--limit", type=int, default=20, show_default=True, help="How many recent runs.")
@FORMAT
@click.pass_obj
def scans(app: AppContext, limit: int, fmt: str) -> None:
    """Scan history: when, what, status and counts."""
    runs = app.inventory.runs(limit)
    if fmt == "json":
        click.echo(to_json({"scans": [r.to_json() for r in runs]}))
        return
    headers = (
        "id",
        "collector",
        "status",
        "started_at",
        "items",
        "assets",
        "findings",
        "new",
        "errors",
    )
    rows = [
        (
            r.id,
            r.collector,
            r.status,
            r.started_at.isoformat(timespec="seconds"),
            r.items,
            r.assets,
            r.findings,
            r.new_findings,
            r.errors,
        )
        for r in runs
    ]
    click.echo(csv_text(headers, rows) if fmt == "csv" else table(headers, rows), nl=fmt != "csv")


@click.command()
@click.argument("run_id", type=int, required=False)
@FORMAT
@click.pass_obj
def errors(app: AppContext, run_id: int | None, fmt: str) -> None:
    """What could not be read, and why (all runs, or one)."""
    records = app.inventory.errors(run_id)
    if fmt == "json":
        click.echo(to_json({"errors": [e.to_json() for e in records]}))
        return
    headers = ("run", "kind", "locator", "message")
    rows = [(e.run_id, e.kind, e.locator, e.message) for e in records]
    click.echo(
        csv_text(headers, rows) if fmt == "csv" else table(headers, rows, max_width=80),
        nl=fmt != "csv",
    )
