"""Migration items: one asset x one cryptographic use, changed as one work item.

=================  ==============================================================================
asset type         items (``<asset type>:<fingerprint>#<use>``)
=================  ==============================================================================
endpoint           ``key-exchange`` (every key-exchange finding: groups, curves, DHE, RSA key
                   transport, SSH kex and its exchange-hash digest), ``authentication``
                   (signature schemes, suite authentication, SSH host-key algorithms),
                   ``protocol`` (versions), ``ciphers`` (bulk ciphers, MACs, other digests)
certificate, csr   ``subject-key`` (its public key, with the key assets it certifies folded in:
                   re-keying the file and re-issuing the certificate are one job) and, unless
                   self-issued, ``signature`` (the issuer's signature algorithm and digest)
key                ``host-key`` when an SSH endpoint presents it, else ``key`` -- unless a
                   certificate or CSR certifies it (then it is part of that ``subject-key``);
                   ``protection`` for the cipher/KDF/MAC protecting the key file
keystore, file     ``protection`` (key-store encryption and integrity), else ``crypto``
hardware           ``algorithms`` (the declared algorithms of the appliance)
package            ``crypto`` (the algorithms the library provides or uses)
=================  ==============================================================================

A self-issued certificate's own signature is not a work item: nothing verifies a trust
anchor's self-signature, and it changes with the key. Items carry the observed *signals* the
rule tables read (``tls13``, ``hybrid-accepted``, ``public-address``, ``ca``, ``root`` ...).
"""

from __future__ import annotations

import ipaddress
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from pqcscan.catalog import STATUS_SEVERITY, Catalog, QuantumStatus
from pqcscan.inventory.snapshot import AssetView, FindingTable, FindingView, LinkView, Snapshot
from pqcscan.risk.model import Provenance, Threat, Wave

#: Item uses in a stable order (used for sorting and in the schemas).
USES = (
    "key-exchange",
    "authentication",
    "protocol",
    "ciphers",
    "subject-key",
    "signature",
    "key",
    "host-key",
    "protection",
    "algorithms",
    "crypto",
)
#: What a person reads for each use.
USE_LABEL = {
    "key-exchange": "key exchange",
    "authentication": "authentication",
    "protocol": "protocol versions",
    "ciphers": "ciphers and MACs",
    "subject-key": "key",
    "signature": "issuer signature",
    "key": "key",
    "host-key": "SSH host key",
    "protection": "key protection",
    "algorithms": "algorithms",
    "crypto": "cryptography",
}
#: Uses that protect confidentiality whatever their algorithms.
_CONFIDENTIAL_USES = frozenset({"key-exchange", "protocol", "ciphers", "protection"})
_CONFIDENTIAL_USAGES = frozenset({"key-exchange", "encryption"})
_CONFIDENTIAL_PRIMITIVES = frozenset({"pke", "kem", "key-agree"})
_SAFE_STATUSES = frozenset(
    {QuantumStatus.QUANTUM_SAFE, QuantumStatus.HYBRID, QuantumStatus.QUANTUM_WEAKENED}
)
_PQ_STATUSES = frozenset({QuantumStatus.QUANTUM_SAFE, QuantumStatus.HYBRID})
_DISPLAY = {"RSAES-PKCS1-v1_5": "RSA key transport", "RSAES-OAEP": "RSA-OAEP"}
_PUBLIC_STORE_EXCLUDED = frozenset({"custom"})
DAYS_PER_YEAR = 365.25
_TITLE_ALGORITHMS = 4


_SIGNAL_SETS: dict[frozenset[str], frozenset[str]] = {}


def signal_set(signals: AbstractSet[str]) -> frozenset[str]:
    """One shared frozenset per distinct set of signals: a million items have a few hundred
    distinct sets, and an empty ``set`` alone costs 216 bytes."""
    key = frozenset(signals)
    return _SIGNAL_SETS.setdefault(key, key)


def years_between(start: date, end: date) -> float:
    """Years from ``start`` to ``end`` (days / 365.25), negative when ``end`` is earlier."""
    return (end - start).days / DAYS_PER_YEAR


