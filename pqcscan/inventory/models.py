"""SQLAlchemy 2.x typed models of the inventory. Only :mod:`pqcscan.inventory` imports these.

Tables
  scan_runs          one row per scan: what, when, arguments, status, counts
  assets             things holding cryptography, unique by (type, fingerprint)
  findings           one algorithm in one use on one asset, unique by (asset, algorithm,
                     parameter, usage); first_seen / last_seen across runs
  asset_links        directed relations between assets (contains, issued-by, presents...)
  asset_sightings    which run saw which asset where (scan history; an asset may sit in
                     several files)
  finding_sightings  which run saw which finding (scan history, for diffs)
  scan_errors        what a run could not read, and why
  scan_items         the units (files, endpoints) a run has finished, for --resume
  business_contexts  loaded business contexts (services, data classes, mapping rules)
  risk_runs          rankings: model version, profile and context hashes
  risk_items         ranked migration items with their explanations
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the inventory")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}  # noqa: RUF012


class ScanRun(Base):
    __tablename__ = "scan_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collector: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # running|completed|failed|interrupted
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    arguments: Mapped[dict[str, Any]]
    tool_version: Mapped[str] = mapped_column(String(32))
    items: Mapped[int] = mapped_column(default=0)
    assets: Mapped[int] = mapped_column(default=0)
    findings: Mapped[int] = mapped_column(default=0)
    new_findings: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(Text)


class AssetRow(Base):
    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("type", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(1024))
    locator: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]]
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    first_run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id"))
    last_run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id"))


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("asset_id", "algorithm", "parameter", "usage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    algorithm: Mapped[str] = mapped_column(String(128))
    parameter: Mapped[str] = mapped_column(String(128))
    usage: Mapped[str] = mapped_column(String(32))
    quantum_status: Mapped[str] = mapped_column(String(32))
    classical_bits: Mapped[int | None]
    nist_category: Mapped[int | None]
    identifier: Mapped[str | None] = mapped_column(String(512))
    evidence: Mapped[dict[str, Any]]
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    first_run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id"))
    last_run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id"))


class AssetLinkRow(Base):
    __tablename__ = "asset_links"
    __table_args__ = (UniqueConstraint("source_id", "relation", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    relation: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    last_run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id"))


class AssetSighting(Base):
    __tablename__ = "asset_sightings"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("scan_runs.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    locator: Mapped[str] = mapped_column(String(2048), primary_key=True)


class FindingSighting(Base):
    __tablename__ = "finding_sightings"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("scan_runs.id", ondelete="CASCADE"), primary_key=True
    )
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ScanErrorRow(Base):
    __tablename__ = "scan_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id", ondelete="CASCADE"), index=True)
    locator: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class ScanItem(Base):
    """A unit of work a run has finished (a file, an endpoint): what ``--resume`` skips."""

    __tablename__ = "scan_items"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("scan_runs.id", ondelete="CASCADE"), primary_key=True
    )
    #: SHA-256 of the unit key (bounded size for the primary key on every backend).
    key_sha: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_key: Mapped[str] = mapped_column(Text)


class BusinessContextRow(Base):
    """A loaded business context (``pqcscan context load``): the validated document."""

    __tablename__ = "business_contexts"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)  # the file it was loaded from
    loaded_at: Mapped[datetime]
    document: Mapped[dict[str, Any]]  # the validated context as JSON


class RiskRun(Base):
    """One ranking of the inventory (``pqcscan rank``): model, profile and context used."""

    __tablename__ = "risk_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime]
    model_version: Mapped[str] = mapped_column(String(64))
    profile_name: Mapped[str] = mapped_column(String(200))
    profile_sha256: Mapped[str] = mapped_column(String(64))
    context_name: Mapped[str | None] = mapped_column(String(200))
    context_sha256: Mapped[str | None] = mapped_column(String(64))
    as_of: Mapped[str] = mapped_column(String(10))  # ISO date the scores hold for
    crqc_year: Mapped[int]
    items: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict[str, Any]]  # counts per wave, unmapped assets...


class RiskItemRow(Base):
    """One ranked migration item of a risk run, with its full explanation."""

    __tablename__ = "risk_items"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("risk_runs.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # backlog order
    key: Mapped[str] = mapped_column(Text)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    score: Mapped[float] = mapped_column(Float)
    wave: Mapped[str] = mapped_column(String(16))
    item: Mapped[dict[str, Any]]  # the RankedItem as JSON (factors, Mosca, reasons...)


#: Core table handles, for the batched statements of store.py and query.py.
SCAN_RUNS = cast(Table, ScanRun.__table__)
ASSETS = cast(Table, AssetRow.__table__)
FINDINGS = cast(Table, FindingRow.__table__)
ASSET_LINKS = cast(Table, AssetLinkRow.__table__)
ASSET_SIGHTINGS = cast(Table, AssetSighting.__table__)
FINDING_SIGHTINGS = cast(Table, FindingSighting.__table__)
SCAN_ERRORS = cast(Table, ScanErrorRow.__table__)
SCAN_ITEMS = cast(Table, ScanItem.__table__)
BUSINESS_CONTEXTS = cast(Table, BusinessContextRow.__table__)
RISK_RUNS = cast(Table, RiskRun.__table__)
RISK_ITEMS = cast(Table, RiskItemRow.__table__)
