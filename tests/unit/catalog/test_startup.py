"""The CLI starts without importing jsonschema (about a second); the catalog still validates."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(done.stdout.split())


def test_importing_the_cli_does_not_import_jsonschema() -> None:
    assert "pqcscan.cli" in _modules_after("import pqcscan.cli")
    assert "jsonschema" not in _modules_after("import pqcscan.cli")


def test_loading_the_catalog_validates_it_with_jsonschema() -> None:
    assert "jsonschema" in _modules_after(
        "from pqcscan.catalog import load_catalog\nload_catalog()"
    )
