#!/usr/bin/env python3
"""Regenerate ``inventory.db.sample`` at the top of the repository (see pqcscan.demo.sample).

    python scripts/make_sample_inventory.py [--out inventory.db.sample]

Runs the demo estate through three scan rounds on loopback only; takes about a minute.
The same code gives the same file byte for byte; commit it whenever the output changes.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

from pqcscan.demo.sample import SAMPLE_NAME, build_sample

REPOSITORY = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPOSITORY / SAMPLE_NAME)
    args = parser.parse_args()
    started = time.monotonic()
    for line in build_sample(args.out):
        print(line)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    took = time.monotonic() - started
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, sha256 {digest}) in {took:.0f} s")


if __name__ == "__main__":
    main()
