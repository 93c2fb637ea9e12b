"""Rankings in the inventory: each ``pqcscan rank`` is a risk run with its items, stored with
the model version, the profile's and the context's hashes, so that scores can be compared
over time and every exported backlog says exactly what produced it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, or_, select
from sqlalchemy.exc import SQLAlchemyError

from pqcscan.codec import from_jsonable, to_jsonable
from pqcscan.errors import InventoryError
from pqcscan.inventory.models import ASSETS, RISK_ITEMS, RISK_RUNS
from pqcscan.risk.model import RankedItem, RiskResult

BATCH = 1000


@dataclass(frozen=True, slots=True)
class RiskRunRecord:
    id: int
    created_at: datetime
    model_version: str
    profile_name: str
    profile_sha256: str
    context_name: str | None
    context_sha256: str | None
    as_of: str
    crqc_year: int
    items: int
    summary: dict[str, Any]


def save_result(engine: Engine, result: RiskResult, now: datetime | None = None) -> int:
    """Store a ranking; returns its risk-run id."""
    waves = Counter(item.wave.value for item in result.items)
    summary = {
        "waves": dict(sorted(waves.items())),
        "needs_context": sum(1 for i in result.items if i.needs_context),
        "unmapped_assets": len(result.unmapped_assets),
        "unmapped_examples": list(result.unmapped_assets[:20]),
    }
    try:
        with engine.begin() as conn:
            run_id: int = conn.execute(
                insert(RISK_RUNS)
                .values(
                    created_at=now or datetime.now(UTC),
                    model_version=result.model_version,
                    profile_name=result.profile_name,
                    profile_sha256=result.profile_sha256,
                    context_name=result.context_name,
                    context_sha256=result.context_sha256,
                    as_of=result.as_of.isoformat(),
                    crqc_year=result.crqc_year,
                    items=len(result.items),
                    summary=summary,
                )
                .returning(RISK_RUNS.c.id)
            ).scalar_one()
            rows = [
                {
                    "run_id": run_id,
                    "position": position,
                    "key": item.key,
                    "asset_id": item.asset_id,
                    "score": item.score,
                    "wave": item.wave.value,
                    "item": to_jsonable(item),
                }
                for position, item in enumerate(result.items, start=1)
            ]
            for start in range(0, len(rows), BATCH):
                conn.execute(insert(RISK_ITEMS), rows[start : start + BATCH])
    except SQLAlchemyError as exc:
        raise InventoryError(f"cannot store the ranking: {exc}") from exc
    return run_id


def risk_run(engine: Engine, run_id: int | None = None) -> RiskRunRecord | None:
    """A risk run by id, or the newest one."""
    t = RISK_RUNS
    stmt = select(t).order_by(t.c.id.desc()).limit(1)
    if run_id is not None:
        stmt = select(t).where(t.c.id == run_id)
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return RiskRunRecord(**row._asdict()) if row is not None else None


def ranked_items(
    engine: Engine, run_id: int, limit: int | None = None, key: str | None = None
) -> list[RankedItem]:
    """A run's items in backlog order (optionally the first ``limit``, or one by key)."""
    t = RISK_ITEMS
    stmt = select(t.c.item).where(t.c.run_id == run_id).order_by(t.c.position)
    if key is not None:
        stmt = stmt.where(t.c.key == key)
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [from_jsonable(RankedItem, row.item) for row in conn.execute(stmt)]


def find_items(engine: Engine, run_id: int, text: str, limit: int = 20) -> list[RankedItem]:
    """Items whose key, or whose asset's locator or name, contains ``text`` (any case), in
    backlog order (for ``explain``)."""
    t, a = RISK_ITEMS, ASSETS
    needle = f"%{text.lower()}%"
    stmt = (
        select(t.c.item)
        .select_from(t.outerjoin(a, a.c.id == t.c.asset_id))
        .where(
            t.c.run_id == run_id,
            or_(
                func.lower(t.c.key).like(needle),
                func.lower(a.c.locator).like(needle),
                func.lower(a.c.name).like(needle),
            ),
        )
        .order_by(t.c.position)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [from_jsonable(RankedItem, row.item) for row in conn.execute(stmt)]
