"""Waves, precedence, backlog order and due dates.

1. **Rules**: a quantum-safe item (V = 0) is ``monitor``; any other takes the wave of the
   profile's first matching wave rule (the last rule matches everything).
2. **Precedence**: an edge *consumer -> provider* says the consumer cannot finish before the
   provider has migrated: a certificate's issuer signature needs its issuer's key
   (``issued_by``), an endpoint's authentication needs the certificate or host key it presents
   (``presents``), a package needs the libraries it is built with (``built_with``), and a TLS
   endpoint's key exchange needs TLS 1.3 before it can go hybrid (``requires``). Items of a
   dependency cycle (assets in one strongly connected component) are tied together
   (``cycle``). On the condensation of that graph, in topological order, each provider takes
   the earliest wave of the consumers it blocks; a cycle shares one wave. ``monitor`` items
   are done: they neither block nor get pulled.
3. **Order**: wave, then providers before their consumers, then *urgency* descending (the
   highest score an item unlocks in its wave: its own, or that of a consumer waiting for it),
   then score, then key -- a topological sort that always emits the most urgent available
   item (a priority queue). A low-score provider of a high-score item comes right before it,
   and precedence never buries a high-score item behind unrelated low-score providers.
4. **Due**: ``as_of`` + the wave's months; with ``due_by_deadline`` brought forward to the
   strictest counted regime deadline minus the migration time (never before ``as_of``).
"""

from __future__ import annotations

import calendar
import heapq
from array import array
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

import networkx as nx

from pqcscan.risk.graph import csr, tarjan
from pqcscan.risk.items import Topology, WorkItem
from pqcscan.risk.model import Wave
from pqcscan.risk.profile import RiskProfile

WAVE_RANK = {Wave.NOW: 0, Wave.NEXT: 1, Wave.LATER: 2, Wave.MONITOR: 3}
RANK_WAVE = {v: k for k, v in WAVE_RANK.items()}
MONITOR_RULE = (
    "M0",
    "V = 0: nothing to migrate under this profile (monitored, not in the backlog)",
)
#: Which uses of a provider asset a consumer waits for.
_KEY_USES = ("subject-key", "host-key", "key")


