"""The demo's code part: sample repositories scanned with ``scan code``, summarised.

``samples/repos`` holds five small repositories of Example Bank plc (Java, JavaScript and
TypeScript, Go and C, Python, C#) with their manifests and lockfiles, cryptographic calls
and TLS/SSH configuration, and a vendor's CycloneDX SBOM. The demo copies them under
``srv/repos`` of its tree, adds a jar built on the spot (a legacy library with its Maven
metadata inside), scans them and lists the cryptographic libraries and the cryptography in
code and configuration, worst first.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections import defaultdict
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pqcscan.catalog import STATUS_SEVERITY, QuantumStatus
from pqcscan.collectors.code.collector import CodeCollector, CodeScanOptions
from pqcscan.inventory import Inventory, RunSummary
from pqcscan.inventory.snapshot import load_snapshot
from pqcscan.scan import run_scan

REPOS = resources.files("pqcscan.demo").joinpath("samples", "repos")
SHOWN = 16  # lines of code findings in the summary
LEGACY_JAR = "payments-gateway/lib/legacy-signing-2.1.jar"
LEGACY_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.examplebank.legacy</groupId>
  <artifactId>legacy-signing</artifactId>
  <version>2.1</version>
  <dependencies>
    <dependency>
      <groupId>org.bouncycastle</groupId>
      <artifactId>bcprov-jdk15on</artifactId>
      <version>1.64</version>
    </dependency>
  </dependencies>
</project>
"""


def build_repos(target: Path) -> None:
    """Copy the sample repositories to ``target`` and build the legacy jar in it."""
    with resources.as_file(REPOS) as source:
        shutil.copytree(source, target, dirs_exist_ok=True)
    jar = target / LEGACY_JAR
    jar.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: demo\r\n")
        z.writestr("META-INF/maven/com.examplebank.legacy/legacy-signing/pom.xml", LEGACY_POM)
        z.writestr("com/examplebank/legacy/Signer.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x34")
    jar.write_bytes(buf.getvalue())


def scan_repos(inventory: Inventory, root: Path) -> RunSummary:
    """``scan code`` over the repositories, in this process's workers."""
    return run_scan(inventory, CodeCollector(CodeScanOptions(paths=(root,))), jobs=0)


def summarize_code(inventory: Inventory, root: Path, summary: RunSummary) -> list[str]:
    """Libraries with their PQC support, then the cryptography in code, worst first."""
    snapshot = load_snapshot(inventory.engine)
    prefix = f"{root}/"
    packages = [a for a in snapshot.assets if a.type == "package"]
    libraries = sorted(
        (a for a in packages if a.details.get("crypto_library")),
        key=lambda a: (a.details.get("pqc_capable") is True, a.name.lower()),
    )
    code_assets = {
        a.id: a
        for a in snapshot.assets
        if a.type == "file" and a.locator.startswith(prefix) and a.details.get("code_hits")
    }
    places: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for f in snapshot.findings:
        asset = code_assets.get(f.asset_id)
        if asset is None:
            continue
        what = f"{f.algorithm} {f.parameter}".strip()
        where = f.location.replace(prefix, "")
        places[(f.quantum_status, what, f.usage)].append(where)
    versioned = {a.details.get("package") for a in libraries if a.details.get("version")}
    shown = [
        a
        for a in libraries
        if a.details.get("version") or a.details.get("package") not in versioned
    ]
    capable = sum(1 for a in shown if a.details.get("pqc_capable") is True)
    lines = [
        "",
        f"Code repositories (scan code of {root}):",
        f"  {summary.items} files and archives examined, {summary.findings} findings, "
        f"{summary.errors} problems recorded; {len(packages)} packages, {len(shown)} "
        f"cryptographic libraries ({capable} with post-quantum support at that version)",
        "",
        "Cryptographic libraries (from manifests, lockfiles, SBOMs and jars):",
    ]
    for a in shown:
        lines.append(f"  {a.name:<40} {a.details.get('ecosystem', ''):<8} {_pqc_state(a.details)}")
    lines += ["", "Cryptography in code and configuration (worst first):"]
    order = sorted(places, key=lambda k: (-STATUS_SEVERITY[QuantumStatus(k[0])], k[1], k[2]))
    for status, what, usage in order[:SHOWN]:
        spots = places[(status, what, usage)]
        more = f" (+{len(spots) - 1})" if len(spots) > 1 else ""
        lines.append(f"  {what:<28} {usage:<14} {status:<19} {_short(spots[0])}{more}")
    if len(order) > SHOWN:
        lines.append(
            f"  ... and {len(order) - SHOWN} more (pqcscan inventory --type file; "
            "pqcscan export sarif)"
        )
    return lines


def _pqc_state(details: Mapping[str, Any]) -> str:
    pqc, since = details.get("pqc_capable"), details.get("pqc_since")
    if pqc is True:
        return "post-quantum capable"
    if since in (None, "unknown"):
        return "post-quantum support: not known"
    return f"no post-quantum before {since}"


def _short(where: str) -> str:
    """``payments-gateway/src/main/java/com/examplebank/payments/X.java:3:5`` -> ``.../X.java``."""
    parts = where.split("/")
    return where if len(parts) <= 4 else "/".join([parts[0], "…", *parts[-2:]])
