"""Readiness over scan history: per completed scan run, the findings it saw by quantum status.

A run's sightings (``finding_sightings``) say which findings that run saw, so the share of
quantum-safe or hybrid findings can be followed run by run (for the HTML report).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, func, select

from pqcscan.inventory.models import FINDING_SIGHTINGS, FINDINGS, SCAN_RUNS

#: Statuses that count as ready for the post-quantum era.
READY_STATUSES = ("quantum-safe", "hybrid")


@dataclass(frozen=True, slots=True)
class RunReadiness:
    """What one completed scan run saw, counted by quantum status."""

    run_id: int
    collector: str
    at: datetime  # when the run finished (started, if the finish is not recorded)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def ready(self) -> int:
        """Findings seen that are quantum-safe or hybrid."""
        return sum(self.statuses.get(s, 0) for s in READY_STATUSES)

    @property
    def share(self) -> float | None:
        """Share of ready findings, or None when the run saw no finding."""
        return self.ready / self.total if self.total else None


def readiness_history(engine: Engine) -> list[RunReadiness]:
    """Every completed scan run in id order with its sighted findings per quantum status."""
    r, s, f = SCAN_RUNS, FINDING_SIGHTINGS, FINDINGS
    runs_stmt = (
        select(r.c.id, r.c.collector, r.c.started_at, r.c.finished_at)
        .where(r.c.status == "completed")
        .order_by(r.c.id)
    )
    counts_stmt = (
        select(s.c.run_id, f.c.quantum_status, func.count())
        .select_from(s.join(f, f.c.id == s.c.finding_id))
        .join(r, r.c.id == s.c.run_id)
        .where(r.c.status == "completed")
        .group_by(s.c.run_id, f.c.quantum_status)
    )
    with engine.connect() as conn:
        runs = list(conn.execute(runs_stmt))
        counts: dict[int, dict[str, int]] = {}
        for run_id, status, count in conn.execute(counts_stmt):
            counts.setdefault(run_id, {})[status] = int(count)
    return [
        RunReadiness(
            run_id,
            collector,
            finished or started,
            dict(sorted(counts.get(run_id, {}).items())),
        )
        for run_id, collector, started, finished in runs
    ]
