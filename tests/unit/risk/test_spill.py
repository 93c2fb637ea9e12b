"""Work items and their scores go to disk while ranking and come back unchanged."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

from pqcscan.catalog import get_catalog
from pqcscan.context.mapping import map_assets
from pqcscan.errors import SpillError
from pqcscan.inventory.snapshot import FindingTable, Snapshot
from pqcscan.risk import load_profile, rank
from pqcscan.risk.items import ItemBuilder, WorkItem, finding_lookup
from pqcscan.risk.model import Provenance, Threat, Wave
from pqcscan.risk.spill import Shared, Spill
from tests.unit.risk.builders import worked_example

AS_OF = date(2026, 1, 1)
PROFILE = load_profile()


def test_records_come_back_by_index_in_any_order_across_buffer_flushes() -> None:
    spill = Spill()
    # ~3 MiB in all: several flushes of the 1 MiB buffer, the last records still buffered
    records = [(n, "x" * (n % 5000), (n, None, 1.5)) for n in range(1500)]
    indices = [spill.put(r) for r in records]
    assert indices == list(range(1500)) and len(spill) == 1500
    for n in [1499, 0, 750, 3, 1498, 750]:
        assert spill.get(n) == records[n]
    spill.put("after reading")
    assert spill.get(1500) == "after reading"
    spill.close()


def test_shared_numbers_equal_records_once() -> None:
    shared = Shared()
    first = shared.number(("a", 1))
    assert shared.number(("b", 2)) != first
    assert shared.number(("a", 1)) == first
    assert shared[first] == ("a", 1)


def _items() -> tuple[list[WorkItem], Snapshot]:
    example = worked_example()
    return ItemBuilder(example.snapshot, get_catalog(), AS_OF).build(), example.snapshot


@pytest.mark.parametrize("columns", [False, True], ids=["tuple", "finding-table"])
def test_a_packed_item_unpacks_equal_field_by_field(columns: bool) -> None:
    items, snapshot = _items()
    findings = FindingTable(snapshot.findings) if columns else snapshot.findings
    assets = {a.id: a for a in snapshot.assets}
    items[0].threat, items[0].impact_source, items[0].wave = (
        Threat.HNDL,
        Provenance.USER,
        Wave.NEXT,
    )
    spill = Spill()
    at = [spill.put(item.packed()) for item in items]
    for item, n in zip(items, at, strict=True):
        back = WorkItem.unpacked(spill.get(n), assets, finding_lookup(findings))
        for f in fields(WorkItem):
            assert getattr(back, f.name) == getattr(item, f.name), f.name
        assert back.asset is assets[item.asset.id]
        assert type(back.threat) is Threat and type(back.wave) is Wave
        assert back.evidence == item.evidence and back.title == item.title


def test_ranking_from_a_finding_table_equals_ranking_from_views() -> None:
    example = worked_example()
    s = example.snapshot
    table = Snapshot(s.assets, FindingTable(s.findings), s.links)
    mapping = map_assets(s, example.contexts)
    assert rank(table, example.contexts, mapping, PROFILE, AS_OF) == rank(
        s, example.contexts, mapping, PROFILE, AS_OF
    )


def test_a_real_inventory_loads_into_a_table_and_ranks_as_its_views(
    demo_snapshot: tuple[Snapshot, Path],
) -> None:
    snapshot, _ = demo_snapshot
    assert isinstance(snapshot.findings, FindingTable) and len(snapshot.findings) > 50
    views = Snapshot(snapshot.assets, tuple(snapshot.findings), snapshot.links)
    assert [f.id for f in views.findings] == sorted(f.id for f in views.findings)
    assert rank(snapshot, (), None, PROFILE, AS_OF) == rank(views, (), None, PROFILE, AS_OF)


def test_a_spill_that_cannot_be_created_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpillError, match=r"missing .*set TMPDIR"):
        Spill(tmp_path / "missing")


def test_a_full_disk_while_spilling_is_one_clear_error(tmp_path: Path) -> None:
    # A real write failure: the file size limit (RLIMIT_FSIZE, SIGXFSZ ignored) makes the
    # kernel refuse the write past 1 MiB with EFBIG, as a full disk refuses it with ENOSPC.
    script = f"""
import resource, signal
from pathlib import Path
from pqcscan.errors import SpillError
from pqcscan.risk.spill import Spill
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
spill = Spill(Path({str(tmp_path)!r}))
try:
    for n in range(5000):
        spill.put("x" * 1000)
    spill.get(0)
except SpillError as exc:
    print(exc)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.startswith(f"ranking: cannot write its temporary file in {tmp_path}")
    assert "File too large" in done.stdout and "set TMPDIR" in done.stdout
