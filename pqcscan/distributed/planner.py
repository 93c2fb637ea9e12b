"""Planning a distributed run: the target plan expanded into jobs, then the run opened.

The plan is checked (scope, specs) exactly as for a scan in one process, then streamed once:
each unit is keyed as the worker will key its item, duplicates (the same endpoint from two
specs) are dropped, ``--shard`` applies, and units are cut into jobs of ``batch``. The jobs
are enqueued in one statement *before* the run is recorded, so a run that workers can see
always has all of its jobs: a run with no job left is finished. (A planner that dies
between the two leaves jobs no run refers to; no worker takes them.)
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from pqcscan.collectors.base import AsyncCollector
from pqcscan.distributed import queue
from pqcscan.distributed.jobs import DEFAULT_BATCH, Unit, encode_job
from pqcscan.errors import UsageError
from pqcscan.inventory import Inventory
from pqcscan.targets.model import Endpoint
from pqcscan.targets.shard import Shard
from pqcscan.targets.specs import NotContacted


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """What the planner created."""

    run_id: int
    units: int
    jobs: int
    duplicates: int  # units dropped because an earlier spec gave the same endpoint
    queue: str


def plan_run(
    inventory: Inventory,
    collector: AsyncCollector,
    spec: dict[str, Any],
    *,
    shard: Shard | None = None,
    batch: int = DEFAULT_BATCH,
) -> PlannedRun:
    """Expand ``collector``'s units (a planned network collector) into jobs and open the run.

    ``spec`` is what a worker needs to rebuild the collector (the command, its settings and
    the scope as records); it is recorded under ``arguments["distributed"]``.
    """
    if batch < 1:
        raise UsageError("--batch must be at least 1")
    url = inventory.url
    queue.libpq_url(url)  # refuses SQLite with a clear message, before any work
    payloads: list[bytes] = []
    current: list[Unit] = []
    seen: set[str] = set()
    duplicates = 0
    for unit in collector.units():
        if not isinstance(unit, Endpoint | NotContacted):
            raise TypeError(f"not a network unit: {unit!r}")
        key = collector.unit_key(unit)
        if shard is not None and not shard.takes(key):
            continue
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        current.append(unit)
        if len(current) >= batch:
            payloads.append(encode_job(current))
            current = []
    if current:
        payloads.append(encode_job(current))
    name = queue.ENTRYPOINT_PREFIX + uuid.uuid4().hex
    asyncio.run(queue.enqueue(url, name, payloads))
    arguments: dict[str, Any] = {
        **collector.arguments(),
        "distributed": {
            **spec,
            "queue": name,
            "units": len(seen),
            "jobs": len(payloads),
            "batch": batch,
        },
    }
    if shard is not None:
        arguments["shard"] = str(shard)
    recorder = inventory.record_run(collector.name, arguments)
    if not payloads:  # nothing to do (an empty shard): complete now
        recorder.finish("completed")
    return PlannedRun(recorder.run_id, len(seen), len(payloads), duplicates, name)
