"""Benchmark: ``pqcscan scan code`` over a large real tree, against ripgrep.

The tree is the Python installation the benchmark runs on: the base interpreter's standard
library and site-packages plus this virtual environment's site-packages (>= 20,000 files of
Python, C headers, JSON, TOML and data files; several hundred MB). In the same run:

- **pqcscan**: ``pqcscan scan code`` of the tree into a fresh SQLite inventory (one pass,
  ``--jobs`` worker processes, every parser, the inventory writes included);
- **baseline**: ``rg`` (ripgrep) searching the same files (same excludes, hidden files and
  ignore files not skipped) for the same set of patterns: the prefilters that decide
  whether pqcscan parses a source file, one regular expression per language;
- **fast baseline**: ``rg -F`` with the literal words behind those prefilters (callee and
  module names): ripgrep at its fastest, for scale.

Reported: files, MB, seconds, files/s and MB/s for each, the ratio pqcscan / rg, and peak
RSS. Target: pqcscan within 5x of ripgrep.

    python bench/bench_code.py [--jobs 2] [--repeat 1] [PATH ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from table import add_json_option, emit

from pqcscan.collectors.code.collector import CODE_EXCLUDES
from pqcscan.collectors.code.source import trigger_patterns, trigger_words


def default_roots() -> list[Path]:
    """The base interpreter's library folder and this environment's site-packages."""
    roots = [Path(sysconfig.get_paths(vars={"base": sys.base_prefix})["stdlib"])]
    site = Path(sysconfig.get_paths()["purelib"])
    if not any(site.is_relative_to(r) for r in roots):
        roots.append(site)
    return roots


def tree_size(roots: list[Path]) -> tuple[int, int]:
    files = size = 0
    skip = {e for e in CODE_EXCLUDES if "/" not in e and "*" not in e}
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in skip]
            for name in names:
                try:
                    size += (Path(folder) / name).stat().st_size
                except OSError:
                    continue
                files += 1
    return files, size


def run(command: list[str]) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1)
    add_json_option(parser)
    args = parser.parse_args()
    rg = shutil.which("rg")
    if rg is None:
        sys.exit("ripgrep (rg) is needed for the baseline: apt install ripgrep")
    roots = args.paths or default_roots()
    files, size = tree_size(roots)
    print(f"tree: {', '.join(map(str, roots))}: {files:,} files, {size / 1e6:,.0f} MB")
    patterns = trigger_patterns()
    with tempfile.TemporaryDirectory() as tmp:
        pattern_file = Path(tmp) / "patterns.txt"
        pattern_file.write_text("\n".join(patterns) + "\n")
        globs = [a for e in CODE_EXCLUDES for a in ("--glob", f"!{e}")]
        rg_cmd = [rg, "-c", "--no-ignore", "--hidden", "-j", str(args.jobs), "-f",
                  str(pattern_file), *globs, *map(str, roots)]  # fmt: skip
        word_file = Path(tmp) / "words.txt"
        word_file.write_text("\n".join(trigger_words()) + "\n")
        fixed_cmd = [rg, "-c", "-F", "--no-ignore", "--hidden", "-j", str(args.jobs), "-f",
                     str(word_file), *globs, *map(str, roots)]  # fmt: skip
        best_rg = best_fixed = best_pq = float("inf")
        rg_files = 0
        scanned: dict[str, object] = {}
        for n in range(args.repeat):
            seconds, done = run(rg_cmd)
            best_rg = min(best_rg, seconds)
            rg_files = len(done.stdout.splitlines())
            seconds, _ = run(fixed_cmd)
            best_fixed = min(best_fixed, seconds)
            db = Path(tmp) / f"bench{n}.db"
            pq_cmd = [sys.executable, "-m", "pqcscan", "-q", "--db", str(db), "scan", "code",
                      "--jobs", str(args.jobs), *map(str, roots)]  # fmt: skip
            seconds, done = run(pq_cmd)
            best_pq = min(best_pq, seconds)
            if done.returncode not in (0, 3):
                sys.exit(f"pqcscan failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
            runs = subprocess.run(
                [sys.executable, "-m", "pqcscan", "--db", str(db), "scans", "--format", "json"],
                capture_output=True,
                check=True,
            )
            scanned = json.loads(runs.stdout)["scans"][0]
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"patterns: {len(patterns)} prefilter regexes; {len(trigger_words())} literal words")
    print(f"\n{'run':<44}{'seconds':>9}{'files/s':>11}{'MB/s':>9}")
    for label, seconds in (("baseline: rg -f prefilter regexes", best_rg),
                           ("fast baseline: rg -F -f literal words", best_fixed),
                           ("pqcscan scan code (inventory included)", best_pq)):  # fmt: skip
        print(f"{label:<44}{seconds:>9.2f}{files / seconds:>11,.0f}{size / 1e6 / seconds:>9.1f}")
    print(
        f"\nrg matched in {rg_files:,} files; pqcscan: {scanned.get('items')} items, "
        f"{scanned.get('findings')} findings, {scanned.get('errors')} errors recorded"
    )
    ratio = best_pq / best_rg
    print(f"ratio pqcscan / rg: {ratio:.1f} (target <= 5: {'met' if ratio <= 5 else 'NOT met'})")
    print(f"ratio pqcscan / rg -F: {best_pq / best_fixed:.1f}")
    print(f"peak RSS of the largest child: {rss:,.0f} MiB")
    emit(args.json, "code", f"scan code, {files:,} files", best_pq, "s",
         baseline=f"rg -f same regexes {best_rg:.1f} s", ratio=ratio, target="<= 5 x rg",
         met=ratio <= 5)  # fmt: skip


if __name__ == "__main__":
    main()
