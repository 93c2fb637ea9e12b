"""The small interface every collector implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Protocol

from pqcscan.results import CollectedItem


class Collector(Protocol):
    """Finds cryptography in one kind of target and yields plain results.

    A collector splits its work into units (a file, an endpoint, a manifest) and turns one
    unit into one :class:`~pqcscan.results.CollectedItem`. It never touches the database,
    never prints and never raises for one bad unit: a unit it cannot read becomes a
    :class:`~pqcscan.results.ScanError` in its item, and the scan goes on. Units and the
    collector itself are picklable, so the runner may spread units over worker processes.
    """

    #: Short name used in evidence, scan-run records and the CLI (``pqcscan scan NAME``).
    name: ClassVar[str]

    def units(self) -> Iterator[object]:
        """The work, streamed in a stable order (never all in memory)."""
        ...

    def collect_one(self, unit: object) -> CollectedItem:
        """Everything learned from one unit."""
        ...

    def unit_key(self, unit: object) -> str:
        """The unit's stable name: the locator of its item (for ``--resume``)."""
        ...

    def arguments(self) -> dict[str, object]:
        """The scan's arguments, recorded with the scan run (never secrets)."""
        ...


def collect(collector: Collector) -> Iterator[CollectedItem]:
    """Run a collector in this process, unit after unit."""
    for unit in collector.units():
        yield collector.collect_one(unit)


class AsyncCollector(Protocol):
    """A collector whose units wait on the network: many run at once on one event loop.

    The runner keeps up to ``concurrency`` units in flight and gives each at most
    ``budget`` seconds; a unit over budget becomes a ``timeout`` error item. The collector
    paces its own connections (``--rate``) and enforces its per-connection timeouts.
    """

    name: ClassVar[str]
    #: Units in flight at once.
    concurrency: int
    #: Seconds one unit may take in all (every connection it makes included).
    budget: float

    def units(self) -> Iterator[object]:
        """The work, streamed (a /16 is never expanded into memory)."""
        ...

    def unit_key(self, unit: object) -> str:
        """The unit's stable name: the locator of its item (for ``--resume``)."""
        ...

    async def collect_one_async(self, unit: object) -> CollectedItem:
        """Everything learned from one unit; never raises for a bad unit."""
        ...

    def arguments(self) -> dict[str, object]:
        """The scan's arguments, recorded with the scan run (never secrets)."""
        ...
