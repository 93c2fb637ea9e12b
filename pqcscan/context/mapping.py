"""Attach inventory assets to business services: ``map_assets(snapshot, contexts)``.

A pure function over an inventory snapshot and the loaded contexts. For each asset it finds
every rule that matches it directly and keeps, per service, the first such rule (in file
order) with the value it matched, for explanations ("cidr 10.1.0.0/16 (context.yaml:30)
matched address 10.1.4.7"). What each kind of rule looks at:

========  ==================================================================================
cidr      an endpoint's address (IPv4 or IPv6), from its details or its fingerprint
host      an endpoint's host (the locator's host, its name, its SNI) and a certificate's
          subject CN and DNS SANs (when the details hold them); case-insensitive glob
port      an endpoint's port (a single port or a range)
path      a file, keystore, certificate, key or CSR locator that is a path (with or without
          its ``#2`` / ``!alias`` / ``:12`` suffix), at every place the asset was seen when
          ``locations`` is given; case-sensitive glob, ``*`` crosses ``/``
purl      a package's purl (its fingerprint); case-insensitive glob
tag       a tag declared on an imported (hardware) asset; exact, case-insensitive
asset     an asset's fingerprint or locator, exactly
========  ==================================================================================

Assets reached only through links (the certificate a mapped endpoint presents, the key in a
mapped keystore) are **not** attached here: the risk engine propagates services along links.
They are reported as :attr:`Mapping.reached`, so that "unmapped" can be split into "covered
through a link" and "no business context at all".

Rules are compiled once into indexes, so the cost per asset does not grow with the number of
rules: exact patterns and tags are dictionary lookups, CIDRs are looked up per prefix length,
and globs are indexed by their longest literal token (``*/opt/payments-gateway/*`` is only
tried on paths that contain the token ``payments-gateway``).
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as ReadOnlyMap
from dataclasses import dataclass, field
from types import MappingProxyType

from pqcscan.context.model import BusinessContext, MappingRule, MatchKind
from pqcscan.context.patterns import glob_regex, has_wildcards, parse_cidr, parse_port
from pqcscan.inventory.snapshot import AssetView, Snapshot
from pqcscan.results import AssetType

_ENDPOINT = AssetType.ENDPOINT.value
_CERTIFICATE = AssetType.CERTIFICATE.value
_PATH_TYPES = frozenset(
    {
        AssetType.FILE.value,
        AssetType.KEYSTORE.value,
        AssetType.CERTIFICATE.value,
        AssetType.KEY.value,
        AssetType.CSR.value,
    }
)
#: Certificate details that may list subject alternative names (DNS names).
SAN_DETAILS = ("san", "subject_alt_names", "dns_names")


@dataclass(frozen=True, slots=True)
class Attachment:
    """One service attached to one asset by one rule."""

    context: str
    service: str
    rule: MappingRule
    #: What the rule matched: "address 10.1.4.7", "host api.example.test", "path /etc/x.pem".
    matched: str

    def explain(self) -> str:
        """``cidr 10.1.0.0/16 (context.yaml:30) matched address 10.1.4.7``"""
        where = f" ({self.rule.source})" if self.rule.source else ""
        return f"{self.rule.kind.value} {self.rule.pattern}{where} matched {self.matched}"


@dataclass(frozen=True, slots=True)
class RuleHits:
    """How many assets one rule matches (directly)."""

    context: str
    rule: MappingRule
    assets: int


@dataclass(frozen=True, slots=True)
class Mapping:
    """Which services use which assets, directly, and which assets no rule attaches."""

    #: asset id -> attachments (one per context and service), sorted by context and service.
    attachments: ReadOnlyMap[int, tuple[Attachment, ...]]
    #: Ids of the assets no rule attaches, ascending.
    unmapped: tuple[int, ...]
    #: Unmapped assets that a link path reaches from an attached asset (covered indirectly).
    reached: frozenset[int]
    #: Every rule of every context, in context then file order, with its count of assets.
    rule_hits: tuple[RuleHits, ...]
    #: (context, service id) -> number of assets attached directly.
    service_assets: ReadOnlyMap[tuple[str, str], int] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def services_of(self, asset_id: int) -> tuple[str, ...]:
        """Ids of the services an asset is attached to (empty when unmapped)."""
        return tuple(dict.fromkeys(a.service for a in self.attachments.get(asset_id, ())))

    @property
    def uncovered(self) -> tuple[int, ...]:
        """Unmapped assets that no link reaches either: they have no business context."""
        return tuple(i for i in self.unmapped if i not in self.reached)


# -- what an asset offers to each kind of rule -----------------------------------------------


def _host_of_locator(locator: str) -> str:
    """``host`` of ``host:port`` / ``[::1]:443`` (the locator of endpoints)."""
    if locator.startswith("["):
        return locator[1 : locator.find("]")] if "]" in locator else locator
    host, colon, port = locator.rpartition(":")
    return host if colon and port.isdigit() else locator


def _address_port(asset: AssetView) -> tuple[str | None, int | None]:
    """An endpoint's address and port: from its details, else from ``address:port[:sni]``."""
    address = asset.details.get("address")
    port = asset.details.get("port")
    fp = asset.fingerprint
    if address is None or port is None:
        if fp.startswith("["):
            end = fp.find("]")
            fp_address, rest = fp[1:end], fp[end + 2 :]
        else:
            fp_address, _, rest = fp.partition(":")
        fp_port = rest.split(":", 1)[0]
        address = address if address is not None else fp_address
        port = port if port is not None else (int(fp_port) if fp_port.isdigit() else None)
    return (str(address) if address else None), (int(port) if port is not None else None)


