"""What one file (or archive member) of a code tree is, and what it holds.

:func:`plan_for` decides from the name, the path below the scan root and the first bytes
which parser a file goes to (dependency file, source code, configuration, certificate or
key) without reading the rest; :func:`analyse` runs that parser and turns its plain values
into inventory results: ``file`` assets for manifests, source and configuration files,
``package`` assets (by purl) with ``depends-on`` links, and findings classified through the
catalog with file, line and column in their evidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pqcscan.catalog import get_catalog
from pqcscan.collectors.certs import CertScanOptions, scan_data
from pqcscan.collectors.code import config, deps, source
from pqcscan.collectors.code.libraries import package_findings
from pqcscan.collectors.code.model import CodeHit, CodeParseError, DependencyFile, Package
from pqcscan.results import (
    Asset,
    AssetKey,
    AssetType,
    CollectedItem,
    DetailValue,
    ErrorKind,
    Evidence,
    Finding,
    Link,
    Relation,
    ScanError,
)

COLLECTOR = "code"
#: Hits kept per file in the asset's ``code_hits`` detail (SARIF reads them); findings
#: aggregate all of them regardless.
MAX_HITS_PER_FILE = 500
CERT_SUFFIXES = (
    ".pem", ".crt", ".cer", ".der", ".key", ".p12", ".pfx", ".jks", ".jceks", ".keystore",
    ".truststore", ".p7b", ".p7c", ".csr", ".pub", ".bks",
)  # fmt: skip
CERT_NAMES = frozenset(
    ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "authorized_keys", "known_hosts")
)


@dataclass(frozen=True, slots=True)
class Plan:
    """Which parser a file goes to."""

    kind: str  # "dependencies", "source", "config", "certs"
    detail: str  # the dependency kind, language or configuration kind
    max_bytes: int
    parser: deps.DependencyParser | None = None  # for dependency files


@dataclass(frozen=True, slots=True)
class Limits:
    source_bytes: int = 2 * 1024 * 1024
    file_bytes: int = 64 * 1024 * 1024  # dependency files, SBOMs, configuration


def plan_for(name: str, rel_path: str, head: bytes, limits: Limits) -> Plan | None:
    """The parser for a file, from its base name, path below the root and first bytes."""
    parser = deps.parser_for(name, head)
    parent = rel_path.rsplit("/", 2)[-2] if "/" in rel_path else ""
    if parser is None and parent:  # requirements/dev.txt: the folder says what it is
        parser = deps.parser_for(f"{parent}/{name}", head)
    if parser is not None:
        return Plan("dependencies", parser.kind, limits.file_bytes, parser)
    language = source.language_for(name)
    if language is not None:
        return Plan("source", language, limits.source_bytes)
    kind = config.config_kind(name, rel_path, head)
    if kind is not None:
        return Plan("config", kind, limits.file_bytes)
    lower = name.lower()
    if lower.endswith(CERT_SUFFIXES) or lower in CERT_NAMES or b"-----BEGIN " in head:
        return Plan("certs", "", limits.file_bytes)
    return None


def wanted_member(name: str) -> bool:
    """Archive members worth reading: decided by name alone (SBOM names included)."""
    base = name.rsplit("/", 1)[-1]
    return plan_for(base, name, b"", Limits()) is not None


@dataclass
class Pieces:
    """Results gathered from one file or from every member of an archive."""

    assets: dict[tuple[AssetType, str], Asset] = field(default_factory=dict)
    findings: dict[tuple[AssetKey, str, str, str], Finding] = field(default_factory=dict)
    links: dict[tuple[AssetKey, Relation, AssetKey], Link] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)

    def asset(self, asset: Asset) -> AssetKey:
        self.assets.setdefault((asset.type, asset.fingerprint), asset)
        return AssetKey.of(asset)

    def finding(self, f: Finding) -> None:
        self.findings.setdefault((f.asset, f.algorithm, f.parameter, f.usage.value), f)

    def link(self, source: AssetKey, relation: Relation, target: AssetKey) -> None:
        self.links.setdefault((source, relation, target), Link(source, relation, target))

    def add_item(self, item: CollectedItem) -> None:
        for a in item.assets:
            self.asset(a)
        for f in item.findings:
            self.finding(f)
        for link in item.links:
            self.link(link.source, link.relation, link.target)
        self.errors.extend(item.errors)

    def item(self, locator: str) -> CollectedItem:
        if not (self.assets or self.findings or self.errors):
            return CollectedItem(locator, skipped=True)
        return CollectedItem(
            locator,
            assets=tuple(self.assets.values()),
            findings=tuple(self.findings.values()),
            links=tuple(self.links.values()),
            errors=tuple(self.errors),
        )


def analyse(
    plan: Plan, locator: str, data: bytes, pieces: Pieces, cert_options: CertScanOptions
) -> None:
    """Run the plan's parser over ``data`` and add what it found to ``pieces``."""
    name = locator.rsplit("/", 1)[-1]
    if plan.kind == "certs":
        pieces.add_item(scan_data(Path(locator), data, cert_options))
        return
    try:
        if plan.parser is not None:
            add_dependencies(locator, plan.parser.parse(name, data), pieces)
        elif plan.kind == "source":
            add_hits(locator, "source", source.detect(plan.detail, name, data), pieces)
        else:
            add_hits(locator, "config", config.parse_config(plan.detail, name, data), pieces)
    except CodeParseError as exc:
        kind = ErrorKind.UNSUPPORTED if plan.kind == "source" else ErrorKind.MALFORMED
        pieces.errors.append(ScanError(locator, kind, f"{plan.detail}: {exc}"))
    except (RecursionError, MemoryError, UnicodeError) as exc:
        pieces.errors.append(
            ScanError(locator, ErrorKind.MALFORMED, f"{plan.detail}: {type(exc).__name__}")
        )


