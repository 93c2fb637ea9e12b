"""Shared test helpers."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pqcscan.demo.lab.postgres import PostgresServer

NOBODY = 65534
_DATABASE_NUMBERS = itertools.count(1)


@contextmanager
def unprivileged() -> Iterator[None]:
    """Run the block with an unprivileged effective uid when the tests run as root,
    so file permissions apply as they would for an ordinary user."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary folder that an unprivileged user may enter (pytest's tmp_path is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="pqcscan-test-"))
    folder.chmod(0o755)
    yield folder
    for p in sorted(folder.rglob("*"), key=lambda x: len(x.parts), reverse=True):
        if p.is_symlink() or not p.is_dir():
            p.unlink()
        else:
            p.chmod(0o755)
            p.rmdir()
    folder.rmdir()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server on 127.0.0.1 for the whole test session."""
    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty database on the test server (dropped afterwards)."""
    name = f"t{next(_DATABASE_NUMBERS)}"
    yield postgres_server.create_database(name)
    postgres_server.drop_database(name)
