"""``--shard K/N``: split a scan's units between N scanners without coordination.

Each scanner takes the units whose stable hash, the first 8 bytes of the SHA-256 of the unit
key read as a big-endian integer, is ``K-1`` modulo ``N``. The hash does not depend on the
process (Python's ``hash()`` of a string is salted per process), the machine or the order of
the targets, so N runs with K = 1..N cover every unit exactly once, whatever each of them
resolves or plans first.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pqcscan.errors import UsageError

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def unit_hash(key: str) -> int:
    """The stable 64-bit hash of a unit key (SHA-256, first 8 bytes)."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 1 <= self.index <= self.count:
            raise ValueError(f"shard {self.index}/{self.count}: K must be between 1 and N")

    @classmethod
    def parse(cls, text: str, option: str = "--shard") -> Shard:
        """``"2/5"`` as a shard; a malformed value is a :class:`UsageError` naming ``option``."""
        m = _SPEC.match(text)
        if m is None:
            raise UsageError(f"{option}: expected K/N such as 1/4, got {text!r}")
        index, count = int(m.group(1)), int(m.group(2))
        if count < 1 or not 1 <= index <= count:
            raise UsageError(f"{option} {text}: K must be between 1 and N (N >= 1)")
        return cls(index, count)

    def takes(self, key: str) -> bool:
        """Whether the unit with this key belongs to this shard."""
        return self.count == 1 or unit_hash(key) % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
