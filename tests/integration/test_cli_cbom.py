"""``pqcscan export cbom`` and ``pqcscan import cbom`` end to end: the demo tree and the demo
repositories scanned and ranked through the CLI, exported as CycloneDX 1.6 and 1.7 (validated
against the official schemas), imported into a fresh inventory, and a broken CBOM."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pqcscan.demo.code import build_repos
from pqcscan.demo.tree import build_demo_tree
from pqcscan.exporters.cbom import validate


def pqcscan(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def findings(db: Path | str) -> list[dict[str, Any]]:
    out = pqcscan(db, "inventory", "--format", "json")
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout)["findings"])


def algorithms(rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {
        (f["algorithm"], f["parameter"], f["quantum_status"])
        for f in rows
        if f["algorithm"] != "unknown"
    }


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory, module_inventory_url: str) -> str:
    root = tmp_path_factory.mktemp("cbom")
    tree, repos = root / "tree", root / "repos"
    build_demo_tree(tree)
    build_repos(repos)
    db = module_inventory_url
    for args in (("scan", "certs", str(tree)), ("scan", "code", str(repos)), ("rank",)):
        out = pqcscan(db, *args)
        assert out.returncode in (0, 3), out.stderr  # the demo tree holds broken files
    return db


@pytest.mark.both_backends
@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_export_validates_is_reproducible_and_round_trips(
    scanned: str, tmp_path: Path, spec: str
) -> None:
    if spec == "1.6" and not scanned.startswith("sqlite"):
        pytest.skip("one spec is enough on PostgreSQL: both exports read the same inventory")
    first, second = tmp_path / "a.cdx.json", tmp_path / "b.cdx.json"
    for path in (first, second):
        out = pqcscan(scanned, "export", "cbom", "--spec", spec, "-o", str(path))
        assert out.returncode == 0, out.stderr
    text = first.read_text(encoding="utf-8")
    assert text == second.read_text(encoding="utf-8")  # byte-identical
    assert validate(text, spec) is None
    doc = json.loads(text)
    assert doc["specVersion"] == spec
    kinds = Counter(
        c.get("cryptoProperties", {}).get("assetType", c["type"]) for c in doc["components"]
    )
    assert kinds["algorithm"] and kinds["certificate"] and kinds["library"]
    scored = [
        c
        for c in doc["components"]
        for p in c.get("properties", [])
        if p["name"] == "pqcscan:risk:score"
    ]
    assert scored  # the ranking is on the components
    assert any(c.get("evidence", {}).get("occurrences") for c in doc["components"])

    fresh = tmp_path / "fresh.db"
    out = pqcscan(fresh, "import", "cbom", str(first))
    assert out.returncode == 0, out.stderr
    original, imported = algorithms(findings(scanned)), algorithms(findings(fresh))
    assert imported == original
    assert Counter(s for _, _, s in imported) == Counter(s for _, _, s in original)
    rows = findings(fresh)
    assert {f["evidence"]["collector"] for f in rows} == {"cbom"}
    assert any(f["asset_type"] == "certificate" for f in rows)


def test_timestamp_option(scanned: str) -> None:
    out = pqcscan(scanned, "export", "cbom", "--timestamp", "scan")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["metadata"]["timestamp"].startswith("20")
    out = pqcscan(scanned, "export", "cbom", "--run", "99")
    assert out.returncode == 2 and "no risk run 99" in out.stderr


@pytest.mark.both_backends
def test_broken_cbom_is_an_error_item_with_exit_3(tmp_path: Path, cli_inventory_url: str) -> None:
    db = cli_inventory_url
    broken = tmp_path / "supplier.cdx.json"
    broken.write_text('{"bomFormat": "CycloneDX", "components": [', encoding="utf-8")
    out = pqcscan(db, "import", "cbom", str(broken))
    assert out.returncode == 3, out.stderr
    errors = pqcscan(db, "errors")
    assert "malformed" in errors.stdout and "invalid JSON" in errors.stdout
    assert findings(db) == []
    missing = pqcscan(db, "import", "cbom", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
