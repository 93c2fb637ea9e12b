from __future__ import annotations

import pytest

from pqcscan.errors import UsageError
from pqcscan.sharing.compare import compare, percentile, to_json, to_table
from pqcscan.sharing.merge import merge
from tests.unit.sharing.helpers import org_export

Q = {"p10": 0.1, "p25": 0.2, "p50": 0.4, "p75": 0.6, "p90": 0.8}


def test_percentile_interpolates_between_quantiles() -> None:
    assert percentile(0.4, Q) == (50, "")
    assert percentile(0.3, Q) == (37.5, "")
    assert percentile(0.7, Q) == (82.5, "")
    assert percentile(0.05, Q) == (10, "<=")
    assert percentile(0.95, Q) == (90, ">=")
    flat = {"p10": 0.0, "p25": 0.0, "p50": 0.0, "p75": 0.5, "p90": 1.0}
    assert percentile(0.0, flat) == (30, "")  # ties: the middle of p10..p50


def group(shares: list[float]) -> dict:
    docs = [
        (f"o{i}.json", org_export({}, {"tls_hybrid_share": (s, 20), "tls13_share": (0.5, 20)}))
        for i, s in enumerate(shares)
    ]
    return merge(docs)


def test_compare_against_a_constructed_group_of_ten() -> None:
    merged = group([i / 10 for i in range(10)])  # 0.0, 0.1, ... 0.9
    ind = next(i for i in merged["indicators"] if i["id"] == "tls_hybrid_share")
    assert ind["quantiles"]["p50"] == 0.45 and ind["quantiles"]["p10"] == 0.09
    assert ind["share"] == 0.45 and ind["orgs"] == 10

    def standing(share: float) -> tuple:
        mine = org_export({}, {"tls_hybrid_share": (share, 20), "tls13_share": (0.5, 20)})
        row = next(r for r in compare(mine, merged) if r.indicator == "tls_hybrid_share")
        return row.percentile, row.bound, row.verdict

    assert standing(0.45) == (50, "", "at the median")
    assert standing(0.9) == (90, ">=", "ahead of the group")
    assert standing(0.0) == (10, "<=", "behind the group")
    low, _, verdict = standing(0.3)
    assert 25 < low < 50 and verdict == "behind the group"

    mine = org_export({}, {"tls_hybrid_share": (0.9, 20), "tls13_share": (0.5, 20)})
    rows = compare(mine, merged)
    tls13 = next(r for r in rows if r.indicator == "tls13_share")
    assert tls13.verdict == "at the median" and tls13.percentile == 50
    ssh = next(r for r in rows if r.indicator == "ssh_pq_share")
    assert ssh.verdict.startswith("n/a")
    table = to_table(rows, merged)
    assert "tls_hybrid_share" in table and ">=90" in table and "10 organisations" in table
    assert '"percentile": 90' in to_json(rows, merged)


def test_lower_is_better_indicators_invert_the_verdict() -> None:
    docs = [
        (f"o{i}.json", org_export({}, {"items_wave_now_share": (s, 20)}))
        for i, s in enumerate([0.1, 0.2, 0.3, 0.4, 0.5])
    ]
    merged = merge(docs)
    mine = org_export({}, {"items_wave_now_share": (0.1, 20)})
    row = next(r for r in compare(mine, merged) if r.indicator == "items_wave_now_share")
    assert row.verdict == "ahead of the group" and row.bound == "<="


def test_compare_wants_an_export_and_a_merge() -> None:
    merged = group([0.1, 0.2, 0.3])
    mine = org_export({})
    with pytest.raises(UsageError, match="expected merged"):
        compare(mine, mine)
    with pytest.raises(UsageError, match="expected export"):
        compare(merged, merged)
    row = next(r for r in compare(mine, merged) if r.indicator == "tls_hybrid_share")
    assert row.median is None and row.group == 0.2  # 3 organisations: no quantiles
