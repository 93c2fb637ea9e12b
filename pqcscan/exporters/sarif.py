"""SARIF 2.1.0 of the code collector's findings: cryptography in source and configuration.

One result per hit (every place, not one per file), with the rule that matched, the
algorithm's quantum status as the level, the exact region and snippet, and a partial
fingerprint that survives unrelated edits (rule, file, snippet), so code-scanning tools
(GitHub code scanning, Azure DevOps, SonarQube's importer) track each hit across runs.

Levels: ``error`` for cryptography broken today, ``warning`` for quantum-vulnerable or
unknown, ``note`` for quantum-weakened, hybrid and quantum-safe (still inventory).
Columns count Unicode code points (``columnKind``). An archive member is reported at its
archive's URI with the member path in the result's properties (SARIF has no nested URIs).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pqcscan import __version__
from pqcscan.catalog import QuantumStatus, get_catalog

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/pqcscan/pqcscan"
LEVEL = {
    QuantumStatus.CLASSICALLY_BROKEN: "error",
    QuantumStatus.QUANTUM_VULNERABLE: "warning",
    QuantumStatus.UNKNOWN: "warning",
    QuantumStatus.QUANTUM_WEAKENED: "note",
    QuantumStatus.HYBRID: "note",
    QuantumStatus.QUANTUM_SAFE: "note",
}
STATUS_TEXT = {
    QuantumStatus.CLASSICALLY_BROKEN: "broken today, quantum computer or not",
    QuantumStatus.QUANTUM_VULNERABLE: "breakable by a quantum computer (Shor): plan its migration",
    QuantumStatus.UNKNOWN: "not identified: check it",
    QuantumStatus.QUANTUM_WEAKENED: "weakened by a quantum computer (Grover): check its size",
    QuantumStatus.HYBRID: "hybrid post-quantum: keep",
    QuantumStatus.QUANTUM_SAFE: "post-quantum: keep",
}


@dataclass(frozen=True, slots=True)
class CodeFile:
    """A source or configuration file asset with its hits (``code_hits`` details)."""

    locator: str
    kind: str  # "source" or "config"
    hits: tuple[Mapping[str, Any], ...]


def code_files(assets: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[CodeFile]:
    """``(type, locator, details)`` of inventory assets -> the code files among them."""
    out = []
    for type_, locator, details in assets:
        raw = details.get("code_hits")
        if type_ != "file" or not isinstance(raw, list | tuple):
            continue
        hits = []
        for text in raw:
            try:
                hit = json.loads(text) if isinstance(text, str) else None
            except ValueError:
                hit = None
            if isinstance(hit, dict):
                hits.append(hit)
        out.append(CodeFile(locator, str(details.get("kind", "source")), tuple(hits)))
    return sorted(out, key=lambda f: f.locator)


def _uri(locator: str, base: Path | None) -> tuple[str, str | None, str | None]:
    """(uri, uriBaseId, archive member) for a file locator."""
    path, _, member = locator.partition("!/")
    p = Path(path)
    if base is not None and p.is_relative_to(base):
        return p.relative_to(base).as_posix(), "SRCROOT", member or None
    return p.as_uri() if p.is_absolute() else p.as_posix(), None, member or None


def _status(hit: Mapping[str, Any]) -> QuantumStatus:
    c = get_catalog().classify(str(hit.get("algorithm", "")), str(hit.get("parameter", "")))
    return c.status


def to_sarif(
    files: Iterable[CodeFile],
    base: Path | None = None,
    rule_help: Callable[[str], str | None] | None = None,
) -> dict[str, Any]:
    """The SARIF log (a JSON-able dict) for ``files``; ``base`` makes URIs relative."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for f in files:
        for hit in f.hits:
            rule_id = str(hit.get("rule", "unknown"))
            status = _status(hit)
            algorithm = f"{hit.get('algorithm', '')} {hit.get('parameter', '')}".strip()
            if rule_id not in rules:
                described = (rule_help(rule_id) if rule_help else None) or str(
                    hit.get("message", rule_id)
                )
                rules[rule_id] = {
                    "id": rule_id,
                    "name": "".join(w.capitalize() for w in rule_id.replace("_", "-").split("-")),
                    "shortDescription": {"text": described},
                    "fullDescription": {
                        "text": f"{described}. pqcscan {f.kind} rule; see rules/ in pqcscan."
                    },
                    "defaultConfiguration": {"level": LEVEL[status]},
                    "properties": {
                        "tags": ["cryptography", "post-quantum", f.kind],
                        "algorithm": hit.get("algorithm"),
                    },
                }
            uri, base_id, member = _uri(f.locator, base)
            artifact: dict[str, Any] = {"uri": uri}
            if base_id:
                artifact["uriBaseId"] = base_id
            region = {
                "startLine": int(hit.get("line", 1)),
                "startColumn": int(hit.get("column", 1)),
                "endLine": int(hit.get("end_line", hit.get("line", 1))),
                "endColumn": int(hit.get("end_column", hit.get("column", 1))),
                "snippet": {"text": str(hit.get("snippet", ""))},
            }
            fingerprint = hashlib.sha256(
                f"{rule_id}\0{f.locator}\0{hit.get('snippet', '')}".encode()
            ).hexdigest()
            properties: dict[str, Any] = {
                "algorithm": hit.get("algorithm"),
                "parameter": hit.get("parameter") or None,
                "usage": hit.get("usage"),
                "quantumStatus": status.value,
                "confidence": hit.get("confidence"),
            }
            if member:
                properties["archiveMember"] = member
            results.append(
                {
                    "ruleId": rule_id,
                    "level": LEVEL[status],
                    "message": {
                        "text": f"{hit.get('message', algorithm)}: {algorithm} is "
                        f"{status.value} ({STATUS_TEXT[status]})."
                    },
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": artifact,
                                "region": region,
                            }
                        }
                    ],
                    "partialFingerprints": {"pqcscanHit/v1": fingerprint},
                    "properties": {k: v for k, v in properties.items() if v is not None},
                }
            )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "pqcscan",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rules[k] for k in sorted(rules)],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if base is not None:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": base.as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
