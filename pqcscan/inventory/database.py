"""Opening an inventory: engine, connection settings and alembic migrations.

SQLite is the default (``./pqcscan.db``); any SQLAlchemy URL works with ``--db`` or
``PQCSCAN_DB`` (PostgreSQL: ``postgresql+psycopg://user@host/db``). The schema is always
brought to the newest alembic revision on open.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from pqcscan.errors import InventoryError, UsageError

DEFAULT_DB = "pqcscan.db"
ENV_VAR = "PQCSCAN_DB"
MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration. A test checks it against alembic's script directory, so that opening
#: an up-to-date inventory needs no alembic import (a tenth of a second on every command).
HEAD_REVISION = "0003"

if TYPE_CHECKING:
    from alembic.config import Config


def database_url(db: str | None) -> str:
    """Turn ``--db`` / ``PQCSCAN_DB`` / the default into a SQLAlchemy URL."""
    value = db or os.environ.get(ENV_VAR) or DEFAULT_DB
    if "://" in value:
        try:
            make_url(value)
        except ArgumentError as exc:
            raise UsageError(f"--db: not a database URL: {value!r}") from exc
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_inventory_engine(url: str) -> Engine:
    """An engine with the settings pqcscan relies on (WAL and foreign keys on SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        parent = Path(parsed.database).expanduser().resolve().parent
        if not parent.is_dir():
            raise UsageError(f"--db: folder {parent} does not exist")
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise UsageError(f"--db: cannot use {parsed.render_as_string()}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


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
    """Upgrade the schema to the newest revision (a no-op when it is current)."""
    try:
        if current_revision(engine) == HEAD_REVISION:
            return
        from alembic import command

        command.upgrade(alembic_config(engine), "head")
    except SQLAlchemyError as exc:
        raise InventoryError(f"cannot prepare the inventory database: {exc}") from exc
