"""The small interface every collector implements, and the observer the runner reports to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Protocol

from pqcscan.results import CollectedItem


class Collector(Protocol):
    """Finds cryptography in one kind of target and yields plain results.

    A collector never touches the database, never prints and never raises for one bad item:
    an item it cannot read becomes a :class:`~pqcscan.results.ScanError` in its
    :class:`~pqcscan.results.CollectedItem`, and the scan goes on.
    """

    #: Short name used in evidence, scan-run records and the CLI (``pqcscan scan NAME``).
    name: ClassVar[str]

    def collect(self) -> Iterator[CollectedItem]:
        """Yield one :class:`CollectedItem` per input item, streaming."""
        ...

    def arguments(self) -> dict[str, object]:
        """The scan's arguments, recorded with the scan run (never secrets)."""
        ...


class ScanObserver(Protocol):
    """Receives progress; the CLI's progress bar is one observer, tests are another."""

    def on_item(self, item: CollectedItem) -> None: ...

    def on_done(self) -> None: ...


class NullObserver:
    """An observer that ignores everything."""

    def on_item(self, item: CollectedItem) -> None:
        return None

    def on_done(self) -> None:
        return None
