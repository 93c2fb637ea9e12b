"""Propagation over the condensation equals the naive per-node ``ancestors`` definition."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.context.model import Ecosystem
from pqcscan.risk import load_profile
from pqcscan.risk.graph import (
    build_graph,
    iter_bits,
    propagate,
    propagate_inventory,
    service_node,
)
from pqcscan.risk.services import Direct, Services, resolve_services
from tests.unit.risk.builders import SnapshotBuilder, context, service

ECOSYSTEMS = list(Ecosystem)


@st.composite
def graphs(draw: st.DrawFn) -> tuple[object, ...]:
    n_assets = draw(st.integers(1, 12))
    n_services = draw(st.integers(0, 6))
    b = SnapshotBuilder()
    for i in range(n_assets):
        b.asset("certificate", f"a{i}")
    relations = ["issued-by", "presents", "contains", "certifies", "depends-on"]
    links = draw(
        st.lists(
            st.tuples(
                st.integers(1, n_assets), st.sampled_from(relations), st.integers(1, n_assets)
            ),
            max_size=20,
        )
    )
    for s, r, t in links:
        if s != t:
            b.link(s, r, t)
    services = []
    for i in range(n_services):
        deps = draw(st.lists(st.integers(0, max(n_services - 1, 0)), max_size=2))
        services.append(
            service(
                f"s{i}",
                draw(st.integers(1, 5)),
                draw(st.one_of(st.none(), st.sampled_from([1.0, 5.0, 7.0, 12.0]))),
                draw(st.sampled_from(ECOSYSTEMS)),
                depends_on=tuple(f"s{d}" for d in deps if d != i and n_services),
                signature_lifetime_years=draw(st.one_of(st.none(), st.sampled_from([2.0, 9.0]))),
            )
        )
    uses = (
        draw(
            st.lists(
                st.tuples(st.integers(0, max(n_services - 1, 0)), st.integers(1, n_assets)),
                max_size=15,
            )
        )
        if n_services
        else []
    )
    public = draw(st.sets(st.integers(1, n_assets), max_size=3))
    return b.build(), context(*services), uses, public


@given(graphs())
@settings(max_examples=150, deadline=None)
def test_propagation_matches_ancestors(case: tuple[object, ...]) -> None:
    snapshot, ctx, uses, public = case
    profile = load_profile()
    services = resolve_services([ctx], profile)  # type: ignore[list-item]
    direct: dict[int, list[Direct]] = {}
    for s_index, asset_id in uses:  # type: ignore[attr-defined]
        index = services.resolve("test", f"s{s_index}")
        assert index is not None
        direct.setdefault(asset_id, []).append(Direct(index, "rule"))
    graph = build_graph(snapshot, services, direct)  # type: ignore[arg-type]
    result = propagate(graph, services, public)  # type: ignore[arg-type]
    for asset in snapshot.assets:  # type: ignore[attr-defined]
        above = nx.ancestors(graph, asset.id) | {asset.id}
        dependants = sorted(-n - 1 for n in above if n < 0)
        reach = result.reach[asset.id]
        assert iter_bits(reach.bits, 10**6) == dependants
        info = [services.items[i] for i in dependants]
        if info:
            assert reach.retention is not None and reach.retention[0] == max(
                s.retention for s in info
            )
            assert reach.ecosystem is not None
            assert reach.ecosystem[0] == max(s.ecosystem.level for s in info)
        else:
            assert reach.retention is None and reach.ecosystem is None
        lifetimes = [s.signature_lifetime for s in info if s.signature_lifetime is not None]
        assert (reach.signature[0] if reach.signature else None) == (
            max(lifetimes) if lifetimes else None
        )
        publics = sorted(n for n in above if n in public)  # type: ignore[operator]
        assert reach.public == (publics[0] if publics else 0)


def test_cycles_are_reported_and_share_everything() -> None:
    b = SnapshotBuilder()
    a, c, d = (b.asset("certificate", x) for x in ("a", "c", "d"))
    b.link(a, "issued-by", c)
    b.link(c, "issued-by", a)  # cross-signed: a dependency cycle of assets
    b.link(d, "issued-by", a)
    e = b.asset("key", "e")
    ctx = context(
        service("x", 4, 3.0, depends_on=("y",)),
        service("y", 2, 8.0, depends_on=("x",)),  # a cycle of services
        service("z", 1, 1.0, depends_on=("y",)),
        service("w", 5, 2.0),
    )
    services = resolve_services([ctx], load_profile())
    x, w = services.resolve("test", "x"), services.resolve("test", "w")
    assert x is not None and w is not None
    graph = build_graph(b.build(), services, {d: [Direct(w, "r")], e: [Direct(x, "r")]})
    result = propagate(graph, services, ())
    assert result.cycles == ((a, c),)
    assert result.reach[a] == result.reach[c]
    assert [services.items[i].id for i in iter_bits(result.reach[a].bits, 9)] == ["w"]
    # x and y depend on each other, z on y: whatever x uses, all three depend on
    assert sorted(services.items[i].id for i in iter_bits(result.reach[e].bits, 9)) == [
        "x",
        "y",
        "z",
    ]
    retention = result.reach[e].retention
    assert retention is not None and retention[0] == 8.0
    assert graph.edges[service_node(w), d]["kind"] == "uses"
    assert graph.edges[a, c]["kind"] == "issued_by"


def _attached(case: tuple[object, ...]) -> tuple[Any, Services, dict[int, list[Direct]], Any]:
    """(snapshot, services, direct attachments, public assets) of a ``graphs()`` case."""
    snapshot, ctx, uses, public = case
    services = resolve_services([ctx], load_profile())  # type: ignore[list-item]
    direct: dict[int, list[Direct]] = {}
    for s_index, asset_id in uses:  # type: ignore[attr-defined]
        index = services.resolve("test", f"s{s_index}")
        assert index is not None
        direct.setdefault(asset_id, []).append(Direct(index, "rule"))
    return snapshot, services, direct, public


@given(graphs())
@settings(max_examples=150, deadline=None)
def test_compact_propagation_equals_the_networkx_one(case: tuple[object, ...]) -> None:
    """``propagate_inventory`` (CSR arrays, iterative Tarjan) gives exactly what ``propagate``
    gives over the networkx graph of the same snapshot."""
    snapshot, services, direct, public = _attached(case)
    reference = propagate(build_graph(snapshot, services, direct), services, public)
    compact = propagate_inventory(snapshot, services, direct, public)
    assert compact.reach == reference.reach
    assert compact.cycles == reference.cycles
    assert compact.components == reference.components


def test_compact_propagation_on_a_long_chain_and_a_big_cycle() -> None:
    """Deep graphs do not recurse: a 5,000-asset chain ending in a 1,000-asset cycle."""
    b = SnapshotBuilder()
    ids = [b.asset("certificate", f"c{i}") for i in range(6000)]
    for u, v in pairwise(ids):
        b.link(u, "issued-by", v)
    b.link(ids[-1], "issued-by", ids[5000])  # the last 1,000 form one cycle
    ctx = context(service("top", 5, 10.0))
    services = resolve_services([ctx], load_profile())
    top = services.resolve("test", "top")
    assert top is not None
    snapshot = b.build()
    result = propagate_inventory(snapshot, services, {ids[0]: [Direct(top, "r")]}, (ids[3],))
    assert result.cycles == (tuple(ids[5000:]),)
    assert all(result.reach[a].bits == 1 for a in ids)
    assert result.reach[ids[2]].public == 0 and result.reach[ids[-1]].public == ids[3]
    assert result.components == len(ids) - 1000 + 1 + 1  # the cycle is one; the service one


@given(graphs(), st.integers(1, 4))
@settings(max_examples=100, deadline=None)
def test_truncated_propagation_keeps_the_worst_services_and_the_sizes(
    case: tuple[object, ...], keep: int
) -> None:
    """With ``truncate``, an asset keeps its lowest ``keep`` service bits and the whole set's
    size and impact-weighted size; assets named ``full`` keep everything."""
    snapshot, services, direct, public = _attached(case)
    reference = propagate_inventory(snapshot, services, direct, public)
    full = {a.id for a in snapshot.assets if a.id % 2}
    short = propagate_inventory(
        snapshot,
        services,
        direct,
        public,
        truncate=keep,
        full=full,
    )
    for asset_id, whole in reference.reach.items():
        got = short.reach[asset_id]
        if asset_id in full or not (whole.bits or whole.public):
            assert got == whole
            continue
        assert iter_bits(got.bits, 10**6) == iter_bits(whole.bits, keep)
        assert got.count == whole.bits.bit_count()
        assert got.weighted == sum(services.items[i].impact for i in iter_bits(whole.bits, 10**6))
        assert (got.retention, got.signature, got.ecosystem, got.public) == (
            whole.retention,
            whole.signature,
            whole.ecosystem,
            whole.public,
        )
    assert short.cycles == reference.cycles
