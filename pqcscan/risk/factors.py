"""The six FSC measure-17 factors of one item, each on [0, 1] with its raw input and source.

========  =========================  =====================================================
factor    FSC name                   value
========  =========================  =====================================================
T         data confidentiality       Mosca: gap = X + Y - Z; T = clamp(0.5 + gap / span)
          period 資料保密期限          (or, with ``crqc.model: cdf``, T = P(CRQC <= X + Y))
I         business impact 業務影響     max impact of the dependant services / 5
D         business dependency 業務依賴  sum of the dependant services' impacts / (5 x services)
E         ecosystem relatedness        max ecosystem level of the dependants, at least the
          生態系關聯                    profile's floor when observed public; / 3
A         international alignment      1 if a counted regime action is in force; else
          國際接軌                      clamp(1 - (years to the earliest deadline - Y) / horizon)
V         cryptographic vulnerability  the highest rule value of the item's findings
          密碼弱點
========  =========================  =====================================================

Score = 100 x g x sum(w_i x factor_i), g = 0 when V = 0 (quantum-safe items score zero).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from pqcscan.catalog import Catalog, Classification, Deadline, Primitive, QuantumStatus
from pqcscan.inventory.snapshot import FindingView
from pqcscan.risk.graph import EMPTY, Reach, RetentionKey, ValueKey, iter_bits
from pqcscan.risk.items import ItemBuilder, WorkItem, display, years_between
from pqcscan.risk.model import Dependant, FactorScore, Mosca, Provenance, Threat
from pqcscan.risk.profile import RegimeChoice, RiskProfile
from pqcscan.risk.services import Direct, Services

#: Factor -> (English FSC name, Chinese FSC name).
FACTOR_NAMES = {
    "T": ("data confidentiality period", "資料保密期限"),
    "I": ("business impact", "業務影響"),
    "D": ("business dependency", "業務依賴"),
    "E": ("ecosystem relatedness", "生態系關聯"),
    "A": ("international alignment", "國際接軌"),
    "V": ("cryptographic vulnerability", "密碼弱點"),
}
MAX_IMPACT = 5
MAX_ECOSYSTEM = 3
ECOSYSTEM_NAMES = {
    0: "internal",
    1: "supplier-managed",
    2: "customer-facing",
    3: "interbank / payment network / regulator",
}
_ROUND = 4
#: Reach summaries kept by a :class:`Scorer` at most.
REACH_CACHE = 4096


def clamp(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


@dataclass(slots=True)
class Assessment:
    """Everything computed for one item, kept for its explanation."""

    retention_key: RetentionKey | None = None
    signature_key: ValueKey | None = None
    service_count: int = 0
    dependants: tuple[Dependant, ...] = ()
    direct: tuple[int, ...] = ()
    impact: int = 0
    impact_prov: Provenance = Provenance.DEFAULT
    impact_raw: str = ""
    ecosystem: int = 0
    eco_prov: Provenance = Provenance.DEFAULT
    eco_raw: str = ""
    public_source: str = ""
    d: float = 0.0
    d_raw: str = ""
    impact_sum: int = 0
    x: float = 0.0
    x_prov: Provenance = Provenance.DEFAULT
    x_source: str = ""
    y: float = 0.0
    y_prov: Provenance = Provenance.RULE
    y_source: str = ""
    y_rules: tuple[str, ...] = ()
    z: float = 0.0
    z_source: str = ""
    t: float = 0.0
    t_raw: str = ""
    a: float = 0.0
    a_raw: str = ""
    deadlines: tuple[Deadline, ...] = ()
    earliest: date | None = None
    in_force: bool = False
    slack: float | None = None
    v: float = 0.0
    v_raw: str = ""
    v_rule: str = ""
    factors: tuple[FactorScore, ...] = ()
    score: float = 0.0
    confidence: float = 0.0
    needs_context: bool = False
    owner: str | None = None


_FindingKey = tuple[str, str, str, int | None, int | None]


@dataclass(frozen=True, slots=True)
class _Reached:
    """The services reaching a set of assets, and the I, D, E they give."""

    count: int
    retention: RetentionKey | None
    signature: ValueKey | None
    direct: tuple[int, ...]
    dependants: tuple[Dependant, ...]
    impact: int
    impact_prov: Provenance
    impact_raw: str
    impact_sum: int
    d: float
    d_raw: str
    ecosystem: int
    eco_prov: Provenance
    eco_raw: str
    public_locator: str
    signals: frozenset[str]
    owner: str | None


class Scorer:
    """Computes the factors of items against one profile, context and date."""

    def __init__(
        self,
        profile: RiskProfile,
        catalog: Catalog,
        builder: ItemBuilder,
        as_of: date,
        services: Services,
        reach: Mapping[int, Reach],
        direct: Mapping[int, Sequence[Direct]],
    ) -> None:
        self.profile = profile
        self.catalog = catalog
        self.builder = builder
        self.as_of = as_of
        self.services = services
        self.reach = reach
        self.direct = direct
        self.crqc_date = date(profile.crqc_year, 1, 1)
        self.z = round(years_between(as_of, self.crqc_date), 2)
        self.z_source = (
            f"profile {profile.name}: CRQC assumed from {self.crqc_date.isoformat()}, "
            "a precautionary assumption"
        )
        self.weights = dict(profile.weights)
        self._all_deadlines: dict[_FindingKey, tuple[Deadline, ...]] = {}
        self._v: dict[tuple[object, ...], tuple[float, str, str]] = {}
        self.enabled = ", ".join(r.id for r in profile.regimes) or "none"
        #: The last summaries computed (bounded: items come sorted by key, so the items of
        #: one asset are neighbours; a summary for every asset of a million would be
        #: ~200 MB, see docs/performance.md).
        self._reach_cache: dict[tuple[int, ...], _Reached] = {}
        self._deadline_sets: dict[tuple[Deadline, ...], tuple[Deadline, ...]] = {}
        self._floats: dict[float, float] = {}
        self._dates: dict[date, date] = {}
        #: One ``Dependant`` per (service, direct): items list the same few. (Factor records
        #: are not shared: the engine spills each item's as soon as it is scored, and a
        #: table of every distinct one would outlive them; see docs/performance.md.)
        self._dependants: dict[tuple[int, bool], Dependant] = {}

    # -- context: I, D, E and the dependants ---------------------------------------------------

    def _reached(self, members: tuple[int, ...]) -> _Reached:
        """I, D, E and the dependants of a set of assets (cached: the items of one asset, and
        assets reached by the same services, share them)."""
        found = self._reach_cache.get(members)
        if found is not None:
            return found
        if len(members) == 1:
            r = self.reach.get(members[0], EMPTY)
            if r.count >= 0:  # a truncated set with its sizes (graph.propagate_inventory)
                found = self._summary(
                    r.bits,
                    r.count,
                    r.weighted,
                    r.public,
                    r.retention,
                    r.signature,
                    r.ecosystem,
                    {d.service: d for d in self.direct.get(members[0], ())},
                )
                self._remember(members, found)
                return found
        bits = 0
        public = 0
        retention: RetentionKey | None = None
        signature: ValueKey | None = None
        ecosystem: ValueKey | None = None
        direct: dict[int, Direct] = {}
        for member in members:
            r = self.reach.get(member, EMPTY)
            bits = r.bits if bits == 0 else bits | r.bits  # shared, not copied
            if r.public and (public == 0 or r.public < public):
                public = r.public
            if r.retention is not None and (retention is None or r.retention > retention):
                retention = r.retention
            if r.signature is not None and (signature is None or r.signature > signature):
                signature = r.signature
            if r.ecosystem is not None and (ecosystem is None or r.ecosystem > ecosystem):
                ecosystem = r.ecosystem
            for attached in self.direct.get(member, ()):
                direct.setdefault(attached.service, attached)
        weighted = sum(k * (bits & mask).bit_count() for k, mask in self.services.impact_masks)
        found = self._summary(
            bits, bits.bit_count(), weighted, public, retention, signature, ecosystem, direct
        )
        self._remember(members, found)
        return found

    def _share(self, x: float) -> float:
        """One ``float`` per value for what items keep (scores, years: a few thousand distinct
        values, 24 bytes each per item otherwise); zeros keep their sign."""
        if x == 0:
            return x
        return self._floats.setdefault(x, x)

    def _remember(self, members: tuple[int, ...], found: _Reached) -> None:
        """Cache a summary, forgetting them all past ``REACH_CACHE`` (the function is pure:
        a summary computed again is equal)."""
        if len(self._reach_cache) >= REACH_CACHE:
            self._reach_cache.clear()
        self._reach_cache[members] = found

    def _summary(
        self,
        bits: int,
        count: int,
        weighted: int,
        public: int,
        retention: RetentionKey | None,
        signature: ValueKey | None,
        ecosystem: ValueKey | None,
        direct: Mapping[int, Direct],
    ) -> _Reached:
        """I, D, E and the dependants from a dependant set (``bits`` holds at least its
        lowest ``max_services`` members; ``count`` and ``weighted`` are the whole set's)."""
        info = self.services.items
        p = self.profile
        listed = iter_bits(bits, p.max_services)
        signals: set[str] = set()
        # I
        if bits:
            top = info[listed[0]]
            impact, impact_prov = top.impact, Provenance.USER
            impact_raw = f"{top.impact} ({top.label})"
        else:
            impact, impact_prov = p.default_impact, Provenance.DEFAULT
            impact_raw = f"{impact} (default: no service depends on this item)"
            signals.add("unmapped")
        # D
        total = len(info)
        d = 0.0
        if total:
            d = weighted / (MAX_IMPACT * total)
            all_impact = self.services.total_impact
            share = weighted / all_impact if all_impact else 0.0
            d_raw = (
                f"{count} of {total} services depend on it; "
                f"impact {weighted} of {all_impact} ({share:.0%} of all impact); "
                f"D = {weighted} / ({MAX_IMPACT} x {total})"
            )
            if bits:
                d_raw += f"; highest: {info[listed[0]].label} ({info[listed[0]].impact})"
        else:
            d_raw = "no business context loaded"
        # E
        level, prov = p.default_ecosystem.level, Provenance.DEFAULT
        raw = f"{p.default_ecosystem.value} (default: no service)"
        if ecosystem is not None:
            level, prov = int(ecosystem[0]), Provenance.USER
            svc = info[-ecosystem[1]]
            raw = f"{svc.ecosystem.value} ({svc.label})"
            if level >= MAX_ECOSYSTEM:
                signals.add("counterparty")
        public_locator = ""
        if public:
            public_locator = self.builder.topology.assets[public].locator
            signals.add("public")
            if p.public_ecosystem_floor > level:
                level, prov = p.public_ecosystem_floor, Provenance.OBSERVED
                raw = f"{ECOSYSTEM_NAMES[level]}: observed public exposure ({public_locator})"
            else:
                raw += f"; observed public exposure ({public_locator})"
        if any(info[i].vendor_controlled for i in direct):
            signals.add("vendor-controlled")
        owners = [info[i].owner for i in sorted(direct) if info[i].owner]
        return _Reached(
            count=count,
            retention=retention,
            signature=signature,
            direct=tuple(sorted(direct)),
            dependants=tuple(self._dependant(i, i in direct) for i in listed),
            impact=impact,
            impact_prov=impact_prov,
            impact_raw=impact_raw,
            impact_sum=weighted,
            d=d,
            d_raw=d_raw,
            ecosystem=level,
            eco_prov=prov,
            eco_raw=raw,
            public_locator=public_locator,
            signals=frozenset(signals),
            owner=owners[0] if owners else None,
        )

    def _dependant(self, index: int, direct: bool) -> Dependant:
        """One shared ``Dependant`` per (service, direct): items list the same few."""
        key = (index, direct)
        found = self._dependants.get(key)
        if found is None:
            svc = self.services.items[index]
            found = self._dependants[key] = Dependant(svc.label, svc.impact, direct)
        return found

    def context(self, item: WorkItem, a: Assessment) -> None:
        """Dependants, I, D and E from the services reaching the item's assets."""
        r = self._reached(tuple(item.members))
        a.service_count, a.direct, a.dependants = r.count, r.direct, r.dependants
        a.retention_key, a.signature_key = r.retention, r.signature
        a.impact, a.impact_prov, a.impact_raw = r.impact, r.impact_prov, r.impact_raw
        a.impact_sum, a.d, a.d_raw = r.impact_sum, r.d, r.d_raw
        a.ecosystem, a.eco_prov, a.eco_raw = r.ecosystem, r.eco_prov, r.eco_raw
        a.public_source = r.public_locator
        item.add_signals(r.signals)
        declared = item.asset.details.get("owner")
        a.owner = r.owner or (str(declared) if declared else None)
        item.impact, item.impact_source, item.ecosystem = r.impact, r.impact_prov, r.ecosystem

    # -- Y ---------------------------------------------------------------------------------

    def migration(self, item: WorkItem, a: Assessment) -> None:
        """Y from the user's overrides, else the rule table and its multipliers."""
        info = self.services.items
        overrides: list[tuple[float, str]] = []
        for i in a.direct:
            years = info[i].migration_years
            if years is not None:
                overrides.append((float(years), info[i].label))
        declared = item.asset.details.get("migration_years")
        if isinstance(declared, int | float) and not isinstance(declared, bool) and declared > 0:
            overrides.append((float(declared), "declared with the asset"))
        if overrides:
            years, who = max(overrides, key=lambda o: (o[0], o[1]))
            a.y, a.y_prov = self._share(round(years, 2)), Provenance.USER
            a.y_source = f"user: migration_years of {who}"
            a.y_rules = ()
        else:
            base = next(r for r in self.profile.migration_rules if r.when.matches(item))
            years = base.years
            parts = [
                f"rule {base.id} ({base.note}: {base.years:g} y)"
                if base.note
                else f"rule {base.id} ({base.years:g} y)"
            ]
            used = [base.id]
            for m in self.profile.multipliers:
                if m.when.matches(item):
                    years *= m.factor
                    parts.append(f"x {m.id} {m.factor:g}")
                    used.append(m.id)
            a.y, a.y_prov = self._share(round(years, 2)), Provenance.RULE
            a.y_source = " ".join(parts)
            a.y_rules = tuple(used)
        item.y = a.y

    # -- X, Z, T ---------------------------------------------------------------------------

    def timing(self, item: WorkItem, a: Assessment) -> None:
        """X (retention or signature lifetime), Z, the Mosca gap and T."""
        info = self.services.items
        p = self.profile
        if item.confidentiality:
            key = a.retention_key
            if key is not None:
                years, prov, index = Reach.retention_of(key)
                svc = info[index]
                a.x, a.x_prov = years, prov
                if prov is Provenance.DEFAULT:
                    a.x_source = f"default: {svc.label} states no retention (profile default)"
                else:
                    a.x_source = f"{prov.value}: {svc.label}, {svc.retention_note}"
            else:
                a.x, a.x_prov = p.default_retention_years, Provenance.DEFAULT
                a.x_source = "default: no service depends on this item (profile default)"
        else:
            candidates: list[tuple[float, int, Provenance, str]] = []
            sig = a.signature_key
            if sig is not None:
                svc = info[-sig[1]]
                candidates.append(
                    (
                        float(sig[0]),
                        2,
                        Provenance.USER,
                        f"user: {svc.label}, signature lifetime",
                    )
                )
            if item.validity_years is not None:
                candidates.append(
                    (
                        item.validity_years,
                        1,
                        Provenance.OBSERVED,
                        f"observed: {item.validity_note}",
                    )
                )
            if candidates:
                years, _, prov, source = max(candidates)
                a.x, a.x_prov, a.x_source = years, prov, source
            else:
                a.x, a.x_prov = p.default_signature_lifetime_years, Provenance.DEFAULT
                a.x_source = "default: no signature lifetime stated (profile default)"
        a.x = round(a.x, 2)
        a.z, a.z_source = self.z, self.z_source
        gap = self._share(round(a.x + a.y - a.z, 2))
        item.gap = gap
        if p.crqc_model == "cdf":
            horizon = a.x + a.y
            a.t = round(cdf(p.cdf, horizon), _ROUND)
            a.t_raw = (
                f"P(CRQC within X + Y = {horizon:.1f} y) = {a.t:.2f} ({p.cdf_source}); "
                f"gap vs {p.crqc_year}: {gap:+.1f} y"
            )
        else:
            a.t = round(clamp(0.5 + gap / p.timing_span_years), _ROUND)
            late = "late" if gap > 0 else "to spare" if gap < 0 else "exactly on time"
            a.t_raw = (
                f"gap {gap:+.1f} y = X {a.x:g} + Y {a.y:g} - Z {a.z:g} ({abs(gap):.1f} y {late})"
                if gap
                else f"gap 0 y = X {a.x:g} + Y {a.y:g} - Z {a.z:g} (exactly on time)"
            )

    # -- A ---------------------------------------------------------------------------------

    def _finding_deadlines(self, f: FindingView) -> tuple[Deadline, ...]:
        key = (f.algorithm, f.parameter, f.quantum_status, f.classical_bits, f.nist_category)
        found = self._all_deadlines.get(key)
        if found is None:
            alg = self.catalog.algorithm(f.algorithm)
            c = Classification(
                algorithm=f.algorithm,
                parameter=f.parameter,
                status=QuantumStatus(f.quantum_status),
                family=alg.family if alg else "",
                primitive=alg.primitive if alg else Primitive.OTHER,
                classical_bits=f.classical_bits,
                nist_category=f.nist_category,
                pseudo=alg.pseudo if alg else False,
            )
            found = self.catalog.deadlines(c) if f.algorithm != "unknown" else ()
            self._all_deadlines[key] = found
        return found

    @staticmethod
    def _scope(choice: RegimeChoice, item: WorkItem) -> str | None:
        """The regime scope chosen for the item: None = all scopes, "" = unscoped rules only."""
        if not choice.scopes:
            return None
        for scope, when in choice.scopes:
            if when.matches(item):
                return scope
        return ""

    def alignment(self, item: WorkItem, a: Assessment) -> set[int]:
        """A, the counted deadlines, in-force and slack; returns the flagged finding ids."""
        p = self.profile
        scopes = {c.id: (c, self._scope(c, item)) for c in p.regimes}
        flagged: set[int] = set()
        chosen: dict[tuple[str, str, int, str, str], Deadline] = {}
        for f in item.findings:
            for d in self._finding_deadlines(f):
                entry = scopes.get(d.regime)
                if entry is None:
                    continue
                choice, scope = entry
                if d.action not in choice.actions:
                    continue
                if scope is not None and d.scope and d.scope != scope:
                    continue
                flagged.add(f.id)
                chosen.setdefault((d.regime, d.action, d.year, d.scope, d.note), d)
        deadlines = tuple(sorted(chosen.values(), key=lambda d: (d.year, d.regime, d.action)))
        deadlines = self._deadline_sets.setdefault(deadlines, deadlines)
        a.deadlines = deadlines
        if not deadlines:
            a.a, a.earliest, a.in_force, a.slack = 0.0, None, False, None
            a.a_raw = f"no deadline in the enabled regimes ({self.enabled})"
        else:
            first = deadlines[0]
            effective = first.effective
            a.earliest = self._dates.setdefault(effective, effective)
            a.in_force = first.effective <= self.as_of
            to_go = years_between(self.as_of, first.effective)
            a.slack = self._share(round(to_go - a.y, 2))
            what = f"{first.regime_name}: {first.action} from {first.year}"
            if first.scope:
                what += f" ({first.scope})"
            if a.in_force:
                a.a = 1.0
                a.a_raw = f"{what}: already in force"
            else:
                a.a = round(clamp(1 - a.slack / p.alignment_horizon_years), _ROUND)
                a.a_raw = f"{what}: {to_go:.1f} y away - Y {a.y:g} = slack {a.slack:+.1f} y"
        item.in_force, item.slack = a.in_force, a.slack
        return flagged

    # -- V ---------------------------------------------------------------------------------

    def vulnerability(self, item: WorkItem, a: Assessment, flagged: set[int]) -> None:
        best: tuple[float, int, int] | None = None
        best_text = ("", "")
        signals = frozenset(item.signals)
        for f in item.findings:
            conf = self.builder.finding_confidential(f)
            is_flagged = f.id in flagged
            key = (
                f.algorithm,
                f.parameter,
                f.quantum_status,
                f.usage,
                item.use,
                conf,
                is_flagged,
                signals,
            )
            found = self._v.get(key)
            if found is None:
                family = self.builder.family(f.algorithm)
                for rule in self.profile.vulnerability_rules:
                    if rule.when.matches(
                        status=f.quantum_status,
                        usage=f.usage,
                        use=item.use,
                        confidentiality=conf,
                        regime_flagged=is_flagged,
                        algorithm=f.algorithm,
                        family=family,
                        signals=signals,
                    ):
                        found = (rule.value, rule.id, rule.label)
                        break
                else:  # unreachable: the last rule matches everything
                    found = (0.0, "", "")
                self._v[key] = found
            value, rule_id, label = found
            rank = (value, -f.id, 0)
            if best is None or rank > best:
                best = rank
                best_text = (rule_id, f"{display(f.algorithm, f.parameter)} {f.usage}: {label}")
        a.v = best[0] if best else 0.0
        a.v_rule, a.v_raw = best_text
        item.v = a.v
        # Regime-only concerns (AES-128 under CNSA 2.0, ML-DSA-65 under the ASD ISM) keep the
        # threat "none": nothing is broken or Shor-vulnerable, a regime just wants more.
        if a.v == 0:
            item.threat = Threat.NONE
        elif item.status == QuantumStatus.CLASSICALLY_BROKEN:
            item.threat = Threat.WEAK

    # -- score -----------------------------------------------------------------------------

    def score(self, item: WorkItem, a: Assessment) -> None:
        """The factor records, the score, confidence and needs-context."""
        intern = sys.intern
        a.t_raw, a.a_raw, a.x_source, a.y_source, a.v_raw = (
            intern(a.t_raw),
            intern(a.a_raw),
            intern(a.x_source),
            intern(a.y_source),
            intern(a.v_raw),
        )
        values = {
            "T": (a.t, a.t_raw, _weakest(a.x_prov, a.y_prov)),
            "I": (round(a.impact / MAX_IMPACT, _ROUND), a.impact_raw, a.impact_prov),
            "D": (
                round(a.d, _ROUND),
                a.d_raw,
                Provenance.USER if a.service_count else Provenance.DEFAULT,
            ),
            "E": (round(a.ecosystem / MAX_ECOSYSTEM, _ROUND), a.eco_raw, a.eco_prov),
            "A": (a.a, a.a_raw, Provenance.RULE),
            "V": (a.v, a.v_raw, Provenance.OBSERVED),
        }
        g = 0.0 if a.v == 0 else 1.0
        factors = []
        total = 0.0
        for f in ("T", "I", "D", "E", "A", "V"):
            value, raw, source = values[f]
            weight = self.weights[f]
            points = 100 * weight * value * g
            total += points
            name, name_zh = FACTOR_NAMES[f]
            record = FactorScore(f, name, name_zh, raw, value, weight, round(points, 2), source)
            factors.append(record)
        a.factors = tuple(factors)
        a.score = self._share(round(total, 1))
        inputs = (a.x_prov, a.impact_prov, a.eco_prov, a.y_prov)
        a.confidence = self._share(
            round(sum(1 for s in inputs if s is not Provenance.DEFAULT) / 4, 2)
        )
        a.needs_context = a.impact_prov is Provenance.DEFAULT or (
            item.confidentiality and a.x_prov is Provenance.DEFAULT
        )
        item.score = a.score

    def mosca(self, a: Assessment) -> Mosca:
        return Mosca(a.x, a.x_source, a.y, a.y_source, a.z, a.z_source)


def _weakest(*sources: Provenance) -> Provenance:
    order = (Provenance.DEFAULT, Provenance.USER, Provenance.OBSERVED, Provenance.RULE)
    for candidate in order:
        if candidate in sources:
            return candidate
    return Provenance.RULE


def cdf(points: Sequence[tuple[float, float]], years: float) -> float:
    """Piecewise-linear P(CRQC within ``years``) through (0, 0) and ``points``; beyond the
    last point the last segment's slope continues, capped at 1."""
    pts = [(0.0, 0.0), *points]
    if years <= 0:
        return 0.0
    for (x0, p0), (x1, p1) in pairwise(pts):
        if years <= x1:
            return clamp(p0 + (p1 - p0) * (years - x0) / (x1 - x0))
    (x0, p0), (x1, p1) = pts[-2], pts[-1]
    slope = (p1 - p0) / (x1 - x0)
    return clamp(p1 + slope * (years - x1))
