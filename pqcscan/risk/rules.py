"""Conditions of the profile's and the remediation file's rule tables, and their matching.

One condition type serves every table: an :class:`ItemMatch` is a conjunction of optional
tests on what an item is (asset type, use, status, signals, algorithms) and, for the wave and
remediation tables, on the numbers computed for it (score, V, Mosca gap, Y, deadlines). The
JSON schemas decide which tests a table may use (a migration-time rule cannot test the score).
A :class:`FindingMatch` tests one finding (the vulnerability table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Protocol

#: Every signal an item can carry (the schemas list the same words).
SIGNALS = frozenset(
    {
        "tls",
        "ssh",
        "tls13",
        "legacy-protocol",
        "legacy-only",
        "hybrid-accepted",
        "classical-fallback",
        "static-rsa",
        "public",
        "public-address",
        "publicly-trusted",
        "ca",
        "root",
        "leaf",
        "self-signed",
        "code-signing",
        "ssh-certificate",
        "expired",
        "pqc-capable",
        "hsm",
        "embedded",
        "vendor-controlled",
        "counterparty",
        "unmapped",
        "evidence-gap",
        "support-ends-before-migration",
        "source-code",
        "configuration",
    }
)


class ItemFacts(Protocol):
    """What a condition may read from an item (the engine's work item provides it)."""

    @property
    def asset_type(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def use(self) -> str: ...
    @property
    def threat_name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def signals(self) -> AbstractSet[str]: ...
    @property
    def algorithm_names(self) -> tuple[str, ...]: ...
    @property
    def families(self) -> frozenset[str]: ...
    @property
    def impact(self) -> int: ...
    @property
    def ecosystem(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def v(self) -> float: ...
    @property
    def gap(self) -> float: ...
    @property
    def y(self) -> float: ...
    @property
    def in_force(self) -> bool: ...
    @property
    def slack(self) -> float | None: ...
    @property
    def wave_name(self) -> str: ...


def _set(raw: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(v) for v in raw.get(key, ()))


def _num(raw: Mapping[str, Any], key: str) -> float | None:
    value = raw.get(key)
    return None if value is None else float(value)


def algorithm_matches(patterns: Iterable[str], names: Iterable[str]) -> bool:
    """Any name equals a pattern, or starts with a pattern ending in ``*`` (case-insensitive)."""
    lowered = [n.lower() for n in names]
    for pattern in patterns:
        p = pattern.lower()
        if p.endswith("*"):
            stem = p[:-1]
            if any(n.startswith(stem) for n in lowered):
                return True
        elif p in lowered:
            return True
    return False


@dataclass(frozen=True, slots=True)
class ItemMatch:
    """A conjunction of tests on an item; an empty match matches everything."""

    asset_types: frozenset[str] = frozenset()
    uses: frozenset[str] = frozenset()
    threats: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    signals: frozenset[str] = frozenset()
    not_signals: frozenset[str] = frozenset()
    algorithms: tuple[str, ...] = ()
    families: frozenset[str] = frozenset()
    min_impact: int | None = None
    max_impact: int | None = None
    min_ecosystem: int | None = None
    min_score: float | None = None
    min_v: float | None = None
    max_v: float | None = None
    min_gap: float | None = None
    max_y: float | None = None
    min_y: float | None = None
    in_force: bool | None = None
    max_slack: float | None = None
    waves: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> ItemMatch:
        raw = raw or {}
        min_impact = raw.get("min_impact")
        max_impact = raw.get("max_impact")
        min_eco = raw.get("min_ecosystem")
        in_force = raw.get("in_force")
        return cls(
            asset_types=_set(raw, "asset_types"),
            uses=_set(raw, "uses"),
            threats=_set(raw, "threats"),
            statuses=_set(raw, "statuses"),
            signals=_set(raw, "signals"),
            not_signals=_set(raw, "not_signals"),
            algorithms=tuple(str(a) for a in raw.get("algorithms", ())),
            families=_set(raw, "families"),
            min_impact=None if min_impact is None else int(min_impact),
            max_impact=None if max_impact is None else int(max_impact),
            min_ecosystem=None if min_eco is None else int(min_eco),
            min_score=_num(raw, "min_score"),
            min_v=_num(raw, "min_v"),
            max_v=_num(raw, "max_v"),
            min_gap=_num(raw, "min_gap"),
            max_y=_num(raw, "max_y"),
            min_y=_num(raw, "min_y"),
            in_force=None if in_force is None else bool(in_force),
            max_slack=_num(raw, "max_slack"),
            waves=_set(raw, "waves"),
            kinds=frozenset(k.lower() for k in _set(raw, "kinds")),
        )

    @property
    def empty(self) -> bool:
        return self == _EMPTY

    def matches(self, f: ItemFacts) -> bool:
        """True when every test that is set holds for ``f``."""
        if self.asset_types and f.asset_type not in self.asset_types:
            return False
        if self.uses and f.use not in self.uses:
            return False
        if self.kinds and f.kind not in self.kinds:
            return False
        if self.threats and f.threat_name not in self.threats:
            return False
        if self.statuses and f.status not in self.statuses:
            return False
        if self.signals and not self.signals <= f.signals:
            return False
        if self.not_signals and self.not_signals & f.signals:
            return False
        if self.algorithms and not algorithm_matches(self.algorithms, f.algorithm_names):
            return False
        if self.families and not self.families & f.families:
            return False
        if self.min_impact is not None and f.impact < self.min_impact:
            return False
        if self.max_impact is not None and f.impact > self.max_impact:
            return False
        if self.min_ecosystem is not None and f.ecosystem < self.min_ecosystem:
            return False
        if self.min_score is not None and f.score < self.min_score:
            return False
        if self.min_v is not None and f.v < self.min_v:
            return False
        if self.max_v is not None and f.v > self.max_v:
            return False
        if self.min_gap is not None and f.gap < self.min_gap:
            return False
        if self.max_y is not None and f.y > self.max_y:
            return False
        if self.min_y is not None and f.y < self.min_y:
            return False
        if self.in_force is not None and f.in_force != self.in_force:
            return False
        if self.max_slack is not None and (f.slack is None or f.slack > self.max_slack):
            return False
        return not (self.waves and f.wave_name not in self.waves)


_EMPTY = ItemMatch()


@dataclass(frozen=True, slots=True)
class FindingMatch:
    """Tests on one finding of an item (the vulnerability table)."""

    statuses: frozenset[str] = frozenset()
    usages: frozenset[str] = frozenset()
    uses: frozenset[str] = frozenset()
    confidentiality: bool | None = None
    regime_flagged: bool | None = None
    algorithms: tuple[str, ...] = ()
    families: frozenset[str] = frozenset()
    #: Signals the finding's item must carry / must not carry.
    signals: frozenset[str] = frozenset()
    not_signals: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> FindingMatch:
        raw = raw or {}
        conf = raw.get("confidentiality")
        flagged = raw.get("regime_flagged")
        return cls(
            statuses=_set(raw, "statuses"),
            usages=_set(raw, "usages"),
            uses=_set(raw, "uses"),
            confidentiality=None if conf is None else bool(conf),
            regime_flagged=None if flagged is None else bool(flagged),
            algorithms=tuple(str(a) for a in raw.get("algorithms", ())),
            families=_set(raw, "families"),
            signals=_set(raw, "signals"),
            not_signals=_set(raw, "not_signals"),
        )

    def matches(
        self,
        *,
        status: str,
        usage: str,
        use: str,
        confidentiality: bool,
        regime_flagged: bool,
        algorithm: str,
        family: str,
        signals: frozenset[str] = frozenset(),
    ) -> bool:
        if self.statuses and status not in self.statuses:
            return False
        if self.usages and usage not in self.usages:
            return False
        if self.uses and use not in self.uses:
            return False
        if self.confidentiality is not None and confidentiality != self.confidentiality:
            return False
        if self.regime_flagged is not None and regime_flagged != self.regime_flagged:
            return False
        if self.algorithms and not algorithm_matches(self.algorithms, (algorithm,)):
            return False
        if self.families and family not in self.families:
            return False
        if self.signals and not self.signals <= signals:
            return False
        return not (self.not_signals and self.not_signals & signals)