class Scheduled(Protocol):
    """What precedence and ordering read of an item: a :class:`~pqcscan.risk.items.WorkItem`
    or its :class:`~pqcscan.risk.items.ItemHead`."""

    wave: Wave

    @property
    def key(self) -> str: ...
    @property
    def asset_id(self) -> int: ...
    @property
    def use(self) -> str: ...
    @property
    def signals(self) -> AbstractSet[str]: ...
    @property
    def score(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Schedule:
    """Wave bookkeeping of one item (read from :class:`Schedules`)."""

    rule_wave: Wave
    rule_id: str
    rule_label: str
    wave: Wave
    pulled: str = ""  # "" | "precedence" | "cycle"
    cycle_size: int = 1
    #: Consumer and provider item indices.
    blocks: Sequence[int] = ()
    blocked_by: Sequence[int] = ()
    pulled_by: int = 0  # direct consumers in the final wave
    #: The highest score among the item and what it (transitively) unblocks in its wave.
    urgency: float = 0.0


_PULLED = ("", "precedence", "cycle")


class Schedules:
    """The wave bookkeeping of every item, in columns (a record per item cost ~120 bytes:
    ~80 MB at a million items); ``schedules[n]`` is item ``n``'s :class:`Schedule`."""

    __slots__ = (
        "_blocked_by",
        "_blocked_by_start",
        "_blocks",
        "_blocks_start",
        "_rule_index",
        "_rules",
        "cycle_size",
        "pulled",
        "pulled_by",
        "rule",
        "rule_rank",
        "urgency",
        "wave_rank",
    )

    def __init__(self) -> None:
        self._rules: list[tuple[Wave, str, str]] = []
        self._rule_index: dict[tuple[Wave, str, str], int] = {}
        self.rule = array("I")  # index into the distinct (wave, id, label) rules
        self.rule_rank = array("b")  # WAVE_RANK of the rule's wave
        self.wave_rank = array("b")  # WAVE_RANK of the final wave
        self.pulled = array("b")  # index into _PULLED
        self.cycle_size = array("I")
        self.pulled_by = array("I")
        self.urgency = array("d")
        # Consumers (blocks) and providers (blocked_by) of each item in CSR tables: item n's
        # are ``_blocks[_blocks_start[n]:_blocks_start[n + 1]]`` (see :meth:`link`).
        self._blocks_start: array[int] = array("q", [0])
        self._blocks: array[int] = array("i")
        self._blocked_by_start: array[int] = array("q", [0])
        self._blocked_by: array[int] = array("i")

    def append(self, wave: Wave, rule_id: str, rule_label: str) -> None:
        """The next item, in its rule's wave."""
        rule = (wave, rule_id, rule_label)
        index = self._rule_index.get(rule)
        if index is None:
            index = self._rule_index[rule] = len(self._rules)
            self._rules.append(rule)
        self.rule.append(index)
        self.rule_rank.append(WAVE_RANK[wave])
        self.wave_rank.append(WAVE_RANK[wave])
        self.pulled.append(0)
        self.cycle_size.append(1)
        self.pulled_by.append(0)
        self.urgency.append(0.0)

    def __len__(self) -> int:
        return len(self.rule)

    def wave(self, n: int) -> Wave:
        return RANK_WAVE[self.wave_rank[n]]

    def link(self, consumers: array[int], providers: array[int]) -> None:
        """Set the precedence pairs (``consumers[k]`` waits for ``providers[k]``), in order."""
        n = len(self)
        self._blocks_start, self._blocks = csr(n, providers, consumers)
        self._blocked_by_start, self._blocked_by = csr(n, consumers, providers)

    def blocks(self, n: int) -> array[int]:
        """The consumers item ``n`` blocks."""
        return self._blocks[self._blocks_start[n] : self._blocks_start[n + 1]]

    def blocked_by(self, n: int) -> array[int]:
        """The providers item ``n`` waits for."""
        return self._blocked_by[self._blocked_by_start[n] : self._blocked_by_start[n + 1]]

    def sort_links(self, key: Callable[[int], Any]) -> None:
        """Sort each item's consumers and providers by ``key`` (stable)."""
        for start, values in (
            (self._blocks_start, self._blocks),
            (self._blocked_by_start, self._blocked_by),
        ):
            for v in range(len(start) - 1):
                a, b = start[v], start[v + 1]
                if b - a > 1:
                    values[a:b] = array("i", sorted(values[a:b], key=key))

    def __getitem__(self, n: int) -> Schedule:
        rule_wave, rule_id, rule_label = self._rules[self.rule[n]]
        return Schedule(
            rule_wave,
            rule_id,
            rule_label,
            self.wave(n),
            _PULLED[self.pulled[n]],
            self.cycle_size[n],
            tuple(self.blocks(n)),
            tuple(self.blocked_by(n)),
            self.pulled_by[n],
            self.urgency[n],
        )


def rule_wave(item: WorkItem, profile: RiskProfile) -> tuple[Wave, str, str]:
    """(wave, rule id, rule label) from the profile's first matching rule."""
    if item.v == 0:
        return Wave.MONITOR, *MONITOR_RULE
    for rule in profile.wave_rules:
        if rule.when.matches(item):
            return rule.wave, rule.id, rule.label
    raise AssertionError("the last wave rule matches every item")  # pragma: no cover


def precedence_edges(items: Sequence[Scheduled], topology: Topology) -> list[tuple[int, int, str]]:
    """(consumer index, provider index, kind) between items, from the inventory's links."""
    # The items of each asset as a chain (its first item, then ``following``): a dict of
    # uses per asset would cost ~70 MB at a million items; ``uses_of`` builds one on demand.
    first: dict[int, int] = {}
    following = array("i", [-1]) * len(items)
    for n in range(len(items) - 1, -1, -1):
        asset_id = items[n].asset_id
        following[n] = first.get(asset_id, -1)
        first[asset_id] = n

    def uses_of(asset_id: int) -> dict[str, int]:
        """{use: item index} of an asset's items, in item order."""
        out: dict[str, int] = {}
        n = first.get(asset_id, -1)
        while n >= 0:
            out[items[n].use] = n
            n = following[n]
        return out

    def key_item(asset_id: int) -> int | None:
        uses = uses_of(asset_id)
        for use in _KEY_USES:
            if use in uses:
                return uses[use]
        return None

    edges: list[tuple[int, int, str]] = []
    for asset_id in first:
        uses = uses_of(asset_id)
        item = items[next(iter(uses.values()))]
        needs_tls13 = "tls" in item.signals and "tls13" not in item.signals
        if needs_tls13 and "key-exchange" in uses and "protocol" in uses:
            # hybrid key exchange needs TLS 1.3 first
            edges.append((uses["key-exchange"], uses["protocol"], "requires"))
    for source, links in sorted(topology.out_links.items()):
        mine = uses_of(source)
        if not mine:
            continue
        for link in links:
            if link.relation == "issued-by" and "signature" in mine:
                provider = key_item(link.target_id)
                if provider is not None:
                    edges.append((mine["signature"], provider, "issued_by"))
            elif link.relation == "presents" and "authentication" in mine:
                provider = key_item(link.target_id)
                if provider is not None:
                    edges.append((mine["authentication"], provider, "presents"))
            elif link.relation == "depends-on":
                for consumer in sorted(mine.values()):
                    for provider in sorted(uses_of(link.target_id).values()):
                        edges.append((consumer, provider, "built_with"))
    return sorted(set(edges))


def schedule(
    items: Sequence[Scheduled],
    schedules: Schedules,
    edges: Sequence[tuple[int, int, str]],
    cycles: Sequence[Sequence[int]],
) -> list[int]:
    """Apply precedence (sets ``item.wave``) and return the backlog order (item indices).

    The precedence graph is kept in ``array`` CSR tables and condensed with
    :func:`~pqcscan.risk.graph.tarjan` (a networkx graph of a million items costs a gigabyte);
    only the few strongly connected groups of several items get a small networkx graph
    (:func:`_inside`).
    """
    monitor = WAVE_RANK[Wave.MONITOR]
    rule_rank = schedules.rule_rank
    active = array("i", (n for n in range(len(schedules)) if rule_rank[n] != monitor))
    live = bytearray(len(schedules))  # 1: not monitored
    local = array("i", [-1]) * len(schedules)  # item index -> node
    for i, n in enumerate(active):
        live[n] = 1
        local[n] = i
    src: array[int] = array("i")
    dst: array[int] = array("i")
    real: set[tuple[int, int]] = set()  # precedence edges, without the cycle ties
    consumers_of: array[int] = array("i")  # every edge kept (a pair once per kind)
    providers_of: array[int] = array("i")
    for consumer, provider, _kind in edges:
        if live[consumer] and live[provider] and consumer != provider:
            if (consumer, provider) not in real:
                src.append(local[consumer])
                dst.append(local[provider])
                real.add((consumer, provider))
            consumers_of.append(consumer)
            providers_of.append(provider)
    schedules.link(consumers_of, providers_of)
    del consumers_of, providers_of
    in_cycle = {asset_id for cycle in cycles for asset_id in cycle}
    by_asset: dict[int, list[int]] = {}
    for n in active:
        if items[n].asset_id in in_cycle:
            by_asset.setdefault(items[n].asset_id, []).append(n)
    del in_cycle
    for cycle in cycles:
        tied = sorted(n for asset_id in cycle for n in by_asset.get(asset_id, ()))
        for a, b in zip(tied, tied[1:] + tied[:1], strict=False):
            if a != b:
                src.append(local[a])
                dst.append(local[b])
    del by_asset
    size = len(active)
    start, succ = csr(size, src, dst)
    del src, dst
    comp, count = tarjan(size, start, succ)
    # the condensation: distinct edges between groups, consumer group -> provider group
    dag: set[tuple[int, int]] = set()
    for v in range(size):
        cv = comp[v]
        for k in range(start[v], start[v + 1]):
            cw = comp[succ[k]]
            if cw != cv:
                dag.add((cv, cw))
    del start, succ
    group_src: array[int] = array("i")
    group_dst: array[int] = array("i")
    out_degree = array("q", bytes(8 * count))  # providers of each group
    for cv, cw in dag:
        group_src.append(cw)
        group_dst.append(cv)
        out_degree[cv] += 1
    del dag
    # consumers of group c: consumers[cstart[c]:cstart[c + 1]]
    cstart, consumers = csr(count, group_src, group_dst)
    del group_src, group_dst
    # the items of group c: members[first[c]:first[c + 1]], in item order
    first, members = csr(count, comp, active)
    effective = array("b", bytes(count))
    urgency = [0.0] * count
    # descending group numbers: every consumer group before its providers
    for c in range(count - 1, -1, -1):
        group = members[first[c] : first[c + 1]]
        own = min(rule_rank[m] for m in group)
        above = consumers[cstart[c] : cstart[c + 1]]
        effective[c] = min(own, min((effective[p] for p in above), default=own))
        # the highest score this group unlocks in its own wave (itself included)
        urgency[c] = max(
            max(items[m].score for m in group),
            max((urgency[p] for p in above if effective[p] == effective[c]), default=0.0),
        )
    wave_rank = schedules.wave_rank
    for i, n in enumerate(active):
        c = comp[i]
        schedules.urgency[n] = urgency[c]
        final = effective[c]
        wave_rank[n] = final
        schedules.cycle_size[n] = first[c + 1] - first[c]
        if final < rule_rank[n]:
            above = consumers[cstart[c] : cstart[c + 1]]
            consumers_wave = min((effective[p] for p in above), default=99)
            schedules.pulled[n] = 1 if consumers_wave == final else 2
            schedules.pulled_by[n] = sum(
                1 for m in schedules.blocks(n) if effective[comp[local[m]]] == final
            )
        items[n].wave = RANK_WAVE[final]
    for n in range(len(schedules)):
        if not live[n]:
            wave_rank[n] = monitor
            items[n].wave = Wave.MONITOR
    schedules.sort_links(lambda m: items[m].key)
    inner = {pair for pair in real if comp[local[pair[0]]] == comp[local[pair[1]]]}
    del real
    return _order(items, schedules, first, members, out_degree, cstart, consumers, inner) + sorted(
        (n for n in range(len(items)) if not live[n]), key=lambda n: items[n].key
    )


def _priority(items: Sequence[Scheduled], schedules: Schedules, n: int) -> _Priority:
    """Wave, then the highest score the item unlocks, then its own score, then its key."""
    item = items[n]
    return (schedules.wave_rank[n], -schedules.urgency[n], -item.score, item.key)


_Priority = tuple[int, float, float, str]


def _order(
    items: Sequence[Scheduled],
    schedules: Schedules,
    first: array[int],
    members: array[int],
    out_degree: array[int],
    cstart: array[int],
    consumers: array[int],
    real: set[tuple[int, int]],
) -> list[int]:
    """Providers before consumers; among available items the most urgent first."""
    remaining = out_degree  # providers not yet emitted (consumed here)
    # (priority of the group's first item..., group): most of a million groups wait here at
    # once, so an entry is one flat tuple, and only groups of several items keep their order.
    heap: list[tuple[int, float, float, str, int]] = []
    ranked: dict[int, list[int]] = {}

    def push(c: int) -> None:
        if first[c + 1] - first[c] == 1:
            head = members[first[c]]
        else:
            order = _inside(set(members[first[c] : first[c + 1]]), items, schedules, real)
            ranked[c] = order
            head = order[0]
        heapq.heappush(heap, (*_priority(items, schedules, head), c))

    for c in range(len(first) - 1):
        if remaining[c] == 0:
            push(c)
    out: list[int] = []
    while heap:
        c = heapq.heappop(heap)[-1]
        order = ranked.pop(c, None)
        if order is None:
            out.append(members[first[c]])
        else:
            out.extend(order)
        for k in range(cstart[c], cstart[c + 1]):
            consumer = consumers[k]
            remaining[consumer] -= 1
            if remaining[consumer] == 0:
                push(consumer)
    return out


def _inside(
    members: set[int],
    items: Sequence[Scheduled],
    schedules: Schedules,
    real: set[tuple[int, int]],
) -> list[int]:
    """The order inside one strongly connected group: its real precedence edges (without the
    ties that bind an asset cycle) when they allow one, most urgent first."""

    def key(n: int) -> _Priority:
        return _priority(items, schedules, n)

    if len(members) == 1:
        return list(members)
    inner: nx.DiGraph[int] = nx.DiGraph()
    inner.add_nodes_from(members)
    inner.add_edges_from((p, c) for c, p in real if c in members and p in members)
    if not nx.is_directed_acyclic_graph(inner):
        return sorted(members, key=key)
    return list(nx.lexicographical_topological_sort(inner, key=key))


def add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(
    wave: Wave,
    as_of: date,
    profile: RiskProfile,
    earliest: date | None,
    earliest_label: str,
    y: float,
) -> tuple[date | None, str]:
    """Suggested start-by date and why."""
    if wave is Wave.MONITOR:
        return None, ""
    months = dict(profile.due_months)[wave.value]
    due = add_months(as_of, months)
    basis = f"wave {wave.value}: {months} months"
    if profile.due_by_deadline and earliest is not None:
        latest_start = earliest - timedelta(days=round(y * 365.25))
        if latest_start < due:
            due = max(as_of, latest_start)
            basis = f"{earliest_label} ({earliest.isoformat()}) minus migration time {y:g} y"
            if latest_start < as_of:
                basis += ": already late, start now"
    return due, basis
