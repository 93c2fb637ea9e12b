"""Properties of the ranking: monotonicity, precedence, determinism (hypothesis)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqcscan.inventory.snapshot import Snapshot
from pqcscan.risk import RiskResult, Wave, load_profile, rank
from pqcscan.risk.waves import WAVE_RANK
from tests.unit.risk.scenarios import Scenario, scenarios

AS_OF = date(2026, 7, 1)
PROFILE = load_profile()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rank(s: Scenario) -> RiskResult:
    return rank(s.snapshot, [s.context], s.mapping, PROFILE, AS_OF)


def _scores(result: RiskResult) -> dict[str, tuple[float, int]]:
    return {i.key: (i.score, i.service_count) for i in result.items}


def _assert_no_score_falls(
    before: RiskResult, after: RiskResult, only_with_dependants: bool = False
) -> None:
    old, new = _scores(before), _scores(after)
    assert old.keys() == new.keys()
    for key, (score, dependants) in old.items():
        if only_with_dependants and not dependants:
            continue  # defaults stood in before: context may refine them either way
        assert new[key][0] >= score, (key, score, new[key][0])


@given(scenarios(), st.data())
@SETTINGS
def test_raising_retention_never_lowers_a_score(s: Scenario, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(s.context.services) - 1))
    current = s.context.services[index].retention_years or 0.0
    more = current + data.draw(st.sampled_from([0.5, 2.0, 10.0]))
    _assert_no_score_falls(_rank(s), _rank(s.with_service(index, retention_years=more)))


@given(scenarios(), st.data())
@SETTINGS
def test_raising_impact_never_lowers_a_score(s: Scenario, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(s.context.services) - 1))
    impact = s.context.services[index].impact
    higher = data.draw(st.integers(impact, 5))
    _assert_no_score_falls(_rank(s), _rank(s.with_service(index, impact=higher)))


@given(scenarios(), st.data())
@SETTINGS
def test_adding_a_dependant_never_lowers_a_score(s: Scenario, data: st.DataObject) -> None:
    asset_id = data.draw(st.sampled_from([a.id for a in s.snapshot.assets]))
    service_id = data.draw(st.sampled_from([x.id for x in s.context.services]))
    _assert_no_score_falls(
        _rank(s), _rank(s.with_attachment(asset_id, service_id)), only_with_dependants=True
    )


@given(scenarios(), st.data())
@SETTINGS
def test_adding_a_service_dependency_never_lowers_a_score(s: Scenario, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(s.context.services) - 1))
    target = data.draw(st.sampled_from([x.id for x in s.context.services]))
    svc = s.context.services[index]
    changed = s.with_service(index, depends_on=tuple(sorted({*svc.depends_on, target})))
    _assert_no_score_falls(_rank(s), _rank(changed), only_with_dependants=True)


@given(scenarios())
@SETTINGS
def test_precedence_and_order(s: Scenario) -> None:
    result = _rank(s)
    position = {item.key: n for n, item in enumerate(result.items)}
    by_key = {item.key: item for item in result.items}
    ranks = [WAVE_RANK[i.wave] for i in result.items]
    assert ranks == sorted(ranks), "the backlog is grouped by wave"
    waits = nx.DiGraph((i.key, p) for i in result.items for p in i.blocked_by)
    for item in result.items:
        for provider_key in item.blocked_by:
            provider = by_key[provider_key]
            assert WAVE_RANK[provider.wave] <= WAVE_RANK[item.wave]
            assert item.key in provider.blocks
            if nx.has_path(waits, provider_key, item.key):  # a cycle: one cluster
                assert provider.wave is item.wave
            else:
                assert position[provider_key] < position[item.key]
        if item.wave is Wave.MONITOR:
            assert item.score == 0 and not item.blocks and not item.blocked_by
            assert item.due is None
        else:
            assert item.score > 0 and item.due is not None and item.due >= AS_OF
        assert (item.rule_wave is not None) == item.wave_rule.startswith(("P1", "S1"))
        if item.rule_wave is not None:
            assert WAVE_RANK[item.wave] < WAVE_RANK[item.rule_wave]


def _shuffled(snapshot: Snapshot, seed: int) -> Snapshot:
    rng = random.Random(seed)
    assets, findings, links = list(snapshot.assets), list(snapshot.findings), list(snapshot.links)
    rng.shuffle(assets)
    rng.shuffle(findings)
    rng.shuffle(links)
    return Snapshot(tuple(assets), tuple(findings), tuple(links))


@given(scenarios(), st.integers(0, 2**32 - 1))
@SETTINGS
def test_deterministic_whatever_the_input_order(s: Scenario, seed: int) -> None:
    first = _rank(s)
    assert _rank(s) == first
    rng = random.Random(seed)
    services = list(s.context.services)
    rng.shuffle(services)
    mapping = dict(reversed(list(s.mapping.items())))
    shuffled = rank(
        _shuffled(s.snapshot, seed),
        [replace(s.context, services=tuple(services))],
        mapping,
        PROFILE,
        AS_OF,
    )
    assert shuffled == first
