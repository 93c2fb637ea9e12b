"""The algorithm catalog: one lookup API over the data in ``rules/catalog``.

Use :func:`get_catalog` (loaded and validated once per process) and ask it:

* ``classify("RSA", "2048")``: standing of an algorithm with a parameter;
* ``classify_oid("1.2.840.113549.1.1.1")``: a PKIX OID (public key, signature, KEM);
* ``classify_named("tls-group", 0x11EC)``: a TLS group, signature scheme or SSH name;
* ``cipher_suite(0xC02F)``: an IANA TLS cipher suite split into its parts, and
  ``classify_suite(0xC02F)`` for the classification of each part;
* ``deadlines(classification)``: what each regime (NIST IR 8547, CNSA 2.0...) says, and when;
* ``curve_name(oid)``: the canonical name of a named-curve OID.

An identifier the catalog does not know comes back as algorithm ``"unknown"`` with status
``unknown`` and the raw identifier: never guessed safe. Pseudo-algorithms (TLS SCSVs, SSH
``ext-info-c`` and ``kex-strict-*`` signals, SSH compression) resolve to catalog entries with
status ``unknown`` and ``pseudo=True``: known, but not cryptography, so not a finding.
See ``docs/catalog.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
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
    SuiteComponent,
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
    "Regime",
    "RegimeRule",
    "SuiteComponent",
    "get_catalog",
    "is_grease",
    "load_catalog",
]

UNKNOWN = "unknown"

#: Cipher-mode suffixes ``classify`` drops from names like ``AES-256-CBC``.
_MODES = frozenset({"CBC", "CTR", "GCM", "CCM", "ECB", "CFB", "CFB1", "CFB8", "OFB", "XTS", "OCB"})


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def is_grease(code: int) -> bool:
    """True for an RFC 8701 GREASE value (0x0A0A, 0x1A1A ... 0xFAFA) in any TLS registry.

    GREASE values are deliberately not in the catalog (they look up as ``unknown``);
    collectors should drop them before classifying.
    """
    return (code & 0x0F0F) == 0x0A0A and (code >> 8) == (code & 0xFF)


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
    max_nist_category: int | None = None
    min_nist_category: int | None = None
    note: str = ""
    #: Part of the regime the rule belongs to ("" = applies throughout).
    scope: str = ""
    #: Overrides the regime's citation for this rule.
    citation: str = ""

    def matches(self, c: Classification) -> bool:
        """True if the classification meets every condition the rule sets."""
        if c.pseudo:
            return False
        if self.statuses and c.status not in self.statuses:
            return False
        if self.primitives and c.primitive not in self.primitives:
            return False
        if self.families and c.family not in self.families:
            return False
        if self.algorithms and c.algorithm not in self.algorithms:
            return False
        if not _within(c.classical_bits, self.min_classical_bits, self.max_classical_bits):
            return False
        return _within(c.nist_category, self.min_nist_category, self.max_nist_category)


def _within(value: int | None, low: int | None, high: int | None) -> bool:
    """``low <= value <= high`` for the bounds that are set; an unknown value fails a bound."""
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


@dataclass(frozen=True, slots=True)
class Regime:
    """A published migration regime (NIST IR 8547, CNSA 2.0, ...) with its rules."""

    id: str
    name: str
    citation: str
    rules: tuple[RegimeRule, ...]
    #: (scope, what it covers) for regimes whose rules differ by product or risk class.
    scopes: tuple[tuple[str, str], ...] = ()


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
            for name in (suite.name, *suite.aliases):
                if name.upper() in self._suite_names:
                    raise RuleError(f"cipher suite name {name} is defined twice")
                self._suite_names[name.upper()] = suite
        self.named: dict[tuple[str, str], NamedIdentifier] = {}
        prefixes: dict[str, list[tuple[str, NamedIdentifier]]] = {}
        for item in named:
            if item.is_prefix:
                stem = item.name[:-1].lower()
                prefixes.setdefault(item.namespace, []).append((stem, item))
                continue
            for key in (item.key, *item.aliases):
                k = (item.namespace, key.lower())
                if k in self.named:
                    raise RuleError(f"{item.namespace} identifier {key!r} is defined twice")
                self.named[k] = item
            if item.key.startswith("0x"):  # TLS registries: also findable by name
                self.named.setdefault((item.namespace, item.name.lower()), item)
        #: Prefix patterns ("gss-group14-sha256-*") per namespace, longest first.
        self._named_prefixes: dict[str, tuple[tuple[str, NamedIdentifier], ...]] = {
            ns: tuple(sorted(items, key=lambda pair: -len(pair[0])))
            for ns, items in prefixes.items()
        }
        self.regimes: tuple[Regime, ...] = tuple(regimes)
        self._classified: dict[tuple[str, str, str | None], Classification] = {}

    # -- algorithms -------------------------------------------------------------------------

    def algorithm(self, name: str) -> Algorithm | None:
        """The entry for a canonical name or alias (case-insensitive), or None."""
        return self._algorithm_index.get(_norm(name))

    def classify(
        self, algorithm: str, parameter: str | int = "", identifier: str | None = None
    ) -> Classification:
        """Classify an algorithm name with an optional parameter (size, curve, variant).

        ``classify("AES-256")`` is read as ``classify("AES", "256")`` when ``AES-256`` is not a
        name of its own and ``256`` is a parameter the algorithm knows (a parameter set, or a
        size for algorithms rated by size such as RSA).

        Answers are memoised: the catalog is immutable and a scan asks the same few
        questions thousands of times.
        """
        key = (algorithm, str(parameter), identifier)
        known = self._classified.get(key)
        if known is None:
            known = self._classified[key] = self._classify(algorithm, str(parameter), identifier)
        return known

    def _classify(self, algorithm: str, parameter: str, identifier: str | None) -> Classification:
        alg = self.algorithm(algorithm)
        if alg is None and not parameter:
            alg, parameter = self._split_name(algorithm)
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
            pseudo=alg.pseudo,
        )

    def _split_name(self, name: str) -> tuple[Algorithm | None, str]:
        """``AES-256`` -> (AES, "256"); ``RSA-2048`` -> (RSA, "2048"); else (None, "").

        A trailing cipher mode is dropped first, so OpenSSL cipher names such as
        ``AES-256-CBC`` or ``DES-EDE3-CBC`` (PEM ``DEK-Info``) resolve too.
        """
        name = name.strip()
        stem, dash, mode = name.rpartition("-")
        if dash and stem and mode.upper() in _MODES:
            alg = self.algorithm(stem)
            if alg is not None:
                return alg, ""
            name = stem
        for sep in ("-", "_"):
            base, found, tail = name.rpartition(sep)
            if not found or not base or not tail:
                continue
            alg = self.algorithm(base)
            if alg is None:
                continue
            if self._parameter_set(alg, tail) is not None or (
                alg.size_rule is not None and tail.isdigit()
            ):
                return alg, tail
        return None, ""

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
        """The catalog entry for a dotted OID, or None."""
        return self.oids.get(oid)

    def classify_oid(self, oid: str, parameter: str | int = "") -> Classification:
        """Classify a public-key, signature, KEM, hash, cipher, MAC, KDF or PBE OID."""
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
        """An IANA TLS cipher suite by code point (``0xC02F``) or name, or None."""
        if isinstance(code_or_name, int):
            return self.cipher_suites.get(code_or_name)
        return self._suite_names.get(code_or_name.strip().upper())

    def classify_suite(
        self, code_or_name: int | str
    ) -> tuple[tuple[str, Classification], ...] | None:
        """(role, classification) for every part of a cipher suite; None if unknown.

        Roles are ``key_exchange``, ``authentication``, ``cipher`` and ``mac``. A TLS 1.3
        suite has no key exchange or authentication part (those are negotiated as groups and
        signature schemes), and an SCSV has no parts at all, so it classifies as nothing.
        """
        suite = self.cipher_suite(code_or_name)
        if suite is None:
            return None
        ident = f"tls-cipher-suite:0x{suite.code:04x}"
        return tuple(
            (role, self.classify(part.algorithm, part.parameter, identifier=ident))
            for role, part in suite.parts()
        )

    def named_identifier(self, namespace: str, key: int | str) -> NamedIdentifier | None:
        """A TLS group / signature scheme (by code or name) or SSH name, or None."""
        k = f"0x{key:04x}" if isinstance(key, int) else key.strip().lower()
        item = self.named.get((namespace, k))
        if item is not None or isinstance(key, int):
            return item
        for stem, pattern in self._named_prefixes.get(namespace, ()):
            if k.startswith(stem) and len(k) > len(stem):
                return pattern
        return None

    def classify_named(self, namespace: str, key: int | str) -> Classification:
        """Classify a TLS group / signature scheme (by code or name) or an SSH name."""
        raw = f"0x{key:04x}" if isinstance(key, int) else key
        ident = f"{namespace}:{raw}"
        item = self.named_identifier(namespace, key)
        if item is None:
            return Classification(UNKNOWN, "", QuantumStatus.UNKNOWN, identifier=ident)
        return self.classify(item.algorithm, item.parameter, identifier=ident)

    # -- regimes ----------------------------------------------------------------------------

    def deadlines(
        self, classification: Classification, scope: str | None = None
    ) -> tuple[Deadline, ...]:
        """Every matching rule of every regime, in regime order then rule order.

        With ``scope`` (e.g. CNSA 2.0 ``"networking"`` or EU ``"high-risk"``) only the rules
        of that scope and the rules that apply throughout are returned; without it, rules of
        every scope are returned, each labelled with its scope.
        """
        out: list[Deadline] = []
        for regime in self.regimes:
            for rule in regime.rules:
                if scope is not None and rule.scope and rule.scope != scope:
                    continue
                if rule.matches(classification):
                    out.append(
                        Deadline(
                            regime=regime.id,
                            regime_name=regime.name,
                            action=rule.action,
                            year=rule.year,
                            citation=rule.citation or regime.citation,
                            note=rule.note,
                            scope=rule.scope,
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
                max_nist_category=m.get("max_nist_category"),
                min_nist_category=m.get("min_nist_category"),
                note=r.get("note", ""),
                scope=r.get("scope", ""),
                citation=r.get("citation", ""),
            )
        )
    return Regime(
        id=raw["id"],
        name=raw["name"],
        citation=raw["citation"],
        rules=tuple(rules),
        scopes=tuple((str(k), str(v)) for k, v in raw.get("scopes", {}).items()),
    )


def load_catalog(root: Traversable | None = None) -> Catalog:
    """Read and validate every catalog file. Prefer the cached :func:`get_catalog`.

    ``root`` replaces the packaged ``rules/`` folder (tests load deliberately broken copies).
    """
    algorithms: list[Algorithm] = []
    oids: list[OidEntry] = []
    suites: list[CipherSuite] = []
    named: list[NamedIdentifier] = []
    for rel, doc in catalog_files("algorithms", root):
        validate(doc, "algorithms.schema.json", rel, root)
        algorithms.extend(build_algorithm(a) for a in doc["algorithms"])
    for rel, doc in catalog_files("identifiers", root):
        validate(doc, "identifiers.schema.json", rel, root)
        source = doc.get("source", "")
        if "oids" in doc:
            oids.extend(build_oid(o, source) for o in doc["oids"])
        if "cipher_suites" in doc:
            suites.extend(build_cipher_suite(s, source) for s in doc["cipher_suites"])
        if "identifiers" in doc:
            named.extend(build_named(doc["namespace"], i, source) for i in doc["identifiers"])
    regimes_doc = read_rule_file("catalog", "regimes.yaml", root=root)
    validate(regimes_doc, "regimes.schema.json", "catalog/regimes.yaml", root)
    catalog = Catalog(algorithms, oids, suites, named, (_regime(r) for r in regimes_doc["regimes"]))
    _check_references(catalog)
    return catalog


def _check_references(catalog: Catalog) -> None:
    """Every identifier must point at an algorithm the catalog defines."""
    for entry in catalog.oids.values():
        if entry.algorithm and catalog.algorithm(entry.algorithm) is None:
            raise RuleError(f"OID {entry.oid} names unknown algorithm {entry.algorithm!r}")
    for suite in catalog.cipher_suites.values():
        if suite.signal and suite.parts():
            raise RuleError(f"{suite.name} is a signal (SCSV) and must have no components")
        for _, part in suite.parts():
            if catalog.algorithm(part.algorithm) is None:
                raise RuleError(f"{suite.name} names unknown algorithm {part.algorithm!r}")
    patterns = (item for items in catalog._named_prefixes.values() for _, item in items)
    for item in (*catalog.named.values(), *patterns):
        if catalog.algorithm(item.algorithm) is None:
            raise RuleError(f"{item.namespace} {item.name} names unknown {item.algorithm!r}")
    for alg in catalog.algorithms.values():
        for comp in alg.components:
            if catalog.algorithm(comp) is None:
                raise RuleError(f"hybrid {alg.name} names unknown component {comp!r}")
    for regime in catalog.regimes:
        declared = {scope for scope, _ in regime.scopes}
        for rule in regime.rules:
            if rule.scope and rule.scope not in declared:
                raise RuleError(f"regime {regime.id} uses undeclared scope {rule.scope!r}")
            for name in rule.algorithms:
                if catalog.algorithm(name) is None:
                    raise RuleError(f"regime {regime.id} names unknown algorithm {name!r}")


@cache
def get_catalog() -> Catalog:
    """The process-wide catalog, loaded once."""
    return load_catalog()
