"""Benchmark: loading the algorithm catalog (read, validate against the schemas, index).

Baseline, measured in the same run: parsing the same YAML files with PyYAML's C loader and
nothing else. Every pqcscan process pays the catalog load once (workers inherit it).

    python bench/bench_catalog.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import yaml
from table import add_json_option, emit

from pqcscan.catalog import load_catalog
from pqcscan.catalog.loader import rules_root


def yaml_only() -> float:
    start = time.perf_counter()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    catalog = rules_root() / "catalog"
    for folder in (catalog, catalog / "algorithms", catalog / "identifiers"):
        for node in folder.iterdir():
            if node.name.endswith(".yaml"):
                yaml.load(node.read_text(encoding="utf-8"), Loader=loader)
    return time.perf_counter() - start


def full_load() -> float:
    start = time.perf_counter()
    load_catalog()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--repeat", type=int, default=5)
    add_json_option(ap)
    args = ap.parse_args()
    base = statistics.median(yaml_only() for _ in range(args.repeat))
    load = statistics.median(full_load() for _ in range(args.repeat))
    print(f"{'benchmark':<44}{'seconds':>9}{'ratio':>8}")
    print(f"{'YAML parse of the rule files (baseline)':<44}{base:>9.3f}{1.0:>8.2f}")
    print(f"{'load_catalog(): parse, validate, index':<44}{load:>9.3f}{load / base:>8.2f}")
    print(f"\ntarget: catalog load < 0.5 s -> {'met' if load < 0.5 else 'NOT met'}")
    emit(args.json, "catalog", "load_catalog()", load, "s", baseline=f"YAML parse {base:.3f} s",
         ratio=load / base, target="< 0.5 s", met=load < 0.5)  # fmt: skip


if __name__ == "__main__":
    main()
