"""Plain, immutable scan results: what collectors produce and the inventory stores.

Collectors never touch the database. They yield :class:`CollectedItem` values, one per
input item (a file, an endpoint, a manifest), and :mod:`pqcscan.inventory.store` is the only
module that maps them to rows. Every value here is hashable and frozen; sequences are tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

from pqcscan.catalog.model import Primitive, QuantumStatus

#: A JSON-compatible scalar, tuple of scalars, or tuple of (key, value) pairs (a JSON object,
#: such as an endpoint's capability matrix), used in asset details.
DetailValue: TypeAlias = (
    str | int | float | bool | tuple[str, ...] | tuple[tuple[str, str], ...] | None
)
Details: TypeAlias = tuple[tuple[str, DetailValue], ...]


class AssetType(StrEnum):
    """What kind of thing an asset is; each type has its own fingerprint rule."""

    CERTIFICATE = "certificate"  # fingerprint: sha256 of the DER
    KEY = "key"  # fingerprint: sha256 of the DER SubjectPublicKeyInfo
    CSR = "csr"  # fingerprint: sha256 of the DER request
    KEYSTORE = "keystore"  # PKCS#12 / JKS container; fingerprint: file path
    FILE = "file"  # fingerprint: absolute path
    ENDPOINT = "endpoint"  # fingerprint: host:port[:sni]
    PACKAGE = "package"  # fingerprint: purl
    #: Declared, not scanned: HSMs, appliances, ATMs/POS, mainframe parts, vendor products
    #: (``pqcscan import assets``); fingerprint: the declared id, else vendor/product/version.
    HARDWARE = "hardware"


class Usage(StrEnum):
    """What a piece of cryptography is used for where it was seen."""

    KEY_EXCHANGE = "key-exchange"
    SIGNATURE = "signature"
    AUTHENTICATION = "authentication"
    ENCRYPTION = "encryption"
    HASH = "hash"
    MAC = "mac"
    KDF = "kdf"
    PROTOCOL = "protocol"
    #: A key whose purpose the source does not reveal (a bare key file).
    KEY = "key"


#: The use an algorithm has when its source does not say (a declared or imported algorithm).
USAGE_BY_PRIMITIVE: dict[Primitive, Usage] = {
    Primitive.SIGNATURE: Usage.SIGNATURE,
    Primitive.KEM: Usage.KEY_EXCHANGE,
    Primitive.KEY_AGREE: Usage.KEY_EXCHANGE,
    Primitive.PKE: Usage.ENCRYPTION,
    Primitive.BLOCK_CIPHER: Usage.ENCRYPTION,
    Primitive.STREAM_CIPHER: Usage.ENCRYPTION,
    Primitive.AEAD: Usage.ENCRYPTION,
    Primitive.HASH: Usage.HASH,
    Primitive.XOF: Usage.HASH,
    Primitive.MAC: Usage.MAC,
    Primitive.KDF: Usage.KDF,
    Primitive.OTHER: Usage.PROTOCOL,
}


class Relation(StrEnum):
    """Directed links between assets, the raw material of the dependency graph."""

    CONTAINS = "contains"  # file/keystore -> certificate/key
    ISSUED_BY = "issued-by"  # certificate -> issuing certificate
    PRESENTS = "presents"  # endpoint -> certificate
    DEPENDS_ON = "depends-on"  # package -> package
    CERTIFIES = "certifies"  # certificate -> key (its subject public key)


class ErrorKind(StrEnum):
    """Why an item could not be read; stored with every per-item scan error."""

    UNREADABLE = "unreadable"  # permissions, I/O error, vanished file
    TOO_LARGE = "too-large"
    MALFORMED = "malformed"  # recognised format, broken content
    WRONG_PASSWORD = "wrong-password"
    PASSWORD_REQUIRED = "password-required"
    UNSUPPORTED = "unsupported"  # recognised, but a variant we cannot read
    SYMLINK_LOOP = "symlink-loop"
    # network kinds, used by the network collectors
    REFUSED = "refused"
    TIMEOUT = "timeout"
    RESET = "reset"
    NOT_TLS = "not-tls"
    HANDSHAKE_FAILURE = "handshake-failure"
    PROTOCOL_ERROR = "protocol-error"
    OUT_OF_SCOPE = "out-of-scope"
    UNRESOLVED = "unresolved"  # a hostname that does not resolve


class Support(StrEnum):
    """Whether an endpoint offers a capability. Never "not supported" for what was not tested."""

    SUPPORTED = "supported"
    NOT_SUPPORTED = "not-supported"
    NOT_TESTED = "not-tested"


@dataclass(frozen=True, slots=True)
class Capability:
    """A three-state answer with its reason (always given for ``not-tested``)."""

    state: Support
    reason: str = ""  # "timeout", "no TLS 1.3", "handshake failure", "out of time budget"...

    def __str__(self) -> str:
        return f"{self.state.value}: {self.reason}" if self.reason else self.state.value


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where and how something was seen."""

    collector: str  # e.g. "certs"
    location: str  # e.g. "/etc/ssl/bundle.pem#3", "example.org:443"
    method: str  # e.g. "x509 SubjectPublicKeyInfo algorithm OID"
    identifier: str | None = None  # the raw identifier that was classified, e.g. "oid:1.2.840..."
    detail: str | None = None  # a short free-text note


@dataclass(frozen=True, slots=True)
class Asset:
    """Something that holds or uses cryptography, identified by a stable fingerprint."""

    type: AssetType
    fingerprint: str
    locator: str  # where it was seen: path, path#3, path!alias, host:port, purl
    name: str = ""  # short human label: subject CN, key type, host
    details: Details = ()

    def details_dict(self) -> dict[str, DetailValue]:
        return dict(self.details)


@dataclass(frozen=True, slots=True)
class AssetKey:
    """A reference to an asset by type and fingerprint."""

    type: AssetType
    fingerprint: str

    @classmethod
    def of(cls, asset: Asset) -> AssetKey:
        return cls(asset.type, asset.fingerprint)


@dataclass(frozen=True, slots=True)
class Finding:
    """One algorithm in one use on one asset, classified against the catalog."""

    asset: AssetKey
    algorithm: str  # catalog canonical name, or "unknown"
    parameter: str  # "2048", "P-256", "ML-DSA-65"... ; "" when none applies
    usage: Usage
    quantum_status: QuantumStatus
    evidence: Evidence
    classical_bits: int | None = None
    nist_category: int | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A directed relation between two assets."""

    source: AssetKey
    relation: Relation
    target: AssetKey


@dataclass(frozen=True, slots=True)
class ScanError:
    """An item that could not be read, and why. Recorded; the scan goes on."""

    locator: str
    kind: ErrorKind
    message: str


@dataclass(frozen=True, slots=True)
class CollectedItem:
    """Everything a collector learned from one input item."""

    locator: str
    assets: tuple[Asset, ...] = ()
    findings: tuple[Finding, ...] = ()
    links: tuple[Link, ...] = ()
    errors: tuple[ScanError, ...] = ()
    #: True when the item was examined and held no cryptography (counted, not stored).
    skipped: bool = False
    extra: Details = field(default=())
