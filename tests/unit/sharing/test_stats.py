from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from pqcscan.errors import UsageError
from pqcscan.inventory.snapshot import Snapshot
from pqcscan.sharing.stats import ExportOptions, export, period_of, round_count, to_json
from pqcscan.sharing.vocabulary import schema_errors
from tests.unit.sharing.helpers import SID, snapshot_of


def cells(doc: dict, table: str) -> dict[tuple[str, ...], int]:
    t = next(t for t in doc["tables"] if t["id"] == table)
    return {tuple(c["values"]): c["count"] for c in t["cells"]}


def table(doc: dict, table_id: str) -> dict:
    return next(t for t in doc["tables"] if t["id"] == table_id)


def test_rounding_to_base() -> None:
    assert [round_count(n, 5) for n in (5, 6, 7, 8, 12, 13, 17, 18)] == [
        5,
        5,
        5,
        10,
        10,
        15,
        15,
        20,
    ]
    assert [round_count(n, 10) for n in (5, 14, 15, 24, 25)] == [10, 10, 20, 20, 30]
    assert round_count(7, 1) == 7
    assert round_count(2, 5) == 5  # never published as 0


def test_small_cells_are_withheld_and_the_rest_rounded() -> None:
    snap = snapshot_of({"certificate": 4, "key": 5, "package": 8, "file": 13})
    doc = export(snap, [], [], ExportOptions(SID))
    assert cells(doc, "assets_by_type") == {("key",): 5, ("file",): 15, ("package",): 10}
    assert table(doc, "assets_by_type")["withheld"] == 1
    assert table(doc, "assets_by_type")["total"] == 30  # 30 rounded to 30
    k3 = export(snap, [], [], ExportOptions(SID, k=3, rounding=1))
    assert cells(k3, "assets_by_type") == {
        ("certificate",): 4,
        ("key",): 5,
        ("file",): 13,
        ("package",): 8,
    }
    k10 = export(snap, [], [], ExportOptions(SID, k=10, rounding=10))
    assert cells(k10, "assets_by_type") == {("file",): 10}
    assert table(k10, "assets_by_type")["withheld"] == 3


def test_indicators_need_a_base_of_k() -> None:
    doc = export(snapshot_of({}, tls=(3, 7)), [], [], ExportOptions(SID))
    hybrid = next(i for i in doc["indicators"] if i["id"] == "tls_hybrid_share")
    assert hybrid == {"id": "tls_hybrid_share", "share": 0.3, "base": 10}
    assert next(i for i in doc["indicators"] if i["id"] == "tls13_share")["share"] == 1.0
    small = export(snapshot_of({}, tls=(1, 3)), [], [], ExportOptions(SID))
    hybrid = next(i for i in small["indicators"] if i["id"] == "tls_hybrid_share")
    assert hybrid["share"] is None and hybrid["base"] is None
    assert cells(doc, "kex_offers_by_class_family") == {
        ("classical", "x25519"): 10,
    }  # the 3 hybrid offers are below k
    assert cells(doc, "endpoints_by_kex_posture") == {("tls", "classical"): 5}


def test_header_options_and_schema() -> None:
    opts = ExportOptions(
        SID,
        org_label="  Bank A  ",
        tlp="GREEN",
        profile="my-secret-profile",
        as_of=date(2026, 11, 24),
    )
    doc = export(Snapshot((), (), ()), [], [], opts)
    assert (doc["org_label"], doc["tlp"], doc["profile"], doc["period"]) == (
        "Bank A",
        "GREEN",
        "other",
        "2026-Q4",
    )
    assert schema_errors(doc) == []
    assert export(Snapshot((), (), ()), [], [], ExportOptions(SID))["org_label"] is None
    assert period_of(date(2026, 1, 1)) == "2026-Q1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"k": 0}, "--k"),
        ({"rounding": 0}, "--round"),
        ({"tlp": "RED"}, "--tlp"),
        ({"submission_id": "bank-a"}, "UUID"),
        ({"period": "Q4 2026"}, "--period"),
        ({"org_label": "x" * 101}, "100 characters"),
    ],
)
def test_bad_options_are_usage_errors(change: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        export(Snapshot((), (), ()), [], [], dataclasses.replace(ExportOptions(SID), **change))


def test_export_is_deterministic_and_independent_of_input_order() -> None:
    snap = snapshot_of({"certificate": 9, "key": 6}, tls=(5, 6))
    first = to_json(export(snap, [], [], ExportOptions(SID)))
    second = to_json(export(snap, [], [], ExportOptions(SID)))
    assert first == second
    reordered = Snapshot(tuple(reversed(snap.assets)), tuple(reversed(snap.findings)), ())
    assert to_json(export(reordered, [], [], ExportOptions(SID))) == first
    assert json.loads(first)["schema"] == "pqcscan-stats/1"
