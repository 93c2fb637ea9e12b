"""``pqcscan worker``: take jobs of distributed runs and scan them into the shared inventory.

One worker process runs one event loop that holds pgqueuer's queue manager (taking jobs,
renewing their heartbeats) and the collectors' connections. Every ``poll`` seconds a sweep
looks for distributed runs in the inventory (status ``running`` with a
``distributed`` section in their arguments), starts serving the new ones (builds their
collector from the recorded settings through the injected factory) and closes the runs with
no job left.

A job:

1. skips the units the run has already recorded (their keys are in ``scan_items``: a job
   taken over from a dead worker redoes only what was not written);
2. checks every endpoint against the run's scope again (the worker may be a different
   machine, with a different resolver and different configuration files);
3. collects the rest with the run's collector, at most ``concurrency`` endpoints of this
   worker in flight, each within the collector's budget;
4. writes the items through :class:`~pqcscan.inventory.RunRecorder` (rows and unit key in
   one transaction) and returns, which tells pgqueuer the job is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pqcscan.catalog import get_catalog
from pqcscan.collectors.base import AsyncCollector
from pqcscan.distributed import queue
from pqcscan.distributed.jobs import Unit, decode_job
from pqcscan.errors import InventoryError, PqcscanError
from pqcscan.inventory import Inventory, RunRecord, RunRecorder, RunSummary
from pqcscan.inventory.rows import ItemRows, render
from pqcscan.results import CollectedItem, ErrorKind
from pqcscan.scan import collect_within_budget
from pqcscan.targets.model import Endpoint
from pqcscan.targets.scope import Scope
from pqcscan.targets.specs import NotContacted

if TYPE_CHECKING:
    from pgqueuer import Job, Queries, QueueManager

#: Builds the collector of a run from its record (the CLI's, from the recorded settings).
CollectorFactory = Callable[[RunRecord], AsyncCollector]


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How a worker runs."""

    #: Endpoints in flight at once in this worker (None: the run's recorded concurrency).
    concurrency: int | None = None
    #: Seconds without a heartbeat after which a job is taken over by another worker.
    lease: float = 30.0
    #: Seconds between sweeps (new runs, finished runs, idleness).
    poll: float = 1.0
    #: Only these runs (empty: every distributed run of the inventory).
    runs: tuple[int, ...] = ()
    #: Stop when no job is left for the runs served (else run until stopped).
    until_idle: bool = False
    #: Jobs in flight at once in this worker (two overlap the tail of one with the next).
    jobs: int = 2

    def __post_init__(self) -> None:
        if self.lease <= 0 or self.poll <= 0:
            raise ValueError("lease and poll must be positive")
        if self.jobs < 1 or (self.concurrency is not None and self.concurrency < 1):
            raise ValueError("jobs and concurrency must be at least 1")


@dataclass(frozen=True, slots=True)
class JobReport:
    """One finished job, for progress output."""

    run_id: int
    job_id: int  # pgqueuer's
    units: int  # in the job
    skipped: int  # already recorded by another worker
    errors: int  # error items among those written


@dataclass
class WorkerStats:
    jobs: int = 0
    units: int = 0
    skipped: int = 0
    closed: list[RunSummary] = field(default_factory=list)


def joined(inventory: Inventory, run_id: int) -> RunRecorder:
    """A recorder writing into a run that other workers write too: it never reopens nor closes
    the run (the sweep that finds no job left closes it, with :meth:`RunRecorder.finish`)."""
    return RunRecorder(inventory.engine, "", {}, join=run_id)


@dataclass
class _Served:
    """A run this worker serves."""

    run: RunRecord
    queue: str
    collector: AsyncCollector
    scope: Scope


