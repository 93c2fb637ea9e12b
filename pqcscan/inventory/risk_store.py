"""Rankings in the inventory: each ``pqcscan rank`` is a risk run with its items, stored with
the model version, the profile's and the context's hashes, so that scores can be compared
over time and every exported backlog says exactly what produced it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from pqcscan.codec import from_jsonable, to_jsonable
from pqcscan.errors import InventoryError
from pqcscan.inventory.database import one_line, run_write
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
    return save_ranking(engine, result, result.items, now)


def save_ranking(
    engine: Engine,
    header: RiskResult,
    items: Iterable[RankedItem],
    now: datetime | None = None,
) -> int:
    """Store a ranking whose items arrive one at a time (``header.items`` is ignored), in one
    transaction, ``BATCH`` items per statement: only one batch of items and their JSON is in
    memory at a time (a :class:`pqcscan.risk.Ranking` renders them as they are read).
    ``items`` is iterated again if the transaction lost a race and runs again, so pass a
    ``Ranking`` or a tuple, not a one-shot generator. Returns the risk-run id."""
    created = now or datetime.now(UTC)

    def work(conn: Connection) -> int:
        waves: Counter[str] = Counter()
        needs_context = 0
        count = 0
        run_id: int = conn.execute(
            insert(RISK_RUNS)
            .values(
                created_at=created,
                model_version=header.model_version,
                profile_name=header.profile_name,
                profile_sha256=header.profile_sha256,
                context_name=header.context_name,
                context_sha256=header.context_sha256,
                as_of=header.as_of.isoformat(),
                crqc_year=header.crqc_year,
                items=0,
                summary={},
            )
            .returning(RISK_RUNS.c.id)
        ).scalar_one()
        rows: list[dict[str, Any]] = []
        for item in items:
            count += 1
            waves[item.wave.value] += 1
            needs_context += item.needs_context
            rows.append(
                {
                    "run_id": run_id,
                    "position": count,
                    "key": item.key,
                    "asset_id": item.asset_id,
                    "score": item.score,
                    "wave": item.wave.value,
                    "item": to_jsonable(item),
                }
            )
            if len(rows) == BATCH:
                conn.execute(insert(RISK_ITEMS), rows)
                rows = []
        if rows:
            conn.execute(insert(RISK_ITEMS), rows)
        summary = {
            "waves": dict(sorted(waves.items())),
            "needs_context": needs_context,
            "unmapped_assets": len(header.unmapped_assets),
            "unmapped_examples": list(header.unmapped_assets[:20]),
        }
        conn.execute(
            update(RISK_RUNS).where(RISK_RUNS.c.id == run_id).values(items=count, summary=summary)
        )
        return run_id

    try:
        return run_write(engine, work)
    except SQLAlchemyError as exc:
        raise InventoryError(f"cannot store the ranking: {one_line(exc)}") from exc


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
    needle = text.lower()
    stmt = (
        select(t.c.item)
        .select_from(t.outerjoin(a, a.c.id == t.c.asset_id))
        .where(
            t.c.run_id == run_id,
            or_(  # contains() escapes % and _: the text is matched literally
                func.lower(t.c.key).contains(needle, autoescape=True),
                func.lower(a.c.locator).contains(needle, autoescape=True),
                func.lower(a.c.name).contains(needle, autoescape=True),
            ),
        )
        .order_by(t.c.position)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [from_jsonable(RankedItem, row.item) for row in conn.execute(stmt)]
