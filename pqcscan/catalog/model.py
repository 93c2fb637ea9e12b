"""Typed, immutable view of the algorithm catalog kept as data in ``rules/catalog``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class QuantumStatus(StrEnum):
    """How an algorithm (with its parameters) stands against classical and quantum attack."""

    CLASSICALLY_BROKEN = "classically-broken"
    QUANTUM_VULNERABLE = "quantum-vulnerable"  # Shor: key size does not help
    QUANTUM_WEAKENED = "quantum-weakened"  # Grover-sensitive; acceptable or not per regime
    HYBRID = "hybrid"  # classical + PQC, secure while either part holds
    QUANTUM_SAFE = "quantum-safe"
    UNKNOWN = "unknown"  # never guessed safe


#: Order used when a combination takes the worst of its parts and for sorting by urgency.
STATUS_SEVERITY: dict[QuantumStatus, int] = {
    QuantumStatus.CLASSICALLY_BROKEN: 5,
    QuantumStatus.QUANTUM_VULNERABLE: 4,
    QuantumStatus.UNKNOWN: 3,
    QuantumStatus.QUANTUM_WEAKENED: 2,
    QuantumStatus.HYBRID: 1,
    QuantumStatus.QUANTUM_SAFE: 0,
}


class Primitive(StrEnum):
    """Cryptographic primitive, aligned with CycloneDX ``algorithmProperties.primitive``."""

    SIGNATURE = "signature"
    KEM = "kem"
    KEY_AGREE = "key-agree"
    PKE = "pke"
    BLOCK_CIPHER = "block-cipher"
    STREAM_CIPHER = "stream-cipher"
    AEAD = "ae"
    HASH = "hash"
    XOF = "xof"
    MAC = "mac"
    KDF = "kdf"
    DRBG = "drbg"
    COMBINER = "combiner"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ParameterSet:
    """A named parameter choice (key size, curve, variant) and its strength."""

    name: str
    aliases: tuple[str, ...] = ()
    classical_bits: int | None = None
    nist_category: int | None = None
    status: QuantumStatus | None = None  # overrides the algorithm's status when set


@dataclass(frozen=True, slots=True)
class SizeRule:
    """Strength of a numeric size (RSA modulus, DH prime) from SP 800-57 style thresholds."""

    #: (minimum size, classical bits), sorted by size descending.
    thresholds: tuple[tuple[int, int], ...]

    def bits_for(self, size: int) -> int:
        for minimum, bits in self.thresholds:
            if size >= minimum:
                return bits
        return 0


@dataclass(frozen=True, slots=True)
class Algorithm:
    """One catalog entry."""

    name: str
    family: str
    primitives: tuple[Primitive, ...]
    status: QuantumStatus
    description: str = ""
    aliases: tuple[str, ...] = ()
    classical_bits: int | None = None
    nist_category: int | None = None
    parameter_sets: tuple[ParameterSet, ...] = ()
    size_rule: SizeRule | None = None
    #: Below this classical strength the algorithm counts as classically broken.
    min_classical_bits: int | None = None
    #: Names of the algorithms a hybrid combines.
    components: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    #: Not a cryptographic algorithm (SCSV, SSH extension signal, compression): it has the
    #: status ``unknown`` and collectors should record it as protocol detail, not a finding.
    pseudo: bool = False

    @property
    def primitive(self) -> Primitive:
        return self.primitives[0]


@dataclass(frozen=True, slots=True)
class Classification:
    """The answer to "what is this?": algorithm, parameter and standing."""

    algorithm: str  # canonical name, or "unknown"
    parameter: str  # "" when none applies
    status: QuantumStatus
    family: str = ""
    primitive: Primitive | None = None
    classical_bits: int | None = None
    nist_category: int | None = None
    #: The raw identifier that was looked up ("oid:1.2.3", "tls-group:0x11ec", "ssh-kex:...").
    identifier: str | None = None
    #: True for pseudo-algorithms (signals, compression): not a cryptographic finding.
    pseudo: bool = False

    @property
    def known(self) -> bool:
        return self.status is not QuantumStatus.UNKNOWN or self.algorithm != "unknown"


@dataclass(frozen=True, slots=True)
class OidEntry:
    """An X.509/PKIX object identifier and what it denotes."""

    oid: str
    name: str
    kind: str  # public-key | signature | curve | hash | cipher | kem | pbe | kdf | mac
    algorithm: str | None = None  # catalog name; None for pure curve OIDs
    parameter: str = ""
    hash: str | None = None  # digest of a signature OID, e.g. "SHA-256"
    source: str = ""


@dataclass(frozen=True, slots=True)
class SuiteComponent:
    """One part of a TLS cipher suite: an algorithm with its parameter."""

    algorithm: str
    parameter: str = ""
    mode: str = ""


@dataclass(frozen=True, slots=True)
class CipherSuite:
    """An IANA TLS cipher suite split into its parts."""

    code: int
    name: str
    key_exchange: SuiteComponent | None  # None for TLS 1.3 suites (negotiated separately)
    authentication: SuiteComponent | None
    cipher: SuiteComponent | None
    #: The record MAC (mode ``HMAC``) or, for AEAD suites, the PRF/HKDF hash (mode ``PRF`` or
    #: ``HKDF``): the hash the suite name ends with.
    mac: SuiteComponent | None
    tls13: bool = False
    recommended: bool | None = None
    source: str = ""
    #: Signalling cipher suite value (SCSV): no components, nothing to classify.
    signal: bool = False
    #: Other names the same code point is known by (renamed or commonly misspelt entries).
    aliases: tuple[str, ...] = ()

    def parts(self) -> tuple[tuple[str, SuiteComponent], ...]:
        """The components that are present, as (role, component) pairs."""
        roles = (
            ("key_exchange", self.key_exchange),
            ("authentication", self.authentication),
            ("cipher", self.cipher),
            ("mac", self.mac),
        )
        return tuple((role, part) for role, part in roles if part is not None)


@dataclass(frozen=True, slots=True)
class NamedIdentifier:
    """A TLS group / signature scheme or SSH algorithm name mapped to the catalog."""

    namespace: str  # tls-group | tls-signature-scheme | ssh-kex | ssh-host-key | ...
    key: str  # the raw identifier: "0x11ec" or the SSH name
    name: str  # the registry's name, e.g. "X25519MLKEM768"
    algorithm: str
    parameter: str = ""
    hash: str | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""
    #: Cipher mode or construction for SSH cipher names ("CTR", "GCM", "ETM" for MACs).
    mode: str = ""

    @property
    def is_prefix(self) -> bool:
        """A name ending in ``*`` matches every name that starts with the rest."""
        return self.name.endswith("*")


@dataclass(frozen=True, slots=True)
class Deadline:
    """What a regime says about an algorithm, and from when."""

    regime: str
    regime_name: str
    action: str  # deprecated | disallowed | migrate-by | prefer-by | not-approved
    year: int
    citation: str
    note: str = ""
    #: The part of the regime the rule belongs to (CNSA 2.0 "networking", EU "high-risk"),
    #: or "" when it applies throughout.
    scope: str = ""

    @property
    def effective(self) -> date:
        """First day on which the action applies ("after 2030" means from 2031-01-01)."""
        return date(self.year, 1, 1)
