"""The end-to-end demo: build fixtures, scan them into a fresh inventory, summarise."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from pqcscan.catalog import STATUS_SEVERITY, Primitive, QuantumStatus, get_catalog
from pqcscan.collectors.certs import CertificateCollector, CertScanOptions
from pqcscan.demo.code import build_repos, scan_repos, summarize_code
from pqcscan.demo.planning import plan
from pqcscan.demo.tree import DEMO_PASSWORD, build_demo_tree
from pqcscan.inventory import ErrorRecord, FindingFilter, FindingRecord, Inventory, RunSummary
from pqcscan.scan import run_scan

INVENTORY_NAME = "inventory.db"
PUBLIC_KEY_PRIMITIVES = {Primitive.SIGNATURE, Primitive.KEM, Primitive.KEY_AGREE, Primitive.PKE}
ASYMMETRIC_USAGES = {"authentication", "signature", "key-exchange", "key", "encryption"}


def run_demo(folder: Path, network: bool = True) -> str:
    """Build the demo tree under ``folder``, scan it into ``folder/inventory.db``, start a
    loopback lab and scan it too (unless ``network`` is false), scan the sample source
    repositories, load the sample business context and hardware, rank, and return a summary
    for a person to read."""
    files = folder / "files"
    if files.exists():
        shutil.rmtree(files)
    db = folder / INVENTORY_NAME
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    build_demo_tree(files)
    with Inventory.open(str(db)) as inventory:
        options = CertScanOptions(paths=(files,), passwords=(DEMO_PASSWORD,))
        summary = run_scan(inventory, CertificateCollector(options), jobs=0)
        findings = list(inventory.findings())
        errors = inventory.errors(summary.run_id)
        text = summarize(files, db, summary, findings, errors)
        repos = files / "srv" / "repos"
        build_repos(repos)
        code = scan_repos(inventory, repos)
        text += "\n" + "\n".join(summarize_code(inventory, repos, code))
        if network:
            text += "\n" + scan_network(inventory)
        text += "\n" + "\n".join(plan(inventory, folder))
    return text + "\n" + "\n".join(next_steps(db))


def scan_network(inventory: Inventory) -> str:
    """Start the demo lab, scan it, stop it, and summarise what was found there."""
    from pqcscan.demo.network import running_lab, scan_lab, summarize_lab

    with running_lab() as servers:
        summary = scan_lab(inventory, servers)
    findings = list(inventory.findings(FindingFilter(run_id=summary.run_id)))
    errors = {e.locator: f"{e.kind} ({e.message})" for e in inventory.errors(summary.run_id)}
    return "\n".join(summarize_lab(servers, findings, errors))


def _public_key_findings(findings: Iterable[FindingRecord]) -> list[FindingRecord]:
    """Findings about public-key algorithms (what a PQC migration replaces)."""
    catalog = get_catalog()
    out = []
    for f in findings:
        algorithm = catalog.algorithm(f.algorithm)
        if f.usage in ASYMMETRIC_USAGES and (
            algorithm is None or set(algorithm.primitives) & PUBLIC_KEY_PRIMITIVES
        ):
            out.append(f)
    return out


def summarize(
    files: Path,
    db: Path,
    summary: RunSummary,
    findings: list[FindingRecord],
    errors: list[ErrorRecord],
) -> str:
    """A readable report of one demo scan."""

    def short(locator: str) -> str:
        return locator.replace(str(files) + "/", "")

    by_status = Counter(f.quantum_status for f in findings)
    assets: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        assets[f.asset_type].add(f.fingerprint)
    lines = [
        f"pqcscan demo: scanned {files}",
        f"  {summary.items} files examined, {summary.findings} findings, "
        f"{summary.errors} problems recorded",
        "  assets: " + ", ".join(f"{t} {len(v)}" for t, v in sorted(assets.items())),
        f"  inventory: {db}",
        "",
        "Findings by quantum status:",
    ]
    order = sorted(QuantumStatus, key=lambda s: -STATUS_SEVERITY[s])
    width = max(len(s.value) for s in order)
    lines += [f"  {s.value:<{width}}  {by_status[s.value]:>4}" for s in order if by_status[s.value]]
    public = _public_key_findings(findings)
    mix = Counter(f"{f.algorithm} {f.parameter}".strip() for f in public)
    lines += ["", "Public-key algorithms in use (findings):"]
    lines += [f"  {name:<32} {count:>3}" for name, count in mix.most_common(14)]

    urgent = sorted(
        (f for f in findings if f.quantum_status == QuantumStatus.CLASSICALLY_BROKEN),
        key=lambda f: (f.classical_bits or 0, f.location),
    )
    lines += ["", "Broken today, quantum computer or not:"]
    seen: set[tuple[str, str]] = set()
    for f in urgent:
        what = f"{f.algorithm} {f.parameter}".strip()
        if (what, f.usage) in seen:
            continue
        seen.add((what, f.usage))
        lines.append(f"  {what:<26} {f.usage:<14} {short(f.location)}")

    pqc = sorted(
        {
            (f"{f.algorithm} {f.parameter}".strip(), f.quantum_status, short(f.location))
            for f in public
            if f.quantum_status in (QuantumStatus.QUANTUM_SAFE, QuantumStatus.HYBRID)
        }
    )
    if pqc:
        lines += ["", "Already post-quantum (or hybrid):"]
        lines += [f"  {alg:<32} {status:<13} {loc}" for alg, status, loc in pqc]
    if errors:
        lines += ["", "Could not be read (recorded in the inventory; the scan went on):"]
        lines += [f"  {e.kind:<17}  {short(e.locator)}: {e.message}" for e in errors]
    return "\n".join(lines)


def next_steps(db: Path) -> list[str]:
    """What to try next on the demo inventory."""
    return [
        "",
        "Next:",
        f"  pqcscan --db {db} explain 1",
        f"  pqcscan --db {db} export backlog --format csv -o backlog.csv   (Jira; --tracker azure)",
        f"  pqcscan --db {db} export suppliers",
        f"  pqcscan --db {db} inventory --status classically-broken",
        f"  pqcscan --db {db} errors",
    ]
