"""State shared by the commands of one invocation: the inventory, opened lazily."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from pqcscan.inventory import Inventory


@dataclass
class AppContext:
    db: str | None
    quiet: bool
    _inventory: Inventory | None = field(default=None, repr=False)

    @property
    def inventory(self) -> Inventory:
        if self._inventory is None:
            self._inventory = Inventory.open(self.db)
        return self._inventory

    @property
    def interactive(self) -> bool:
        """Progress is shown only to a person at a terminal."""
        return not self.quiet and sys.stderr.isatty()

    def close(self) -> None:
        if self._inventory is not None:
            self._inventory.close()
            self._inventory = None
