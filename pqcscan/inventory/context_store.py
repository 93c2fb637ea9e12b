"""Business contexts in the inventory (table ``business_contexts``), one row per context name.

Saving is an upsert by name: the same content again (same SHA-256) changes nothing, a new
version replaces the old one. The row holds the validated context as JSON
(:func:`pqcscan.context.document.to_document`), from which :func:`load_contexts` rebuilds
exactly the :class:`~pqcscan.context.model.BusinessContext` that was saved.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from pqcscan.context.document import from_document, to_document
from pqcscan.context.model import BusinessContext
from pqcscan.errors import InventoryError
from pqcscan.inventory.database import one_line, run_write, write_transaction
from pqcscan.inventory.models import ASSET_SIGHTINGS, BUSINESS_CONTEXTS
from pqcscan.inventory.query import bytewise


class SaveStatus(StrEnum):
    ADDED = "added"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What saving a context did; ``previous`` is the version it replaced (or matched)."""

    status: SaveStatus
    context: BusinessContext
    previous: BusinessContext | None = None


@dataclass(frozen=True, slots=True)
class StoredContext:
    """A stored context with its row's metadata."""

    id: int
    name: str
    sha256: str
    source: str  # the files it was loaded from
    loaded_at: datetime
    context: BusinessContext


def _fail(action: str, exc: SQLAlchemyError) -> InventoryError:
    return InventoryError(f"cannot {action} business context: {one_line(exc)}")


def save_context(
    engine: Engine, context: BusinessContext, source: str, now: datetime | None = None
) -> SaveResult:
    """Store ``context`` under its name (an upsert; the same content is a no-op).

    When only the ``source`` lines differ (a comment added above a rule), the stored
    document is refreshed quietly and the result still says ``unchanged``.
    """
    if not context.sha256:
        raise ValueError("save a context with its sha256 (pqcscan.context.load computes it)")
    document = to_document(context)
    t = BUSINESS_CONTEXTS

    def save(conn: Connection) -> SaveResult:
        row = conn.execute(
            select(t.c.id, t.c.sha256, t.c.document).where(t.c.name == context.name)
        ).first()
        if row is None:
            conn.execute(
                insert(t).values(
                    name=context.name,
                    sha256=context.sha256,
                    source=source,
                    loaded_at=now or datetime.now(UTC),
                    document=document,
                )
            )
            return SaveResult(SaveStatus.ADDED, context)
        previous = from_document(row.document)
        if row.sha256 == context.sha256:
            if row.document != document:
                conn.execute(
                    update(t).where(t.c.id == row.id).values(document=document, source=source)
                )
            return SaveResult(SaveStatus.UNCHANGED, context, previous)
        conn.execute(
            update(t)
            .where(t.c.id == row.id)
            .values(
                sha256=context.sha256,
                source=source,
                loaded_at=now or datetime.now(UTC),
                document=document,
            )
        )
        return SaveResult(SaveStatus.REPLACED, context, previous)

    try:
        return run_write(engine, save)
    except SQLAlchemyError as exc:
        raise _fail("store the", exc) from exc


def list_contexts(engine: Engine) -> list[StoredContext]:
    """Every stored context, by name."""
    t = BUSINESS_CONTEXTS
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.c.id, t.c.name, t.c.sha256, t.c.source, t.c.loaded_at, t.c.document
                ).order_by(bytewise(t.c.name, engine.dialect.name))
            ).all()
    except SQLAlchemyError as exc:
        raise _fail("read the", exc) from exc
    return [
        StoredContext(r.id, r.name, r.sha256, r.source, r.loaded_at, from_document(r.document))
        for r in rows
    ]


def load_contexts(engine: Engine) -> list[BusinessContext]:
    """Every stored context, by name (what the risk engine ranks with)."""
    return [s.context for s in list_contexts(engine)]


def load_context(engine: Engine, name: str) -> BusinessContext | None:
    """One stored context by name, or None."""
    return next((s.context for s in list_contexts(engine) if s.name == name), None)


def delete_context(engine: Engine, name: str) -> bool:
    """Remove a context; False if there was none by that name."""
    t = BUSINESS_CONTEXTS
    try:
        with write_transaction(engine) as conn:
            result = conn.execute(delete(t).where(t.c.name == name))
    except SQLAlchemyError as exc:
        raise _fail("remove the", exc) from exc
    return bool(result.rowcount)


def asset_locations(engine: Engine) -> dict[int, tuple[str, ...]]:
    """Every place each asset was seen (``asset_sightings``), for path mapping rules.

    A CA certificate met in ``/etc/pki/CA/root.pem`` and later in a trust store has the trust
    store as its locator; a path rule on ``*/etc/pki/*`` should still match it.
    """
    s = ASSET_SIGHTINGS
    out: dict[int, set[str]] = defaultdict(set)
    try:
        with engine.connect() as conn:
            for asset_id, locator in conn.execute(select(s.c.asset_id, s.c.locator).distinct()):
                out[asset_id].add(locator)
    except SQLAlchemyError as exc:
        raise InventoryError(f"cannot read asset sightings: {exc}") from exc
    return {k: tuple(sorted(v)) for k, v in out.items()}
