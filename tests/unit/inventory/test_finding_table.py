"""The snapshot's findings in columns read back as the views they were made from."""

from __future__ import annotations

import pytest

from pqcscan.inventory.snapshot import FindingTable, FindingView

VIEWS = (
    FindingView(3, 1, "RSA", "2048", "signature", "quantum-vulnerable", 112, None, None, "a", "b"),
    FindingView(7, 1, "ML-KEM", "768", "key-exchange", "quantum-safe", None, 3, "2.16.840", "", ""),
    FindingView(9, 2, "RSA", "4096", "key", "quantum-vulnerable", 0, 0, "x", "a", "PEM file"),
)


def test_views_round_trip_with_none_zero_and_repeated_strings() -> None:
    table = FindingTable(VIEWS)
    assert len(table) == 3 and list(table) == list(VIEWS)
    assert table[1] == VIEWS[1] and table[-1] == VIEWS[-1] and table[0:2] == VIEWS[0:2]
    assert table == VIEWS and table == FindingTable(VIEWS) and table != VIEWS[:2]
    assert table[0].algorithm is table[2].algorithm  # one str per distinct value
    assert list(table.ids()) == [3, 7, 9] and list(table.asset_ids()) == [1, 1, 2]


def test_by_id_bisects_and_refuses_unknown_ids() -> None:
    table = FindingTable(VIEWS)
    assert table.by_id(7) == VIEWS[1]
    for missing in (1, 8, 10):
        with pytest.raises(KeyError):
            table.by_id(missing)


def test_a_loaded_table_is_read_only() -> None:
    with pytest.raises(TypeError, match="read-only"):
        FindingTable(VIEWS).append(VIEWS[0])
