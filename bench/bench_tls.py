"""Benchmark: a full TLS inventory of 50 loopback endpoints, pqcscan against sslyze.

The lab's 50-endpoint mix (:meth:`pqcscan.demo.lab.Lab.mixed`: classic RSA/ECDSA/Ed25519,
OpenSSL 3.5 hybrid and PQ-only, weak s_server configurations, SMTP STARTTLS) is started in
this process. Then, each in its own child process so that peak memory is its own:

- pqcscan: ``TlsCollector`` through the scan runner into a fresh SQLite inventory, every
  probe on (versions, suites, groups incl. PQC, schemes, certificates and trust, PQ
  tolerance);
- sslyze: ``python -m sslyze --certinfo --sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2
  --tlsv1_3 --elliptic_curves`` on the same targets (the STARTTLS ones in a second command
  with ``--starttls smtp``, since sslyze applies that option to every target).

Prints wall seconds, peak RSS, the ratio, and what each reported: endpoints with a
certificate chain, endpoints with a post-quantum group, groups found.

    python bench/bench_tls.py [--count 50] [--concurrency 50] [--parallel 16] [--keep]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from table import add_json_option, emit

from pqcscan.demo.lab import Lab, LabServer, ServerKind

PQC_GROUPS = {0x0200, 0x0201, 0x0202, 0x11EB, 0x11EC, 0x11ED, 0x11EE, 0x6399, 0x639A}

# The child that runs pqcscan: targets and options arrive as JSON on stdin; it prints its
# wall time, peak RSS and what the inventory holds.
_PQCSCAN_CHILD = r"""
import json, resource, sqlite3, sys, time
from pqcscan.collectors.tls import TlsCollector, TlsOptions
from pqcscan.inventory import Inventory
from pqcscan.scan import run_scan
from pqcscan.targets.model import Endpoint

spec = json.load(sys.stdin)
targets = [Endpoint(a, p, h, protocol=proto) for a, p, h, proto in spec["targets"]]
options = TlsOptions(
    timeout=spec["timeout"], budget=spec["budget"], concurrency=spec["concurrency"],
    parallel=spec["parallel"], retries=1,
)
started = time.perf_counter()
inventory = Inventory.open(spec["db"])
summary = run_scan(inventory, TlsCollector(targets, options))
inventory.close()
wall = time.perf_counter() - started
conn = sqlite3.connect(spec["db"])
chains = pq = groups = 0
for (details,) in conn.execute("select details from assets where type = 'endpoint'"):
    d = json.loads(details)
    caps = d.get("capabilities", {})
    found = [k for k, v in caps.items() if k.startswith("tls-group:") and v == "supported"]
    groups += len(found)
    pq += bool(d.get("pq_groups"))
