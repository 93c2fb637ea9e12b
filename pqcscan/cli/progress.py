"""The CLI's scan observer: a one-line live counter on stderr, only on a terminal."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter

from pqcscan.inventory.rows import ItemRows


class ProgressLine:
    """Shows items, findings and errors so far, redrawn at most ten times a second.

    For network scans (``network=True``) it counts targets done, open ports (endpoints
    found) by protocol, instead of files with cryptography.
    """

    def __init__(self, label: str, enabled: bool, network: bool = False) -> None:
        self.label = label
        self.enabled = enabled
        self.network = network
        self.items = self.crypto = self.findings = self.errors = 0
        self.protocols: Counter[str] = Counter()
        self._last = 0.0

    def on_item(self, item: ItemRows) -> None:
        self.items += 1
        if not item.skipped and (item.assets or item.errors):
            self.crypto += 1
        self.findings += len(item.findings)
        self.errors += len(item.errors)
        if self.network:
            for asset in item.assets:
                if asset[0] == "endpoint":
                    self.protocols[_protocol(asset[4])] += 1
        now = time.monotonic()
        if self.enabled and now - self._last >= 0.1:
            self._last = now
            self._draw()

    def line(self) -> str:
        if self.network:
            open_ports = sum(self.protocols.values())
            by_protocol = ", ".join(f"{p} {n}" for p, n in sorted(self.protocols.items()))
            return (
                f"{self.label}: {self.items} targets done, {open_ports} open"
                + (f" ({by_protocol})" if by_protocol else "")
                + f", {self.findings} findings, {self.errors} errors"
            )
        return (
            f"{self.label}: {self.items} examined, {self.crypto} with cryptography, "
            f"{self.findings} findings, {self.errors} errors"
        )

    def _draw(self) -> None:
        sys.stderr.write("\r" + self.line())
        sys.stderr.flush()

    def on_done(self) -> None:
        if self.enabled:
            self._draw()
            sys.stderr.write("\n")
            sys.stderr.flush()


def _protocol(details_json: str) -> str:
    try:
        details = json.loads(details_json)
    except ValueError:
        return "other"
    protocol = details.get("protocol") if isinstance(details, dict) else None
    return str(protocol).upper() if protocol else "other"
