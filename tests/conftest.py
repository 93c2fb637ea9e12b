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


#: The inventory backends (ids in pytest's output: ``test_x[sqlite]``, ``test_x[postgresql]``).
BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_backends: run this test's inventory (module_inventory_url, cli_inventory_url) "
        "on PostgreSQL too, not only on SQLite",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests using ``module_inventory_url`` or ``cli_inventory_url`` run on SQLite, and on
    PostgreSQL too when marked ``both_backends``; a module-scoped inventory is built once per
    backend."""
    marked = metafunc.definition.get_closest_marker("both_backends") is not None
    for name, scope in (("module_inventory_url", "module"), ("cli_inventory_url", "function")):
        if name in metafunc.fixturenames:
            backends = BACKENDS if marked else BACKENDS[:1]
            metafunc.parametrize(name, backends, indirect=True, scope=scope)  # type: ignore[arg-type]


def _new_inventory_url(request: pytest.FixtureRequest, backend: str, folder: Path) -> str:
    """A fresh inventory on ``backend``; a PostgreSQL database is dropped with the fixture."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'inventory.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"t{next(_DATABASE_NUMBERS)}"
    url = server.create_database(name)
    request.addfinalizer(lambda: server.drop_database(name))
    return url


@pytest.fixture(params=BACKENDS)
def inventory_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty inventory: a SQLite file, then a PostgreSQL database.

    Tests that open an inventory take this fixture, so they run once on each backend.
    """
    return _new_inventory_url(request, request.param, tmp_path)


@pytest.fixture
def cli_inventory_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh inventory for one test: SQLite, or PostgreSQL too for the tests marked
    ``both_backends`` (the end-to-end CLI tests run a few of theirs on both)."""
    return _new_inventory_url(request, request.param, tmp_path)


@pytest.fixture(scope="module")
def module_inventory_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A fresh inventory for a module-scoped fixture: SQLite, or PostgreSQL for the tests
    marked ``both_backends`` (see :func:`pytest_generate_tests`)."""
    return _new_inventory_url(request, request.param, tmp_path_factory.mktemp("inventory"))


def inventory_text(url: str) -> str:
    """Every value stored in an inventory, as text (backend-neutral, for "X is nowhere")."""
    from sqlalchemy import select

    from pqcscan.inventory import Inventory
    from pqcscan.inventory.models import Base

    with Inventory.open(url) as inv, inv.engine.connect() as conn:
        return "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in conn.execute(select(table))
        )