def display(algorithm: str, parameter: str) -> str:
    """``RSA-2048``, ``ECDH P-256``, ``TLS 1.2``, ``RSA key transport 1024``."""
    name = _DISPLAY.get(algorithm, algorithm)
    if not parameter:
        return name
    if parameter.isdigit() and " " not in name:
        return f"{name}-{parameter}"
    return f"{name} {parameter}"


@dataclass(slots=True, eq=False)
class WorkItem:
    """An item while it is being scored (mutable; becomes a frozen ``RankedItem``)."""

    key: str
    asset: AssetView
    use: str
    findings: list[FindingView]
    #: Asset ids whose dependant services count for this item (the asset + folded keys);
    #: the items of one asset share one tuple.
    members: Sequence[int]
    #: Shared between items with the same signals (:func:`signal_set`); add with
    #: :meth:`add_signals`.
    signals: AbstractSet[str]
    #: Evidence lines that are not findings (ignored self-signatures); see ``evidence``.
    #: Replaced, not extended (the default is one shared empty tuple).
    notes: Sequence[str] = ()
    status: str = QuantumStatus.UNKNOWN.value
    algorithm_names: tuple[str, ...] = ()
    displays: tuple[str, ...] = ()
    families: frozenset[str] = frozenset()
    confidentiality: bool = False
    #: Observed remaining validity (years) of the certificate(s) involved, for forgery X.
    validity_years: float | None = None
    validity_note: str = ""
    support_end: date | None = None
    #: When the migration could finish: its start (due date) + Y; set with the due date.
    finish: date | None = None
    threat: Threat = Threat.NONE
    # -- filled by the engine ----------------------------------------------------------------
    impact: int = 0
    impact_source: Provenance = Provenance.DEFAULT
    ecosystem: int = 0
    score: float = 0.0
    v: float = 0.0
    gap: float = 0.0
    y: float = 0.0
    in_force: bool = False
    slack: float | None = None
    wave: Wave = Wave.MONITOR

    @property
    def asset_id(self) -> int:
        return self.asset.id

    # -- what conditions read (rules.ItemFacts) ----------------------------------------------
    @property
    def asset_type(self) -> str:
        return self.asset.type

    @property
    def kind(self) -> str:
        """The declared kind of a hardware asset (``hsm``, ``atm``...), else ""."""
        value = self.asset.details.get("kind") if self.asset.type == "hardware" else None
        return str(value).lower() if value else ""

    @property
    def threat_name(self) -> str:
        return self.threat  # a StrEnum is its value (and much faster than ``.value``)

    @property
    def wave_name(self) -> str:
        return self.wave

    def add_signals(self, extra: AbstractSet[str]) -> None:
        """Add signals (the item's set is shared: it is replaced, not changed)."""
        if not extra <= self.signals:
            self.signals = signal_set(self.signals | extra)

    @property
    def title(self) -> str:
        """What a person reads (rendered on demand, like ``evidence``: it only reads the
        asset, the use, the displays and the signals the builder sets)."""
        return item_title(self)

    @property
    def evidence(self) -> list[str]:
        """The notes, then one line per finding (rendered on demand: at a million findings
        the lines would cost more than the findings)."""
        return [*self.notes, *(evidence_line(f) for f in self.findings)]

    def packed(self) -> tuple[Any, ...]:
        """The item as plain values for a :class:`~pqcscan.risk.spill.Spill` record: its
        asset and findings by id, enums by value (see :meth:`unpacked`)."""
        values: list[Any] = [getattr(self, name) for name in _ITEM_FIELDS]
        values[_ASSET] = self.asset.id
        values[_FINDINGS] = tuple([f.id for f in self.findings])
        for n in _ENUMS:
            values[n] = values[n].value
        return tuple(values)

    @classmethod
    def unpacked(
        cls,
        values: Sequence[Any],
        assets: Mapping[int, AssetView],
        finding: Callable[[int], FindingView],
    ) -> WorkItem:
        """The item :meth:`packed` gave ``values`` for."""
        args = list(values)
        args[_ASSET] = assets[args[_ASSET]]
        args[_FINDINGS] = [finding(i) for i in args[_FINDINGS]]
        args[_SIGNALS] = signal_set(args[_SIGNALS])
        for n in _TEXTS:
            args[n] = sys.intern(args[n])
        for n, members in _ENUMS.items():
            args[n] = members[args[n]]
        return cls(*args)


