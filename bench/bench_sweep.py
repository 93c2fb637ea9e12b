"""Benchmark: TCP connect sweep of 127.0.0.0/16 on one port, against Debian's nmap.

A few listeners sit on some addresses of the /16 (all on one ephemeral port); every other
address refuses at once (loopback answers a SYN to a closed port with an RST). pqcscan's
sweep (``TargetPlan`` -> ``sweep``) and ``nmap -sT -Pn -n -p PORT 127.0.0.0/16 -oG -`` run
on the same range in the same run; both must find exactly the listeners. Reported: addresses
per second (median of the runs), the ratio to nmap, and peak RSS.

Only loopback is contacted. Targets: >= 10,000 addresses/s and no slower than nmap.

    python bench/bench_sweep.py [--repeat 3] [--concurrency 512] [--network 127.0.0.0/16]
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import resource
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from table import add_json_option, emit

from pqcscan.net.pacing import raise_nofile_limit
from pqcscan.net.sweep import DEFAULT_CONCURRENCY, SweepStats, sweep
from pqcscan.targets.specs import TargetPlan


def open_listeners(network: ipaddress.IPv4Network, count: int) -> tuple[int, list[socket.socket]]:
    """Listeners on ``count`` addresses spread over the network, all on one free port."""
    hosts = network.num_addresses
    picks = [
        network.network_address + 2 + (hosts - 4) * i // max(count - 1, 1) for i in range(count)
    ]
    for _ in range(50):
        opened: list[socket.socket] = []
        try:
            first = socket.socket()
            opened.append(first)
            first.bind((str(picks[0]), 0))
            port = int(first.getsockname()[1])
            for address in picks[1:]:
                sock = socket.socket()
                opened.append(sock)
                sock.bind((str(address), port))
            for sock in opened:
                sock.listen(128)
            return port, opened
        except OSError:
            for sock in opened:
                sock.close()
    raise SystemExit("no free port common to the listener addresses")


def run_pqcscan(
    network: str, port: int, concurrency: int
) -> tuple[float, int, set[str], SweepStats]:
    plan = TargetPlan([network], default_ports=[port])
    stats = SweepStats()

    async def main() -> set[str]:
        return {
            e.address async for e in sweep(plan.endpoints(), concurrency=concurrency, stats=stats)
        }

    start = time.perf_counter()
    found = asyncio.run(main())
    return time.perf_counter() - start, stats.probed, found, stats


def run_nmap(network: str, port: int) -> tuple[float, int, set[str]]:
    start = time.perf_counter()
    output = subprocess.run(
        ["nmap", "-sT", "-Pn", "-n", "-p", str(port), network, "-oG", "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    ).stdout
    elapsed = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:  # read nmap's answer with our own parser
        path = Path(folder) / "scan.gnmap"
        path.write_text(output, encoding="utf-8")
        found = {e.address for e in TargetPlan([f"@{path}"]).endpoints()}
    scanned = ipaddress.ip_network(network).num_addresses  # nmap keeps network/broadcast
    return elapsed, scanned, found


def row(n: int, tool: str, count: int, seconds: float, found: int) -> str:
    return f"{n:<5}{tool:<10}{count:>10}{seconds:>9.2f}{count / seconds:>10.0f}{found:>7}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    ap.add_argument("--network", default="127.0.0.0/16")
    ap.add_argument("--listeners", type=int, default=5)
    add_json_option(ap)
    args = ap.parse_args()
    network = ipaddress.ip_network(args.network)
    if not isinstance(network, ipaddress.IPv4Network) or not network.is_loopback:
        raise SystemExit("this benchmark only sweeps IPv4 loopback ranges")
    limit = raise_nofile_limit()
    port, sockets = open_listeners(network, args.listeners)
    expected = {sock.getsockname()[0] for sock in sockets}
    have_nmap = shutil.which("nmap") is not None
    ours: list[float] = []
    theirs: list[float] = []
    rss_before = rss_sweep = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"sweep of {network} port {port}, {len(expected)} listeners, concurrency "
        f"{args.concurrency}, descriptor limit {limit}"
    )
    print(f"{'run':<5}{'tool':<10}{'addresses':>10}{'seconds':>9}{'addr/s':>10}{'found':>7}")
    for n in range(1, args.repeat + 1):
        seconds, count, found, stats = run_pqcscan(str(network), port, args.concurrency)
        if found != expected:
            raise SystemExit(f"pqcscan found {sorted(found)}, expected {sorted(expected)}")
        ours.append(count / seconds)
        if n == 1:  # before nmap's output is read into this process
            rss_sweep = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            row(n, "pqcscan", count, seconds, len(found))
            + f"   closed {stats.closed}, filtered {stats.filtered}, errors {stats.errors}"
        )
        if have_nmap:
            seconds, count, found = run_nmap(str(network), port)
            if found != expected:
                raise SystemExit(f"nmap found {sorted(found)}, expected {sorted(expected)}")
            theirs.append(count / seconds)
            print(row(n, "nmap", count, seconds, len(found)))
    for sock in sockets:
        sock.close()
    ours_median = statistics.median(ours)
    print(
        f"\npqcscan median: {ours_median:,.0f} addresses/s; peak RSS {rss_sweep / 1024:.1f} MiB "
        f"after the first sweep (+{(rss_sweep - rss_before) / 1024:.1f} MiB for the sweep)"
    )
    met = ours_median >= 10_000
    if theirs:
        theirs_median = statistics.median(theirs)
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"nmap median:    {theirs_median:,.0f} addresses/s; peak RSS {child / 1024:.1f} MiB")
        ratio = ours_median / theirs_median
        print(f"ratio pqcscan/nmap: {ratio:.2f}")
        met = met and ratio >= 1.0
        emit(args.json, "sweep", f"{network} addresses/s", ours_median, "addr/s",
             baseline=f"nmap -sT {theirs_median:,.0f}/s", ratio=ratio,
             target=">= 10,000/s, >= nmap", met=met)  # fmt: skip
        emit(args.json, "sweep", f"{network} peak RSS", rss_sweep / 1024, "MiB",
             baseline=f"nmap {child / 1024:.0f} MiB", ratio=rss_sweep / child,
             target="< 1024 MiB", met=rss_sweep / 1024 < 1024)  # fmt: skip
    else:
        print("nmap is not installed: no baseline")
        emit(args.json, "sweep", f"{network} addresses/s", ours_median, "addr/s",
             target=">= 10,000/s", met=met)  # fmt: skip
        emit(args.json, "sweep", f"{network} peak RSS", rss_sweep / 1024, "MiB",
             target="< 1024 MiB", met=rss_sweep / 1024 < 1024)  # fmt: skip
    print(
        f"\ntarget: >= 10,000 addresses/s and no slower than nmap -> {'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
