from __future__ import annotations

import copy
from typing import Any

import pytest

from pqcscan.errors import UsageError
from pqcscan.sharing.merge import merge
from tests.unit.sharing.helpers import org_export

CERT = ("certificate",)
KEY = ("key",)


def orgs(*counts: int, values: tuple[str, ...] = CERT, **options: Any) -> list[tuple[str, dict]]:
    return [
        (f"org{i}.json", org_export({"assets_by_type": {values: n}} if n else {}, **options))
        for i, n in enumerate(counts)
    ]


def published(
    merged: dict, table: str = "assets_by_type"
) -> dict[tuple[str, ...], tuple[int, int]]:
    t = next(t for t in merged["tables"] if t["id"] == table)
    return {tuple(c["values"]): (c["count"], c["orgs"]) for c in t["cells"]}


def test_three_organisations_publish_a_cell_two_do_not() -> None:
    assert published(merge(orgs(10, 10, 10))) == {CERT: (30, 3)}
    two = merge(orgs(10, 10))
    assert published(two) == {}
    assert next(t for t in two["tables"] if t["id"] == "assets_by_type")["withheld"] == 1
    assert two["organisations"] == 2
    # three files, but only two contributed to the cell
    three = merge(orgs(10, 10, 0))
    assert published(three) == {} and three["organisations"] == 3


def test_dominance_exactly_80_percent_is_published_above_is_not() -> None:
    assert published(merge(orgs(40, 5, 5))) == {CERT: (50, 3)}  # 80% exactly
    assert published(merge(orgs(45, 5, 5))) == {}  # 81.8%
    assert published(merge(orgs(80, 10, 5, 5))) == {CERT: (100, 4)}
    assert published(merge(orgs(85, 5, 5, 5))) == {}


def test_totals_and_indicators_follow_the_same_rules() -> None:
    docs = [
        (f"o{i}.json", org_export({}, {"tls_hybrid_share": (share, base)}))
        for i, (share, base) in enumerate([(0.5, 10), (0.3, 10), (0.0, 20)])
    ]
    merged = merge(docs)
    ind = next(i for i in merged["indicators"] if i["id"] == "tls_hybrid_share")
    assert ind == {
        "id": "tls_hybrid_share",
        "orgs": 3,
        "share": 0.2,
        "base": 40,
        "quantiles": None,
    }  # (5 + 3 + 0) / 40; quantiles need 5 organisations
    dominated = merge([*docs[:2], ("big.json", org_export({}, {"tls_hybrid_share": (0.1, 90)}))])
    ind = next(i for i in dominated["indicators"] if i["id"] == "tls_hybrid_share")
    assert ind["share"] is None and ind["base"] is None and ind["orgs"] == 3


def test_header_records_organisations_period_and_the_strictest_tlp() -> None:
    docs = orgs(10, 10, 10, tlp="GREEN", period="2026-Q4")
    docs[1][1]["tlp"] = "AMBER+STRICT"
    merged = merge(docs)
    assert (merged["organisations"], merged["period"], merged["tlp"]) == (
        3,
        "2026-Q4",
        "AMBER+STRICT",
    )
    assert merged["rules"]["min_orgs"] == 3 and merged["rules"]["dominance"] == 0.8
    assert merge(list(reversed(docs))) == merged  # order of files does not matter


def tampered(change: Any) -> list[tuple[str, dict]]:
    docs = orgs(10, 10, 10)
    doc = copy.deepcopy(docs[2][1])
    change(doc)
    return [*docs[:2], ("tampered.json", doc)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(hostname="core-api.example.test"), "tampered.json: not a valid"),
        (lambda d: d["tables"][0]["cells"].append({"values": ["web01"], "count": 5}), "not a term"),
        (lambda d: d["tables"][0]["cells"][0].update(count=3), "breaks its own k"),
        (lambda d: d["tables"][0]["cells"][0].update(count=12), "rounding"),
        (lambda d: d["tables"][0]["cells"][0].update(values=["Core API"]), "not a valid"),
        (lambda d: d["tables"].pop(), "predeclared"),
        (lambda d: d["tables"][0].update(dimensions=["usage"]), "dimensions differ"),
        (lambda d: d.update(org_label="x" * 200), "not a valid"),
        (lambda d: d.update(kind="merged"), "not a valid"),
        (lambda d: d["vocabulary"].update(sha256="0" * 64), "mixed vocabularies"),
        (lambda d: d.update(schema="pqcscan-stats/2"), "mixed schema versions"),
        (lambda d: d.update(period="2027-Q1"), "mixed reporting periods"),
        (lambda d: d.update(submission_id=d["submission_id"]), ""),
    ],
)
def test_tampered_or_mixed_inputs_are_refused(change: Any, message: str) -> None:
    docs = tampered(change)
    if not message:  # the unchanged control merges
        assert merge(docs)["organisations"] == 3
        return
    with pytest.raises(UsageError, match=message):
        merge(docs)


def test_the_same_submission_twice_is_refused() -> None:
    docs = orgs(10, 10)
    with pytest.raises(UsageError, match="same submission"):
        merge([*docs, ("again.json", docs[0][1])])


def test_same_vocabulary_but_not_this_pqcscan_is_refused() -> None:
    docs = orgs(10, 10, 10)
    for _, doc in docs:
        doc["vocabulary"]["sha256"] = "1" * 64
    with pytest.raises(UsageError, match="differs from this pqcscan"):
        merge(docs)
