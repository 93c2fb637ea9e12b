"""A network collector fed by a target plan: scope-checked, streamed, resumable.

:class:`PlannedCollector` wraps a network collector (TLS, SSH, net) so that its units are the
targets of a :class:`~pqcscan.targets.specs.TargetPlan`: endpoints to contact, and targets not
contacted (out of scope, unresolvable names), which become error items without a packet sent.
The plan's specs and scope are recorded with the run's arguments, so ``--resume`` can rebuild
the same plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from pqcscan.collectors.base import AsyncCollector
from pqcscan.results import CollectedItem
from pqcscan.targets.specs import NotContacted, TargetPlan


class PlannedCollector:
    """``inner`` with the units of ``plan`` (an ``AsyncCollector`` itself)."""

    name: ClassVar[str] = "planned"  # replaced per instance by the inner collector's name

    def __init__(self, inner: AsyncCollector, plan: TargetPlan, recorded: dict[str, object]):
        self.inner = inner
        self.plan = plan
        self.recorded = recorded
        self.name = inner.name  # type: ignore[misc]
        self.concurrency = inner.concurrency
        self.budget = inner.budget

    def arguments(self) -> dict[str, object]:
        return {**self.inner.arguments(), **self.recorded, "planned": self.plan.stats.planned}

    def units(self) -> Iterator[object]:
        return iter(self.plan)

    def unit_key(self, unit: object) -> str:
        if isinstance(unit, NotContacted):
            return unit.locator
        return self.inner.unit_key(unit)

    async def collect_one_async(self, unit: object) -> CollectedItem:
        if isinstance(unit, NotContacted):
            return unit.item()
        return await self.inner.collect_one_async(unit)
