"""``rank_lazily`` is ``rank`` rendered on demand, and ``save_ranking`` stores it in batches."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

from hypothesis import given, settings

from pqcscan.context.mapping import map_assets
from pqcscan.inventory import Inventory, RunRecorder
from pqcscan.inventory.risk_store import BATCH, ranked_items, risk_run, save_ranking
from pqcscan.results import Asset, AssetType, CollectedItem
from pqcscan.risk import load_profile, rank, rank_lazily
from tests.unit.risk.builders import worked_example
from tests.unit.risk.scenarios import Scenario, scenarios

AS_OF = date(2026, 1, 1)
PROFILE = load_profile()


@given(scenarios())
@settings(max_examples=40, deadline=None)
def test_lazy_ranking_renders_exactly_what_rank_returns(s: Scenario) -> None:
    whole = rank(s.snapshot, [s.context], s.mapping, PROFILE, AS_OF)
    ranking = rank_lazily(s.snapshot, [s.context], s.mapping, PROFILE, AS_OF)
    assert ranking.header == replace(whole, items=())
    assert len(ranking) == len(whole.items)
    assert tuple(ranking) == whole.items
    assert tuple(ranking) == whole.items  # iterating again renders the same items


def test_save_ranking_stores_every_item_in_order_across_batches(inventory_url: str) -> None:
    example = worked_example()
    mapping = map_assets(example.snapshot, example.contexts)
    ranking = rank_lazily(example.snapshot, example.contexts, mapping, PROFILE, AS_OF)
    with Inventory.open(inventory_url) as inventory:
        with RunRecorder(inventory.engine, "test", {}) as recorder:
            recorder.add(CollectedItem("a", (Asset(AssetType.FILE, "fp", "/a"),)))
        asset_id = 1
        # more items than two batches: the worked example's, renamed, over and over
        base = list(ranking)
        items = tuple(
            replace(item, key=f"{item.key}/{n}", asset_id=asset_id)
            for n in range(2 * BATCH // len(base) + 2)
            for item in base
        )
        assert len(items) > 2 * BATCH
        run_id = save_ranking(inventory.engine, ranking.header, items)
        stored = ranked_items(inventory.engine, run_id)
        run = risk_run(inventory.engine, run_id)
    assert stored == list(items)
    assert run is not None and run.items == len(items)
    assert run.summary["waves"] == dict(sorted(Counter(i.wave.value for i in items).items()))
    assert run.summary["needs_context"] == sum(i.needs_context for i in items)
