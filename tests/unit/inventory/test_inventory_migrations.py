"""Alembic migrations: upgrade from empty, and no drift between models and migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from pqcscan.errors import UsageError
from pqcscan.inventory import Inventory
from pqcscan.inventory.database import (
    HEAD_REVISION,
    alembic_config,
    current_revision,
    database_url,
    head_revision,
)
from pqcscan.inventory.models import Base


def test_upgrade_from_empty_creates_every_table(inventory_url: str) -> None:
    with Inventory.open(inventory_url) as inv:
        tables = set(inspect(inv.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        assert current_revision(inv.engine) == head_revision() == HEAD_REVISION


def test_downgrade_to_empty_and_upgrade_again(inventory_url: str) -> None:
    from alembic import command

    with Inventory.open(inventory_url) as inv:
        command.downgrade(alembic_config(inv.engine), "base")
        assert set(inspect(inv.engine).get_table_names()) <= {"alembic_version"}
        assert current_revision(inv.engine) is None
        command.upgrade(alembic_config(inv.engine), "head")
        assert set(Base.metadata.tables) <= set(inspect(inv.engine).get_table_names())


def test_models_match_migrations(inventory_url: str) -> None:
    with Inventory.open(inventory_url) as inv, inv.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_database_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PQCSCAN_DB", raising=False)
    assert database_url(None) == "sqlite:///pqcscan.db"
    assert database_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path}/x.db"
    monkeypatch.setenv("PQCSCAN_DB", "postgresql+psycopg://u@localhost/inv")
    assert database_url(None) == "postgresql+psycopg://u@localhost/inv"
    with pytest.raises(UsageError, match="cannot use"):
        Inventory.open("nonsense://host/db")


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        Inventory.open(str(tmp_path / "no" / "such" / "x.db"))
