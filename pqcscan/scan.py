"""Run a collector into the inventory: in this process, over worker processes, or on an
event loop for collectors that wait on the network.

* Collectors of files (:class:`~pqcscan.collectors.base.Collector`): with ``jobs > 1`` their
  units go to a pool of worker processes that collect each unit and render it as inventory
  rows (:func:`pqcscan.inventory.rows.render`); this process walks, writes and reports.
* Network collectors (:class:`~pqcscan.collectors.base.AsyncCollector`): an event loop in a
  background thread keeps ``collector.concurrency`` units in flight, gives each at most
  ``collector.budget`` seconds, and hands rows to this thread, which writes them.

``shard=Shard(K, N)`` keeps the units whose stable hash of their unit key is K-1 modulo N
(:mod:`pqcscan.targets.shard`), so N runs split a scan without talking to each other.

``resume=RUN`` reopens an unfinished run and skips the units it already finished (each unit's
key is recorded with its rows, in the same transaction, so a crash loses at most the batch
being written, and a resumed run redoes only that).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from itertools import islice
from typing import Protocol

from pqcscan.catalog import get_catalog
from pqcscan.collectors.base import AsyncCollector, Collector
from pqcscan.inventory import Inventory, RunSummary
from pqcscan.inventory.rows import ItemRows, render
from pqcscan.inventory.store import Clock, utcnow
from pqcscan.results import CollectedItem, ErrorKind, ScanError
from pqcscan.targets.shard import Shard


class ScanObserver(Protocol):
    """Receives progress; the CLI's progress line is one observer, tests are another."""

    def on_item(self, item: ItemRows) -> None: ...

    def on_done(self) -> None: ...


class NullObserver:
    """An observer that ignores everything."""

    def on_item(self, item: ItemRows) -> None:
        return None

    def on_done(self) -> None:
        return None


