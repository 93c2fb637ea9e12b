"""Ranking end to end: a scanned tree, a business context, declared hardware, then rank,
explain and the exports, through the real CLI and a real inventory."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from pqcscan.demo.tree import DEMO_PASSWORD, build_demo_tree

SAMPLES = resources.files("pqcscan.demo").joinpath("samples")


def pqcscan(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory, module_inventory_url: str) -> str:
    folder = tmp_path_factory.mktemp("risk")
    build_demo_tree(folder / "files")
    db = module_inventory_url
    assert (
        pqcscan(db, "scan", "certs", str(folder / "files"), "--password", DEMO_PASSWORD).returncode
        == 3
    )
    context = pqcscan(db, "context", "load", str(SAMPLES / "bank-context.yaml"))
    assert context.returncode == 0, context.stderr
    hardware = pqcscan(db, "import", "assets", str(SAMPLES / "hardware.csv"))
    assert hardware.returncode == 0, hardware.stderr
    return db


def ranking(db: Path | str, *args: str) -> list[dict[str, Any]]:
    out = pqcscan(db, "rank", "--top", "0", "--format", "json", "--as-of", "2026-11-24", *args)
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout)["items"])


@pytest.mark.both_backends
def test_rank_table_explain_and_determinism(inventory: str) -> None:
    table = pqcscan(inventory, "rank", "--top", "5", "--as-of", "2026-11-24")
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split()[:5] == ["#", "score", "wave", "item", "why"]
    assert "risk run" in table.stderr
    first, second = ranking(inventory), ranking(inventory)
    assert first == second  # same inventory, context and profile: same items, same order
    explained = pqcscan(inventory, "explain", "1")
    assert explained.returncode == 0, explained.stderr
    text = explained.stdout
    for part in ("Factors (FSC measure 17)", "資料保密期限", "Mosca", "X + Y - Z", "What to do"):
        assert part in text
    by_key = pqcscan(inventory, "explain", second_key(inventory), "--format", "json")
    assert json.loads(by_key.stdout)["key"] == second_key(inventory)


def second_key(db: Path | str) -> str:
    return str(ranking(db)[1]["key"])


def test_explain_errors_are_one_line(inventory: str, tmp_path: Path) -> None:
    out = pqcscan(inventory, "explain", "99999")
    assert out.returncode == 2 and "has items 1-" in out.stderr
    empty = pqcscan(tmp_path / "empty.db", "explain", "1")
    assert empty.returncode == 2 and "nothing ranked yet" in empty.stderr


def test_explain_finds_items_by_asset_name_or_location(inventory: str) -> None:
    ranking(inventory)
    by_product = pqcscan(inventory, "explain", "PAYSHIELD", "--format", "json")
    assert by_product.returncode == 0, by_product.stderr
    assert json.loads(by_product.stdout)["key"] == "hardware:hsm-pay-01#algorithms"
    several = pqcscan(inventory, "explain", "hsm-bridge.jceks")
    assert several.returncode == 2 and "be more precise" in several.stderr
    assert "hsm-bridge.jceks" in several.stderr and "(key store" in several.stderr
    nothing = pqcscan(inventory, "explain", "no-such-thing-anywhere")
    assert nothing.returncode == 2 and "matches 'no-such-thing-anywhere'" in nothing.stderr


def test_waves_order_and_quantum_safe_items(inventory: str) -> None:
    items = ranking(inventory)
    waves = [i["wave"] for i in items]
    order = ["now", "next", "later", "monitor"]
    assert waves == sorted(waves, key=order.index)
    safe = [i for i in items if i["status"] == "quantum-safe"]
    assert safe and all(i["score"] == 0 and i["wave"] == "monitor" for i in safe)
    assert all(0 <= i["score"] <= 100 for i in items)


@pytest.mark.parametrize(
    ("tracker", "columns"),
    [
        ("jira", ["Summary", "Description", "Priority", "Labels"]),
        ("azure", ["Work Item Type", "Title", "Description", "Priority", "Tags"]),
    ],
)
def test_backlog_csv_for_trackers(inventory: str, tracker: str, columns: list[str]) -> None:
    ranking(inventory)
    out = pqcscan(inventory, "export", "backlog", "--format", "csv", "--tracker", tracker)
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0][: len(columns)] == columns
    body = rows[1:]
    assert body and all(len(r) == len(rows[0]) for r in body)
    assert not any("monitor" in r for r in body)  # quantum-safe items stay out by default
    description = body[0][rows[0].index("Description")]
    assert "Mosca" in description and "Evidence" in description


@pytest.mark.both_backends
def test_backlog_json_and_markdown(inventory: str, tmp_path: Path) -> None:
    ranking(inventory)
    doc = json.loads(pqcscan(inventory, "export", "backlog", "--format", "json").stdout)
    assert doc["schema"] == "pqcscan-backlog/1"
    assert doc["generated_by"]["profile_sha256"] and doc["generated_by"]["context_name"]
    target = tmp_path / "plan.md"
    assert pqcscan(inventory, "export", "backlog", "-o", str(target)).returncode == 0
    plan = target.read_text()
    assert plan.startswith("# Post-quantum migration plan")
    assert "## Wave now" in plan and "assumed CRQC year 2035" in plan


@pytest.mark.both_backends
def test_supplier_survey(inventory: str) -> None:
    out = pqcscan(inventory, "export", "suppliers", "--format", "json")
    assert out.returncode == 0, out.stderr
    products = json.loads(out.stdout)["products"]
    vendors = {p["vendor"] for p in products}
    assert {"Thales", "NCR"} <= vendors
    questions = " ".join(q for p in products for q in p["questions"])
    assert "CBOM" in questions or "bill of materials" in questions
    md = pqcscan(inventory, "export", "suppliers").stdout
    assert "Questions to send" in md


def test_profiles_and_missing_context(tmp_path: Path) -> None:
    db = tmp_path / "bare.db"
    tree = tmp_path / "files"
    build_demo_tree(tree)
    pqcscan(db, "scan", "certs", str(tree / "etc"), "--password", DEMO_PASSWORD)
    bare = ranking(db)
    assert bare and all(i["needs_context"] for i in bare if i["wave"] != "monitor")
    strict = ranking(db, "--profile", "cnsa")
    assert {i["key"] for i in strict} == {i["key"] for i in bare}
    bad = pqcscan(db, "rank", "--profile", "no-such-profile")
    assert bad.returncode == 2 and "no-such-profile" in bad.stderr