_ITEM_FIELDS = tuple(f.name for f in fields(WorkItem))
_ASSET = _ITEM_FIELDS.index("asset")
_FINDINGS = _ITEM_FIELDS.index("findings")
_SIGNALS = _ITEM_FIELDS.index("signals")
#: Text fields interned when unpacked (equal in many items: see ``engine.intern``).
_TEXTS = tuple(_ITEM_FIELDS.index(name) for name in ("use", "status", "validity_note"))
#: The enum fields: their members by value (faster than calling the enum).
_ENUMS: dict[int, dict[str, Threat | Provenance | Wave]] = {
    _ITEM_FIELDS.index(name): {m.value: m for m in enum}
    for name, enum in (("threat", Threat), ("impact_source", Provenance), ("wave", Wave))
}


def finding_lookup(findings: Sequence[FindingView]) -> Callable[[int], FindingView]:
    """Finding by id: a bisection of a :class:`FindingTable`'s id column, else a dict."""
    if isinstance(findings, FindingTable):
        return findings.by_id
    return {f.id: f for f in findings}.__getitem__


@dataclass(slots=True, eq=False)
class ItemHead:
    """What scheduling reads of an item, kept in memory while the whole :class:`WorkItem`
    waits in the ranking's :class:`~pqcscan.risk.spill.Spill`. Its key is made when read (a
    million keys are ~80 MB)."""

    asset: AssetView
    use: str
    members: Sequence[int]
    signals: AbstractSet[str]
    score: float = 0.0
    wave: Wave = Wave.MONITOR

    @classmethod
    def of(cls, item: WorkItem) -> ItemHead:
        return cls(item.asset, item.use, item.members, item.signals)

    @property
    def key(self) -> str:
        """The item's key (:attr:`WorkItem.key`)."""
        return item_key(self.asset, self.use)

    @property
    def asset_id(self) -> int:
        return self.asset.id


def item_key(asset: AssetView, use: str) -> str:
    """``<asset type>:<fingerprint>#<use>``."""
    return f"{asset.type}:{asset.fingerprint}#{use}"


@dataclass(frozen=True, slots=True)
class Topology:
    """The assets and links of a snapshot, indexed the ways the engine needs them (kept
    while ranking: the findings of each asset are grouped only while items are built)."""

    assets: Mapping[int, AssetView]
    out_links: Mapping[int, list[LinkView]]

    @classmethod
    def of(cls, snapshot: Snapshot) -> Topology:
        out_links: dict[int, list[LinkView]] = defaultdict(list)
        for link in snapshot.links:
            out_links[link.source_id].append(link)
        return cls({a.id: a for a in snapshot.assets}, out_links)

    def targets(self, asset_id: int, relation: str) -> list[int]:
        return [lk.target_id for lk in self.out_links.get(asset_id, ()) if lk.relation == relation]


def rows_by_asset(findings: Sequence[FindingView]) -> dict[int, list[int]]:
    """The positions of each asset id's findings, in the order given (a
    :class:`FindingTable` is read from its asset column: no view is made)."""
    asset_ids = (
        findings.asset_ids()
        if isinstance(findings, FindingTable)
        else [f.asset_id for f in findings]
    )
    out: dict[int, list[int]] = defaultdict(list)
    for row, asset_id in enumerate(asset_ids):
        out[asset_id].append(row)
    return out


# -- details helpers ------------------------------------------------------------------------