def _hosts(asset: AssetView) -> list[str]:
    out: list[str] = []
    if asset.type == _ENDPOINT:
        out.append(_host_of_locator(asset.locator))
        out.append(_host_of_locator(asset.name) if asset.name else "")
        sni = asset.details.get("sni")
        if isinstance(sni, str):
            out.append(sni)
    elif asset.type == _CERTIFICATE:
        out.append(asset.name)
        subject = asset.details.get("subject")
        if isinstance(subject, str):
            out.extend(m.group(1) for m in re.finditer(r"(?:^|,)\s*CN=([^,]+)", subject))
        for key in SAN_DETAILS:
            names = asset.details.get(key)
            if isinstance(names, str):
                names = [names]
            if isinstance(names, list | tuple):
                out.extend(str(n).removeprefix("DNS:").strip() for n in names)
    seen: dict[str, None] = {}
    for h in out:
        h = h.strip().lower().rstrip(".")
        if h.startswith("[") and h.endswith("]"):
            h = h[1:-1]
        if h:
            seen[h] = None
    return list(seen)


_PATH_SUFFIX = re.compile(r"^(.+?)(?:![^/\\]*|#[^/\\]*|:\d+)$")


def _is_path(locator: str) -> bool:
    return locator.startswith("/") or bool(re.match(r"^[A-Za-z]:[\\/]", locator))


def _paths(locators: Iterable[str]) -> list[str]:
    """Path locators, each with and without its ``#2`` / ``!alias`` / ``:12`` suffix."""
    out: dict[str, None] = {}
    for locator in locators:
        if not _is_path(locator):
            continue
        out[locator] = None
        m = _PATH_SUFFIX.match(locator)
        if m:
            out[m.group(1)] = None
    return list(out)


def _tags(asset: AssetView) -> list[str]:
    tags = asset.details.get("tags")
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list | tuple):
        return []
    return [str(t).strip().lower() for t in tags if str(t).strip()]


# -- indexes ---------------------------------------------------------------------------------

#: A compiled rule: (global rule number, rule type filter).
_Ref = int


