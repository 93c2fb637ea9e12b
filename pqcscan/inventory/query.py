"""Plain read-only views of the inventory: ORM rows never leave this package."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, func, select

from pqcscan.inventory.models import (
    ASSETS,
    FINDING_SIGHTINGS,
    FINDINGS,
    SCAN_ERRORS,
    SCAN_RUNS,
)


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """One finding with its asset, as exports and the CLI see it."""

    id: int
    asset_type: str
    locator: str
    asset_name: str
    fingerprint: str
    algorithm: str
    parameter: str
    usage: str
    quantum_status: str
    classical_bits: int | None
    nist_category: int | None
    identifier: str | None
    evidence: dict[str, Any]
    first_seen: datetime
    last_seen: datetime

    @property
    def location(self) -> str:
        """Where this finding was last seen (an asset seen in several places keeps one row
        per finding; a key's protection, say, is seen only in its encrypted file)."""
        location = self.evidence.get("location")
        return location if isinstance(location, str) and location else self.locator

    def to_json(self) -> dict[str, Any]:
        """The documented ``pqcscan inventory --format json`` shape (docs/data-model.md)."""
        return {
            "id": self.id,
            "asset_type": self.asset_type,
            "locator": self.location,
            "asset_locator": self.locator,
            "asset_name": self.asset_name,
            "fingerprint": self.fingerprint,
            "algorithm": self.algorithm,
            "parameter": self.parameter,
            "usage": self.usage,
            "quantum_status": self.quantum_status,
            "classical_bits": self.classical_bits,
            "nist_category": self.nist_category,
            "identifier": self.identifier,
            "evidence": self.evidence,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    collector: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    arguments: dict[str, Any]
    items: int
    assets: int
    findings: int
    new_findings: int
    errors: int
    message: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "collector": self.collector,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "arguments": self.arguments,
            "items": self.items,
            "assets": self.assets,
            "findings": self.findings,
            "new_findings": self.new_findings,
            "errors": self.errors,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    run_id: int
    locator: str
    kind: str
    message: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "locator": self.locator,
            "kind": self.kind,
            "message": self.message,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class FindingFilter:
    """Which findings to read; empty tuples mean "any"."""

    statuses: tuple[str, ...] = ()
    asset_types: tuple[str, ...] = ()
    algorithms: tuple[str, ...] = ()
    run_id: int | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())


def bytewise(column: ColumnElement[str], dialect: str) -> ColumnElement[str]:
    """``column`` for ORDER BY in code-point order on every backend: SQLite compares text
    byte by byte, a PostgreSQL database by its collation (en_US puts ``B`` between ``a`` and
    ``c`` and skips punctuation), so listings would differ from one backend to the other."""
    return column.collate("C") if dialect == "postgresql" else column


def _finding_select(flt: FindingFilter, dialect: str = "sqlite") -> Select[Any]:
    f, a = FINDINGS, ASSETS
    stmt = select(
        f.c.id,
        a.c.type,
        a.c.locator,
        a.c.name,
        a.c.fingerprint,
        f.c.algorithm,
        f.c.parameter,
        f.c.usage,
        f.c.quantum_status,
        f.c.classical_bits,
        f.c.nist_category,
        f.c.identifier,
        f.c.evidence,
        f.c.first_seen,
        f.c.last_seen,
    ).join(a, a.c.id == f.c.asset_id)
    if flt.statuses:
        stmt = stmt.where(f.c.quantum_status.in_(flt.statuses))
    if flt.asset_types:
        stmt = stmt.where(a.c.type.in_(flt.asset_types))
    if flt.algorithms:
        wanted = [x.lower() for x in flt.algorithms]
        stmt = stmt.where(func.lower(f.c.algorithm).in_(wanted))
    if flt.run_id is not None:
        s = FINDING_SIGHTINGS
        stmt = stmt.where(f.c.id.in_(select(s.c.finding_id).where(s.c.run_id == flt.run_id)))
    text = (a.c.type, a.c.locator, f.c.usage, f.c.algorithm, f.c.parameter)
    return stmt.order_by(*(bytewise(c, dialect) for c in text), f.c.id)


def iter_findings(engine: Engine, flt: FindingFilter | None = None) -> Iterator[FindingRecord]:
    """Stream findings in a stable order (asset type, locator, usage, algorithm)."""
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=2000).execute(
            _finding_select(flt or FindingFilter(), engine.dialect.name)
        )
        for row in result:
            yield FindingRecord(*row)


def list_runs(
    engine: Engine,
    limit: int | None = None,
    run_id: int | None = None,
    status: str | None = None,
) -> list[RunRecord]:
    """Runs newest first; only run ``run_id``, or only those with ``status``, when given."""
    t = SCAN_RUNS
    stmt = select(
        t.c.id,
        t.c.collector,
        t.c.status,
        t.c.started_at,
        t.c.finished_at,
        t.c.arguments,
        t.c["items"],
        t.c.assets,
        t.c.findings,
        t.c.new_findings,
        t.c.errors,
        t.c.message,
    ).order_by(t.c.id.desc())
    if run_id is not None:
        stmt = stmt.where(t.c.id == run_id)
    if status is not None:
        stmt = stmt.where(t.c.status == status)
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [RunRecord(**row._asdict()) for row in conn.execute(stmt)]


def list_errors(engine: Engine, run_id: int | None = None) -> list[ErrorRecord]:
    t = SCAN_ERRORS
    stmt = select(t.c.run_id, t.c.locator, t.c.kind, t.c.message, t.c.created_at).order_by(t.c.id)
    if run_id is not None:
        stmt = stmt.where(t.c.run_id == run_id)
    with engine.connect() as conn:
        return [ErrorRecord(*row) for row in conn.execute(stmt)]


def status_counts(engine: Engine, run_id: int | None = None) -> dict[str, int]:
    """Number of findings per quantum status (optionally only those seen by one run)."""
    f = FINDINGS
    stmt = select(f.c.quantum_status, func.count()).group_by(f.c.quantum_status)
    if run_id is not None:
        s = FINDING_SIGHTINGS
        stmt = stmt.where(f.c.id.in_(select(s.c.finding_id).where(s.c.run_id == run_id)))
    with engine.connect() as conn:
        return {status: count for status, count in conn.execute(stmt)}