class Worker:
    """Serves distributed runs until stopped (or, with ``until_idle``, until none has work)."""

    def __init__(
        self,
        inventory: Inventory,
        factory: CollectorFactory,
        options: WorkerOptions | None = None,
        on_job: Callable[[JobReport], None] | None = None,
        on_close: Callable[[RunSummary], None] | None = None,
        on_problem: Callable[[str], None] | None = None,
        on_start: Callable[[str], None] | None = None,
    ) -> None:
        self.inventory = inventory
        self.factory = factory
        self.options = options or WorkerOptions()
        self.on_job = on_job
        self.on_close = on_close
        self.on_problem = on_problem
        self.on_start = on_start
        self.stats = WorkerStats()
        self._served: dict[str, _Served] = {}
        self._refused: set[int] = set()
        self._slots: asyncio.Semaphore | None = None

    def run(self) -> WorkerStats:
        """Serve runs in this thread (an event loop of its own) and return what was done."""
        queue.libpq_url(self.inventory.url)
        get_catalog()
        try:
            asyncio.run(self._main())
        except PqcscanError:
            raise
        except Exception as exc:
            if _from_the_database(exc):
                raise InventoryError(f"lost the inventory database: {_first_line(exc)}") from exc
            raise
        return self.stats

    async def _main(self) -> None:
        from pgqueuer import QueueManager
        from pgqueuer.types import QueueExecutionMode

        url = self.inventory.url
        jobs_connection = await queue.connect(url)
        sweep_connection = await queue.connect(url)
        try:
            sweep_queries = queue.queries(sweep_connection)
            await queue.require_installed(sweep_queries)
            manager = QueueManager(queue.queries(jobs_connection))
            stopping = asyncio.Event()  # SIGTERM: take no new job, finish those in flight
            loop = asyncio.get_running_loop()
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
                loop.add_signal_handler(signal.SIGTERM, stopping.set)
            if self.on_start is not None:  # the id pgqueuer records on the jobs it holds
                self.on_start(str(manager.queue_manager_id))
            lease = timedelta(seconds=self.options.lease)
            running = asyncio.create_task(
                manager.run(
                    dequeue_timeout=timedelta(seconds=min(self.options.poll, 1.0)),
                    batch_size=1,
                    max_concurrent_tasks=max(2, self.options.jobs),
                    heartbeat_timeout=lease,
                    mode=QueueExecutionMode.continuous,
                    log_aggregation_interval=timedelta(0),
                )
            )
            try:
                while not running.done() and not stopping.is_set():
                    idle = await self._sweep(manager, sweep_queries)
                    if idle and self.options.until_idle:
                        break
                    await asyncio.wait({running}, timeout=self.options.poll)
            finally:
                manager.shutdown.set()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
        finally:
            await jobs_connection.close()
            await sweep_connection.close()

    # -- the sweep: which runs to serve, which are finished ---------------------------------

    async def _sweep(self, manager: QueueManager, q: Queries) -> bool:
        """Serve new runs, close finished ones; True when no served run has work left."""
        from pgqueuer.types import QueueEntrypoint

        runs = await asyncio.to_thread(self._open_runs)
        for run in runs:
            name = str(run.arguments["distributed"]["queue"])
            if name not in self._served and run.id not in self._refused:
                self._serve(manager, run, name)
        counts = await queue.job_counts(q, list(self._served))
        pending = False
        for name, served in list(self._served.items()):
            jobs = counts.get(name, queue.JobCounts())
            if jobs.pending:
                pending = True
                continue
            del self._served[name]
            manager.entrypoint_registry.pop(QueueEntrypoint(name), None)
            await asyncio.to_thread(self._close, served.run, jobs)
        return not pending and not manager.job_context

    def _open_runs(self) -> list[RunRecord]:
        wanted = set(self.options.runs)
        return [
            r
            for r in reversed(self.inventory.runs(status="running"))
            if isinstance(r.arguments.get("distributed"), dict) and (not wanted or r.id in wanted)
        ]

    def _serve(self, manager: QueueManager, run: RunRecord, name: str) -> None:
        spec: dict[str, Any] = run.arguments["distributed"]
        try:
            collector = self.factory(run)
            scope = Scope.from_records(spec.get("scope") or [])
        except Exception as exc:  # a run this version cannot rebuild: leave it to others
            self._refused.add(run.id)
            if self.on_problem is not None:
                self.on_problem(f"run {run.id}: cannot serve it ({type(exc).__name__}: {exc})")
            return
        served = _Served(run, name, collector, scope)
        self._served[name] = served

        async def handle(job: Job) -> None:
            await self._job(served, int(job.id), job.payload)

        manager.entrypoint(name, accepts_context=False, on_failure="hold")(handle)

    def _close(self, run: RunRecord, jobs: queue.JobCounts) -> None:
        current = self.inventory.run(run.id)
        if current is None or current.status != "running":
            return  # another worker closed it
        recorder = joined(self.inventory, run.id)
        if jobs.failed:
            summary = recorder.finish(
                "failed",
                f"{jobs.failed} job(s) failed in a worker; "
                f"'pqcscan scan {run.collector} --resume {run.id}' completes the run",
            )
        else:
            summary = recorder.finish("completed")
        self.stats.closed.append(summary)
        if self.on_close is not None:
            self.on_close(summary)

    # -- one job -----------------------------------------------------------------------------

    async def _job(self, served: _Served, job_id: int, payload: bytes | None) -> None:
        collector = served.collector
        units = decode_job(payload)
        keys = [_unit_key(collector, u) for u in units]
        done = await asyncio.to_thread(self.inventory.finished_units, served.run.id, keys)
        todo = [u for u, k in zip(units, keys, strict=True) if k not in done]
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.options.concurrency or collector.concurrency)
        slots = self._slots

        async def one(unit: Unit) -> ItemRows:
            async with slots:
                return render(await _collect(served, unit))

        rows = await asyncio.gather(*(one(u) for u in todo))
        await asyncio.to_thread(self._write, served.run.id, rows)
        errors = sum(1 for r in rows if r.errors)
        self.stats.jobs += 1
        self.stats.units += len(rows)
        self.stats.skipped += len(units) - len(todo)
        if self.on_job is not None:
            self.on_job(
                JobReport(served.run.id, job_id, len(units), len(units) - len(todo), errors)
            )

    def _write(self, run_id: int, rows: list[ItemRows]) -> None:
        with joined(self.inventory, run_id) as recorder:
            for item in rows:
                recorder.add(item)


def _unit_key(collector: AsyncCollector, unit: Unit) -> str:
    return unit.locator if isinstance(unit, NotContacted) else collector.unit_key(unit)


async def _collect(served: _Served, unit: Unit) -> CollectedItem:
    if isinstance(unit, NotContacted):
        return unit.item()
    if not served.scope.contains(unit.address):
        return _out_of_scope(served.scope, unit)
    return await collect_within_budget(served.collector, unit)


def _out_of_scope(scope: Scope, endpoint: Endpoint) -> CollectedItem:
    message = f"{endpoint.address} is {scope.why_out(endpoint.address)}; not contacted"
    return NotContacted(endpoint.locator, ErrorKind.OUT_OF_SCOPE, message, endpoint).item()


def _from_the_database(exc: BaseException) -> bool:
    """Whether an error (or one in a group) comes from psycopg or SQLAlchemy: the database
    went away or refused us, which the CLI reports as an inventory error (exit 4)."""
    if isinstance(exc, BaseExceptionGroup):
        return any(_from_the_database(e) for e in exc.exceptions)
    return any(c.__module__.split(".")[0] in ("psycopg", "sqlalchemy") for c in type(exc).__mro__)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