presents = "select count(distinct source_id) from asset_links where relation = 'presents'"
chains = conn.execute(presents).fetchone()[0]
findings = conn.execute("select count(*) from findings").fetchone()[0]
errors = conn.execute("select count(*) from scan_errors").fetchone()[0]
print(json.dumps({
    "wall": wall, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "cpu": resource.getrusage(resource.RUSAGE_SELF).ru_utime
    + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
    "items": summary.items, "chains": chains, "pq_endpoints": pq, "groups": groups,
    "findings": findings, "errors": errors,
}))
"""

# The child that runs sslyze's command line in process and reports its own peak RSS.
_SSLYZE_CHILD = r"""
import atexit, json, resource, runpy, sys, time
started = time.perf_counter()
def report():
    print(json.dumps({"wall": time.perf_counter() - started,
                      "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}),
          file=sys.stderr)
atexit.register(report)
sys.argv = ["sslyze", *json.loads(sys.argv[1])]
runpy.run_module("sslyze", run_name="__main__")
"""

SSLYZE_COMMANDS = (
    "--certinfo",
    "--sslv2",
    "--sslv3",
    "--tlsv1",
    "--tlsv1_1",
    "--tlsv1_2",
    "--tlsv1_3",
    "--elliptic_curves",
)


def _target(server: LabServer) -> tuple[str, int, str, str | None]:
    starttls = server.expected.starttls
    protocol = None
    if starttls is not None:
        protocol = {"postgres": "postgresql"}.get(starttls.protocol.value, starttls.protocol.value)
    return server.address, server.port, server.hostname, protocol


def run_pqcscan(lab: Lab, folder: Path, args: argparse.Namespace) -> dict[str, float]:
    spec = {
        "targets": [_target(s) for s in lab],
        "db": str(folder / "inventory.db"),
        "timeout": args.timeout,
        "budget": args.budget,
        "concurrency": args.concurrency,
        "parallel": args.parallel,
    }
    done = subprocess.run(
        [sys.executable, "-c", _PQCSCAN_CHILD],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_sslyze(lab: Lab, folder: Path) -> dict[str, float]:
    """sslyze on the same targets; STARTTLS ones in their own command. Times add up."""
    groups: dict[str | None, list[str]] = {}
    for server in lab:
        starttls = server.expected.starttls
        key = starttls.protocol.value if starttls is not None else None
        groups.setdefault(key, []).append(f"{server.hostname}:{server.port}{{{server.address}}}")
    total = {"wall": 0.0, "maxrss_kb": 0.0, "chains": 0.0, "pq_endpoints": 0.0, "groups": 0.0}
    for i, (starttls, targets) in enumerate(groups.items()):
        out = folder / f"sslyze-{i}.json"
        argv = [*SSLYZE_COMMANDS, f"--json_out={out}", "--quiet"]
        if starttls is not None:
            argv.append(f"--starttls={'postgres' if starttls == 'postgres' else starttls}")
        argv += targets
        done = subprocess.run(
            [sys.executable, "-c", _SSLYZE_CHILD, json.dumps(argv)],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        measured = json.loads(done.stderr.strip().splitlines()[-1])
        total["wall"] += measured["wall"]
        total["maxrss_kb"] = max(total["maxrss_kb"], measured["maxrss_kb"])
        for key, value in _sslyze_counts(out).items():
            total[key] += value
    return total


def _sslyze_counts(path: Path) -> dict[str, float]:
    chains = pq = groups = 0
    if not path.exists():
        return {"chains": 0, "pq_endpoints": 0, "groups": 0}
    data = json.loads(path.read_text())
    for server in data.get("server_scan_results", []):
        if server.get("scan_status") != "COMPLETED":
            continue
        result = server.get("scan_result") or {}
        certinfo = (result.get("certificate_info") or {}).get("result") or {}
        if certinfo.get("certificate_deployments"):
            chains += 1
        curves = (result.get("elliptic_curves") or {}).get("result") or {}
        names = [c.get("name", "") for c in curves.get("supported_curves") or []]
        groups += len(names)
        pq += any("MLKEM" in n.upper() or "KYBER" in n.upper() for n in names)
    return {"chains": chains, "pq_endpoints": pq, "groups": groups}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50, help="endpoints in flight")
    parser.add_argument("--parallel", type=int, default=16, help="connections per endpoint")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--budget", type=float, default=300.0)
    parser.add_argument("--skip-sslyze", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the inventory and JSON")
    add_json_option(parser)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    folder = Path(tempfile.mkdtemp(prefix="pqcscan-bench-tls-"))
    started = time.perf_counter()
    with Lab.mixed(args.count) as lab:
        kinds = sorted({s.name.rsplit("-", 1)[0] for s in lab})
        tls = sum(1 for s in lab if s.kind is ServerKind.TLS)
        print(
            f"lab: {len(lab)} endpoints ({tls} TLS, {len(lab) - tls} STARTTLS) of "
            f"{len(kinds)} kinds, started in {time.perf_counter() - started:.1f} s"
        )
        ours = run_pqcscan(lab, folder, args)
        print(
            f"pqcscan : {ours['wall']:7.1f} s (CPU {ours['cpu']:.1f} s)  "
            f"peak RSS {ours['maxrss_kb'] / 1024:6.0f} MiB  "
            f"chains {ours['chains']:.0f}/{len(lab)}  endpoints with PQC groups "
            f"{ours['pq_endpoints']:.0f}  groups found {ours['groups']:.0f}  "
            f"findings {ours['findings']:.0f}  errors {ours['errors']:.0f}"
        )
        if not args.skip_sslyze:
            theirs = run_sslyze(lab, folder)
            print(
                f"sslyze  : {theirs['wall']:7.1f} s  peak RSS {theirs['maxrss_kb'] / 1024:6.0f} "
                f"MiB  chains {theirs['chains']:.0f}/{len(lab)}  endpoints with PQC groups "
                f"{theirs['pq_endpoints']:.0f}  groups found {theirs['groups']:.0f}"
            )
            ratio = theirs["wall"] / ours["wall"]
            print(f"ratio   : sslyze / pqcscan wall time = {ratio:.2f}")
            emit(args.json, "tls", f"inventory of {len(lab)} endpoints", ours["wall"], "s",
                 baseline=f"sslyze {theirs['wall']:.1f} s", ratio=ratio,
                 target="faster than sslyze", met=ratio > 1)  # fmt: skip
        emit(args.json, "tls", "peak RSS", ours["maxrss_kb"] / 1024, "MiB")
    if args.keep:
        print(f"kept: {folder}")
    else:
        for p in sorted(folder.iterdir()):
            p.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
