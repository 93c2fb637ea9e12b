"""The algorithm catalog: one lookup API over the data in ``rules/catalog``.

Use :func:`get_catalog` (loaded and validated once per process) and ask it:

* ``classify("RSA", "2048")``: standing of an algorithm with a parameter;
* ``classify_oid("1.2.840.113549.1.1.1")``: a PKIX OID (public key, signature, KEM);
* ``classify_named("tls-group", 0x11EC)``: a TLS group, signature scheme or SSH name;
* ``cipher_suite(0xC02F)``: an IANA TLS cipher suite split into its parts;
* ``deadlines(classification)``: what each regime (NIST IR 8547, CNSA 2.0...) says, and when.

An identifier the catalog does not know comes back as algorithm ``"unknown"`` with status
``unknown`` and the raw identifier: never guessed safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pqcscan.catalog.loader import (
    build_algorithm,
    build_cipher_suite,
    build_named,
    build_oid,
    catalog_files,
    read_rule_file,
    validate,
)
from pqcscan.catalog.model import (
    STATUS_SEVERITY,
    Algorithm,
    CipherSuite,
    Classification,
    Deadline,
    NamedIdentifier,
    OidEntry,
    ParameterSet,
    Primitive,
    QuantumStatus,
)
from pqcscan.errors import RuleError

__all__ = [
    "STATUS_SEVERITY",
    "Algorithm",
    "Catalog",
    "CipherSuite",
    "Classification",
    "Deadline",
    "NamedIdentifier",
    "OidEntry",
    "Primitive",
    "QuantumStatus",
    "get_catalog",
]

UNKNOWN = "unknown"


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", "-")


@dataclass(frozen=True, slots=True)
class RegimeRule:
    """One rule of a regime: which classifications it matches and what it says."""

    action: str
    year: int
    statuses: frozenset[QuantumStatus] = frozenset()
    primitives: frozenset[Primitive] = frozenset()
    families: frozenset[str] = frozenset()
    algorithms: frozenset[str] = frozenset()
    max_classical_bits: int | None = None
    min_classical_bits: int | None = None
    note: str = ""

    def matches(self, c: Classification) -> bool:
        if self.statuses and c.status not in self.statuses:
            return False
        if self.primitives and c.primitive not in self.primitives:
            return False
        if self.families and c.family not in self.families:
            return False
        if self.algorithms and c.algorithm not in self.algorithms:
            return False
        bits = c.classical_bits
        if self.max_classical_bits is not None and (bits is None or bits > self.max_classical_bits):
            return False
        return not (
            self.min_classical_bits is not None and (bits is None or bits < self.min_classical_bits)
        )


@dataclass(frozen=True, slots=True)
class Regime:
    """A published migration regime (NIST IR 8547, CNSA 2.0, ...) with its rules."""

    id: str
    name: str
    citation: str
    rules: tuple[RegimeRule, ...]


class Catalog:
    """Indexed, read-only catalog. Build it with :func:`get_catalog`."""

    def __init__(
        self,
        algorithms: Iterable[Algorithm],
        oids: Iterable[OidEntry],
        cipher_suites: Iterable[CipherSuite],
        named: Iterable[NamedIdentifier],
        regimes: Iterable[Regime],
    ) -> None:
        self.algorithms: dict[str, Algorithm] = {}
        self._algorithm_index: dict[str, Algorithm] = {}
        for alg in algorithms:
            if alg.name in self.algorithms:
                raise RuleError(f"algorithm {alg.name!r} is defined twice")
            self.algorithms[alg.name] = alg
            for key in (alg.name, *alg.aliases):
                other = self._algorithm_index.get(_norm(key))
                if other is not None and other is not alg:
                    raise RuleError(f"name {key!r} is used by {other.name} and {alg.name}")
                self._algorithm_index[_norm(key)] = alg
        self.oids: dict[str, OidEntry] = {}
        for entry in oids:
            if entry.oid in self.oids:
                raise RuleError(f"OID {entry.oid} is defined twice")
            self.oids[entry.oid] = entry
        self.cipher_suites: dict[int, CipherSuite] = {}
        self._suite_names: dict[str, CipherSuite] = {}
        for suite in cipher_suites:
            if suite.code in self.cipher_suites:
                raise RuleError(f"cipher suite 0x{suite.code:04X} is defined twice")
            self.cipher_suites[suite.code] = suite
            self._suite_names[suite.name.upper()] = suite
        self.named: dict[tuple[str, str], NamedIdentifier] = {}
        for item in named:
            for key in (item.key, *item.aliases):
                k = (item.namespace, key.lower())
                if k in self.named:
                    raise RuleError(f"{item.namespace} identifier {key!r} is defined twice")
                self.named[k] = item
            if item.key.startswith("0x"):  # TLS registries: also findable by name
                self.named.setdefault((item.namespace, item.name.lower()), item)
        self.regimes: tuple[Regime, ...] = tuple(regimes)

    # -- algorithms -------------------------------------------------------------------------

    def algorithm(self, name: str) -> Algorithm | None:
        """The entry for a canonical name or alias (case-insensitive), or None."""
        return self._algorithm_index.get(_norm(name))

    def classify(
        self, algorithm: str, parameter: str | int = "", identifier: str | None = None
    ) -> Classification:
        """Classify an algorithm name with an optional parameter (size, curve, variant)."""
        parameter = str(parameter)
        alg = self.algorithm(algorithm)
        if alg is None:
            return Classification(
                algorithm=UNKNOWN,
                parameter=parameter,
                status=QuantumStatus.UNKNOWN,
                identifier=identifier or f"name:{algorithm}",
            )
        pset = self._parameter_set(alg, parameter)
        bits = alg.classical_bits
        category = alg.nist_category
        status = alg.status
        param_name = parameter
        if pset is not None:
            param_name = pset.name
            bits = pset.classical_bits if pset.classical_bits is not None else bits
            category = pset.nist_category if pset.nist_category is not None else category
            if pset.status is not None:
                status = pset.status
        elif alg.size_rule is not None and parameter.isdigit():
            bits = alg.size_rule.bits_for(int(parameter))
        if (
            alg.min_classical_bits is not None
            and bits is not None
            and bits < alg.min_classical_bits
            and (pset is None or pset.status is None)
        ):
            status = QuantumStatus.CLASSICALLY_BROKEN
        return Classification(
            algorithm=alg.name,
            parameter=param_name,
            status=status,
            family=alg.family,
            primitive=alg.primitive,
            classical_bits=bits,
            nist_category=category,
            identifier=identifier,
        )

    @staticmethod
    def _parameter_set(alg: Algorithm, parameter: str) -> ParameterSet | None:
        if not parameter:
            return None
        wanted = _norm(parameter)
        for pset in alg.parameter_sets:
            if _norm(pset.name) == wanted or wanted in (_norm(a) for a in pset.aliases):
                return pset
        return None

    # -- identifiers ------------------------------------------------------------------------

    def oid(self, oid: str) -> OidEntry | None:
        return self.oids.get(oid)

    def classify_oid(self, oid: str, parameter: str | int = "") -> Classification:
        """Classify a public-key, signature, KEM or symmetric OID."""
        ident = f"oid:{oid}"
        entry = self.oids.get(oid)
        if entry is None or entry.algorithm is None:
            return Classification(UNKNOWN, str(parameter), QuantumStatus.UNKNOWN, identifier=ident)
        return self.classify(entry.algorithm, parameter or entry.parameter, identifier=ident)

    def curve_name(self, oid: str) -> str | None:
        """Canonical curve name (``P-256``) for a named-curve OID, or None."""
        entry = self.oids.get(oid)
        if entry is None or entry.kind != "curve":
            return None
        return entry.parameter or entry.name

    def cipher_suite(self, code_or_name: int | str) -> CipherSuite | None:
        if isinstance(code_or_name, int):
            return self.cipher_suites.get(code_or_name)
        return self._suite_names.get(code_or_name.upper())

    def named_identifier(self, namespace: str, key: int | str) -> NamedIdentifier | None:
        k = f"0x{key:04x}" if isinstance(key, int) else key.lower()
        return self.named.get((namespace, k))

    def classify_named(self, namespace: str, key: int | str) -> Classification:
        """Classify a TLS group / signature scheme (by code or name) or an SSH name."""
        raw = f"0x{key:04x}" if isinstance(key, int) else key
        ident = f"{namespace}:{raw}"
        item = self.named_identifier(namespace, key)
        if item is None:
            return Classification(UNKNOWN, "", QuantumStatus.UNKNOWN, identifier=ident)
        return self.classify(item.algorithm, item.parameter, identifier=ident)

    # -- regimes ----------------------------------------------------------------------------

    def deadlines(self, classification: Classification) -> tuple[Deadline, ...]:
        """Every matching rule of every regime, in regime order then rule order."""
        out: list[Deadline] = []
        for regime in self.regimes:
            for rule in regime.rules:
                if rule.matches(classification):
                    out.append(
                        Deadline(
                            regime=regime.id,
                            regime_name=regime.name,
                            action=rule.action,
                            year=rule.year,
                            citation=regime.citation,
                            note=rule.note,
                        )
                    )
        return tuple(out)

    @staticmethod
    def worst(statuses: Iterable[QuantumStatus]) -> QuantumStatus:
        """The most urgent status of several (a hybrid is as good as its best part)."""
        return max(statuses, key=STATUS_SEVERITY.__getitem__, default=QuantumStatus.UNKNOWN)


def _regime(raw: Mapping[str, Any]) -> Regime:
    rules = []
    for r in raw["rules"]:
        m = r.get("match", {})
        rules.append(
            RegimeRule(
                action=r["action"],
                year=int(r["year"]),
                statuses=frozenset(QuantumStatus(s) for s in m.get("statuses", ())),
                primitives=frozenset(Primitive(p) for p in m.get("primitives", ())),
                families=frozenset(m.get("families", ())),
                algorithms=frozenset(m.get("algorithms", ())),
                max_classical_bits=m.get("max_classical_bits"),
                min_classical_bits=m.get("min_classical_bits"),
                note=r.get("note", ""),
            )
        )
    return Regime(id=raw["id"], name=raw["name"], citation=raw["citation"], rules=tuple(rules))


def load_catalog() -> Catalog:
    """Read and validate every catalog file. Prefer the cached :func:`get_catalog`."""
    algorithms: list[Algorithm] = []
    oids: list[OidEntry] = []
    suites: list[CipherSuite] = []
    named: list[NamedIdentifier] = []
    for rel, doc in catalog_files("algorithms"):
        validate(doc, "algorithms.schema.json", rel)
        algorithms.extend(build_algorithm(a) for a in doc["algorithms"])
    for rel, doc in catalog_files("identifiers"):
        validate(doc, "identifiers.schema.json", rel)
        source = doc.get("source", "")
        if "oids" in doc:
            oids.extend(build_oid(o, source) for o in doc["oids"])
        if "cipher_suites" in doc:
            suites.extend(build_cipher_suite(s, source) for s in doc["cipher_suites"])
        if "identifiers" in doc:
            named.extend(build_named(doc["namespace"], i, source) for i in doc["identifiers"])
    regimes_doc = read_rule_file("catalog", "regimes.yaml")
    validate(regimes_doc, "regimes.schema.json", "catalog/regimes.yaml")
    catalog = Catalog(algorithms, oids, suites, named, (_regime(r) for r in regimes_doc["regimes"]))
    _check_references(catalog)
    return catalog


def _check_references(catalog: Catalog) -> None:
    """Every identifier must point at an algorithm the catalog defines."""
    for entry in catalog.oids.values():
        if entry.algorithm and catalog.algorithm(entry.algorithm) is None:
            raise RuleError(f"OID {entry.oid} names unknown algorithm {entry.algorithm!r}")
    for suite in catalog.cipher_suites.values():
        for part in (suite.key_exchange, suite.authentication, suite.cipher, suite.mac):
            if part is not None and catalog.algorithm(part.algorithm) is None:
                raise RuleError(f"{suite.name} names unknown algorithm {part.algorithm!r}")
    for item in catalog.named.values():
        if catalog.algorithm(item.algorithm) is None:
            raise RuleError(f"{item.namespace} {item.name} names unknown {item.algorithm!r}")
    for alg in catalog.algorithms.values():
        for comp in alg.components:
            if catalog.algorithm(comp) is None:
                raise RuleError(f"hybrid {alg.name} names unknown component {comp!r}")


@cache
def get_catalog() -> Catalog:
    """The process-wide catalog, loaded once."""
    return load_catalog()
