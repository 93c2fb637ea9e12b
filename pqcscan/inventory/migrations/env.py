"""Alembic environment: runs with the engine pqcscan hands over (never a URL from an .ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, text

from pqcscan.inventory.database import MIGRATION_LOCK, write_transaction
from pqcscan.inventory.models import Base

config = context.config
engine: Engine = config.attributes["engine"]

# One migrating process at a time; the others wait, then find the schema current.
with write_transaction(engine) as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
