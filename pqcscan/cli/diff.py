"""``pqcscan diff``: what appeared, disappeared and changed between two scan runs."""

from __future__ import annotations

from pathlib import Path

import click

from pqcscan.cli import cli
from pqcscan.cli.context import AppContext
from pqcscan.cli.output import write_output
from pqcscan.exporters import diff as render
from pqcscan.inventory.diff import load_run_pair
from pqcscan.inventory.query import list_runs


@click.command("diff")
@click.argument("run_a", type=int, required=False)
@click.argument("run_b", type=int, required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "md"]),
    default="table",
    show_default=True,
)
@click.option("--any-collector", is_flag=True, help="Allow runs of different collectors.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def diff(
    app: AppContext,
    run_a: int | None,
    run_b: int | None,
    fmt: str,
    any_collector: bool,
    output: Path | None,
) -> None:
    """Compare two completed scan runs (RUN_A before, RUN_B after): certificates re-issued,
    libraries upgraded, endpoints gaining or losing groups and versions, keys re-protected,
    places improved or worsened, and assets that appeared or disappeared.

    Default: the two newest completed runs of one collector; with RUN_A only, RUN_A against
    the newest completed run of its collector. Exit 2 for unknown, unfinished or
    incomparable runs."""
    engine = app.inventory.engine
    a, b = render.choose_runs(list_runs(engine), run_a, run_b, any_collector)
    result = render.compare(load_run_pair(engine, a, b))
    if fmt == "json":
        write_output(render.to_json(result), output)
    elif fmt == "md":
        write_output(render.to_markdown(result), output)
    else:
        write_output(render.to_table(result), output)


cli.add_command(diff)
