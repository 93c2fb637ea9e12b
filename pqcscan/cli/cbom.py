"""``pqcscan export cbom`` (CycloneDX 1.6/1.7 CBOM of the inventory) and ``pqcscan import
cbom`` (CycloneDX CBOMs and SBOMs from other tools and suppliers). Registers on import."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from pqcscan.cli.business import import_group
from pqcscan.cli.context import AppContext
from pqcscan.cli.exports import export
from pqcscan.cli.options import fail_on_option
from pqcscan.cli.output import write_output
from pqcscan.cli.progress import ProgressLine
from pqcscan.cli.risk import stored_run
from pqcscan.cli.scan import finish, resume_option, resumed_arguments
from pqcscan.collectors.cbom import CbomCollector
from pqcscan.errors import UsageError
from pqcscan.exporters.cbom import SPECS, to_cbom
from pqcscan.inventory.risk_store import ranked_items, risk_run
from pqcscan.inventory.snapshot import load_snapshot
from pqcscan.scan import run_scan


def _timestamp(app: AppContext, which: str) -> datetime | None:
    if which == "none":
        return None
    if which == "now":
        return datetime.now(UTC)
    times = [r.finished_at or r.started_at for r in app.inventory.runs()]
    if not times:
        raise UsageError("--timestamp scan: the inventory has no scan run yet")
    return max(times)


@export.command("cbom")
@click.option(
    "--spec",
    type=click.Choice(SPECS),
    default="1.6",
    show_default=True,
    help="CycloneDX version (1.7 adds TLS groups and signature schemes per cipher suite).",
)
@click.option(
    "--run", "run_id", type=int, metavar="ID", help="Risk run [default: the newest, if any]."
)
@click.option(
    "--timestamp",
    type=click.Choice(["none", "now", "scan"]),
    default="none",
    show_default=True,
    help="metadata.timestamp: none (reproducible output), now, or the newest scan run's time.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def export_cbom(
    app: AppContext, spec: str, run_id: int | None, timestamp: str, output: Path | None
) -> None:
    """CycloneDX CBOM of the inventory: algorithms (OID, primitive, quantum level, code
    occurrences), certificates, keys, protocols, libraries and endpoint services, with the
    ranking's score, wave and Mosca gap as pqcscan:risk:* properties."""
    engine = app.inventory.engine
    run = stored_run(app, run_id) if run_id is not None else risk_run(engine)
    items = ranked_items(engine, run.id) if run is not None else []
    text = to_cbom(load_snapshot(engine), items, spec, _timestamp(app, timestamp))
    write_output(text, output)


@import_group.command("cbom")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@resume_option()
@fail_on_option()
@click.pass_obj
def import_cbom(
    app: AppContext, file: Path | None, resume: int | None, fail_on: tuple[str, ...]
) -> None:
    """Import a CycloneDX CBOM or SBOM (JSON or XML) from another tool or a supplier.

    Its cryptographic assets become findings classified through the catalog (by OID, then
    name), attributed to the file and the BOM's supplier; certificates join by fingerprint,
    libraries by purl. A file that is not a readable CycloneDX BOM is recorded as an error
    (exit 3).
    """
    recorded = resumed_arguments(app, resume, CbomCollector.name)
    if file is None and recorded:
        file = Path(str(recorded.get("path", "")))
    if file is None:
        raise UsageError("give the CycloneDX file to import (or --resume RUN)")
    if not file.is_file():
        raise UsageError(f"{file}: no such file")
    summary = run_scan(
        app.inventory,
        CbomCollector(file),
        ProgressLine(CbomCollector.name, app.interactive),
        jobs=1,
        resume=resume,
    )
    finish(app, summary, fail_on)
