"""Alembic environment: runs with the engine pqcscan hands over (never a URL from an .ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from pqcscan.inventory.models import Base

config = context.config
engine: Engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
