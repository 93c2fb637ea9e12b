"""Run a collector into the inventory, reporting progress to an observer."""

from __future__ import annotations

from pqcscan.collectors.base import Collector, NullObserver, ScanObserver
from pqcscan.inventory import Inventory, RunSummary


def run_scan(
    inventory: Inventory, collector: Collector, observer: ScanObserver | None = None
) -> RunSummary:
    """Stream the collector's items into a new scan run and return its summary.

    On Ctrl-C the items collected so far are written and the run is marked ``interrupted``
    before the interrupt propagates.
    """
    obs = observer or NullObserver()
    recorder = inventory.record_run(collector.name, collector.arguments())
    with recorder:
        for item in collector.collect():
            recorder.add(item)
            obs.on_item(item)
    obs.on_done()
    assert recorder.summary is not None
    return recorder.summary
