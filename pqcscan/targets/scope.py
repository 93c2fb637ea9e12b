"""Scope: which addresses a scan may contact (``--allow``, ``--exclude``, a scope file).

Inputs: allow and exclude entries (CIDR networks, single addresses, ``a-b`` ranges) from the
command line, and scope files whose lines are ``allow NET``, ``deny NET`` (or ``exclude NET``)
or a bare ``NET`` (= allow), with ``#`` comments and blank lines.

Rules: with no allow entry every address is allowed; with at least one, only addresses inside
an allow entry are (an IPv4-only allow list puts every IPv6 address out of scope). An
excluded address is out of scope whatever the allow list says. Membership is a binary search
over sorted, merged intervals, so thousands of entries cost O(log n) per question, and the
in-scope parts of a range are computed as intervals, never address by address: a ``/64`` with
an allowed ``/120`` yields 256 addresses at once.

How targets outside the scope are reported is decided in :mod:`pqcscan.targets.specs`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pqcscan.errors import UsageError
from pqcscan.targets.addresses import AddressRange, parse_addresses, parse_ip


class IntervalSet:
    """Disjoint, sorted, merged closed intervals of integers (one IP family)."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, intervals: Iterable[tuple[int, int]] = ()) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1] + 1:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def __bool__(self) -> bool:
        return bool(self._starts)

    def __len__(self) -> int:
        return len(self._starts)

    def contains(self, value: int) -> bool:
        i = bisect_right(self._starts, value) - 1
        return i >= 0 and value <= self._ends[i]

    def intersect(self, first: int, last: int) -> Iterator[tuple[int, int]]:
        """The parts of ``[first, last]`` inside the set, in order."""
        i = max(bisect_right(self._starts, first) - 1, 0)
        # skip an interval ending before first
        if i < len(self._ends) and self._ends[i] < first:
            i += 1
        while i < len(self._starts) and self._starts[i] <= last:
            yield max(self._starts[i], first), min(self._ends[i], last)
            i += 1

    def subtract(self, first: int, last: int) -> Iterator[tuple[int, int]]:
        """The parts of ``[first, last]`` outside the set, in order."""
        cursor = first
        i = bisect_left(self._ends, first)
        while i < len(self._starts) and self._starts[i] <= last and cursor <= last:
            if self._starts[i] > cursor:
                yield cursor, self._starts[i] - 1
            cursor = max(cursor, self._ends[i] + 1)
            i += 1
        if cursor <= last:
            yield cursor, last


class Verdict(StrEnum):
    """How a range of addresses stands against the scope."""

    INSIDE = "inside"  # every address in scope
    PARTIAL = "partial"  # some in scope
    OUTSIDE = "outside"  # none inside the allow list
    EXCLUDED = "excluded"  # inside the allow list (or no list) but every address excluded


@dataclass(frozen=True, slots=True)
class ScopeRule:
    """One allow or exclude entry and where it came from (for messages)."""

    allow: bool
    addresses: AddressRange
    text: str
    origin: str  # "--allow", "--exclude", "scope.txt:3"

    def describe(self) -> str:
        if self.origin.startswith("--"):
            return f"{self.origin} {self.text}"
        return f"{'allow' if self.allow else 'deny'} {self.text} in {self.origin}"


def _parse_entry(text: str, origin: str) -> AddressRange:
    try:
        found = parse_addresses(text, hosts_only=False)
    except UsageError as exc:
        raise UsageError(f"{origin}: {exc}") from None
    if found is None:
        raise UsageError(
            f"{origin}: {text!r} is not a network, address or range (scope takes no hostnames)"
        )
    return found


