"""The job queue: pgqueuer's tables in the inventory's PostgreSQL database, via psycopg 3.

pgqueuer (see docs/distributed.md for why it and not procrastinate) keeps one row per job;
a worker takes a job by marking it ``picked`` and renews its heartbeat while the job runs.
A ``picked`` job whose heartbeat is older than the lease is picked again by the next worker
that asks, which is how the jobs of a killed worker are taken over. Finished jobs leave the
table (pgqueuer logs them in ``pgqueuer_log``).

Each distributed run has its own entrypoint name (``pqcscan-scan-<hex>``), recorded in the
run's arguments: a worker serves a run by registering a handler for that name, and a run is
finished when its name has no job left in the table.

pgqueuer's tables are not created by surprise: ``pqcscan init --queue`` installs them (or
upgrades them to the installed pgqueuer's schema); planning and workers refuse to start
without them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pqcscan.errors import UsageError

if TYPE_CHECKING:
    import psycopg
    from pgqueuer import Queries

ENTRYPOINT_PREFIX = "pqcscan-scan-"


class QueueNotInstalled(UsageError):
    """The queue's tables are missing from the database."""


def libpq_url(url: str) -> str:
    """A psycopg connection string from a SQLAlchemy PostgreSQL URL (``+psycopg`` dropped)."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme.startswith("postgresql"):
        raise UsageError(
            "distributed scans need a PostgreSQL inventory (--db postgresql+psycopg://...); "
            "a SQLite file cannot be shared by workers on several machines"
        )
    return f"postgresql://{rest}"


def require_pgqueuer() -> None:
    """A usage error naming the extra to install when pgqueuer or psycopg is missing."""
    try:
        import pgqueuer  # noqa: F401
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            f"distributed scans need the 'postgresql' extra ({exc.name} is not installed): "
            "pip install 'pqcscan[postgresql]'"
        ) from None


async def connect(url: str) -> psycopg.AsyncConnection[Any]:
    """An autocommit connection (pgqueuer requires autocommit)."""
    require_pgqueuer()
    import psycopg

    try:
        return await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True)
    except psycopg.Error as exc:
        from pqcscan.errors import InventoryError

        raise InventoryError(f"cannot connect to the job queue database: {exc}") from exc


def queries(connection: psycopg.AsyncConnection[Any]) -> Queries:
    from pgqueuer import Queries

    return Queries.from_psycopg_connection(connection)


async def is_installed(q: Queries) -> bool:
    """Whether pgqueuer's tables are in the database."""
    return await q.has_table(q.qbe.settings.queue_table)


async def require_installed(q: Queries) -> None:
    if not await is_installed(q):
        raise QueueNotInstalled(
            "the job queue is not installed in this inventory: run 'pqcscan init --queue' once"
        )


async def install(url: str) -> str:
    """Create pgqueuer's tables, or bring them to the installed pgqueuer's schema.

    Returns what was done: ``"installed"``, ``"upgraded"`` or ``"current"``.
    """
    connection = await connect(url)
    try:
        q = queries(connection)
        if not await q.schema_is_installed():
            await q.install()
            return "installed"
        plan = await q.apply_upgrade()
        return "upgraded" if plan.statements else "current"
    finally:
        await connection.close()


async def enqueue(url: str, entrypoint: str, payloads: Sequence[bytes]) -> int:
    """Add one job per payload under ``entrypoint`` (one statement: all or none)."""
    if not payloads:
        return 0
    connection = await connect(url)
    try:
        q = queries(connection)
        await require_installed(q)
        ids = await q.enqueue([entrypoint] * len(payloads), list(payloads), [0] * len(payloads))
        return len(ids)
    finally:
        await connection.close()


@dataclass(frozen=True, slots=True)
class JobCounts:
    """A run's jobs still in the queue, by state."""

    queued: int = 0
    picked: int = 0
    failed: int = 0  # held after an unexpected error in the worker (not a scan error)

    @property
    def pending(self) -> int:
        """Jobs not finished: waiting, or running (or held by a dead worker)."""
        return self.queued + self.picked


async def job_counts(q: Queries, entrypoints: Sequence[str]) -> dict[str, JobCounts]:
    """The jobs of these entrypoints still in the queue table (absent ones: none left)."""
    if not entrypoints:
        return {}
    table = q.qbe.settings.qualified.queue_table
    rows = await q.driver.fetch(
        f"SELECT entrypoint, status::text AS status, count(*) AS n FROM {table} "
        "WHERE entrypoint = ANY($1) GROUP BY entrypoint, status",
        list(entrypoints),
    )
    found: dict[str, dict[str, int]] = {}
    for row in rows:
        found.setdefault(str(row["entrypoint"]), {})[str(row["status"])] = int(str(row["n"]))
    out: dict[str, JobCounts] = {}
    for name, by_status in found.items():
        queued = by_status.pop("queued", 0)
        picked = by_status.pop("picked", 0)
        out[name] = JobCounts(queued, picked, sum(by_status.values()))
    return out
