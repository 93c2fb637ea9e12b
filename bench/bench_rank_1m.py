"""Benchmark: rank a 1,000,000-finding inventory through the real path, under 1 GB RSS.

The seeded generator of ``bench_rank.py`` at ten times its size (``--findings 1000000``:
~307,000 assets, ~340,000 links, 10,000 services) with one service -> asset attachment per
asset on average (``--attach 1.0``: ~307,000, about a third of the assets attached to no
service). ``--edges 3000000`` instead gives the 100k run's density (8.6 attachments per
asset, ~2.6 million), whose input mapping alone is ~500 MB. Then:

1. written to a real SQLite file through the inventory's ``RunRecorder`` (this process);
2. in a fresh child process, the path ``pqcscan rank`` takes: ``load_snapshot`` ->
   ``rank_lazily`` -> ``save_ranking`` (items rendered and stored 1,000 at a time), with wall
   time per step and the child's peak RSS (``ru_maxrss``);
3. baseline, in another fresh child: the bare read of the same rows with ``sqlite3`` (assets,
   findings with their evidence, links, as tuples in lists) and nothing else.

Reported: the contender's wall time and peak RSS against the 1 GB target, and the ratio of
its peak RSS and time to the bare read's. With ``--steps``, also the contender's RSS and
high-water mark (``VmRSS`` / ``VmHWM``) at the entry and exit of each step of
``rank_lazily`` (the functions it calls are wrapped in the child; it ranks the same).

    python bench/bench_rank_1m.py [--findings 1000000] [--services 10000] [--attach 1.0]
                                  [--edges N] [--keep] [--reuse FOLDER] [--steps] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_rank import AS_OF, context_of, generate, write_sqlite
from table import add_json_option, emit

TARGET_RSS_MB = 1024.0


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: The steps of ``rank_lazily`` that ``--steps`` reports: (owner in the engine, name).
STEPS = (
    ("", "_sorted_snapshot"),
    ("", "direct_attachments"),
    ("", "_spill_items"),
    ("", "propagate_inventory"),
    ("", "_score_items"),
    ("", "precedence_edges"),
    ("", "schedule"),
    ("", "_notes"),
)


def _vm() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in MiB (Linux)."""
    found = {}
    with Path("/proc/self/status").open() as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) // 1024
    return found["VmRSS"], found["VmHWM"]


def _probe_steps(log: list[list[Any]]) -> None:
    """Wrap each step of ``rank_lazily`` (its first call) to log RSS at entry and exit."""
    import functools

    from pqcscan.risk import engine

    for owner_name, name in STEPS:
        owner: Any = getattr(engine, owner_name) if owner_name else engine
        original = getattr(owner, name)

        def wrapped(*a: Any, _f: Any = original, _n: str = name, **k: Any) -> Any:
            if any(row[0] == _n for row in log):
                return _f(*a, **k)
            before = _vm()
            result = _f(*a, **k)
            log.append([_n, *before, *_vm()])
            return result

        setattr(owner, name, functools.wraps(original)(wrapped))


def child_rank(db: Path, context_file: Path, steps: bool = False) -> dict[str, Any]:
    """The contender: what ``pqcscan rank`` does, timed per step (runs in a fresh process)."""
    from sqlalchemy import create_engine

    from pqcscan.catalog import get_catalog
    from pqcscan.inventory.risk_store import risk_run, save_ranking
    from pqcscan.inventory.snapshot import load_snapshot
    from pqcscan.risk import load_profile, rank_lazily

    get_catalog()
    profile = load_profile()
    out: dict[str, Any] = {"rss_start": _rss_mb(), "steps": []}
    if steps:
        _probe_steps(out["steps"])
    with context_file.open("rb") as f:
        ctx, mapping = pickle.load(f)
    out["rss_context"] = _rss_mb()
    engine = create_engine(f"sqlite:///{db}")
    t0 = time.perf_counter()
    snapshot = load_snapshot(engine)
    out["load"] = time.perf_counter() - t0
    out["rss_load"] = _rss_mb()
    out["findings"] = len(snapshot.findings)
    out["assets"] = len(snapshot.assets)
    t0 = time.perf_counter()
    ranking = rank_lazily(snapshot, [ctx], mapping, profile, AS_OF)
    del snapshot, mapping
    out["rank"] = time.perf_counter() - t0
    out["rss_rank"] = _rss_mb()
    t0 = time.perf_counter()
    run_id = save_ranking(engine, ranking.header, ranking)
    out["save"] = time.perf_counter() - t0
    run = risk_run(engine, run_id)
    out["items"] = run.items if run else 0
    out["waves"] = run.summary.get("waves", {}) if run else {}
    out["rss_peak"] = _rss_mb()
    engine.dispose()
    return out


def child_bare(db: Path) -> dict[str, Any]:
    """The baseline: read the same rows with sqlite3 into lists of tuples, nothing else."""
    import sqlite3

    t0 = time.perf_counter()
    conn = sqlite3.connect(db)
    assets = conn.execute(
        "SELECT id, type, fingerprint, locator, name, details FROM assets ORDER BY id"
    ).fetchall()
    findings = conn.execute(
        "SELECT id, asset_id, algorithm, parameter, usage, quantum_status, classical_bits, "
        "nist_category, identifier, evidence FROM findings ORDER BY id"
    ).fetchall()
    links = conn.execute(
        "SELECT source_id, relation, target_id FROM asset_links "
        "ORDER BY source_id, relation, target_id"
    ).fetchall()
    seconds = time.perf_counter() - t0
    conn.close()
    return {
        "seconds": seconds,
        "rows": len(assets) + len(findings) + len(links),
        "rss_peak": _rss_mb(),
    }


