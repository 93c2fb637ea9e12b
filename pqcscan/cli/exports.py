"""``pqcscan export``: the backlog, the supplier survey and SARIF."""

from __future__ import annotations

from pathlib import Path

import click

from pqcscan.cli.context import AppContext
from pqcscan.cli.output import write_output
from pqcscan.cli.risk import stored_run
from pqcscan.exporters import backlog, suppliers
from pqcscan.inventory.risk_store import ranked_items, risk_run
from pqcscan.inventory.snapshot import load_snapshot
from pqcscan.risk.model import Wave


@click.group()
def export() -> None:
    """Export the backlog, the supplier survey, SARIF or a CBOM."""


@export.command("backlog")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "md"]), default="md")
@click.option(
    "--tracker",
    type=click.Choice(["jira", "azure"]),
    default="jira",
    show_default=True,
    help="CSV columns for this tracker's importer.",
)
@click.option("--run", "run_id", type=int, metavar="ID", help="Risk run [default: the newest].")
@click.option("--include-monitor", is_flag=True, help="Also list quantum-safe items.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def export_backlog(
    app: AppContext,
    fmt: str,
    tracker: str,
    run_id: int | None,
    include_monitor: bool,
    output: Path | None,
) -> None:
    """The migration backlog of a ranking: a CSV for Jira or Azure DevOps, JSON, or a
    Markdown migration plan."""
    run = stored_run(app, run_id)
    items = ranked_items(app.inventory.engine, run.id)
    if not include_monitor:
        items = [i for i in items if i.wave is not Wave.MONITOR]
    header = backlog.BacklogHeader.of(run)
    if fmt == "csv":
        write_output(backlog.to_csv(items, tracker), output)
    elif fmt == "json":
        write_output(backlog.to_json(header, items), output)
    else:
        write_output(backlog.to_markdown(header, items), output)


@export.command("suppliers")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json"]), default="md")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def export_suppliers(app: AppContext, fmt: str, output: Path | None) -> None:
    """Per vendor and product: what was found, what is unknown, and the questions to send
    (PQC roadmap, CBOM, crypto agility)."""
    engine = app.inventory.engine
    run = risk_run(engine)
    items = ranked_items(engine, run.id) if run is not None else []
    crqc = run.crqc_year if run is not None else 2035
    products = suppliers.survey(load_snapshot(engine), items, crqc)
    if fmt == "csv":
        write_output(suppliers.to_csv(products), output)
    elif fmt == "json":
        write_output(suppliers.to_json(products, crqc), output)
    else:
        write_output(suppliers.to_markdown(products, crqc), output)


@export.command("sarif")
@click.option(
    "--base",
    type=click.Path(path_type=Path, file_okay=False),
    help="Make file URIs relative to this folder (the repository root) [default: absolute].",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def export_sarif(app: AppContext, base: Path | None, output: Path | None) -> None:
    """SARIF 2.1.0 of the cryptography found in source and configuration files (pqcscan scan
    code): one result per place, with rule, region, snippet and quantum status."""
    import json

    from pqcscan.exporters.sarif import code_files, to_sarif

    snapshot = load_snapshot(app.inventory.engine)
    files = code_files((a.type, a.locator, a.details) for a in snapshot.assets)
    log = to_sarif(files, base.absolute() if base else None)
    write_output(json.dumps(log, indent=2, ensure_ascii=False) + "\n", output)
