"""The inventory: SQLAlchemy storage of scan runs, assets, findings, links and errors.

Everything outside this package talks to :class:`Inventory` and receives plain records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine

from pqcscan.inventory.database import create_inventory_engine, database_url, migrate
from pqcscan.inventory.query import (
    ErrorRecord,
    FindingFilter,
    FindingRecord,
    RunRecord,
    iter_findings,
    list_errors,
    list_runs,
    status_counts,
)
from pqcscan.inventory.store import Clock, RunRecorder, RunSummary, finished_units, utcnow

__all__ = [
    "ErrorRecord",
    "FindingFilter",
    "FindingRecord",
    "Inventory",
    "RunRecord",
    "RunRecorder",
    "RunSummary",
]


class Inventory:
    """An opened, migrated inventory database."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    @classmethod
    def open(cls, db: str | None = None) -> Inventory:
        """Open (creating and migrating as needed) the inventory at ``db``.

        ``db`` is a SQLAlchemy URL or a file path; None means ``$PQCSCAN_DB`` or
        ``./pqcscan.db``.
        """
        url = database_url(db)
        engine = create_inventory_engine(url)
        migrate(engine)
        return cls(engine, url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Inventory:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def display_url(self) -> str:
        """The URL with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def record_run(
        self,
        collector: str,
        arguments: dict[str, Any],
        *,
        clock: Clock = utcnow,
        batch_size: int = 1000,
        resume: int | None = None,
    ) -> RunRecorder:
        """Start a scan run (or, with ``resume``, reopen an unfinished one)."""
        return RunRecorder(
            self.engine, collector, arguments, clock=clock, batch_size=batch_size, resume=resume
        )

    def finished_units(self, run_id: int, keys: Sequence[str]) -> set[str]:
        """Which of these unit keys the run has already finished."""
        return finished_units(self.engine, run_id, keys)

    def run(self, run_id: int) -> RunRecord | None:
        """One scan run's record, or None."""
        return next((r for r in list_runs(self.engine, None, run_id)), None)

    def findings(self, flt: FindingFilter | None = None) -> Iterator[FindingRecord]:
        return iter_findings(self.engine, flt)

    def runs(self, limit: int | None = None, status: str | None = None) -> list[RunRecord]:
        """Scan runs, newest first (only those with ``status`` when given)."""
        return list_runs(self.engine, limit, status=status)

    def errors(self, run_id: int | None = None) -> list[ErrorRecord]:
        return list_errors(self.engine, run_id)

    def status_counts(self, run_id: int | None = None) -> dict[str, int]:
        return status_counts(self.engine, run_id)