class _GlobIndex:
    """Exact patterns in a dictionary; globs indexed by one literal token each.

    A literal token of a glob (text between separators, without wildcards) must appear as a
    whole token of any string the glob matches, so a glob is only tried on strings holding
    its token. Each glob is filed under its rarest token among all globs (ties: the longest),
    so that thousands of ``*.<team>.example-bank.test`` rules do not all sit under
    ``example-bank``.
    """

    def __init__(self, separators: str, fold_case: bool) -> None:
        self.split = re.compile(f"[{re.escape(separators)}]+")
        self.fold = fold_case
        self.exact: dict[str, list[_Ref]] = defaultdict(list)
        self.by_token: dict[str, list[tuple[re.Pattern[str], _Ref]]] = defaultdict(list)
        self.always: list[tuple[re.Pattern[str], _Ref]] = []
        self._pending: list[tuple[list[str], re.Pattern[str], _Ref]] = []

    def add(self, pattern: str, ref: _Ref) -> None:
        key = pattern.lower() if self.fold else pattern
        if not has_wildcards(key) and not key.endswith("/"):
            self.exact[key].append(ref)
            return
        regex = glob_regex(key, self.fold)
        tokens = [t for t in self.split.split(key) if t and not has_wildcards(t)]
        if "[" in key or not tokens:
            self.always.append((regex, ref))
        else:
            self._pending.append((tokens, regex, ref))

    def build(self) -> None:
        """File every glob under its rarest token (call once, after the last ``add``)."""
        frequency: Counter[str] = Counter()
        for tokens, _, _ in self._pending:
            frequency.update(set(tokens))
        for tokens, regex, ref in self._pending:
            token = min(tokens, key=lambda t: (frequency[t], -len(t), t))
            self.by_token[token].append((regex, ref))
        self._pending = []

    def match(self, text: str) -> list[_Ref]:
        key = text.lower() if self.fold else text
        found = list(self.exact.get(key, ()))
        for token in set(self.split.split(key)):
            for regex, ref in self.by_token.get(token, ()):
                if regex.match(key):
                    found.append(ref)
        found.extend(ref for regex, ref in self.always if regex.match(key))
        return found


