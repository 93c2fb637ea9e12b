"""Nothing identifying leaves: a canary inventory, exported and merged, in every encoding."""

from __future__ import annotations

import json
import uuid

from pqcscan.sharing.merge import merge
from pqcscan.sharing.stats import ExportOptions, export, to_json
from tests.unit.sharing.canary import canary_snapshot, encodings, leaks


def test_the_leak_detector_finds_every_encoding() -> None:
    *_, canaries = canary_snapshot()
    value = canaries.strings[0]
    for form in encodings(value):
        assert leaks(f'{{"x": "{form}"}}', canaries), form


def test_no_canary_in_exports_or_merges() -> None:
    snapshot, items, contexts, canaries = canary_snapshot(copies=12)
    assert len(items) > 10  # the ranking saw the canary services
    docs = []
    for k, rounding in ((5, 5), (1, 1), (2, 1)):
        doc = export(
            snapshot,
            items,
            contexts,
            ExportOptions(str(uuid.uuid4()), k=k, rounding=rounding, profile="default"),
        )
        text = to_json(doc)
        assert leaks(text, canaries) == []
        docs.append((f"org{k}{rounding}", doc))
    # it did count things (the test would pass on an empty export otherwise)
    assert any(t["cells"] for t in docs[1][1]["tables"] if t["id"].startswith("items_"))
    hybrid = next(i for i in docs[0][1]["indicators"] if i["id"] == "tls_hybrid_share")
    assert hybrid["share"] == 1.0
    merged = json.dumps(merge(docs), indent=2)
    assert leaks(merged, canaries) == []