def _pairs(value: Any) -> list[tuple[str, str]]:
    """A JSON object or a tuple of (key, value) pairs (in-memory details) as pairs."""
    if isinstance(value, Mapping):
        return [(str(k), str(v)) for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [
            (str(p[0]), str(p[1])) for p in value if isinstance(p, list | tuple) and len(p) == 2
        ]
    return []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _parse_date(value: Any) -> date | None:
    """An ISO date/datetime string, a bare year (end of that year), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return date(value, 12, 31) if 1900 < value < 3000 else None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and len(text) == 4:
            return date(int(text), 12, 31)
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                return None
    return None


def endpoint_address(asset: AssetView) -> str | None:
    """The endpoint's IP address: the ``address`` detail, else from ``address:port[:sni]``."""
    address = asset.details.get("address")
    if isinstance(address, str) and address:
        return address
    fp = asset.fingerprint
    if fp.startswith("["):
        return fp[1 : fp.find("]")] if "]" in fp else None
    return fp.split(":", 1)[0] if ":" in fp else None


def is_public_address(address: str | None) -> bool:
    if not address:
        return False
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def publicly_trusted(asset: AssetView) -> bool:
    """The presented chain validated against a public trust store (not a custom one)."""
    for store, state in _pairs(asset.details.get("trust_stores")):
        if store.lower() not in _PUBLIC_STORE_EXCLUDED and state.strip().lower() == "trusted":
            return True
    return False


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1"}
    return bool(value)


# -- signals --------------------------------------------------------------------------------

#: Declared kinds (``pqcscan import assets``) and tags that mean embedded / HSM hardware.
_EMBEDDED_WORDS = frozenset({"embedded", "atm", "pos", "mainframe", "iot", "smartcard"})
_HSM_WORDS = frozenset({"hsm", "payment-hsm", "crypto-card"})


def _endpoint_signals(asset: AssetView, findings: Sequence[FindingView]) -> set[str]:
    out: set[str] = set()
    protocol = str(asset.details.get("protocol", "")).lower()
    if protocol in {"tls", "ssh"}:
        out.add(protocol)
    protocols = [f for f in findings if f.usage == "protocol"]
    versions = {str(v) for v in _strings(asset.details.get("versions"))}
    if (
        any(f.algorithm == "TLS" and f.parameter == "1.3" for f in protocols)
        or "TLS 1.3" in versions
    ):
        out.add("tls13")
    broken = [f for f in protocols if f.quantum_status == QuantumStatus.CLASSICALLY_BROKEN]
    if broken:
        out.add("legacy-protocol")
        if len(broken) == len(protocols):
            out.add("legacy-only")
    kex = [f for f in findings if f.usage == "key-exchange"]
    pq = [f for f in kex if f.quantum_status in (QuantumStatus.HYBRID, QuantumStatus.QUANTUM_SAFE)]
    if pq:
        out.add("hybrid-accepted")
        if any(
            f.quantum_status in (QuantumStatus.QUANTUM_VULNERABLE, QuantumStatus.CLASSICALLY_BROKEN)
            for f in kex
        ):
            out.add("classical-fallback")
    if any(f.algorithm.startswith("RSAES") for f in kex):
        out.add("static-rsa")
    if is_public_address(endpoint_address(asset)):
        out.add("public-address")
    if publicly_trusted(asset):
        out.add("publicly-trusted")
    return out


def _certificate_signals(asset: AssetView, as_of: date, is_issuer: bool) -> set[str]:
    d = asset.details
    out: set[str] = set()
    ca = _truthy(d.get("is_ca")) or is_issuer
    if ca:
        out.add("ca")
    if _truthy(d.get("self_issued")):
        out.add("self-signed")
        if ca:
            out.add("root")
    if not ca:
        out.add("leaf")
    eku = " ".join(_strings(d.get("extended_key_usage"))).lower().replace("_", "")
    if "codesigning" in eku:
        out.add("code-signing")
    if d.get("format") == "openssh-certificate":
        out.add("ssh-certificate")
    not_after = _parse_date(d.get("not_after"))
    if not_after is not None and not_after < as_of:
        out.add("expired")
    return out


#: What a code-collector file is, from its ``kind`` detail (pqcscan/collectors/code).
_FILE_KIND_SIGNALS = {"source": "source-code", "config": "configuration"}


def _file_signals(asset: AssetView) -> set[str]:
    """``source-code`` / ``configuration`` for files the code collector found hits in."""
    signal = _FILE_KIND_SIGNALS.get(str(asset.details.get("kind", "")))
    return {signal} if signal else set()


def _declared_signals(asset: AssetView) -> set[str]:
    """Signals an imported (hardware) or package asset declares in its details."""
    d = asset.details
    out: set[str] = set()
    words = {
        w.lower()
        for key in ("category", "kind", "class", "device_type")
        for w in _strings(d.get(key))
    }
    words |= {t.lower() for t in _strings(d.get("tags"))}
    if words & _EMBEDDED_WORDS:
        out.add("embedded")
    if words & _HSM_WORDS:
        out.add("hsm")
    if _truthy(d.get("vendor_controlled")):
        out.add("vendor-controlled")
    if any(_truthy(d.get(k)) for k in ("pqc_capable", "pqc_support", "pqc_ready")):
        out.add("pqc-capable")
    return out


def support_end(asset: AssetView) -> date | None:
    d = asset.details
    for key in ("support_end", "end_of_support", "eos", "end_of_life", "eol"):
        found = _parse_date(d.get(key))
        if found is not None:
            return found
    return None


# -- grouping findings into uses ------------------------------------------------------------


def _endpoint_use(f: FindingView) -> str:
    usage = f.usage
    if usage == "key-exchange":
        return "key-exchange"
    if usage in ("authentication", "signature", "key"):
        return "authentication"
    if usage == "protocol":
        return "protocol"
    if usage == "hash":
        method = f.method.lower()
        if "key exchange" in method or "exchange hash" in method:
            return "key-exchange"
        if "host key" in method or "signature" in method:
            return "authentication"
    return "ciphers"


def _is_protection(f: FindingView) -> bool:
    return "protection" in f.method.lower()


def _is_subject(f: FindingView) -> bool:
    method = f.method.lower()
    return "subjectpublickeyinfo" in method or "certificate key" in method


def _certificate_groups(
    findings: Sequence[FindingView], self_issued: bool
) -> tuple[list[FindingView], list[FindingView], list[FindingView]]:
    """(subject-key findings, issuer-signature findings, ignored self-signature findings)."""
    subject = [f for f in findings if _is_subject(f)]
    rest = [f for f in findings if not _is_subject(f)]
    if not self_issued:
        return subject, rest, []
    if not subject:
        # A self-signed certificate whose key and self-signature are one finding.
        subject = [f for f in rest if f.usage != "hash"]
        rest = [f for f in rest if f.usage == "hash"]
    return subject, [], rest


class ItemBuilder:
    """Builds the work items of a snapshot (see the module docstring for the shapes)."""

    def __init__(self, snapshot: Snapshot, catalog: Catalog, as_of: date) -> None:
        self.snapshot = snapshot
        self.catalog = catalog
        self.as_of = as_of
        self.topology = Topology.of(snapshot)
        self._primitives: dict[str, tuple[frozenset[str], str]] = {}
        #: Equal tuples and sets of algorithm names shared between items (few distinct ones).
        self._shared: dict[object, Any] = {}

    def _algorithm_info(self, name: str) -> tuple[frozenset[str], str]:
        known = self._primitives.get(name)
        if known is None:
            alg = self.catalog.algorithm(name)
            if alg is None:
                known = (frozenset(), "")
            else:
                known = (frozenset(p.value for p in alg.primitives), alg.family)
            self._primitives[name] = known
        return known

    def family(self, name: str) -> str:
        return self._algorithm_info(name)[1]

    def finding_confidential(self, f: FindingView) -> bool:
        """The finding protects confidentiality (harvest now, decrypt later applies)."""
        if f.usage in _CONFIDENTIAL_USAGES:
            return True
        if f.usage == "key":
            return bool(self._algorithm_info(f.algorithm)[0] & _CONFIDENTIAL_PRIMITIVES)
        return False

    def build(self) -> list[WorkItem]:
        """Every item, sorted by key."""
        return sorted(self.items(), key=lambda i: i.key)

    def items(self) -> Iterator[WorkItem]:
        """Every item, asset by asset (in snapshot order)."""
        topo = self.topology
        table = self.snapshot.findings
        rows_of = rows_by_asset(table)

        def findings_of(asset_id: int) -> list[FindingView]:
            """Made per asset (the items hold their findings until they are spilled)."""
            return [table[row] for row in rows_of.get(asset_id, ())]

        issuers = {lk.target_id for lk in self.snapshot.links if lk.relation == "issued-by"}
        certified_by: dict[int, list[int]] = defaultdict(list)
        for lk in self.snapshot.links:
            if lk.relation == "certifies":
                certified_by[lk.target_id].append(lk.source_id)
        ssh_presented = {
            lk.target_id
            for lk in self.snapshot.links
            if lk.relation == "presents"
            and str(topo.assets[lk.source_id].details.get("protocol", "")) == "ssh"
            if lk.source_id in topo.assets
        }
        for asset in self.snapshot.assets:
            findings = findings_of(asset.id)
            if not findings:
                continue
            groups: dict[str, list[FindingView]] = defaultdict(list)
            signals: set[str] = set()
            notes: list[str] = []
            members: list[int] = [asset.id]
            t = asset.type
            if t == "endpoint":
                signals = _endpoint_signals(asset, findings)
                for f in findings:
                    groups[_endpoint_use(f)].append(f)
            elif t in ("certificate", "csr"):
                self_issued = t == "csr" or _truthy(asset.details.get("self_issued"))
                if t == "certificate":
                    signals = _certificate_signals(asset, self.as_of, asset.id in issuers)
                subject, signature, ignored = _certificate_groups(findings, self_issued)
                folded = sorted(topo.targets(asset.id, "certifies"))
                for key_id in folded:
                    for f in findings_of(key_id):
                        if not _is_protection(f):
                            subject.append(f)
                members += folded
                if subject:
                    groups["subject-key"] = subject
                if signature:
                    groups["signature"] = signature
                notes = [
                    f"finding {f.id}: {display(f.algorithm, f.parameter)} self-signature "
                    "(not a work item: nothing verifies a self-issued certificate's signature)"
                    for f in ignored
                ]
            elif t == "key":
                if asset.id in issuers:
                    signals.add("ca")
                protection = [f for f in findings if _is_protection(f)]
                own = [f for f in findings if not _is_protection(f)]
                if protection:
                    groups["protection"] = protection
                if own and not certified_by.get(asset.id):
                    groups["host-key" if asset.id in ssh_presented else "key"] = own
            elif t in ("keystore", "file"):
                if t == "file":
                    signals |= _file_signals(asset)
                for f in findings:
                    groups["protection" if _is_protection(f) else "crypto"].append(f)
            elif t == "hardware":
                signals = _declared_signals(asset)
                groups["algorithms"] = list(findings)
            else:  # package, and any type added later
                signals = _declared_signals(asset)
                groups["crypto"] = list(findings)
            alone = (asset.id,)
            for use, group in groups.items():
                item = WorkItem(
                    key=item_key(asset, use),
                    asset=asset,
                    use=use,
                    findings=sorted(group, key=lambda f: f.id),
                    members=tuple(members) if use == "subject-key" else alone,
                    signals=signal_set(signals),
                )
                if use == "subject-key" and notes:
                    item.notes = notes
                self._describe(item)
                yield item

    def _describe(self, item: WorkItem) -> None:
        """Status, algorithms, title, evidence, confidentiality and validity of an item."""
        findings = item.findings
        item.status = self.catalog.worst(QuantumStatus(f.quantum_status) for f in findings).value
        ranked = sorted(
            findings,
            key=lambda f: (
                -STATUS_SEVERITY.get(QuantumStatus(f.quantum_status), 3),
                display(f.algorithm, f.parameter),
            ),
        )
        shared = self._shared
        displays = tuple(dict.fromkeys(display(f.algorithm, f.parameter) for f in ranked))
        item.displays = shared.setdefault(displays, displays)
        names = tuple(sorted({f.algorithm for f in findings}))
        item.algorithm_names = shared.setdefault(names, names)
        families = frozenset(fam for fam in (self.family(f.algorithm) for f in findings) if fam)
        item.families = shared.setdefault(families, families)
        # A certificate's own subject-key finding says how the key is used; the key files it
        # certifies (folded in) only say "key".
        # What matters is how the vulnerable parts are used (AES-256 next to an RSA signature
        # on a declared appliance does not make the signature a confidentiality matter).
        own = [f for f in findings if f.asset_id == item.asset.id] or findings
        exposed = [f for f in own if QuantumStatus(f.quantum_status) not in _PQ_STATUSES] or own
        item.confidentiality = item.use in _CONFIDENTIAL_USES or any(
            self.finding_confidential(f) for f in exposed
        )
        if any(f.quantum_status == QuantumStatus.UNKNOWN for f in findings):
            item.add_signals({"evidence-gap"})
        asset = item.asset
        if asset.type == "certificate":
            not_after = _parse_date(asset.details.get("not_after"))
            if not_after is not None:
                item.validity_years = round(max(0.0, years_between(self.as_of, not_after)), 2)
                item.validity_note = sys.intern(f"certificate valid until {not_after.isoformat()}")
        if asset.type == "endpoint" and item.use == "authentication":
            self._presented_validity(item)
        item.support_end = support_end(asset)
        item.threat = provisional_threat(item)

    def _presented_validity(self, item: WorkItem) -> None:
        best: tuple[float, str] | None = None
        for cert_id in self.topology.targets(item.asset.id, "presents"):
            cert = self.topology.assets.get(cert_id)
            if cert is None or cert.type != "certificate":
                continue
            not_after = _parse_date(cert.details.get("not_after"))
            if not_after is None:
                continue
            years = round(max(0.0, years_between(self.as_of, not_after)), 2)
            candidate = (years, f"presented certificate valid until {not_after.isoformat()}")
            if best is None or candidate > best:
                best = candidate
        if best is not None:
            item.validity_years, item.validity_note = best[0], sys.intern(best[1])


def item_title(item: WorkItem) -> str:
    """``TLS key exchange on 10.0.0.5:443: ECDH P-256, X25519`` (see :attr:`WorkItem.title`)."""
    asset = item.asset
    shown = list(item.displays[:_TITLE_ALGORITHMS])
    if len(item.displays) > _TITLE_ALGORITHMS:
        shown.append(f"+{len(item.displays) - _TITLE_ALGORITHMS} more")
    algs = ", ".join(shown)
    name = asset.name or asset.locator
    t, use = asset.type, item.use
    if t == "endpoint":
        proto = str(asset.details.get("protocol", "")).upper() or "endpoint"
        return f"{proto} {USE_LABEL[use]} on {asset.locator}: {algs}"
    if t in ("certificate", "csr"):
        kind = "CSR" if t == "csr" else "certificate"
        if "ssh-certificate" in item.signals:
            kind = "SSH certificate"
        if use == "signature":
            return f"issuer signature ({algs}) on {kind} {name}"
        role = "root CA key" if "root" in item.signals else "CA key"
        if "ca" not in item.signals:
            role = f"{kind} key"
        return f"{role} {algs} of {name}"
    if t == "key":
        if use == "protection":
            return f"key protection ({algs}) of {asset.locator}"
        role = {"host-key": "SSH host key"}.get(use, "CA key" if "ca" in item.signals else "key")
        return f"{role} {algs} at {asset.locator}"
    if t in ("keystore", "file"):
        kind = "key store" if t == "keystore" else "file"
        return f"{kind} {USE_LABEL[use]} ({algs}) of {asset.locator}"
    if t == "hardware":
        return f"appliance {name}: {algs}"
    if t == "package":
        return f"library {name}: {algs}"
    return f"{t} {name}: {algs}"


def provisional_threat(item: WorkItem) -> Threat:
    """The threat class from the findings' statuses (regime-only concerns come later)."""
    status = QuantumStatus(item.status)
    if status is QuantumStatus.CLASSICALLY_BROKEN:
        return Threat.WEAK
    if status in _SAFE_STATUSES:
        return Threat.NONE
    return Threat.HNDL if item.confidentiality else Threat.FORGERY


def evidence_line(f: FindingView) -> str:
    """``finding 1337: X25519 key-exchange at 10.0.0.5:443 (TLS group probe): hybrid``."""
    where = f" at {f.location}" if f.location else ""
    how = f" ({f.method})" if f.method else ""
    return (
        f"finding {f.id}: {display(f.algorithm, f.parameter)} {f.usage}{where}{how}: "
        f"{f.quantum_status}"
    )
