"""``rank()``: from an inventory snapshot, business contexts and a profile to a backlog.

Steps (each in its own module): items (:mod:`.items`) -> dependency graph and propagation of
the services' context (:mod:`.graph`) -> factors and score (:mod:`.factors`) -> waves,
precedence, order and due dates (:mod:`.waves`) -> remediation (:mod:`.remediation`) ->
explanations (:mod:`.explain`). The function is pure and deterministic: the same inputs give
the same items in the same order, whatever the order of the snapshot's tuples.

:func:`rank_lazily` is the same ranking with the output items rendered one at a time, in
backlog order, as they are iterated: a caller that stores them in batches
(:func:`pqcscan.inventory.risk_store.save_ranking`) never holds a million ``RankedItem``
values at once. :func:`rank` is ``rank_lazily`` collected into a ``RiskResult``.
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from pqcscan.catalog import Deadline, get_catalog
from pqcscan.context.model import BusinessContext
from pqcscan.inventory.snapshot import AssetView, FindingTable, FindingView, LinkView, Snapshot
from pqcscan.risk.explain import dependants_phrase, wave_reason
from pqcscan.risk.factors import Assessment, Scorer
from pqcscan.risk.graph import Reach, betweenness, build_graph, propagate_inventory
from pqcscan.risk.items import (
    DAYS_PER_YEAR,
    ItemBuilder,
    ItemHead,
    WorkItem,
    endpoint_address,
    finding_lookup,
    is_public_address,
    publicly_trusted,
    years_between,
)
from pqcscan.risk.model import (
    Dependant,
    FactorScore,
    Mosca,
    Provenance,
    RankedItem,
    RiskResult,
    Wave,
)
from pqcscan.risk.profile import RiskProfile
from pqcscan.risk.remediation import remediate
from pqcscan.risk.services import Services, direct_attachments, resolve_services
from pqcscan.risk.spill import Shared, Spill
from pqcscan.risk.waves import (
    Schedule,
    Schedules,
    due_date,
    precedence_edges,
    rule_wave,
    schedule,
)

MODEL_VERSION = "pqcscan-risk/1"
#: Provenance by value (faster than calling the enum, a million times).
_PROVENANCE = {p.value: p for p in Provenance}


def _contexts(
    contexts: BusinessContext | Sequence[BusinessContext] | None,
) -> list[BusinessContext]:
    if contexts is None:
        return []
    if isinstance(contexts, BusinessContext):
        return [contexts]
    return list(contexts)


def _link_order(lk: LinkView) -> tuple[int, str, int]:
    return (lk.source_id, lk.relation, lk.target_id)


def _ascending(values: Sequence[Any], key: Callable[[Any], Any]) -> bool:
    """``values`` is strictly increasing by ``key`` (sorted, no duplicates)."""
    previous = None
    for v in values:
        k = key(v)
        if previous is not None and not previous < k:
            return False
        previous = k
    return True


def _sorted_snapshot(snapshot: Snapshot) -> Snapshot:
    """The same snapshot with every tuple in id order (input order must not matter); the
    snapshot itself when it already is (``load_snapshot``'s: no copy of a million rows)."""
    assets, findings, links = snapshot.assets, snapshot.findings, snapshot.links
    if not _ascending(assets, _asset_id):
        assets = tuple(sorted(assets, key=_asset_id))
    if isinstance(findings, FindingTable):
        in_order = _ascending(findings.ids(), int)  # the id column: no view is made
    else:
        in_order = _ascending(findings, _finding_id)
    if not in_order:
        findings = tuple(sorted(findings, key=_finding_id))
    if not _ascending(links, _link_order):
        links = tuple(sorted(set(links), key=_link_order))
    if assets is snapshot.assets and findings is snapshot.findings and links is snapshot.links:
        return snapshot
    return Snapshot(assets, findings, links)


def _asset_id(a: AssetView) -> int:
    return a.id


def _finding_id(f: FindingView) -> int:
    return f.id


@lru_cache(maxsize=4096)
def deadline_text(d: Deadline) -> str:
    """``<regime> [scope]: <action> from <year> — <note> — <citation>``."""
    scope = f" [{d.scope}]" if d.scope else ""
    note = f" — {d.note}" if d.note else ""
    return f"{d.regime_name}{scope}: {d.action} from {d.year}{note} — {d.citation}"


def _wave_rule(s: Schedule) -> str:
    if s.pulled == "precedence":
        return f"P1 precedence (own rule {s.rule_id})"
    if s.pulled == "cycle":
        return f"S1 dependency cycle (own rule {s.rule_id})"
    return f"{s.rule_id} {s.rule_label}"


@dataclass(frozen=True, slots=True)
class _Scored:
    """What an item's output needs of its :class:`Assessment`, spilled until it is rendered
    (an ``Assessment`` is three times the size)."""

    mosca: Mosca
    factors: tuple[FactorScore, ...]
    deadlines: tuple[Deadline, ...]
    earliest: date | None
    y: float
    service_count: int
    impact_sum: int
    dependants: tuple[Dependant, ...]
    v_raw: str
    score: float
    confidence: float
    needs_context: bool
    owner: str | None

    def packed(self, shared: Shared) -> tuple[Any, ...]:
        """Plain values for a spill record (see :meth:`unpacked`)."""
        return (
            shared.number(self.mosca),
            tuple(
                (f.factor, f.name, f.name_zh, f.raw, f.value, f.weight, f.points, f.source.value)
                for f in self.factors
            ),
            shared.number(self.deadlines),
            self.earliest,
            self.y,
            self.service_count,
            self.impact_sum,
            tuple([shared.number(d) for d in self.dependants]),
            self.v_raw,
            self.score,
            self.confidence,
            self.needs_context,
            self.owner,
        )

    @classmethod
    def unpacked(cls, values: Sequence[Any], shared: Shared) -> _Scored:
        (mosca, factors, deadlines, earliest, y, count, impact_sum, dependants, *rest) = values
        v_raw, score, confidence, needs_context, owner = rest
        # Texts are interned: a caller collecting every item (``rank()``) holds one copy of
        # each repeated text, not one per item; an interned ``str`` is freed with its last
        # reference, so the lazy path keeps nothing.
        intern = sys.intern
        return cls(
            shared[mosca],
            tuple(
                FactorScore(
                    intern(f[0]),
                    intern(f[1]),
                    intern(f[2]),
                    intern(f[3]),
                    f[4],
                    f[5],
                    f[6],
                    _PROVENANCE[f[7]],
                )
                for f in factors
            ),
            shared[deadlines],
            earliest,
            y,
            count,
            impact_sum,
            tuple(shared[d] for d in dependants),
            intern(v_raw),
            score,
            confidence,
            needs_context,
            owner,
        )


def _scored(a: Assessment, scorer: Scorer, crqc_year: int) -> _Scored:
    return _Scored(
        replace(scorer.mosca(a), crqc_year=crqc_year),
        a.factors,
        a.deadlines,
        a.earliest,
        a.y,
        a.service_count,
        a.impact_sum,
        a.dependants,
        a.v_raw,
        a.score,
        a.confidence,
        a.needs_context,
        a.owner,
    )


def _ranked(
    item: WorkItem,
    a: _Scored,
    s: Schedule,
    heads: Sequence[ItemHead],
    services: Services,
    as_of: date,
    profile: RiskProfile,
    metric: float | None,
) -> RankedItem:
    earliest_label = a.deadlines[0].regime_name if a.deadlines else ""
    due, basis = due_date(s.wave, as_of, profile, a.earliest, earliest_label, a.y)
    # The migration could finish Y years after it starts (by the due date at the latest):
    # an appliance whose support ends before that is to be replaced, not upgraded.
    finish = (due or as_of) + timedelta(days=round(a.y * DAYS_PER_YEAR))
    item.finish = finish
    if item.support_end is not None and item.support_end < finish:
        item.add_signals({"support-ends-before-migration"})
    mosca = a.mosca
    deps = dependants_phrase(a.service_count, len(services), a.impact_sum, a.dependants, services)
    return RankedItem(
        key=item.key,
        asset_id=item.asset.id,
        asset_type=item.asset.type,
        locator=item.asset.locator,
        title=item.title,
        usage=item.use,
        threat=item.threat,
        algorithms=item.displays,
        status=item.status,
        score=a.score,
        wave=s.wave,
        wave_rule=_wave_rule(s),
        wave_reason=wave_reason(item, s, deps, a.v_raw),
        confidence=a.confidence,
        needs_context=a.needs_context,
        mosca=mosca,
        factors=a.factors,
        services=tuple(d.service for d in a.dependants),
        owner=a.owner,
        blocks=tuple(heads[m].key for m in s.blocks),
        blocked_by=tuple(heads[m].key for m in s.blocked_by),
        evidence=tuple(item.evidence),
        remediation=remediate(item, as_of),
        deadlines=tuple(deadline_text(d) for d in a.deadlines),
        due=due,
        service_count=a.service_count,
        dependants=a.dependants,
        signals=tuple(sorted(item.signals)),
        rule_wave=s.rule_wave if s.pulled else None,
        due_basis=basis,
        metrics=(("betweenness", metric),) if metric is not None else (),
    )


class Ranking:
    """A ranking whose items are rendered as they are iterated, in backlog order.

    ``header`` is the :class:`RiskResult` without its items; ``len()`` is the number of items.
    Iterating again renders the same items again.
    """

    __slots__ = ("_render", "header", "order")

    def __init__(self, header: RiskResult, order: list[int], render: _Render) -> None:
        self.header = header
        self.order = order
        self._render = render

    def __len__(self) -> int:
        return len(self.order)

    def __iter__(self) -> Iterator[RankedItem]:
        render = self._render
        for n in self.order:
            yield render(n)


@dataclass(frozen=True, slots=True)
class _Render:
    """Everything ``_ranked`` needs, kept by a :class:`Ranking` until it is iterated."""

    heads: list[ItemHead]
    spill: Spill
    shared: Shared
    assets: Mapping[int, AssetView]
    finding: Callable[[int], FindingView]
    schedules: Schedules
    services: Services
    as_of: date
    profile: RiskProfile
    central: dict[int, float] | None

    def __call__(self, n: int) -> RankedItem:
        head = self.heads[n]
        packed, packed_scores = self.spill.get(n)
        item = WorkItem.unpacked(packed, self.assets, self.finding)
        scored = _Scored.unpacked(packed_scores, self.shared)
        item.wave = head.wave  # the spilled item has its rule's wave, before precedence
        metric = (
            None if self.central is None else max(self.central.get(m, 0.0) for m in item.members)
        )
        return _ranked(
            item,
            scored,
            self.schedules[n],
            self.heads,
            self.services,
            self.as_of,
            self.profile,
            metric,
        )


def rank(
    snapshot: Snapshot,
    contexts: BusinessContext | Sequence[BusinessContext] | None,
    mapping: Any,
    profile: RiskProfile,
    as_of: date,
) -> RiskResult:
    """Rank every migration item of ``snapshot`` into a backlog.

    ``contexts`` are the loaded business contexts (or none); ``mapping`` is the result of
    :func:`pqcscan.context.mapping.map_assets` (or a plain ``{asset id: ((service id, rule),
    ...)}`` dict, or None); ``profile`` comes from :func:`load_profile`. Pure and
    deterministic: identical inputs give identical output, in backlog order (wave, providers
    first, score descending, key).
    """
    ranking = rank_lazily(snapshot, contexts, mapping, profile, as_of)
    return replace(ranking.header, items=tuple(ranking))


def rank_lazily(
    snapshot: Snapshot,
    contexts: BusinessContext | Sequence[BusinessContext] | None,
    mapping: Any,
    profile: RiskProfile,
    as_of: date,
) -> Ranking:
    """:func:`rank`, with the items rendered one at a time as the result is iterated (the
    header's ``items`` is empty). Same arguments, same items, same order."""
    catalog = get_catalog()
    snap = _sorted_snapshot(snapshot)
    services = resolve_services(_contexts(contexts), profile)
    direct = direct_attachments(mapping, services)
    builder = ItemBuilder(snap, catalog, as_of)
    # Whole items wait on disk; scheduling works on their heads (see risk/spill.py).
    built, heads, at = _spill_items(builder)
    assets = builder.topology.assets
    finding = finding_lookup(snap.findings)
    public = [
        a.id
        for a in snap.assets
        if a.type == "endpoint" and (is_public_address(endpoint_address(a)) or publicly_trusted(a))
    ]
    # Items of several assets (a certificate and the keys it certifies) need their members'
    # whole dependant sets; every other asset keeps only the services an item lists.
    full = {m for head in heads if len(head.members) > 1 for m in head.members}
    propagation = propagate_inventory(
        snap, services, direct, public, truncate=max(profile.max_services, 1), full=full
    )
    del full
    central = (
        betweenness(
            build_graph(snap, services, direct), profile.betweenness_k, profile.betweenness_seed
        )
        if profile.betweenness
        else None
    )
    cycles = propagation.cycles
    reach = propagation.reach
    if not isinstance(reach, dict):
        reach = dict(reach)
    del propagation
    scorer = Scorer(profile, catalog, builder, as_of, services, reach, direct)
    scored = _score_items(heads, built, at, scorer, reach, assets, finding)
    built.close()
    del scorer, reach, built, at  # the reach of every asset: no longer needed
    edges = precedence_edges(heads, builder.topology)
    order = schedule(heads, scored.schedules, edges, cycles)
    del edges
    notes = _notes(heads, scored.needs_context, services, profile, central is not None)
    header = RiskResult(
        items=(),
        model_version=MODEL_VERSION,
        profile_name=profile.name,
        profile_sha256=profile.sha256,
        context_name=services.context_name,
        context_sha256=services.context_sha256,
        as_of=as_of,
        crqc_year=profile.crqc_year,
        unmapped_assets=tuple(sorted(scored.unmapped)),
        crqc_assumption=profile.crqc_assumption,
        crqc_model=profile.crqc_model,
        notes=notes,
    )
    render = _Render(
        heads,
        scored.spill,
        scored.shared,
        assets,
        finding,
        scored.schedules,
        services,
        as_of,
        profile,
        central,
    )
    return Ranking(header, order, render)


def _spill_items(builder: ItemBuilder) -> tuple[Spill, list[ItemHead], array[int]]:
    """Build every item into a spill: (the spill, the items' heads sorted by key, where
    each head's item is in the spill)."""
    built = Spill()
    spilled = [(ItemHead.of(item), built.put(item.packed())) for item in builder.items()]
    spilled.sort(key=_spilled_key)
    heads = [head for head, _ in spilled]
    at = array("I", [n for _, n in spilled])
    return built, heads, at


def _spilled_key(spilled: tuple[ItemHead, int]) -> str:
    return spilled[0].key


@dataclass(slots=True)
class _Scores:
    """What scoring leaves: the scored items' spill and what the header counts."""

    spill: Spill
    shared: Shared
    schedules: Schedules
    unmapped: set[str]
    needs_context: int = 0


def _score_items(
    heads: Sequence[ItemHead],
    built: Spill,
    at: Sequence[int],
    scorer: Scorer,
    reach: dict[int, Reach],
    assets: Mapping[int, AssetView],
    finding: Callable[[int], FindingView],
) -> _Scores:
    """Score each item and take its rule's wave, in key order (``at``: where each head's
    item is in ``built``); each goes to a new spill with its scores, at its head's index;
    its head keeps what scheduling reads."""
    profile, as_of = scorer.profile, scorer.as_of
    out = _Scores(Spill(), Shared(), Schedules(), set())
    # An asset's reach is dropped after the last item reading it: the propagation shrinks
    # while the scores grow, instead of both being whole at the end of scoring.
    readers = Counter(m for head in heads for m in head.members)
    for head, n in zip(heads, at, strict=True):
        item = WorkItem.unpacked(built.get(n), assets, finding)
        a = Assessment()
        scorer.context(item, a)
        scorer.migration(item, a)
        scorer.timing(item, a)
        flagged = scorer.alignment(item, a)
        scorer.vulnerability(item, a, flagged)
        scorer.score(item, a)
        if item.support_end is not None and years_between(as_of, item.support_end) < item.y:
            item.add_signals({"support-ends-before-migration"})  # even starting today
        wave, rule_id, label = rule_wave(item, profile)
        item.wave = wave
        out.schedules.append(wave, rule_id, label)
        kept = _scored(a, scorer, profile.crqc_year)
        if not kept.service_count:
            out.unmapped.add(f"{item.asset.type}:{item.asset.fingerprint}")
        out.needs_context += kept.needs_context
        head.score, head.signals, head.wave = item.score, item.signals, wave
        out.spill.put((item.packed(), kept.packed(out.shared)))
        for m in item.members:
            readers[m] -= 1
            if not readers[m]:
                reach.pop(m, None)
    return out


def _notes(
    items: Sequence[ItemHead],
    needs: int,
    services: Services,
    profile: RiskProfile,
    central: bool,
) -> tuple[str, ...]:
    out = [
        f"CRQC year {profile.crqc_year}: {profile.crqc_assumption}",
    ]
    if profile.crqc_model == "cdf":
        out.append(f"T is P(CRQC within X + Y) from {profile.cdf_source}")
    if needs:
        out.append(
            f"{needs} of {len(items)} items rank on default business context (impact "
            f"{profile.default_impact}, retention {profile.default_retention_years:g} y): "
            "attach their assets to services"
        )
    if not len(services):
        out.append("no business context loaded: every item uses the profile defaults")
    missing = sorted(
        {
            f"{s.label} -> {dep}"
            for s in services.items
            for dep in s.depends_on
            if services.resolve(s.context, dep) is None
        }
    )
    if missing:
        out.append("depends_on naming no known service (ignored): " + ", ".join(missing))
    if central:
        out.append(
            f"betweenness: sampled on {profile.betweenness_k} nodes (seed "
            f"{profile.betweenness_seed}); reported only, not scored"
        )
    waves = {w: sum(1 for i in items if i.wave is w) for w in Wave}
    out.append("waves: " + ", ".join(f"{w.value} {n}" for w, n in waves.items()))
    return tuple(out)
