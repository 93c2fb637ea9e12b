"""``pqcscan stats`` end to end on a real inventory built from a canary tree: certificates,
a code repository, declared hardware and a business context full of unique identifiers, none
of which may appear in an export or a merge, in any encoding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.sharing.canary import Canaries, canary_files, leaks

SIDS = [f"00000000-0000-4000-8000-00000000000{i}" for i in range(1, 5)]


def pqcscan(db: Path | str | None, *args: str) -> subprocess.CompletedProcess[str]:
    prefix = ["--db", str(db)] if db is not None else []
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", *prefix, *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def inventory(
    tmp_path_factory: pytest.TempPathFactory, module_inventory_url: str
) -> tuple[str, Canaries]:
    folder = tmp_path_factory.mktemp("stats")
    canaries, paths = canary_files(folder)
    db = module_inventory_url
    for args in (
        ("scan", "certs", str(paths["files"] / "pki")),
        ("scan", "code", str(paths["files"] / "code")),
        ("import", "assets", str(paths["hardware"])),
        ("context", "load", str(paths["context"])),
        ("rank", "--as-of", "2026-11-24", "--top", "0"),
    ):
        out = pqcscan(db, *args)
        assert out.returncode == 0, (args, out.stderr)
    return db, canaries


def export(db: Path | str, out: Path, *args: str) -> dict:
    done = pqcscan(db, "stats", "export", "-o", str(out), *args)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(out.read_text(encoding="utf-8")))


def test_export_merge_compare_leak_nothing(inventory: tuple[str, Canaries], tmp_path: Path) -> None:
    db, canaries = inventory
    files = []
    for i, sid in enumerate(SIDS[:3]):
        path = tmp_path / f"org{i}.json"
        doc = export(db, path, "--submission-id", sid, "--k", "1", "--round", "1", "--tlp", "green")
        assert doc["tlp"] == "GREEN" and doc["period"] == "2026-Q4" and doc["profile"] == "default"
        files.append(path)
    text = files[0].read_text(encoding="utf-8")
    assert leaks(text, canaries) == []
    counted = {t["id"]: t["cells"] for t in json.loads(text)["tables"]}
    assert counted["assets_by_type"] and counted["items_by_ecosystem"]  # it counted things
    assert ["interbank"] in [c["values"] for c in counted["items_by_ecosystem"]]

    merged = tmp_path / "merged.json"
    out = pqcscan(None, "stats", "merge", *map(str, files), "-o", str(merged))
    assert out.returncode == 0, out.stderr
    merged_text = merged.read_text(encoding="utf-8")
    assert leaks(merged_text, canaries) == []
    assert json.loads(merged_text)["organisations"] == 3

    table = pqcscan(None, "stats", "compare", str(files[0]), str(merged))
    assert table.returncode == 0, table.stderr
    assert "3 organisations" in table.stdout and "tls_hybrid_share" in table.stdout
    as_json = pqcscan(None, "stats", "compare", str(files[0]), str(merged), "--format", "json")
    rows = json.loads(as_json.stdout)["indicators"]
    mine = next(r for r in rows if r["indicator"] == "items_wave_now_share")
    assert mine["mine"] == mine["group"] is not None  # three identical organisations
    assert leaks(table.stdout + as_json.stdout, canaries) == []


@pytest.mark.both_backends
def test_default_export_suppresses_and_is_deterministic(
    inventory: tuple[str, Canaries], tmp_path: Path
) -> None:
    db, canaries = inventory
    first = export(db, tmp_path / "a.json", "--submission-id", SIDS[0], "--org-label", "Bank A")
    second = export(db, tmp_path / "b.json", "--submission-id", SIDS[0], "--org-label", "Bank A")
    assert first == second
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert first["org_label"] == "Bank A" and first["k"] == 5
    for table in first["tables"]:
        assert all(c["count"] >= 5 and c["count"] % 5 == 0 for c in table["cells"])
    assert leaks((tmp_path / "a.json").read_text(encoding="utf-8"), canaries) == []
    fresh = pqcscan(db, "stats", "export")
    assert fresh.returncode == 0 and "submission id" in fresh.stderr
    assert json.loads(fresh.stdout)["submission_id"] != SIDS[0]


def test_bad_input_is_one_line_exit_2(inventory: tuple[str, Canaries], tmp_path: Path) -> None:
    db, _ = inventory
    good = [tmp_path / f"o{i}.json" for i in range(3)]
    for path, sid in zip(good, SIDS, strict=False):
        export(db, path, "--submission-id", sid)
    doc = json.loads(good[2].read_text(encoding="utf-8"))
    doc["tables"][0]["cells"].append({"values": ["web01"], "count": 5})
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    for args, message in (
        (("merge", str(good[0]), str(good[1]), str(bad)), "tampered.json"),
        (("merge", str(good[0]), str(good[0])), "same submission"),
        (("merge", str(tmp_path / "missing.json")), "missing.json"),
        (("compare", str(good[0]), str(good[1])), "expected merged"),
    ):
        out = pqcscan(None, "stats", *args)
        assert out.returncode == 2, (args, out.stderr)
        assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
        assert "Traceback" not in out.stderr
    out = pqcscan(db, "stats", "export", "--k", "0")
    assert out.returncode == 2 and "--k" in out.stderr