class Scope:
    """Allowed and excluded addresses; an empty scope allows everything."""

    def __init__(self, rules: Iterable[ScopeRule] = ()) -> None:
        self.rules: tuple[ScopeRule, ...] = tuple(rules)
        self._allow = {
            v: IntervalSet(
                (r.addresses.first, r.addresses.last)
                for r in self.rules
                if r.allow and r.addresses.version == v
            )
            for v in (4, 6)
        }
        self._deny = {
            v: IntervalSet(
                (r.addresses.first, r.addresses.last)
                for r in self.rules
                if not r.allow and r.addresses.version == v
            )
            for v in (4, 6)
        }
        self.restricted = any(r.allow for r in self.rules)

    @classmethod
    def build(
        cls,
        allow: Iterable[str] = (),
        exclude: Iterable[str] = (),
        files: Iterable[str | Path] = (),
    ) -> Scope:
        """The scope of ``--allow``, ``--exclude`` and ``--scope-file`` options."""
        rules = [ScopeRule(True, _parse_entry(t, "--allow"), t, "--allow") for t in allow]
        rules += [ScopeRule(False, _parse_entry(t, "--exclude"), t, "--exclude") for t in exclude]
        for path in files:
            rules.extend(read_scope_file(path))
        return cls(rules)

    def to_records(self) -> list[dict[str, object]]:
        """The rules as plain JSON values (a distributed run hands its scope to its workers,
        which may not have the scope files)."""
        return [{"allow": r.allow, "text": r.text, "origin": r.origin} for r in self.rules]

    @classmethod
    def from_records(cls, records: Iterable[dict[str, object]]) -> Scope:
        """The scope of :meth:`to_records`; a bad record is a :class:`UsageError`."""
        rules = []
        for record in records:
            text, origin = str(record["text"]), str(record["origin"])
            rules.append(ScopeRule(bool(record["allow"]), _parse_entry(text, origin), text, origin))
        return cls(rules)

    def contains(self, address: str) -> bool:
        """True when ``address`` (an IP literal) may be contacted."""
        ip = parse_ip(address)
        if ip is None:
            raise ValueError(f"not an IP address: {address!r}")
        value = int(ip)
        if self._deny[ip.version].contains(value):
            return False
        return not self.restricted or self._allow[ip.version].contains(value)

    def parts(self, addresses: AddressRange) -> Iterator[AddressRange]:
        """The in-scope parts of a range, lowest first, computed interval by interval."""
        version = addresses.version
        deny = self._deny[version]
        if self.restricted:
            allowed: Iterable[tuple[int, int]] = self._allow[version].intersect(
                addresses.first, addresses.last
            )
        else:
            allowed = ((addresses.first, addresses.last),)
        for start, end in allowed:
            for first, last in deny.subtract(start, end):
                yield AddressRange(version, first, last)

    def verdict(self, addresses: AddressRange) -> Verdict:
        """Whether all, some or none of a range is in scope (and why none)."""
        if (
            self.restricted
            and next(
                self._allow[addresses.version].intersect(addresses.first, addresses.last), None
            )
            is None
        ):
            return Verdict.OUTSIDE
        parts = self.parts(addresses)
        first = next(parts, None)
        if first is None:
            return Verdict.EXCLUDED
        if first == addresses:
            return Verdict.INSIDE
        return Verdict.PARTIAL

    def in_scope_size(self, addresses: AddressRange) -> int:
        """How many addresses of the range are in scope (interval arithmetic, no iteration)."""
        return sum(p.size for p in self.parts(addresses))

    def describe_allow(self, limit: int = 3) -> str:
        """The allow entries for a message: ``--allow 10.1.0.0/16, --allow 10.2.0.0/16``."""
        allows = [r.describe() for r in self.rules if r.allow]
        text = ", ".join(allows[:limit])
        if len(allows) > limit:
            text += f" and {len(allows) - limit} more"
        return text or "no allow entry"

    def describe_exclusion(self, addresses: AddressRange) -> str:
        """The exclude entries that cover (part of) a range, for a message."""
        hits = [
            r.describe()
            for r in self.rules
            if not r.allow
            and r.addresses.version == addresses.version
            and r.addresses.first <= addresses.last
            and addresses.first <= r.addresses.last
        ]
        return ", ".join(hits[:3]) + (f" and {len(hits) - 3} more" if len(hits) > 3 else "")

    def why_out(self, address: str) -> str:
        """Why one address is out of scope, as a short phrase for a message."""
        ip = parse_ip(address)
        assert ip is not None
        single = AddressRange.single(ip)
        if self._deny[ip.version].contains(int(ip)):
            return f"excluded ({self.describe_exclusion(single)})"
        return f"outside the allowed scope ({self.describe_allow()})"


def read_scope_file(path: str | Path) -> list[ScopeRule]:
    """Rules of a scope file; an unreadable file or a bad line raises :class:`UsageError`."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            lines = handle.readlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read scope file {path}: {exc}") from None
    rules: list[ScopeRule] = []
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        origin = f"{path}:{number}"
        words = line.split()
        if len(words) == 1 and words[0].lower() not in ("allow", "deny", "exclude"):
            allow, entry = True, words[0]
        elif len(words) == 2 and words[0].lower() in ("allow", "deny", "exclude"):
            allow, entry = words[0].lower() == "allow", words[1]
        else:
            raise UsageError(f"{origin}: expected 'allow NET', 'deny NET' or 'NET', got {line!r}")
        rules.append(ScopeRule(allow, _parse_entry(entry, origin), entry, origin))
    return rules
