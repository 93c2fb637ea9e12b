"""Run a collector into the inventory, in one process or spread over worker processes.

With ``jobs > 1`` the collector's units go to a pool of worker processes that collect each
unit and render it as inventory rows (:func:`pqcscan.inventory.rows.render`); this process
walks, writes the rows in batches and reports progress. Results keep the units' order.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from typing import Protocol

from pqcscan.catalog import get_catalog
from pqcscan.collectors.base import Collector
from pqcscan.inventory import Inventory, RunSummary
from pqcscan.inventory.rows import ItemRows, render


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


def run_scan(
    inventory: Inventory,
    collector: Collector,
    observer: ScanObserver | None = None,
    jobs: int = 1,
) -> RunSummary:
    """Stream the collector's items into a new scan run and return its summary.

    ``jobs``: worker processes (1: everything in this process; 0: :func:`default_jobs`).
    On Ctrl-C the items collected so far are written and the run is marked ``interrupted``
    before the interrupt propagates.
    """
    obs = observer or NullObserver()
    recorder = inventory.record_run(collector.name, collector.arguments())
    with recorder:
        for rows in _rows(collector, jobs or default_jobs()):
            recorder.add(rows)
            obs.on_item(rows)
    obs.on_done()
    assert recorder.summary is not None
    return recorder.summary


def _rows(collector: Collector, jobs: int) -> Iterator[ItemRows]:
    if jobs <= 1:
        for unit in collector.units():
            yield render(collector.collect_one(unit))
        return
    get_catalog()  # load (and validate) once, before forking: workers inherit it
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(jobs, initializer=_start_worker, initargs=(collector,)) as pool:
        yield from pool.imap(_work, collector.units(), chunksize=16)


_collector: Collector | None = None


def _start_worker(collector: Collector) -> None:
    """Workers ignore Ctrl-C: the parent stops them and records the run as interrupted."""
    global _collector
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _collector = collector


def _work(unit: object) -> ItemRows:
    assert _collector is not None
    return render(_collector.collect_one(unit))
