"""``inventory.db.sample``: it opens with the current migrations, every sharing command works
on it, and ``scripts/make_sample_inventory.py`` reproduces it exactly."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from pqcscan.demo.lab import serve
from pqcscan.demo.sample import SAMPLE_NAME, build_sample
from pqcscan.inventory import Inventory
from pqcscan.inventory.database import HEAD_REVISION, current_revision

SAMPLE = Path(__file__).resolve().parents[2] / SAMPLE_NAME


def pqcscan(db: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    prefix = ["--db", str(db)] if db is not None else []
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", *prefix, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def ok(db: Path | None, *args: str) -> str:
    done = pqcscan(db, *args)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the sample: the tests must never change the committed file."""
    copy = tmp_path / "inventory.db"
    shutil.copyfile(SAMPLE, copy)
    return copy


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def test_opens_with_the_current_migrations(sample: Path) -> None:
    with Inventory.open(str(sample)) as inventory:
        assert current_revision(inventory.engine) == HEAD_REVISION
        runs = inventory.runs()
    collectors = [r.collector for r in sorted(runs, key=lambda r: r.id)]
    assert collectors.count("certs") == collectors.count("net") == 3, collectors
    assert collectors.count("code") == 3 and "declared" in collectors
    assert all(r.status == "completed" for r in runs)
    # Three rounds over 2026, each ranked against the sample business context.
    risk = rows(sample, "SELECT as_of, context_name FROM risk_runs ORDER BY id")
    assert risk == [
        ("2026-03-02", "example-bank"),
        ("2026-06-01", "example-bank"),
        ("2026-09-01", "example-bank"),
    ]


def test_diff_shows_the_migration_between_rounds(sample: Path) -> None:
    nets = [r[0] for r in rows(sample, "SELECT id FROM scan_runs WHERE collector = 'net'")]
    doc = json.loads(ok(sample, "diff", str(nets[0]), str(nets[-1]), "--format", "json"))
    gained = {
        c["subject"]
        for c in doc["changes"]
        if c["kind"] == "endpoint-key-exchange-added" and "X25519MLKEM768" in c["text"]
    }
    assert "127.80.0.10:8443" in gained  # internet banking went hybrid in June
    gone = {a["fingerprint"] for a in doc["assets"]["disappeared"]}
    assert "127.80.0.13:8443" in gone  # the TLS 1.0 portal was switched off in September
    certs = [r[0] for r in rows(sample, "SELECT id FROM scan_runs WHERE collector = 'certs'")]
    doc = json.loads(ok(sample, "diff", str(certs[0]), str(certs[-1]), "--format", "json"))
    appeared = {(a["type"], a["name"]) for a in doc["assets"]["appeared"]}
    assert {  # re-issued (the old certificates stay in keystores and bundles of the tree)
        ("certificate", "www.example-bank.test"),
        ("certificate", "api.example-bank.test"),
        ("key", "ML-DSA-44 private key"),
    } <= appeared
    code = [r[0] for r in rows(sample, "SELECT id FROM scan_runs WHERE collector = 'code'")]
    doc = json.loads(ok(sample, "diff", str(code[0]), str(code[-1]), "--format", "json"))
    assert any(c["kind"] == "library-upgraded" for c in doc["changes"]), doc["changes"]
    assert "Scan diff" in ok(sample, "diff")
    assert ok(sample, "diff", "--format", "md").startswith("#")


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_cbom_export_validates_and_imports_back(sample: Path, tmp_path: Path, spec: str) -> None:
    out = tmp_path / f"cbom-{spec}.json"
    ok(sample, "export", "cbom", "--spec", spec, "-o", str(out))
    version = {"1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}[spec]
    assert JsonStrictValidator(version).validate_str(out.read_text()) is None
    document = json.loads(out.read_text())
    assert len(document["components"]) > 50
    fresh = tmp_path / "imported.db"
    ok(fresh, "import", "cbom", str(out))
    assert rows(fresh, "SELECT count(*) FROM findings")[0][0] > 50


def test_stats_export_merge_compare(sample: Path, tmp_path: Path) -> None:
    files = []
    for n in range(3):
        path = tmp_path / f"member-{n}.json"
        ok(sample, "stats", "export", "-o", str(path), "--tlp", "green")
        files.append(str(path))
    exported = json.loads(Path(files[0]).read_text())
    assert exported["schema"] == "pqcscan-stats/1" and exported["tables"]
    text = Path(files[0]).read_text().lower()
    for identifier in ("example-bank", "127.80.0", "/tmp/pqcscan-sample", "core-banking"):
        assert identifier not in text
    merged = tmp_path / "merged.json"
    ok(None, "stats", "merge", *files, "-o", str(merged))
    assert json.loads(merged.read_text())["organisations"] == 3
    assert "3 organisations" in ok(None, "stats", "compare", files[0], str(merged))


def test_report_rank_and_backlog(sample: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    ok(sample, "report", "-o", str(page))
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert "X25519MLKEM768" in html
    backlog = tmp_path / "backlog.csv"
    ok(sample, "export", "backlog", "--format", "csv", "-o", str(backlog))
    assert len(backlog.read_text().splitlines()) > 50
    assert "Mosca" in ok(sample, "explain", "1")
    ok(sample, "rank")  # a fourth ranking on today's date works on the old data too


@pytest.fixture
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("sample") / SAMPLE_NAME
    # As in any test session: lab chains already built (at random) and cached in this process.
    with serve("classic-rsa2048"), serve("pqc-hybrid"):
        pass
    build_sample(out)
    yield out


@pytest.mark.slow
def test_the_script_reproduces_the_sample(regenerated: Path) -> None:
    """If this fails after a change to collectors, rules or the risk model, the sample is out
    of date: run ``python scripts/make_sample_inventory.py`` and commit the new file."""
    tables = [r[0] for r in rows(SAMPLE, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    differs = [
        t
        for t in sorted(tables)
        if rows(SAMPLE, f"SELECT * FROM {t} ORDER BY 1")
        != rows(regenerated, f"SELECT * FROM {t} ORDER BY 1")
    ]
    assert differs == [], f"tables differ from {SAMPLE_NAME}: {differs}"
