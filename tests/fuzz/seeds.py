"""Real seed inputs for the fuzz targets, built once per test session."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from pqcscan.demo.builders.entropy import deterministic
from pqcscan.demo.tree import build_demo_tree

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "pqcscan" / "demo" / "samples"
DEPS_DATA = REPO / "tests" / "unit" / "code" / "deps" / "data"
CONFIG_DATA = REPO / "tests" / "unit" / "code" / "config" / "data"


@functools.cache
def demo_tree() -> dict[str, bytes]:
    """Every file of the demo tree (certificates, keys, keystores, SSH files, the broken
    ones), by path below the tree; seeded, so hypothesis's saved examples replay."""
    with tempfile.TemporaryDirectory(prefix="pqcscan-fuzz-") as folder:
        root = Path(folder)
        with deterministic(b"pqcscan fuzz seeds"):
            build_demo_tree(root)
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder``, by path relative to it."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
