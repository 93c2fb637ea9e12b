"""A plain, read-only snapshot of the inventory for the risk model and the exporters.

ORM rows never leave the inventory package: :func:`load_snapshot` reads assets, findings and
links once, in id order, into frozen values. Rows are streamed (``yield_per``: a server-side
cursor on PostgreSQL); the strings that repeat -- algorithm names, parameters, usages,
statuses, methods, locations, detail keys -- are interned; findings and links hold their
assets' own id ``int`` objects, and a locator equal to the fingerprint (a name equal to the
locator) is the same ``str``. A finding costs its view and its id (~150 bytes: ~150 MB at a
million findings). Everything downstream is pure functions over it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from pqcscan.inventory.models import ASSET_LINKS, ASSETS, FINDINGS


@dataclass(frozen=True, slots=True)
class AssetView:
    id: int
    type: str  # pqcscan.results.AssetType values
    fingerprint: str
    locator: str
    name: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FindingView:
    id: int
    asset_id: int
    algorithm: str
    parameter: str
    usage: str  # pqcscan.results.Usage values
    quantum_status: str  # pqcscan.catalog.QuantumStatus values
    classical_bits: int | None
    nist_category: int | None
    identifier: str | None
    location: str  # where it was seen (evidence location)
    method: str  # how (evidence method)


@dataclass(frozen=True, slots=True)
class LinkView:
    source_id: int
    relation: str  # pqcscan.results.Relation values
    target_id: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the risk model reads from the inventory."""

    assets: tuple[AssetView, ...]
    findings: tuple[FindingView, ...]
    links: tuple[LinkView, ...]


#: Rows fetched per round trip while streaming.
YIELD_PER = 10_000
#: Detail values up to this length are interned (types, protocols, dates, vendors...).
_INTERN_MAX = 64


def _interned(value: Any) -> Any:
    intern = sys.intern
    if isinstance(value, str):
        return intern(value) if len(value) <= _INTERN_MAX else value
    if isinstance(value, dict):
        return {intern(str(k)): _interned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_interned(v) for v in value]
    return value


def load_snapshot(engine: Engine) -> Snapshot:
    """Read the whole inventory, deterministically ordered by id."""
    a, f, lk = ASSETS, FINDINGS, ASSET_LINKS
    intern = sys.intern
    #: Each asset id once: findings and links refer to the same ``int`` objects.
    ids: dict[int, int] = {}
    with engine.connect() as conn:
        conn = conn.execution_options(yield_per=YIELD_PER)
        assets = tuple(
            AssetView(
                ids.setdefault(row.id, row.id),
                intern(row.type),
                row.fingerprint,
                row.fingerprint if row.locator == row.fingerprint else row.locator,
                row.locator if row.name == row.locator and row.name else row.name,
                _interned(row.details or {}),
            )
            for row in conn.execute(
                select(
                    a.c.id, a.c.type, a.c.fingerprint, a.c.locator, a.c.name, a.c.details
                ).order_by(a.c.id)
            )
        )
        findings = tuple(
            FindingView(
                row.id,
                ids.get(row.asset_id, row.asset_id),
                intern(row.algorithm),
                intern(row.parameter),
                intern(row.usage),
                intern(row.quantum_status),
                row.classical_bits,
                row.nist_category,
                row.identifier,
                intern(str(row.evidence.get("location", ""))),
                intern(str(row.evidence.get("method", ""))),
            )
            for row in conn.execute(
                select(
                    f.c.id,
                    f.c.asset_id,
                    f.c.algorithm,
                    f.c.parameter,
                    f.c.usage,
                    f.c.quantum_status,
                    f.c.classical_bits,
                    f.c.nist_category,
                    f.c.identifier,
                    f.c.evidence,
                ).order_by(f.c.id)
            )
        )
        links = tuple(
            LinkView(
                ids.get(row.source_id, row.source_id),
                intern(row.relation),
                ids.get(row.target_id, row.target_id),
            )
            for row in conn.execute(
                select(lk.c.source_id, lk.c.relation, lk.c.target_id).order_by(
                    lk.c.source_id, lk.c.relation, lk.c.target_id
                )
            )
        )
    return Snapshot(assets, findings, links)
