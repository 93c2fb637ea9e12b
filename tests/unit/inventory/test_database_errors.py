"""Opening an inventory that cannot be used: one clear line and a non-zero exit, never a
traceback (a missing driver, a closed port, an unknown role or database on a real server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from pqcscan.demo.lab.postgres import PostgresServer
from pqcscan.errors import InventoryError, UsageError
from pqcscan.inventory import Inventory
from pqcscan.inventory.database import database_url

EXIT_INVENTORY = 4  # docs/cli.md
EXIT_USAGE = 2


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pqcscan(*args: str, block_psycopg: bool = False) -> subprocess.CompletedProcess[str]:
    prelude = "sys.modules['psycopg'] = None; " if block_psycopg else ""
    code = f"import sys; {prelude}from pqcscan.cli import main; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PQCSCAN_DB": ""},
        timeout=60,
    )


def assert_one_line(done: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("pqcscan: error: ")
    for word in words:
        assert word in lines[0]


def test_postgresql_without_psycopg_says_which_extra_to_install() -> None:
    done = pqcscan(
        "--db", "postgresql+psycopg://me:secret@127.0.0.1:5432/inv", "scans", block_psycopg=True
    )
    assert_one_line(done, EXIT_USAGE, "install pqcscan[postgresql]", "me:***@")
    assert "secret" not in done.stderr


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    url = f"postgresql+psycopg://me:secret@127.0.0.1:{closed_port()}/inv"
    with pytest.raises(InventoryError, match="Connection refused"):
        Inventory.open(url)
    done = pqcscan("--db", url, "scans")
    assert_one_line(done, EXIT_INVENTORY, "cannot open the inventory", "Connection refused")
    assert "secret" not in done.stderr


def test_an_unknown_role_or_database_is_one_line(postgres_server: PostgresServer) -> None:
    port = postgres_server.port
    role = pqcscan("--db", f"postgresql+psycopg://nobody@127.0.0.1:{port}/postgres", "scans")
    assert_one_line(role, EXIT_INVENTORY, 'role "nobody" does not exist')
    base = pqcscan("--db", f"postgresql+psycopg://pqcscan@127.0.0.1:{port}/missing", "scans")
    assert_one_line(base, EXIT_INVENTORY, 'database "missing" does not exist')


def test_plain_postgresql_urls_mean_psycopg_3() -> None:
    assert database_url("postgresql://me@db.internal/inv") == (
        "postgresql+psycopg://me@db.internal/inv"
    )
    with pytest.raises(UsageError, match="unknown database kind"):
        Inventory.open("nonsense://host/db")
