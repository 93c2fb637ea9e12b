"""``pqcscan demo``: build a realistic fixture tree, scan it, show what pqcscan finds."""

from __future__ import annotations

from pathlib import Path

import click

from pqcscan.cli.context import AppContext


@click.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("pqcscan-demo"),
    show_default=True,
    help="Where to build the demo files and inventory.",
)
@click.pass_obj
def demo(app: AppContext, folder: Path) -> None:
    """Build demo certificates, keys and keystores, scan them into a fresh inventory there,
    and print a summary."""
    from pqcscan.demo.runner import run_demo

    click.echo(run_demo(folder.absolute()))
