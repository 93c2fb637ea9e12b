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
@click.option(
    "--no-network",
    is_flag=True,
    help="Skip the loopback lab (TLS, STARTTLS, SSH servers) and scan the files only.",
)
@click.pass_obj
def demo(app: AppContext, folder: Path, no_network: bool) -> None:
    """Build demo certificates, keys and keystores and scan them into a fresh inventory
    there; start a small loopback lab (classic, hybrid and PQ-only TLS, weak TLS, STARTTLS,
    SSH) and scan it too; print a summary. Everything the demo starts, it stops."""
    from pqcscan.demo.runner import run_demo

    click.echo(run_demo(folder.absolute(), network=not no_network))