def _declared(locator: str, package: Package) -> str:
    return f"{locator}:{package.line}" if package.line else locator


def add_dependencies(locator: str, parsed: DependencyFile, pieces: Pieces) -> None:
    """A manifest ``file`` asset, ``package`` assets and their ``depends-on`` links."""
    manifest = pieces.asset(
        Asset(
            AssetType.FILE,
            locator,
            locator,
            parsed.project or locator.rsplit("/", 1)[-1],
            _details(
                kind=parsed.kind,
                project=parsed.project,
                packages=len(parsed.packages),
                includes=tuple(parsed.includes),
                warnings=tuple(parsed.warnings[:20]),
            ),
        )
    )
    keys: dict[str, AssetKey] = {}
    for package in parsed.packages:
        if package.purl in keys:
            continue
        where = _declared(locator, package)
        extra, findings = package_findings(package, where)
        label = f"{package.name} {package.version}" if package.version else package.name
        details = _details(
            ecosystem=package.ecosystem,
            package=package.name,
            version=package.version,
            requirement=package.requirement,
            scope=package.scope,
            direct=package.direct,
            declared_in=where,
        )
        keys[package.purl] = pieces.asset(
            Asset(AssetType.PACKAGE, package.purl, package.purl, label, details + extra)
        )
        for f in findings:
            pieces.finding(f)
    edged = {to for _, to in parsed.edges}
    for package in parsed.packages:
        key = keys[package.purl]
        # Direct dependencies hang off the manifest; so does everything when the file tells
        # neither directness nor edges (go.sum, a flat SBOM), so nothing floats unattached.
        if package.direct or (package.direct is None and package.purl not in edged):
            pieces.link(manifest, Relation.DEPENDS_ON, key)
    for source_purl, target_purl in parsed.edges:
        target = keys.get(target_purl)
        origin = manifest if source_purl == "" else keys.get(source_purl)
        if target is not None and origin is not None and origin != target:
            pieces.link(origin, Relation.DEPENDS_ON, target)


def add_hits(locator: str, kind: str, hits: Iterable[CodeHit], pieces: Pieces) -> None:
    """A source or configuration ``file`` asset with one finding per algorithm and use."""
    ordered = sorted(hits, key=lambda h: (h.line, h.column, h.rule_id))
    if not ordered:
        return
    catalog = get_catalog()
    kept = tuple(_hit_json(h) for h in ordered[:MAX_HITS_PER_FILE])
    key = pieces.asset(
        Asset(
            AssetType.FILE,
            locator,
            locator,
            locator.rsplit("/", 1)[-1],
            _details(kind=kind, hits=len(ordered), code_hits=kept),
        )
    )
    for hit in ordered:
        # "ML-KEM-768" with parameter "ML-KEM-768": the name says it all
        parameter = "" if hit.parameter == hit.algorithm else hit.parameter
        c = catalog.classify(hit.algorithm, parameter)
        pieces.finding(
            Finding(
                asset=key,
                algorithm=c.algorithm,
                parameter=c.parameter,
                usage=hit.usage,
                quantum_status=c.status,
                evidence=Evidence(
                    COLLECTOR,
                    f"{locator}:{hit.line}:{hit.column}",
                    f"{kind} rule {hit.rule_id}",
                    hit.rule_id,
                    hit.snippet[:200],
                ),
                classical_bits=c.classical_bits,
                nist_category=c.nist_category,
            )
        )


def _hit_json(hit: CodeHit) -> str:
    return json.dumps(
        {
            "rule": hit.rule_id,
            "algorithm": hit.algorithm,
            "parameter": hit.parameter,
            "usage": hit.usage.value,
            "line": hit.line,
            "column": hit.column,
            "end_line": hit.end_line,
            "end_column": hit.end_column,
            "confidence": hit.confidence,
            "snippet": hit.snippet[:200],
            "message": hit.message,
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def decode_hits(value: DetailValue) -> list[dict[str, object]]:
    """The ``code_hits`` detail of a file asset back as dicts (for SARIF)."""
    if not isinstance(value, tuple):
        return []
    out = []
    for text in value:
        if isinstance(text, str):
            try:
                out.append(json.loads(text))
            except ValueError:
                continue
    return out


def _details(**values: DetailValue) -> tuple[tuple[str, DetailValue], ...]:
    return tuple((k, v) for k, v in values.items() if v not in (None, "", ()))
