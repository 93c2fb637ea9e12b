"""``pqcscan stats compare``: where one organisation stands against the merged group.

Computed locally from the organisation's own export and the merged statistics, so nothing
more leaves. The percentile is estimated from the published quantiles (p10..p90) by linear
interpolation; outside them it is reported as at most 10 or at least 90.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

from pqcscan.sharing.merge import check_document
from pqcscan.sharing.vocabulary import Vocabulary, get_vocabulary

_POINTS = (10, 25, 50, 75, 90)


@dataclass(frozen=True, slots=True)
class Standing:
    """One indicator: mine against the group."""

    indicator: str
    description: str
    better: str  # "higher" or "lower"
    mine: float | None
    group: float | None  # the pooled share
    median: float | None
    percentile: float | None  # estimated share of organisations at or below mine (0..100)
    bound: str  # "", "<=" (at or below p10) or ">=" (at or above p90)
    verdict: str  # "ahead of the group", "behind the group", "at the median", "n/a..."


def percentile(value: float, quantiles: dict[str, float]) -> tuple[float, str]:
    """Estimate the percentile of ``value`` from p10..p90 (ties: the middle of the tied run)."""
    points = [(p, quantiles[f"p{p}"]) for p in _POINTS]
    tied = [p for p, q in points if abs(q - value) < 1e-9]
    if tied:
        mid = (min(tied) + max(tied)) / 2
        return mid, "<=" if mid == 10 else ">=" if mid == 90 else ""
    if value < points[0][1]:
        return 10.0, "<="
    if value > points[-1][1]:
        return 90.0, ">="
    for (pa, qa), (pb, qb) in pairwise(points):
        if qa < value < qb:
            return round(pa + (value - qa) / (qb - qa) * (pb - pa), 1), ""
    return 50.0, ""  # pragma: no cover - quantiles are sorted


def _verdict(better: str, mine: float, median: float) -> str:
    if abs(mine - median) < 1e-9:
        return "at the median"
    ahead = mine > median if better == "higher" else mine < median
    return "ahead of the group" if ahead else "behind the group"


def compare(
    mine: dict[str, Any],
    merged: dict[str, Any],
    vocab: Vocabulary | None = None,
    names: tuple[str, str] = ("MINE", "MERGED"),
) -> list[Standing]:
    """Each indicator of the vocabulary: my share, the group's, and my percentile."""
    vocab = vocab or get_vocabulary()
    check_document(mine, names[0], "export", vocab)
    check_document(merged, names[1], "merged", vocab)
    rows = []
    for spec, own, group in zip(
        vocab.indicators, mine["indicators"], merged["indicators"], strict=True
    ):
        value, quantiles = own["share"], group["quantiles"]
        pct: float | None = None
        bound = ""
        median = quantiles["p50"] if quantiles else None
        if value is None:
            verdict = "n/a: too few items here"
        elif group["share"] is None:
            verdict = "n/a: too few organisations"
        elif quantiles is None:
            verdict = _verdict(spec.better, value, group["share"]).replace("median", "group share")
        else:
            pct, bound = percentile(value, quantiles)
            verdict = _verdict(spec.better, value, quantiles["p50"])
        rows.append(
            Standing(
                spec.id,
                spec.description,
                spec.better,
                value,
                group["share"],
                median,
                pct,
                bound,
                verdict,
            )
        )
    return rows


def to_json(rows: list[Standing], merged: dict[str, Any]) -> str:
    doc = {
        "period": merged["period"],
        "organisations": merged["organisations"],
        "tlp": merged["tlp"],
        "indicators": [asdict(r) for r in rows],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def to_table(rows: list[Standing], merged: dict[str, Any]) -> str:
    """A plain-text table for a terminal."""
    header = ("indicator", "better", "mine", "group", "median", "percentile", "standing")
    lines = [header]
    for r in rows:
        pct = "-" if r.percentile is None else f"{r.bound}{r.percentile:g}"
        lines.append(
            (r.indicator, r.better, _fmt(r.mine), _fmt(r.group), _fmt(r.median), pct, r.verdict)
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = [
        f"pilot group {merged['period'] or '(no period)'}: {merged['organisations']} "
        f"organisations, TLP:{merged['tlp']}"
    ]
    for line in lines:
        out.append("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    return "\n".join(out) + "\n"