def default_jobs() -> int:
    """One worker per CPU this process may use, at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def is_async(collector: Collector | AsyncCollector) -> bool:
    return hasattr(collector, "collect_one_async")


def run_scan(
    inventory: Inventory,
    collector: Collector | AsyncCollector,
    observer: ScanObserver | None = None,
    jobs: int = 1,
    resume: int | None = None,
    shard: Shard | None = None,
    clock: Clock = utcnow,
) -> RunSummary:
    """Stream the collector's items into a scan run and return its summary.

    ``jobs``: worker processes for file collectors (1: this process; 0: one per CPU).
    ``resume``: complete that unfinished run instead of starting a new one.
    ``shard``: only the units of this shard (recorded with the run's arguments).
    ``clock``: the run's timestamps (a fixed clock makes a reproducible inventory).
    On Ctrl-C what was written stays, and the run is marked ``interrupted``.
    """
    obs = observer or NullObserver()
    arguments = collector.arguments()
    if shard is not None:
        arguments = {**arguments, "shard": str(shard)}
    recorder = inventory.record_run(collector.name, arguments, clock=clock, resume=resume)
    units: Iterable[object] = collector.units()
    if shard is not None:
        units = sharded(collector, units, shard)
    if resume is not None:
        units = _unfinished(inventory, resume, collector, units)
    with recorder:
        if is_async(collector):
            rows = _rows_async(collector, units)  # type: ignore[arg-type]
        else:
            rows = _rows(collector, units, jobs or default_jobs())  # type: ignore[arg-type]
        for item in rows:
            recorder.add(item)
            obs.on_item(item)
    obs.on_done()
    assert recorder.summary is not None
    return recorder.summary


def sharded(
    collector: Collector | AsyncCollector, units: Iterable[object], shard: Shard
) -> Iterator[object]:
    """The units of one shard (by the stable hash of their unit key)."""
    return (u for u in units if shard.takes(collector.unit_key(u)))


def _unfinished(
    inventory: Inventory,
    run_id: int,
    collector: Collector | AsyncCollector,
    units: Iterable[object],
    chunk: int = 1000,
) -> Iterator[object]:
    """The units the run has not finished, checked a chunk at a time (bounded memory)."""
    stream = iter(units)
    while batch := list(islice(stream, chunk)):
        keys = [collector.unit_key(u) for u in batch]
        done = inventory.finished_units(run_id, keys)
        yield from (u for u, k in zip(batch, keys, strict=True) if k not in done)


# -- file collectors: this process or a pool of worker processes ----------------------------


def _rows(collector: Collector, units: Iterable[object], jobs: int) -> Iterator[ItemRows]:
    if jobs <= 1:
        for unit in units:
            yield render(collector.collect_one(unit))
        return
    get_catalog()  # load (and validate) once, before forking: workers inherit it
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(jobs, initializer=_start_worker, initargs=(collector,)) as pool:
        yield from pool.imap(_work, units, chunksize=16)


_collector: Collector | None = None


def _start_worker(collector: Collector) -> None:
    """Workers ignore Ctrl-C: the parent stops them and records the run as interrupted."""
    global _collector
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _collector = collector


def _work(unit: object) -> ItemRows:
    assert _collector is not None
    return render(_collector.collect_one(unit))


# -- network collectors: an event loop in a background thread -------------------------------

_DONE = object()


def _rows_async(collector: AsyncCollector, units: Iterable[object]) -> Iterator[ItemRows]:
    """Rows in completion order; this thread writes while the loop thread scans."""
    get_catalog()
    out: queue.Queue[object] = queue.Queue(maxsize=4096)
    loop = asyncio.new_event_loop()
    stop = threading.Event()

    async def emit(rows: ItemRows) -> None:
        while True:  # back-pressure without blocking the loop
            try:
                out.put_nowait(rows)
                return
            except queue.Full:
                await asyncio.sleep(0.01)

    def run() -> None:
        try:
            loop.run_until_complete(_produce(collector, units, emit, stop))
        except BaseException as exc:  # handed to the writing thread, which re-raises it
            out.put(exc)
        finally:
            out.put(_DONE)

    thread = threading.Thread(target=run, name="pqcscan-scan-loop", daemon=True)
    thread.start()
    try:
        while (got := out.get()) is not _DONE:
            if isinstance(got, BaseException):
                raise got
            assert isinstance(got, ItemRows)
            yield got
    finally:
        stop.set()
        with contextlib.suppress(RuntimeError):  # the loop may already be closed
            loop.call_soon_threadsafe(_cancel_all, loop)
        thread.join(timeout=30)
        with contextlib.suppress(RuntimeError):
            loop.close()


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()


async def _produce(
    collector: AsyncCollector,
    units: Iterable[object],
    emit: Callable[[ItemRows], Awaitable[None]],
    stop: threading.Event,
) -> None:
    slots = asyncio.Semaphore(max(1, collector.concurrency))
    running: set[asyncio.Task[None]] = set()

    async def one(unit: object) -> None:
        try:
            item = await collect_within_budget(collector, unit)
            await emit(render(item))
        finally:
            slots.release()

    for unit in units:
        if stop.is_set():
            break
        await slots.acquire()
        task = asyncio.create_task(one(unit))
        running.add(task)
        task.add_done_callback(running.discard)
    if running:
        await asyncio.gather(*running)


async def collect_within_budget(collector: AsyncCollector, unit: object) -> CollectedItem:
    """The unit's item; over budget or on a collector bug, an error item (the scan goes on)."""
    try:
        return await asyncio.wait_for(collector.collect_one_async(unit), collector.budget)
    except TimeoutError:
        kind, message = ErrorKind.TIMEOUT, f"out of time budget ({collector.budget:g} s)"
    except Exception as exc:
        kind, message = ErrorKind.PROTOCOL_ERROR, f"unexpected {type(exc).__name__}: {exc}"
    key = collector.unit_key(unit)
    return CollectedItem(key, errors=(ScanError(key, kind, message),))
