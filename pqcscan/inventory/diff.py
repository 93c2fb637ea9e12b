"""Read what two scan runs saw, for ``pqcscan diff``: plain records, no interpretation.

:func:`load_run_pair` reads the assets (``asset_sightings``) and findings
(``finding_sightings``) sighted by either of two runs, each flagged with which run saw it. The
pairing of re-issued certificates, upgraded libraries and the other changes is pure code over
these records (:mod:`pqcscan.exporters.diff`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from pqcscan.inventory.models import ASSET_SIGHTINGS, ASSETS, FINDING_SIGHTINGS, FINDINGS
from pqcscan.inventory.query import RunRecord, list_runs


@dataclass(frozen=True, slots=True)
class SightedAsset:
    """An asset seen by run A and/or run B, with where each run saw it."""

    id: int
    type: str
    fingerprint: str
    name: str
    details: dict[str, Any]
    locators_a: tuple[str, ...]  # sorted; empty when run A did not see it
    locators_b: tuple[str, ...]

    @property
    def in_a(self) -> bool:
        return bool(self.locators_a)

    @property
    def in_b(self) -> bool:
        return bool(self.locators_b)


@dataclass(frozen=True, slots=True)
class SightedFinding:
    """A finding seen by run A and/or run B."""

    id: int
    asset_id: int
    algorithm: str
    parameter: str
    usage: str
    quantum_status: str
    classical_bits: int | None
    nist_category: int | None
    location: str  # evidence location (where it was last seen)
    method: str  # evidence method
    in_a: bool
    in_b: bool


@dataclass(frozen=True, slots=True)
class RunPair:
    """Everything two runs saw: assets and findings in id order."""

    a: RunRecord
    b: RunRecord
    assets: tuple[SightedAsset, ...]
    findings: tuple[SightedFinding, ...]


def completed_runs(engine: Engine) -> list[RunRecord]:
    """Every completed scan run, newest first."""
    return [r for r in list_runs(engine) if r.status == "completed"]


def get_run(engine: Engine, run_id: int) -> RunRecord | None:
    """One scan run, or None when there is no such id."""
    runs = list_runs(engine, run_id=run_id)
    return runs[0] if runs else None


def load_run_pair(engine: Engine, a: RunRecord, b: RunRecord) -> RunPair:
    """The assets and findings sighted by run ``a`` or run ``b``."""
    s, t, fs, f = ASSET_SIGHTINGS, ASSETS, FINDING_SIGHTINGS, FINDINGS
    runs = (a.id, b.id)
    locators: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    seen: dict[int, set[int]] = defaultdict(set)
    with engine.connect() as conn:
        for run_id, asset_id, locator in conn.execute(
            select(s.c.run_id, s.c.asset_id, s.c.locator).where(s.c.run_id.in_(runs))
        ):
            locators[asset_id][run_id].append(locator)
        for run_id, finding_id in conn.execute(
            select(fs.c.run_id, fs.c.finding_id).where(fs.c.run_id.in_(runs))
        ):
            seen[finding_id].add(run_id)
        asset_rows = list(
            conn.execute(
                select(t.c.id, t.c.type, t.c.fingerprint, t.c.name, t.c.details)
                .where(t.c.id.in_(select(s.c.asset_id).where(s.c.run_id.in_(runs))))
                .order_by(t.c.id)
            )
        )
        finding_rows = list(
            conn.execute(
                select(
                    f.c.id,
                    f.c.asset_id,
                    f.c.algorithm,
                    f.c.parameter,
                    f.c.usage,
                    f.c.quantum_status,
                    f.c.classical_bits,
                    f.c.nist_category,
                    f.c.evidence,
                )
                .where(f.c.id.in_(select(fs.c.finding_id).where(fs.c.run_id.in_(runs))))
                .order_by(f.c.id)
            )
        )
    assets = tuple(
        SightedAsset(
            row.id,
            row.type,
            row.fingerprint,
            row.name or "",
            dict(row.details or {}),
            tuple(sorted(set(locators[row.id].get(a.id, ())))),
            tuple(sorted(set(locators[row.id].get(b.id, ())))),
        )
        for row in asset_rows
    )
    findings = []
    for row in finding_rows:
        evidence = row.evidence if isinstance(row.evidence, dict) else {}
        findings.append(
            SightedFinding(
                row.id,
                row.asset_id,
                row.algorithm,
                row.parameter,
                row.usage,
                row.quantum_status,
                row.classical_bits,
                row.nist_category,
                str(evidence.get("location") or ""),
                str(evidence.get("method") or ""),
                a.id in seen[row.id],
                b.id in seen[row.id],
            )
        )
    return RunPair(a, b, assets, tuple(findings))
