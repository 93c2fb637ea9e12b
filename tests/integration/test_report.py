"""``pqcscan report`` end to end: a real inventory built through the CLI (demo certificates
with a hostile file name, the sample code repositories, Example Bank's context, a ranking),
the page checked by a strict parser and loaded in headless Chromium.

Chromium is required (CI installs Debian's ``chromium``): without it the browser test fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from pqcscan.demo.code import build_repos
from pqcscan.demo.tree import DEMO_PASSWORD, build_demo_tree
from tests.unit.exporters.test_report import check_page

SAMPLES = resources.files("pqcscan.demo").joinpath("samples")
#: A declared HSM with hostile names; it ranks first (3DES, mapped to the HSM services).
HOSTILE_CSV = (
    "id,kind,vendor,product,version,location,algorithms,support_end,pqc_roadmap,tags,owner,"
    "vendor_controlled,count,notes\n"
    '"hsm-<script>alert(1)</script>",payment-hsm,"Evil & Co ""quoted""",'
    "\"<img src=x onerror=alert(1)> 'k'\",1.0,DC1,3DES (encryption); RSA-2048 (key-transport),"
    "2028-06-30,none,hsm; payments,Payments Engineering,yes,2,<b>notes</b>\n"
)
HOSTILE_TEXTS = ("hsm-<script>alert(1)</script>", 'Evil & Co "quoted"', "<img src=x onerror")
CONSOLE = re.compile(r":CONSOLE[:(]")


def pqcscan(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


@dataclass(frozen=True)
class Built:
    db: str  # the inventory's URL
    folder: Path  # the scanned files and the reports written while building it


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory, module_inventory_url: str) -> Built:
    folder = tmp_path_factory.mktemp("report")
    files = folder / "files"
    build_demo_tree(files)
    db = module_inventory_url
    certs = pqcscan(db, "scan", "certs", str(files), "--password", DEMO_PASSWORD, "--jobs", "2")
    assert certs.returncode == 3, certs.stderr  # the demo tree holds broken files on purpose
    build_repos(folder / "repos")
    code = pqcscan(db, "scan", "code", str(folder / "repos"), "--jobs", "2")
    assert code.returncode in (0, 3), code.stderr
    unranked = pqcscan(db, "report", "-o", str(folder / "unranked.html"))
    assert unranked.returncode == 0, unranked.stderr
    context = pqcscan(db, "context", "load", str(SAMPLES / "bank-context.yaml"))
    assert context.returncode == 0, context.stderr
    (folder / "hostile.csv").write_text(HOSTILE_CSV, encoding="utf-8")
    hostile = pqcscan(db, "import", "assets", str(folder / "hostile.csv"))
    assert hostile.returncode == 0, hostile.stderr
    ranked = pqcscan(db, "rank", "--as-of", "2026-11-24")
    assert ranked.returncode == 0, ranked.stderr
    return Built(db, folder)


@pytest.mark.both_backends
def test_report_is_self_contained_escaped_and_deterministic(inventory: Built) -> None:
    out = inventory.folder / "report.html"
    made = pqcscan(inventory.db, "report", "-o", str(out), "--top", "10")
    assert made.returncode == 0, made.stderr
    page = out.read_text(encoding="utf-8")
    parser = check_page(page)
    text = "".join(parser.text)
    for hostile in HOSTILE_TEXTS:
        assert hostile in text  # shown intact, as text
    assert "script" not in parser.tags and "img" not in parser.tags
    assert "<script>alert" not in page and "<img" not in page
    for sid in ("summary", "hybrid", "history", "backlog", "dependencies", "mosca"):
        assert f'<section id="{sid}">' in page
    assert page.count('<article class="item"') == 10
    assert "Generated at " in text and "(newest run)" in text
    assert "No ranking yet" not in page
    again = pqcscan(inventory.db, "report", "--top", "10")  # to standard output
    assert again.returncode == 0 and again.stdout == page  # deterministic by default
    stamped = pqcscan(inventory.db, "report", "--top", "10", "--generated-at", "2026-11-24T10:00")
    assert "Generated at 2026-11-24 10:00:00" in stamped.stdout
    ours, theirs = page.splitlines(), stamped.stdout.splitlines()
    assert len(ours) == len(theirs)
    changed = [b for a, b in zip(ours, theirs, strict=True) if a != b]
    assert changed == ['<p class="meta">Generated at 2026-11-24 10:00:00</p>']  # that line only


@pytest.mark.both_backends
def test_report_without_ranking_or_data_says_what_to_run(inventory: Built) -> None:
    unranked = (inventory.folder / "unranked.html").read_text(encoding="utf-8")
    check_page(unranked)
    assert "No ranking yet: run pqcscan rank" in unranked
    assert '<span class="kpi">' in unranked  # the inventory part is there
    empty = pqcscan(inventory.folder / "empty.db", "report")
    assert empty.returncode == 0, empty.stderr
    check_page(empty.stdout)
    assert "pqcscan scan certs PATH" in empty.stdout
    assert "never (the inventory is empty)" in empty.stdout


def test_report_usage_errors_are_one_line(inventory: Built) -> None:
    missing = pqcscan(inventory.db, "report", "--run", "999")
    assert missing.returncode == 2 and "no risk run 999" in missing.stderr
    bad_time = pqcscan(inventory.db, "report", "--generated-at", "yesterday")
    assert bad_time.returncode == 2 and "--generated-at" in bad_time.stderr
    assert "Traceback" not in missing.stderr + bad_time.stderr


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium (CI installs it)")
    return path


def browse(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
            page.absolute().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_report_loads_in_chromium(inventory: Built, tmp_path: Path) -> None:
    page = inventory.folder / "browser.html"
    made = pqcscan(inventory.db, "report", "-o", str(page))
    assert made.returncode == 0, made.stderr
    shot = tmp_path / "report.png"
    taken = browse(page, tmp_path / "p1", f"--screenshot={shot}", "--window-size=1280,2000")
    assert taken.returncode == 0, taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # charts and tables, not a blank page
    dom = browse(page, tmp_path / "p2", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<section id="mosca">' in dom.stdout and "<svg" in dom.stdout
    assert not CONSOLE.search(dom.stderr), [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln]
    # In print each section after the first starts a page: the short page of an empty
    # inventory prints on exactly six pages (one without the page breaks).
    empty = tmp_path / "empty.html"
    assert pqcscan(tmp_path / "empty.db", "report", "-o", str(empty)).returncode == 0
    pdf = tmp_path / "report.pdf"
    printed = browse(empty, tmp_path / "p4", f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert printed.returncode == 0, printed.stderr[-2000:]
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) == 6
    # The console check is live: a page with a script error is reported on stderr.
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><p>x</p><script>undefinedFn()</script>", encoding="utf-8")
    assert CONSOLE.search(browse(broken, tmp_path / "p3", "--dump-dom").stderr)
