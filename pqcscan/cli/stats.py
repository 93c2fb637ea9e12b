"""``pqcscan stats``: anonymized pilot-group statistics (export, merge, compare)."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import click

from pqcscan.cli import cli
from pqcscan.cli.context import AppContext
from pqcscan.cli.output import write_output
from pqcscan.errors import UsageError
from pqcscan.inventory.context_store import load_contexts
from pqcscan.inventory.risk_store import ranked_items, risk_run
from pqcscan.inventory.snapshot import load_snapshot
from pqcscan.sharing import compare as compare_mod
from pqcscan.sharing import merge as merge_mod
from pqcscan.sharing import stats as stats_mod


@click.group()
def stats() -> None:
    """Anonymized statistics for the sector pilot group: export yours, merge several
    organisations' exports, compare yours against the merged group (docs/sharing.md)."""


@stats.command("export")
@click.option(
    "--org-label", metavar="TEXT", help="A label you choose for your organisation [default: none]."
)
@click.option(
    "--k", "k", type=int, metavar="N", help="Withhold cells counting fewer than N [default: 5]."
)
@click.option(
    "--round",
    "rounding",
    type=int,
    metavar="N",
    help="Round published counts to a multiple of N [default: 5].",
)
@click.option(
    "--tlp",
    type=click.Choice(list(stats_mod.TLP), case_sensitive=False),
    default="AMBER",
    show_default=True,
    help="Traffic Light Protocol marking of the file.",
)
@click.option(
    "--period", metavar="YYYY-Qn", help="Reporting quarter [default: the ranking's date]."
)
@click.option(
    "--submission-id",
    metavar="UUID",
    help="Reuse an earlier submission's id to link yours over time [default: a new UUID].",
)
@click.option("--run", "run_id", type=int, metavar="ID", help="Risk run [default: the newest].")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def export_stats(
    app: AppContext,
    org_label: str | None,
    k: int | None,
    rounding: int | None,
    tlp: str,
    period: str | None,
    submission_id: str | None,
    run_id: int | None,
    output: Path | None,
) -> None:
    """Counts over the controlled vocabulary only: no host, address, subject, serial,
    fingerprint, path, package or service name leaves. Cells below k are withheld and counts
    rounded. Without a ranking (pqcscan rank) the item tables stay empty."""
    engine = app.inventory.engine
    run = risk_run(engine, run_id)
    if run_id is not None and run is None:
        raise UsageError(f"there is no risk run {run_id}")
    items = ranked_items(engine, run.id) if run is not None else []
    sid = submission_id.lower() if submission_id else str(uuid.uuid4())
    options = stats_mod.ExportOptions(
        submission_id=sid,
        org_label=org_label,
        k=k,
        rounding=rounding,
        tlp=tlp.upper(),
        period=period,
        profile=run.profile_name if run is not None else None,
        as_of=date.fromisoformat(run.as_of) if run is not None else None,
    )
    doc = stats_mod.export(load_snapshot(engine), items, load_contexts(engine), options)
    write_output(stats_mod.to_json(doc), output)
    if submission_id is None and not app.quiet:
        click.echo(
            f"submission id {sid}: keep it to link your next export (--submission-id)", err=True
        )


@stats.command("merge")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
def merge_stats(files: tuple[Path, ...], output: Path | None) -> None:
    """Pool several organisations' exports: a cell is published only when at least 3
    organisations contributed and none holds more than 80% of it."""
    documents = [(str(f), merge_mod.read_document(f)) for f in files]
    merged = merge_mod.merge(documents)
    write_output(stats_mod.to_json(merged), output)


@stats.command("compare")
@click.argument("mine", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("merged", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
def compare_stats(mine: Path, merged: Path, fmt: str, output: Path | None) -> None:
    """Where your export stands against the merged group, per indicator (computed here)."""
    own = merge_mod.read_document(mine)
    group = merge_mod.read_document(merged)
    rows = compare_mod.compare(own, group, names=(str(mine), str(merged)))
    text = compare_mod.to_json(rows, group) if fmt == "json" else compare_mod.to_table(rows, group)
    write_output(text, output)


cli.add_command(stats)
