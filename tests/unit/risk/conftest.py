"""Shared fixtures: a real inventory of the demo tree, scanned by the certificate collector."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqcscan.collectors.certs import CertificateCollector, CertScanOptions
from pqcscan.demo.tree import DEMO_PASSWORD, build_demo_tree
from pqcscan.inventory import Inventory
from pqcscan.inventory.snapshot import Snapshot, load_snapshot
from pqcscan.scan import run_scan


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, Path]:
    """(snapshot, files folder) of the demo tree scanned into a fresh SQLite inventory."""
    folder = tmp_path_factory.mktemp("risk-demo")
    files = folder / "files"
    build_demo_tree(files)
    with Inventory.open(str(folder / "inventory.db")) as inventory:
        options = CertScanOptions(paths=(files,), passwords=(DEMO_PASSWORD,))
        run_scan(inventory, CertificateCollector(options), jobs=1)
        return load_snapshot(inventory.engine), files
