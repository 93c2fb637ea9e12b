"""Plain, immutable business-context values (what ``pqcscan context load`` reads)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Ecosystem(StrEnum):
    """How far a service reaches outside the institution (FSC: ecosystem relatedness)."""

    INTERNAL = "internal"
    SUPPLIER_MANAGED = "supplier-managed"
    CUSTOMER_FACING = "customer-facing"
    INTERBANK = "interbank"
    PAYMENT_NETWORK = "payment-network"
    REGULATOR = "regulator"

    @property
    def level(self) -> int:
        """0 internal, 1 supplier-managed, 2 customer-facing, 3 interbank/payment/regulator."""
        return _LEVELS[self]


_LEVELS = {
    Ecosystem.INTERNAL: 0,
    Ecosystem.SUPPLIER_MANAGED: 1,
    Ecosystem.CUSTOMER_FACING: 2,
    Ecosystem.INTERBANK: 3,
    Ecosystem.PAYMENT_NETWORK: 3,
    Ecosystem.REGULATOR: 3,
}


class MatchKind(StrEnum):
    """What a mapping rule matches an inventory asset by."""

    CIDR = "cidr"  # an endpoint's address in a network
    HOST = "host"  # a glob on an endpoint's host name or a certificate's names
    PORT = "port"  # an endpoint's port
    PATH = "path"  # a glob on a file / repository path (locator)
    PURL = "purl"  # a glob on a package purl
    TAG = "tag"  # a tag declared on an imported (hardware) asset
    ASSET = "asset"  # an asset fingerprint or locator, exactly


@dataclass(frozen=True, slots=True)
class DataClass:
    """A kind of data and how long it must stay confidential (years)."""

    name: str
    retention_years: float
    description: str = ""


@dataclass(frozen=True, slots=True)
class Service:
    """A business service and what matters about it."""

    id: str  # a slug, unique in the context: "core-banking"
    name: str
    owner: str | None
    impact: int  # 1 (negligible) .. 5 (critical: payments, core ledger, trading)
    data_classes: tuple[str, ...] = ()
    #: Explicit retention (years) overriding the data classes' maximum.
    retention_years: float | None = None
    #: How long its signatures must stay unforgeable (e-signatures' legal validity...).
    signature_lifetime_years: float | None = None
    ecosystem: Ecosystem = Ecosystem.INTERNAL
    vendor_controlled: bool = False
    #: Migration-time override for everything this service uses (years).
    migration_years: float | None = None
    depends_on: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    #: Where it was declared ("context.yaml:12"), for error messages and explanations.
    source: str = ""


@dataclass(frozen=True, slots=True)
class MappingRule:
    """Attach the assets that match to a service (``service`` uses them)."""

    service: str
    kind: MatchKind
    pattern: str
    #: Only assets of these types (empty: any).
    asset_types: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class BusinessContext:
    """A whole validated context file."""

    name: str
    data_classes: tuple[DataClass, ...]
    services: tuple[Service, ...]
    rules: tuple[MappingRule, ...]
    #: SHA-256 of the canonical JSON of the above (stored with every risk run).
    sha256: str = ""