def _child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--child-rank", "--child-bare"):
        if sys.argv[1] == "--child-rank":
            steps = sys.argv[4:] == ["--steps"]
            print(json.dumps(child_rank(Path(sys.argv[2]), Path(sys.argv[3]), steps)))
        else:
            print(json.dumps(child_bare(Path(sys.argv[2]))))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--findings", type=int, default=1_000_000)
    ap.add_argument("--services", type=int, default=10_000)
    ap.add_argument("--attach", type=float, default=1.0, help="attachments per asset")
    ap.add_argument(
        "--edges", type=int, default=0, help="all edges instead (3 per finding: as at 100k)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the SQLite file")
    ap.add_argument(
        "--reuse",
        metavar="FOLDER",
        type=Path,
        help="rank the inventory.db and context.pickle a --keep run left (adds a ranking)",
    )
    ap.add_argument(
        "--steps", action="store_true", help="RSS at each step of rank_lazily (wrapped)"
    )
    add_json_option(ap)
    args = ap.parse_args()
    step_args: tuple[str, ...] = ("--steps",) if args.steps else ()
    if args.reuse:
        bare = _child("--child-bare", str(args.reuse / "inventory.db"))
        ours = _child(
            "--child-rank",
            str(args.reuse / "inventory.db"),
            str(args.reuse / "context.pickle"),
            *step_args,
        )
        report(args, ours, bare, ours["findings"])
        return
    folder = Path(tempfile.mkdtemp(prefix="pqcscan-bench-1m-"))
    try:
        rng = random.Random(args.seed)
        t0 = time.perf_counter()
        inv = generate(rng, args.findings)
        attach = int(args.attach * len(inv.assets))
        if args.edges:
            attach = max(0, args.edges - len(inv.links) - (args.services - 1))
        ctx, mapping = context_of(rng, args.services, attach, len(inv.assets))
        generated = time.perf_counter() - t0
        db = folder / "inventory.db"
        context_file = folder / "context.pickle"
        with context_file.open("wb") as f:
            pickle.dump((ctx, mapping), f, protocol=pickle.HIGHEST_PROTOCOL)
        n_assets, n_findings, n_links = len(inv.assets), len(inv.findings), len(inv.links)
        n_attach = sum(len(v) for v in mapping.values())
        del mapping
        wrote = write_sqlite(inv, db)
        del inv
        print(
            f"inventory: {n_assets:,} assets, {n_findings:,} findings, {n_links:,} links; "
            f"{args.services:,} services, {n_attach:,} attachments (generated in "
            f"{generated:.0f} s); written through RunRecorder in {wrote:.0f} s "
            f"({db.stat().st_size / 2**20:,.0f} MiB)"
        )
        bare = _child("--child-bare", str(db))
        ours = _child("--child-rank", str(db), str(context_file), *step_args)
    finally:
        if args.keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    report(args, ours, bare, n_findings)


def report(
    args: argparse.Namespace, ours: dict[str, Any], bare: dict[str, Any], n_findings: int
) -> None:
    """Print the steps and ratios; append the headline figures to ``--json``."""
    total = ours["load"] + ours["rank"] + ours["save"]
    print(f"\n{'step (fresh child process)':<52}{'seconds':>9}{'peak RSS MiB':>14}")
    print(f"{'baseline: bare sqlite3 read of the same rows':<52}"
          f"{bare['seconds']:>9.1f}{bare['rss_peak']:>14,.0f}")  # fmt: skip
    print(f"{'contender: context + mapping unpickled':<52}{'':>9}{ours['rss_context']:>14,.0f}")
    print(f"{'  load_snapshot':<52}{ours['load']:>9.1f}{ours['rss_load']:>14,.0f}")
    print(f"{'  rank_lazily (items, graph, factors, waves)':<52}"
          f"{ours['rank']:>9.1f}{ours['rss_rank']:>14,.0f}")  # fmt: skip
    print(f"{'  save_ranking (render + store, 1,000 per batch)':<52}"
          f"{ours['save']:>9.1f}{ours['rss_peak']:>14,.0f}")  # fmt: skip
    print(f"{'  load + rank + save':<52}{total:>9.1f}{ours['rss_peak']:>14,.0f}")
    print(f"items: {ours['items']:,} ({ours['waves']})")
    if ours["steps"]:
        print(f"\n{'rank_lazily step (first call)':<32}{'RSS in':>9}{'RSS out':>9}{'peak out':>10}")
        for name, rss_in, _, rss_out, hwm_out in ours["steps"]:
            print(f"{name:<32}{rss_in:>9,}{rss_out:>9,}{hwm_out:>10,}")
    rss_ratio = ours["rss_peak"] / bare["rss_peak"]
    time_ratio = total / bare["seconds"]
    met = ours["rss_peak"] < TARGET_RSS_MB
    print(
        f"ratio to the bare read: peak RSS {rss_ratio:.2f}, time {time_ratio:.1f}\n"
        f"target: peak RSS < {TARGET_RSS_MB:.0f} MiB -> {'met' if met else 'NOT met'}"
    )
    name = f"rank {n_findings / 1e6:.2g}M (real path)"
    emit(args.json, name, "load + rank + save, peak RSS", ours["rss_peak"], "MiB",
         baseline=f"bare sqlite3 read {bare['rss_peak']:,.0f} MiB", ratio=rss_ratio,
         target=f"< {TARGET_RSS_MB:.0f} MiB", met=met)  # fmt: skip
    emit(args.json, name, "load + rank + save, wall", total, "s",
         baseline=f"bare sqlite3 read {bare['seconds']:.1f} s", ratio=time_ratio)  # fmt: skip


if __name__ == "__main__":
    main()
