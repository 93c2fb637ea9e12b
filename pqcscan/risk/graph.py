"""The dependency graph and the propagation of business context along it.

Nodes are asset ids (positive) and services (``-(index + 1)``). An edge *u -> v* means "u
depends on v", with a ``kind``:

==============  ===========================================================================
``uses``        service -> asset it is attached to by the context mapping (user)
``service``     service -> service it depends on (``depends_on``, user)
``presents``    endpoint -> certificate or host key it presents (observed)
``issued_by``   certificate -> issuing certificate; SSH certificate -> CA key (observed)
``contains``    file or key store -> the objects it holds (observed)
``certifies``   certificate or CSR -> the key asset of its subject key (observed)
``built_with``  package -> package it depends on (observed)
==============  ===========================================================================

Every asset inherits from every service that reaches it (directly or through any chain of
edges): the *set* of dependant services (an int bitset, bit = service index, worst first),
and the *maximum* retention, signature lifetime and ecosystem level of those services, plus
"observed public" from any public endpoint that reaches it. Both are computed in one pass over
the condensation (strongly connected components -- cycles -- collapse to one node and share
everything) in topological order: sets are OR-ed and maxima taken along edges, so the cost is
O((V + E) * S / 64) word operations instead of one ``ancestors`` search per node.

:func:`propagate_inventory` is what :func:`~pqcscan.risk.engine.rank` uses: the same
propagation over the same edges without building a networkx graph (a networkx edge costs a
dict of attributes and two dict entries; at millions of edges that is gigabytes). It numbers
the nodes, keeps the edges in two ``array`` CSR tables and finds the strongly connected
components with an iterative Tarjan. :func:`build_graph` and :func:`propagate` remain the
reference (the tests check both agree) and the graph for betweenness.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from pqcscan.inventory.snapshot import Snapshot
from pqcscan.risk.model import Provenance
from pqcscan.risk.services import Direct, Services

#: Inventory relation -> edge kind.
RELATION_KIND = {
    "presents": "presents",
    "issued-by": "issued_by",
    "contains": "contains",
    "certifies": "certifies",
    "depends-on": "built_with",
}
_PROVENANCE_RANK = {Provenance.USER: 2, Provenance.RULE: 1, Provenance.DEFAULT: 0}
_RANK_PROVENANCE = {v: k for k, v in _PROVENANCE_RANK.items()}

#: (years, provenance rank, -service index): the max is the longest, best-sourced, first.
RetentionKey = tuple[float, int, int]
#: (years or level, -service index)
ValueKey = tuple[float, int]


def service_node(index: int) -> int:
    return -(index + 1)


def build_graph(
    snapshot: Snapshot, services: Services, direct: Mapping[int, Iterable[Direct]]
) -> nx.DiGraph[int]:
    """The dependency graph of assets and services (see the module docstring)."""
    graph: nx.DiGraph[int] = nx.DiGraph()
    known = {a.id for a in snapshot.assets}
    graph.add_nodes_from(sorted(known))
    graph.add_nodes_from(service_node(s.index) for s in services.items)
    edges: list[tuple[int, int, dict[str, str]]] = []
    for link in snapshot.links:
        kind = RELATION_KIND.get(link.relation, "uses")
        if link.source_id in known and link.target_id in known:
            edges.append((link.source_id, link.target_id, {"kind": kind}))
    for s in services.items:
        for dep in s.depends_on:
            target = services.resolve(s.context, dep)
            if target is not None and target != s.index:
                edges.append((service_node(s.index), service_node(target), {"kind": "service"}))
    for asset_id in sorted(direct):
        if asset_id not in known:
            continue
        for d in direct[asset_id]:
            edges.append((service_node(d.service), asset_id, {"kind": "uses"}))
    graph.add_edges_from(edges)
    return graph


@dataclass(frozen=True, slots=True)
class Reach:
    """What reaches one asset: its dependant services and their strongest context."""

    #: The dependant set (bit i: service i), or 0 when truncated (see ``lowest``).
    whole: int
    retention: RetentionKey | None
    signature: ValueKey | None
    ecosystem: ValueKey | None
    #: Id of the lowest-numbered public endpoint depending on it (itself included), or 0.
    public: int
    #: -1, or: ``bits`` holds only the lowest set bits of the full set (the worst services,
    #: what an item lists), and these are the full set's size and impact-weighted size.
    count: int = -1
    weighted: int = -1
    #: A truncated set: the positions of its lowest set bits, packed (``array("I")``). An int
    #: is as long as its highest bit: service 9,999 alone costs 1.3 KB, 4 bytes here.
    lowest: bytes = b""

    @property
    def bits(self) -> int:
        """The dependant set, or (``count`` >= 0) its lowest set bits."""
        if self.count < 0:
            return self.whole
        out = 0
        for i in array("I", self.lowest):
            out |= 1 << i
        return out

    @staticmethod
    def retention_of(key: RetentionKey) -> tuple[float, Provenance, int]:
        """(years, provenance, service index) of a retention key."""
        return key[0], _RANK_PROVENANCE[key[1]], -key[2]


EMPTY = Reach(0, None, None, None, 0)


@dataclass(frozen=True, slots=True)
class Propagation:
    """The result of :func:`propagate`."""

    reach: Mapping[int, Reach]  # asset id -> Reach
    #: Strongly connected groups of two or more assets (dependency cycles), sorted.
    cycles: tuple[tuple[int, ...], ...]
    components: int


def _max(a: tuple[float, int] | None, b: tuple[float, int] | None) -> tuple[float, int] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if a >= b else b


def _max3(a: RetentionKey | None, b: RetentionKey | None) -> RetentionKey | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if a >= b else b


def propagate(graph: nx.DiGraph[int], services: Services, public: Iterable[int]) -> Propagation:
    """Dependant-service bitsets and maxima for every asset node (see the module docstring)."""
    public_set = set(public)
    components = list(nx.strongly_connected_components(graph))
    dag = nx.condensation(graph, components)
    bits = [0] * len(components)
    retention: list[RetentionKey | None] = [None] * len(components)
    signature: list[ValueKey | None] = [None] * len(components)
    ecosystem: list[ValueKey | None] = [None] * len(components)
    pub = [0] * len(components)
    info = services.items
    pred = dag.pred
    for c in nx.topological_sort(dag):
        b = 0
        r: RetentionKey | None = None
        s: ValueKey | None = None
        e: ValueKey | None = None
        p = 0
        for member in components[c]:
            if member < 0:
                svc = info[-member - 1]
                b |= 1 << svc.index
                r = _max3(r, (svc.retention, _PROVENANCE_RANK[svc.retention_source], -svc.index))
                if svc.signature_lifetime is not None:
                    s = _max(s, (float(svc.signature_lifetime), -svc.index))
                e = _max(e, (float(svc.ecosystem.level), -svc.index))
            elif member in public_set and (p == 0 or member < p):
                p = member
        for q in pred[c]:
            b = bits[q] if b == 0 else b | bits[q]
            r = _max3(r, retention[q])
            s = _max(s, signature[q])
            e = _max(e, ecosystem[q])
            if pub[q] and (p == 0 or pub[q] < p):
                p = pub[q]
        bits[c], retention[c], signature[c], ecosystem[c], pub[c] = b, r, s, e, p
    mapping = dag.graph["mapping"]
    reach: dict[int, Reach] = {}
    for node, c in mapping.items():
        if node >= 0:
            reach[node] = (
                EMPTY
                if not (bits[c] or pub[c])
                else Reach(bits[c], retention[c], signature[c], ecosystem[c], pub[c])
            )
    cycles = tuple(
        sorted(
            tuple(sorted(n for n in comp if n >= 0))
            for comp in components
            if sum(1 for n in comp if n >= 0) > 1
        )
    )
    return Propagation(reach, cycles, len(components))


def csr(n: int, src: array[int], dst: array[int]) -> tuple[array[int], array[int]]:
    """(start, targets): node v's successors are ``targets[start[v]:start[v + 1]]``."""
    start = array("q", bytes(8 * (n + 1)))
    for s in src:
        start[s + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    fill = array("q", start)
    targets = array("i", bytes(4 * len(src)))
    for s, t in zip(src, dst, strict=True):
        targets[fill[s]] = t
        fill[s] += 1
    return start, targets


def tarjan(n: int, start: array[int], succ: array[int]) -> tuple[array[int], int]:
    """Strongly connected components (iterative Tarjan): (component of each node, count).

    Components are numbered as Tarjan finishes them: every edge goes from a component to
    one with a smaller or equal number, so descending numbers are a topological order.
    """
    order = array("i", [-1]) * n
    low = array("i", [0]) * n
    comp = array("i", [-1]) * n
    on_stack = bytearray(n)
    stack: list[int] = []
    counter = 0
    count = 0
    for root in range(n):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = 1
        work = [(root, start[root])]
        while work:
            v, i = work[-1]
            end = start[v + 1]
            descended = False
            while i < end:
                w = succ[i]
                i += 1
                if order[w] == -1:
                    work[-1] = (v, i)
                    order[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = 1
                    work.append((w, start[w]))
                    descended = True
                    break
                if on_stack[w] and order[w] < low[v]:
                    low[v] = order[w]
            if descended:
                continue
            work.pop()
            if low[v] == order[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = 0
                    comp[w] = count
                    if w == v:
                        break
                count += 1
            if work:
                u = work[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
    return comp, count


def _truncated(bits: int, keep: int) -> bytes:
    """The positions of the lowest ``keep`` set bits of ``bits``, packed for ``Reach``."""
    return array("I", iter_bits(bits, keep)).tobytes()


def propagate_inventory(
    snapshot: Snapshot,
    services: Services,
    direct: Mapping[int, Iterable[Direct]],
    public: Iterable[int],
    truncate: int | None = None,
    full: Iterable[int] = (),
) -> Propagation:
    """``propagate(build_graph(snapshot, services, direct), services, public)`` in compact
    form: the same edges, numbered nodes, CSR arrays, no networkx graph.

    With ``truncate``, an asset's ``Reach`` keeps only the lowest ``truncate`` set bits of its
    dependant set, with the full set's ``count`` and ``weighted`` size -- except the assets in
    ``full``, whose sets are unions with others' -- and a component's set is dropped as soon as
    every component depending on it is done. With 10,000 services a set is a 1.3 KB int; this
    keeps only the frontier of them in memory instead of one per asset.
    """
    ids = sorted({a.id for a in snapshot.assets})
    index = {asset_id: n for n, asset_id in enumerate(ids)}
    n_assets = len(ids)
    n = n_assets + len(services.items)
    src: array[int] = array("i")
    dst: array[int] = array("i")
    for link in snapshot.links:
        s, t = index.get(link.source_id), index.get(link.target_id)
        if s is not None and t is not None:
            src.append(s)
            dst.append(t)
    for svc in services.items:
        for dep in svc.depends_on:
            target = services.resolve(svc.context, dep)
            if target is not None and target != svc.index:
                src.append(n_assets + svc.index)
                dst.append(n_assets + target)
    for asset_id, attached in direct.items():
        t = index.get(asset_id)
        if t is not None:
            for d in attached:
                src.append(n_assets + d.service)
                dst.append(t)
    start, succ = csr(n, src, dst)
    pstart, pred = csr(n, dst, src)
    del src, dst
    comp, count = tarjan(n, start, succ)
    del start, succ
    # members of each component, grouped: component c holds members[first[c]:first[c + 1]]
    first, members = csr(count, comp, array("i", range(n)))
    public_set = {index[p] for p in public if p in index}
    full_set = {index[a] for a in full if a in index}
    # edges leaving each component: its set is needed until they are all consumed
    out_left = array("q", bytes(8 * count))
    for v in range(n):
        cv = comp[v]
        for k in range(pstart[v], pstart[v + 1]):
            q = comp[pred[k]]
            if q != cv:
                out_left[q] += 1
    reach: dict[int, Reach] = {}
    masks = services.impact_masks
    bits = [0] * count
    retention: list[RetentionKey | None] = [None] * count
    signature: list[ValueKey | None] = [None] * count
    ecosystem: list[ValueKey | None] = [None] * count
    pub = [0] * count
    info = services.items
    cycles: list[tuple[int, ...]] = []
    for c in range(count - 1, -1, -1):  # providers of c (edges q -> c) have q > c: done
        b = 0
        r: RetentionKey | None = None
        s_: ValueKey | None = None
        e: ValueKey | None = None
        p = 0
        group = members[first[c] : first[c + 1]]
        for v in group:
            if v >= n_assets:
                svc = info[v - n_assets]
                b |= 1 << svc.index
                r = _max3(r, (svc.retention, _PROVENANCE_RANK[svc.retention_source], -svc.index))
                if svc.signature_lifetime is not None:
                    s_ = _max(s_, (float(svc.signature_lifetime), -svc.index))
                e = _max(e, (float(svc.ecosystem.level), -svc.index))
            elif v in public_set and (p == 0 or ids[v] < p):
                p = ids[v]
        seen: set[int] = set()
        for v in group:
            for k in range(pstart[v], pstart[v + 1]):
                q = comp[pred[k]]
                if q == c:
                    continue
                if q not in seen:
                    seen.add(q)
                    b = bits[q] if b == 0 else b | bits[q]
                    r = _max3(r, retention[q])
                    s_ = _max(s_, signature[q])
                    e = _max(e, ecosystem[q])
                    if pub[q] and (p == 0 or pub[q] < p):
                        p = pub[q]
                if truncate is not None:
                    out_left[q] -= 1
                    if out_left[q] == 0:
                        bits[q] = 0  # every component depending on q is done
        retention[c], signature[c], ecosystem[c], pub[c] = r, s_, e, p
        if truncate is None or out_left[c]:
            bits[c] = b
        short: Reach | None = None
        for v in group:
            if v >= n_assets:
                continue
            if not (b or p):
                reach[ids[v]] = EMPTY
            elif truncate is None or v in full_set:
                reach[ids[v]] = Reach(b, r, s_, e, p)
            else:
                if short is None:
                    weighted = sum(k * (b & mask).bit_count() for k, mask in masks)
                    short = Reach(0, r, s_, e, p, b.bit_count(), weighted, _truncated(b, truncate))
                reach[ids[v]] = short
        if len(group) > 1:
            assets = [ids[v] for v in group if v < n_assets]
            if len(assets) > 1:
                cycles.append(tuple(sorted(assets)))
    return Propagation(reach, tuple(sorted(cycles)), count)


def betweenness(graph: nx.DiGraph[int], k: int, seed: int) -> dict[int, float]:
    """Sampled betweenness centrality of asset nodes (an extra, reported-only metric)."""
    sample = min(k, graph.number_of_nodes())
    if sample == 0:
        return {}
    values = nx.betweenness_centrality(graph, k=sample, seed=seed, normalized=True)
    return {int(n): round(float(v), 6) for n, v in values.items() if int(n) >= 0}


def iter_bits(bits: int, limit: int) -> list[int]:
    """The positions of the lowest ``limit`` set bits (worst services first)."""
    out: list[int] = []
    while bits and len(out) < limit:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out
