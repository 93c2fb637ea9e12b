"""Opening an inventory: engine, connection settings and alembic migrations.

SQLite is the default (``./pqcscan.db``); any SQLAlchemy URL works with ``--db`` or
``PQCSCAN_DB`` (PostgreSQL: ``postgresql+psycopg://user@host/db``; a plain ``postgresql://``
means psycopg 3 too, the driver of the ``postgresql`` extra). The schema is always brought to
the newest alembic revision on open.

Writes go through :func:`run_write`: ``BEGIN IMMEDIATE`` on SQLite, and a bounded, jittered
retry of a transaction that lost a race to another writer (several scans into one inventory).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from pqcscan.errors import InventoryError, UsageError

DEFAULT_DB = "pqcscan.db"
ENV_VAR = "PQCSCAN_DB"
MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration. A test checks it against alembic's script directory, so that opening
#: an up-to-date inventory needs no alembic import (a tenth of a second on every command).
HEAD_REVISION = "0004"

#: How often a write transaction that lost a race (SQLite busy, PostgreSQL deadlock or
#: serialization failure) is tried in all, and the cap of the jittered pause between tries.
WRITE_ATTEMPTS = 8
MAX_PAUSE = 2.0
#: SQLSTATEs of a PostgreSQL transaction that lost a race and can simply run again.
RETRY_SQLSTATES = frozenset({"40001", "40P01", "23505"})
#: The advisory lock that serializes migrations of one PostgreSQL database.
MIGRATION_LOCK = 0x70716373  # "pqcs"

T = TypeVar("T")

if TYPE_CHECKING:
    from alembic.config import Config


def database_url(db: str | None) -> str:
    """Turn ``--db`` / ``PQCSCAN_DB`` / the default into a SQLAlchemy URL."""
    value = db or os.environ.get(ENV_VAR) or DEFAULT_DB
    if "://" in value:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise UsageError(f"--db: not a database URL: {value!r}") from exc
        if url.drivername == "postgresql":  # SQLAlchemy's default driver is psycopg2
            return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off: _sqlite_begin says BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")  # first: switching to WAL may have to wait
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """``BEGIN IMMEDIATE`` for write transactions, a plain (deferred) ``BEGIN`` for reads.

    A deferred transaction that reads and then writes must upgrade its lock, and in WAL mode
    that upgrade fails at once (``database is locked``, no busy wait) when another process
    wrote in between. A write transaction takes the write lock when it begins, waiting for
    it under ``busy_timeout``, so it never has to upgrade.
    """
    write = conn.get_execution_options().get("pqcscan_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_inventory_engine(url: str) -> Engine:
    """An engine with the settings pqcscan relies on (WAL and foreign keys on SQLite)."""
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        parent = Path(parsed.database).expanduser().resolve().parent
        if not parent.is_dir():
            raise UsageError(f"--db: folder {parent} does not exist")
    try:
        engine = create_engine(url, future=True)
    except ImportError as exc:
        if parsed.get_backend_name() == "postgresql":
            raise UsageError(
                f"--db: {shown} needs the psycopg driver, which is not installed: "
                "install pqcscan[postgresql]"
            ) from exc
        raise UsageError(f"--db: cannot use {shown}: {exc}") from exc
    except NoSuchModuleError as exc:
        raise UsageError(f"--db: cannot use {shown}: unknown database kind {exc}") from exc
    except (ArgumentError, SQLAlchemyError) as exc:
        raise UsageError(f"--db: cannot use {shown}: {one_line(exc)}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def one_line(exc: BaseException) -> str:
    """The first line of a database error's own message, without SQLAlchemy's SQL echo
    and background link (for one-line CLI errors)."""
    origin = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [line.strip() for line in str(origin).splitlines() if line.strip()]
    return lines[0] if lines else type(origin).__name__


def _lost_a_race(exc: DBAPIError) -> bool:
    """True when a write failed only because another writer got there first."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in RETRY_SQLSTATES
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that writes: ``BEGIN IMMEDIATE`` on SQLite, plain on PostgreSQL."""
    with engine.connect() as conn:
        conn.execution_options(pqcscan_write=True)
        with conn.begin():
            yield conn


def run_write(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in a write transaction, again when it lost a race to another writer.

    Another process may hold SQLite's write lock longer than ``busy_timeout``, or two
    PostgreSQL transactions may deadlock or collide on a unique key; the transaction was
    rolled back, so it runs again (up to :data:`WRITE_ATTEMPTS` times) after a jittered,
    growing pause. ``work`` must be safe to repeat: it starts from scratch each time.
    """
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with write_transaction(engine) as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt == WRITE_ATTEMPTS or not _lost_a_race(exc):
                raise
        time.sleep(random.uniform(0, min(MAX_PAUSE, 0.05 * 2**attempt)))
    raise AssertionError("unreachable")  # pragma: no cover


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest revision in alembic's script directory (tests compare HEAD_REVISION)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision an inventory is at (None for an empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (a no-op when it is current).

    Several processes may open a new inventory at once: the migration runs in one write
    transaction (SQLite) or under an advisory lock (PostgreSQL), and alembic reads the
    revision inside it, so the first process migrates and the others find it done.
    """
    try:
        if current_revision(engine) == HEAD_REVISION:
            return
        from alembic import command

        command.upgrade(alembic_config(engine), "head")
    except SQLAlchemyError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise InventoryError(f"cannot open the inventory {where}: {one_line(exc)}") from exc
