"""The risk model's output: ranked migration items with every number explained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Provenance(StrEnum):
    """Where an input came from."""

    OBSERVED = "observed"  # a collector saw it
    USER = "user"  # the business context (or an imported asset) says so
    DEFAULT = "default"  # nobody said: the profile's conservative default
    RULE = "rule"  # derived by a rule of the profile or the catalog


class Threat(StrEnum):
    """What a quantum (or classical) attacker does to this item."""

    HNDL = "hndl"  # harvest now, decrypt later: key establishment, encryption
    FORGERY = "forgery"  # signatures, authentication
    WEAK = "weak"  # broken today, quantum computer or not
    NONE = "none"  # quantum-safe


class Wave(StrEnum):
    NOW = "now"  # start within 12 months
    NEXT = "next"  # 1-3 years
    LATER = "later"
    MONITOR = "monitor"  # quantum-safe: visible, not in the backlog


@dataclass(frozen=True, slots=True)
class FactorScore:
    """One FSC measure-17 factor of one item."""

    factor: str  # "T", "I", "D", "E", "A", "V"
    name: str  # "data confidentiality period"
    name_zh: str  # "資料保密期限"
    raw: str  # the input, as a person reads it: "10 y (user: core-banking)"
    value: float  # 0..1
    weight: float
    points: float  # 100 * weight * value
    source: Provenance


@dataclass(frozen=True, slots=True)
class Mosca:
    """Mosca's inequality X + Y > Z for one item (years)."""

    x: float  # how long the data must stay secret / the signature trusted
    x_source: str
    y: float  # how long the migration takes
    y_source: str
    z: float  # years until the assumed CRQC
    z_source: str
    #: The assumed CRQC year Z counts to (added in pqcscan-risk/1; 0 in older records).
    crqc_year: int = 0

    @property
    def gap(self) -> float:
        """X + Y - Z: > 0 means already late by that many years."""
        return round(self.x + self.y - self.z, 2)


@dataclass(frozen=True, slots=True)
class Dependant:
    """A business service that depends on an item (directly or through links)."""

    service: str  # service id ("context/id" when two contexts use the same id)
    impact: int
    #: True when a mapping rule attaches the service to the item's asset itself.
    direct: bool


@dataclass(frozen=True, slots=True)
class RankedItem:
    """One migration item: one asset x one cryptographic use, changed as one work item."""

    key: str  # stable id: "endpoint:10.0.0.5:443#key-exchange"
    asset_id: int
    asset_type: str
    locator: str
    title: str  # "TLS key exchange X25519, P-256 on 10.0.0.5:443"
    usage: str
    threat: Threat
    algorithms: tuple[str, ...]  # "ECDH P-256", "X25519"...
    status: str  # the worst quantum status among its findings
    score: float  # 0..100, rounded to 0.1
    wave: Wave
    wave_rule: str  # "N2 score>=70"
    wave_reason: str  # one line a person reads
    confidence: float  # share of inputs that are user/observed, not defaults
    needs_context: bool  # defaults stood in for business context
    mosca: Mosca
    factors: tuple[FactorScore, ...]
    services: tuple[str, ...]  # services that depend on it (ids), worst first
    owner: str | None
    blocks: tuple[str, ...]  # item keys that cannot finish before this one
    blocked_by: tuple[str, ...]
    evidence: tuple[str, ...]  # "finding 1337: X25519 key-exchange at 10.0.0.5:443 (tls ...)"
    remediation: tuple[str, ...]
    deadlines: tuple[str, ...]  # "NIST IR 8547: disallowed from 2036 (citation)"
    due: date | None  # suggested due date from the wave
    # -- added with the risk engine (defaults keep stored records readable) -------------------
    #: Every service depending on it; ``services``/``dependants`` list at most the profile's
    #: ``explain.max_services`` of them, worst first.
    service_count: int = 0
    dependants: tuple[Dependant, ...] = ()
    #: Observed and derived signals the rules read ("tls13", "hybrid-accepted", "public",
    #: "ca", "vendor-controlled", "support-ends-before-migration"...), sorted.
    signals: tuple[str, ...] = ()
    #: The wave its own rule gave, before precedence pulled it forward (None: not pulled).
    rule_wave: Wave | None = None
    #: Why the due date is what it is ("wave now: 12 months", "NIST IR 8547 deadline - Y").
    due_basis: str = ""
    #: Extra reported-only metrics, e.g. ("betweenness", 0.0123).
    metrics: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class RiskResult:
    """A whole ranking, ready to store and export."""

    items: tuple[RankedItem, ...]  # in backlog order (wave, precedence, score, key)
    model_version: str  # "pqcscan-risk/1"
    profile_name: str
    profile_sha256: str
    context_name: str | None
    context_sha256: str | None
    as_of: date
    crqc_year: int
    #: Assets with items that no service reaches, directly or through links (they got the
    #: default impact), as ``<asset type>:<fingerprint>``, sorted.
    unmapped_assets: tuple[str, ...] = ()
    #: The profile's statement of what the CRQC year means ("precautionary assumption ...").
    crqc_assumption: str = ""
    #: "year" (T from the Mosca gap) or "cdf" (T = P(CRQC within X + Y)).
    crqc_model: str = "year"
    #: Things a reader of the ranking should know (ignored references, disabled options...).
    notes: tuple[str, ...] = ()