class _CidrIndex:
    """Networks grouped by (version, prefix length): one dictionary lookup per length."""

    def __init__(self) -> None:
        self.nets: dict[tuple[int, int], dict[int, list[_Ref]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def add(self, pattern: str, ref: _Ref) -> None:
        net = parse_cidr(pattern)
        self.nets[(net.version, net.prefixlen)][int(net.network_address)].append(ref)

    def match(self, address: str) -> list[_Ref]:
        try:
            ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
        except ValueError:
            return []
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        value, bits = int(ip), ip.max_prefixlen
        found: list[_Ref] = []
        for (version, prefix), table in self.nets.items():
            if version != ip.version:
                continue
            mask = ((1 << bits) - 1) ^ ((1 << (bits - prefix)) - 1)
            found.extend(table.get(value & mask, ()))
        return found


class _PortIndex:
    def __init__(self) -> None:
        self.single: dict[int, list[_Ref]] = defaultdict(list)
        self.ranges: list[tuple[int, int, _Ref]] = []

    def add(self, pattern: str, ref: _Ref) -> None:
        low, high = parse_port(pattern)
        if low == high:
            self.single[low].append(ref)
        else:
            self.ranges.append((low, high, ref))

    def match(self, port: int) -> list[_Ref]:
        found = list(self.single.get(port, ()))
        found.extend(ref for low, high, ref in self.ranges if low <= port <= high)
        return found


class _Rules:
    """Every rule of every context, compiled."""

    def __init__(self, contexts: Sequence[BusinessContext]) -> None:
        self.rules: list[tuple[str, MappingRule]] = []
        self.cidr = _CidrIndex()
        self.port = _PortIndex()
        self.host = _GlobIndex(".:", fold_case=True)
        self.path = _GlobIndex("/\\.", fold_case=False)
        self.purl = _GlobIndex("/:@?#.", fold_case=True)
        self.tag: dict[str, list[_Ref]] = defaultdict(list)
        self.asset: dict[str, list[_Ref]] = defaultdict(list)
        for context in sorted(contexts, key=lambda c: c.name):
            for rule in context.rules:
                ref = len(self.rules)
                self.rules.append((context.name, rule))
                kind = rule.kind
                if kind is MatchKind.CIDR:
                    self.cidr.add(rule.pattern, ref)
                elif kind is MatchKind.PORT:
                    self.port.add(rule.pattern, ref)
                elif kind is MatchKind.HOST:
                    self.host.add(rule.pattern, ref)
                elif kind is MatchKind.PATH:
                    self.path.add(rule.pattern, ref)
                elif kind is MatchKind.PURL:
                    self.purl.add(rule.pattern, ref)
                elif kind is MatchKind.TAG:
                    self.tag[rule.pattern.lower()].append(ref)
                else:
                    self.asset[rule.pattern].append(ref)
        for index in (self.host, self.path, self.purl):
            index.build()

    def matches(self, asset: AssetView, locators: Sequence[str]) -> dict[_Ref, str]:
        """rule number -> what it matched, for every rule that matches this asset."""
        found: dict[_Ref, str] = {}

        def hit(refs: Iterable[_Ref], what: str) -> None:
            for ref in refs:
                if ref not in found:
                    found[ref] = what

        hit(self.asset.get(asset.fingerprint, ()), f"fingerprint {asset.fingerprint}")
        hit(self.asset.get(asset.locator, ()), f"locator {asset.locator}")
        if asset.type == _ENDPOINT:
            address, port = _address_port(asset)
            if address:
                hit(self.cidr.match(address), f"address {address}")
            if port is not None:
                hit(self.port.match(port), f"port {port}")
        if asset.type in (_ENDPOINT, _CERTIFICATE):
            for host in _hosts(asset):
                hit(self.host.match(host), f"host {host}")
        if asset.type in _PATH_TYPES:
            for path in _paths(locators):
                hit(self.path.match(path), f"path {path}")
        if asset.type == AssetType.PACKAGE.value:
            hit(self.purl.match(asset.fingerprint), f"purl {asset.fingerprint}")
        if asset.type == AssetType.HARDWARE.value:
            for tag in _tags(asset):
                hit(self.tag.get(tag, ()), f"tag {tag}")
        return {
            ref: what
            for ref, what in found.items()
            if not self.rules[ref][1].asset_types or asset.type in self.rules[ref][1].asset_types
        }


def _reached(snapshot: Snapshot, attached: Iterable[int]) -> set[int]:
    """Every asset a link path (source -> target) reaches from the attached assets."""
    targets: dict[int, list[int]] = defaultdict(list)
    for link in snapshot.links:
        targets[link.source_id].append(link.target_id)
    seen = set(attached)
    frontier = list(seen)
    while frontier:
        following = []
        for node in frontier:
            for target in targets.get(node, ()):
                if target not in seen:
                    seen.add(target)
                    following.append(target)
        frontier = following
    return seen


def map_assets(
    snapshot: Snapshot,
    contexts: Sequence[BusinessContext],
    locations: ReadOnlyMap[int, Sequence[str]] | None = None,
) -> Mapping:
    """Attach every asset of the snapshot to the services whose rules match it.

    ``locations`` (asset id -> every locator it was seen at, see
    :func:`pqcscan.inventory.context_store.asset_locations`) lets path rules match a
    certificate at any place it was seen, not only where it was seen last.
    """
    rules = _Rules(contexts)
    hits = [0] * len(rules.rules)
    attachments: dict[int, tuple[Attachment, ...]] = {}
    per_service: dict[tuple[str, str], int] = defaultdict(int)
    unmapped: list[int] = []
    for asset in snapshot.assets:
        locators: Sequence[str] = (asset.locator,)
        if locations is not None and asset.id in locations:
            locators = (asset.locator, *locations[asset.id])
        found = rules.matches(asset, locators)
        if not found:
            unmapped.append(asset.id)
            continue
        chosen: dict[tuple[str, str], Attachment] = {}
        for ref in sorted(found):
            hits[ref] += 1
            context, rule = rules.rules[ref]
            key = (context, rule.service)
            if key not in chosen:
                chosen[key] = Attachment(context, rule.service, rule, found[ref])
        for key in chosen:
            per_service[key] += 1
        attachments[asset.id] = tuple(chosen[k] for k in sorted(chosen))
    reached = _reached(snapshot, attachments) - set(attachments)
    return Mapping(
        attachments=MappingProxyType(attachments),
        unmapped=tuple(unmapped),
        reached=frozenset(reached),
        rule_hits=tuple(
            RuleHits(context, rule, hits[i]) for i, (context, rule) in enumerate(rules.rules)
        ),
        service_assets=MappingProxyType(dict(per_service)),
    )
