"""``pqcscan`` command line: thin click commands that parse, call the library, map errors.

Exit codes (docs/cli.md): 0 ok; 1 ``--fail-on`` matched; 2 usage or input error;
3 the scan finished but some items could not be read (recorded, see ``pqcscan errors``);
4 inventory (database) error; 130 interrupted.
"""

from __future__ import annotations

import sys

import click

from pqcscan import __version__
from pqcscan.cli.context import AppContext
from pqcscan.errors import InventoryError, PqcscanError

EXIT_OK = 0
EXIT_FAIL_ON = 1
EXIT_USAGE = 2
EXIT_ITEM_ERRORS = 3
EXIT_INVENTORY = 4
EXIT_INTERRUPTED = 130


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pqcscan")
@click.option(
    "--db",
    metavar="URL|PATH",
    envvar="PQCSCAN_DB",
    help="Inventory database: SQLAlchemy URL or SQLite file [default: ./pqcscan.db].",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary on stderr.")
@click.pass_context
def cli(ctx: click.Context, db: str | None, quiet: bool) -> None:
    """pqcscan: inventory the cryptography of certificates, keys, endpoints and code, and
    find what must migrate to post-quantum cryptography."""
    ctx.obj = AppContext(db=db, quiet=quiet)
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    import pqcscan.cli.business  # noqa: F401 (registers context and import)
    from pqcscan.cli import (  # noqa: F401 (registers)
        cbom,
        demo,
        diff,
        exports,
        inventory,
        report,
        risk,
        scan,
        scan_certs,
        scan_code,
        scan_net,
        stats,
        worker,
    )

    cli.add_command(scan.scan)
    cli.add_command(scan.init)
    cli.add_command(inventory.inventory)
    cli.add_command(inventory.scans)
    cli.add_command(inventory.errors)
    cli.add_command(risk.rank)
    cli.add_command(risk.explain)
    cli.add_command(exports.export)
    cli.add_command(demo.demo)
    cli.add_command(worker.worker)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: one clear line on error, never a traceback.

    Always ends the process with the documented exit code (docs/cli.md).
    """
    try:
        code = cli.main(args=argv, prog_name="pqcscan", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        click.echo("pqcscan: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("pqcscan: interrupted; what was scanned so far is stored", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except InventoryError as exc:
        click.echo(f"pqcscan: error: {exc}", err=True)
        sys.exit(EXIT_INVENTORY)
    except PqcscanError as exc:
        click.echo(f"pqcscan: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    # With standalone_mode=False click returns the code of a raised Exit (or the command's
    # return value, which pqcscan commands do not use).
    sys.exit(code if isinstance(code, int) else EXIT_OK)
