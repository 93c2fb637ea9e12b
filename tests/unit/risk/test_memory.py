"""The memory savings of the ranking change what it holds, never what it outputs."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from pqcscan.catalog import get_catalog
from pqcscan.context.mapping import map_assets
from pqcscan.inventory.snapshot import Snapshot
from pqcscan.risk import factors, load_profile, rank
from pqcscan.risk.engine import _sorted_snapshot
from pqcscan.risk.graph import propagate_inventory
from pqcscan.risk.items import ItemBuilder
from pqcscan.risk.services import direct_attachments, resolve_services
from tests.unit.risk.builders import SnapshotBuilder, attach, context, service, worked_example

AS_OF = date(2026, 1, 1)
PROFILE = load_profile()


def test_a_truncated_reach_keeps_positions_not_a_long_int() -> None:
    b = SnapshotBuilder()
    key = b.asset("key", "k1")
    b.finding(key, "RSA", "2048", "signature", "PEM file")
    snapshot = b.build()
    ctx = context(*(service(f"s{i}", 1 + i % 5) for i in range(2000)))
    services = resolve_services([ctx], PROFILE)
    last = len(services.items) - 1  # the highest bit: a 2,000-bit int
    direct = direct_attachments(attach((key, services.items[last].id)), services)
    whole = propagate_inventory(snapshot, services, direct, ()).reach[key]
    short = propagate_inventory(snapshot, services, direct, (), truncate=20).reach[key]
    assert whole.bits == short.bits == 1 << last
    assert (short.count, short.weighted) == (1, services.items[last].impact)
    assert sys.getsizeof(short.lowest) < sys.getsizeof(whole.bits) // 4


def test_an_already_sorted_snapshot_is_not_copied_and_order_does_not_matter() -> None:
    example = worked_example()
    s = example.snapshot
    assert _sorted_snapshot(s) is s
    shuffled = Snapshot(s.assets[::-1], s.findings[::-1], (*s.links[::-1], *s.links))
    assert _sorted_snapshot(shuffled) == s
    mapping = map_assets(s, example.contexts)
    assert rank(shuffled, example.contexts, mapping, PROFILE, AS_OF) == rank(
        s, example.contexts, mapping, PROFILE, AS_OF
    )


def test_items_of_one_asset_share_their_members_and_empty_notes() -> None:
    b = SnapshotBuilder()
    host = b.endpoint("web", "10.0.0.1", 443, [("ECDH", "P-256")], ["1.2"])
    items = ItemBuilder(b.build(), get_catalog(), AS_OF).build()
    mine = [i for i in items if i.asset.id == host]
    assert len(mine) > 1
    assert all(i.members is mine[0].members for i in mine)
    assert mine[0].members == (host,)
    assert all(i.notes is mine[0].notes == () for i in mine)


def test_a_tiny_reach_cache_ranks_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    example = worked_example()
    mapping = map_assets(example.snapshot, example.contexts)
    expected = rank(example.snapshot, example.contexts, mapping, PROFILE, AS_OF)
    monkeypatch.setattr(factors, "REACH_CACHE", 1)
    assert rank(example.snapshot, example.contexts, mapping, PROFILE, AS_OF) == expected
