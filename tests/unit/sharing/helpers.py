"""Small plain snapshots and hand-made export documents for the sharing tests."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from pqcscan.inventory.snapshot import AssetView, FindingView, Snapshot
from pqcscan.sharing.stats import ExportOptions, export

SID = "00000000-0000-4000-8000-000000000001"


def snapshot_of(counts: dict[str, int], tls: tuple[int, int] = (0, 0)) -> Snapshot:
    """``counts[asset type]`` assets of each type (one RSA-2048 finding each) plus TLS
    endpoints: ``tls = (hybrid, classical-only)``."""
    assets: list[AssetView] = []
    findings: list[FindingView] = []

    def add(type_: str, details: dict[str, Any]) -> int:
        aid = len(assets) + 1
        assets.append(AssetView(aid, type_, f"fp-{aid}", f"loc-{aid}", f"name-{aid}", details))
        return aid

    def find(aid: int, alg: str, param: str, usage: str, status: str) -> None:
        findings.append(
            FindingView(len(findings) + 1, aid, alg, param, usage, status, 112, None, None, "", "")
        )

    for type_, n in sorted(counts.items()):
        for _ in range(n):
            find(add(type_, {}), "RSA", "2048", "signature", "quantum-vulnerable")
    hybrid, classical = tls
    for i in range(hybrid + classical):
        e = add("endpoint", {"protocol": "tls"})
        find(e, "TLS", "1.3", "protocol", "quantum-safe")
        if i < hybrid:
            find(e, "X25519MLKEM768", "", "key-exchange", "hybrid")
        find(e, "X25519", "", "key-exchange", "quantum-vulnerable")
    return Snapshot(tuple(assets), tuple(findings), ())


def empty_export(sid: str | None = None, **options: Any) -> dict[str, Any]:
    """A valid export of an empty inventory (every table empty, every share withheld)."""
    opts = ExportOptions(submission_id=sid or str(uuid.uuid4()), **options)
    return export(Snapshot((), (), ()), [], [], opts)


def org_export(
    cells: dict[str, dict[tuple[str, ...], int]],
    shares: dict[str, tuple[float, int]] | None = None,
    sid: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """An export document with the given (already rounded) cells and indicator shares."""
    doc = copy.deepcopy(empty_export(sid, **options))
    for table in doc["tables"]:
        for values, count in cells.get(table["id"], {}).items():
            table["cells"].append({"values": list(values), "count": count})
    for ind in doc["indicators"]:
        if shares and ind["id"] in shares:
            ind["share"], ind["base"] = shares[ind["id"]]
    return doc
