"""The CLI's scan observer: a one-line live counter on stderr, only on a terminal."""

from __future__ import annotations

import sys
import time

from pqcscan.inventory.rows import ItemRows


class ProgressLine:
    """Shows items, findings and errors so far, redrawn at most ten times a second."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self.items = self.crypto = self.findings = self.errors = 0
        self._last = 0.0

    def on_item(self, item: ItemRows) -> None:
        self.items += 1
        if not item.skipped and (item.assets or item.errors):
            self.crypto += 1
        self.findings += len(item.findings)
        self.errors += len(item.errors)
        now = time.monotonic()
        if self.enabled and now - self._last >= 0.1:
            self._last = now
            self._draw()

    def _draw(self) -> None:
        sys.stderr.write(
            f"\r{self.label}: {self.items} examined, {self.crypto} with cryptography, "
            f"{self.findings} findings, {self.errors} errors"
        )
        sys.stderr.flush()

    def on_done(self) -> None:
        if self.enabled:
            self._draw()
            sys.stderr.write("\n")
            sys.stderr.flush()
