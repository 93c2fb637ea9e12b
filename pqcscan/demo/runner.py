"""The end-to-end demo: build fixtures, scan them into a fresh inventory, summarise."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from pqcscan.catalog import STATUS_SEVERITY, QuantumStatus
from pqcscan.collectors.certs import CertificateCollector, CertScanOptions
from pqcscan.demo.tree import DEMO_PASSWORD, build_demo_tree
from pqcscan.inventory import FindingRecord, Inventory, RunSummary
from pqcscan.scan import run_scan

INVENTORY_NAME = "inventory.db"


def run_demo(folder: Path, quiet: bool = False) -> str:
    """Build the demo tree under ``folder``, scan it into ``folder/inventory.db`` and
    return a summary for a person to read."""
    files = folder / "files"
    if files.exists():
        shutil.rmtree(files)
    db = folder / INVENTORY_NAME
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    build_demo_tree(files)
    with Inventory.open(str(db)) as inventory:
        options = CertScanOptions(paths=(files,), passwords=(DEMO_PASSWORD,), jobs=1)
        summary = run_scan(inventory, CertificateCollector(options))
        findings = list(inventory.findings())
        errors = inventory.errors(summary.run_id)
        return summarize(
            folder, files, db, summary, findings, [(e.locator, e.kind, e.message) for e in errors]
        )


def _short(locator: str, files: Path) -> str:
    return locator.replace(str(files) + "/", "")


def summarize(
    folder: Path,
    files: Path,
    db: Path,
    summary: RunSummary,
    findings: list[FindingRecord],
    errors: list[tuple[str, str, str]],
) -> str:
    """A readable report of one demo scan."""
    by_status = Counter(f.quantum_status for f in findings)
    by_type = Counter(f.asset_type for f in findings)
    lines = [
        f"pqcscan demo: scanned {files}",
        f"  {summary.items} files examined, {summary.assets} assets, "
        f"{summary.findings} findings, {summary.errors} files could not be read",
        f"  inventory: {db}",
        "",
        "Findings by quantum status:",
    ]
    order = sorted(QuantumStatus, key=lambda s: -STATUS_SEVERITY[s])
    width = max(len(s.value) for s in order)
    for status in order:
        if by_status[status.value]:
            lines.append(f"  {status.value:<{width}}  {by_status[status.value]:>4}")
    lines.append("")
    lines.append(
        "Findings by asset type: " + ", ".join(f"{t} {n}" for t, n in sorted(by_type.items()))
    )
    lines.append("")
    lines.append("Most urgent (classically broken first):")
    urgent = sorted(
        (f for f in findings if f.quantum_status in ("classically-broken", "quantum-vulnerable")),
        key=lambda f: (
            -STATUS_SEVERITY[QuantumStatus(f.quantum_status)],
            f.classical_bits or 0,
            f.locator,
        ),
    )
    seen: set[tuple[str, str, str]] = set()
    for f in urgent:
        key = (f.locator, f.algorithm, f.parameter)
        if key in seen:
            continue
        seen.add(key)
        alg = f"{f.algorithm} {f.parameter}".strip()
        lines.append(
            f"  {f.quantum_status:<18}  {alg:<22}  {f.usage:<14}  {_short(f.locator, files)}"
        )
        if len(seen) == 12:
            break
    safe = sorted(
        {
            (f"{f.algorithm} {f.parameter}".strip(), _short(f.locator, files))
            for f in findings
            if f.quantum_status in ("quantum-safe", "hybrid") and f.usage != "hash"
        }
    )
    if safe:
        lines.append("")
        lines.append("Already post-quantum:")
        lines.extend(f"  {alg:<22}  {loc}" for alg, loc in safe[:8])
    if errors:
        lines.append("")
        lines.append("Could not be read (recorded in the inventory, the scan went on):")
        lines.extend(f"  {kind:<17}  {_short(loc, files)}: {msg}" for loc, kind, msg in errors)
    lines += [
        "",
        "Next:",
        f"  pqcscan --db {db} inventory --status classically-broken",
        f"  pqcscan --db {db} inventory --format json",
        f"  pqcscan --db {db} scans",
    ]
    return "\n".join(lines)
