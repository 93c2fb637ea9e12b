"""A business context as JSON: what is stored in the inventory, and what its SHA-256 covers.

:func:`to_document` and :func:`from_document` are exact inverses (a test round-trips them).
:func:`context_sha256` hashes the canonical JSON of the context's *content*: the ``source``
fields (``file:line``) are left out, so moving a rule to another line, adding a comment or
switching from YAML to CSV does not change the hash, while any change of meaning does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from pqcscan.context.model import (
    BusinessContext,
    DataClass,
    Ecosystem,
    MappingRule,
    MatchKind,
    Service,
)

#: The stored document's format; readers ignore keys they do not know.
FORMAT = "pqcscan-context/1"


def _data_class(d: DataClass) -> dict[str, Any]:
    return {"name": d.name, "retention_years": d.retention_years, "description": d.description}


def service_document(s: Service, sources: bool = True) -> dict[str, Any]:
    """One service as a JSON-able mapping (the stored form; ``source`` when asked)."""
    out: dict[str, Any] = {
        "id": s.id,
        "name": s.name,
        "owner": s.owner,
        "impact": s.impact,
        "data_classes": list(s.data_classes),
        "retention_years": s.retention_years,
        "signature_lifetime_years": s.signature_lifetime_years,
        "ecosystem": s.ecosystem.value,
        "vendor_controlled": s.vendor_controlled,
        "migration_years": s.migration_years,
        "depends_on": list(s.depends_on),
        "tags": list(s.tags),
    }
    if sources:
        out["source"] = s.source
    return out


def _rule(r: MappingRule, sources: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "service": r.service,
        "kind": r.kind.value,
        "pattern": r.pattern,
        "asset_types": list(r.asset_types),
    }
    if sources:
        out["source"] = r.source
    return out


def to_document(context: BusinessContext, *, sources: bool = True) -> dict[str, Any]:
    """The context as a JSON-compatible dict (with ``source`` fields unless told not to)."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "name": context.name,
        "data_classes": [_data_class(d) for d in context.data_classes],
        "services": [service_document(s, sources) for s in context.services],
        "rules": [_rule(r, sources) for r in context.rules],
    }
    if sources:
        doc["sha256"] = context.sha256
    return doc


def _years(value: Any) -> float | None:
    return None if value is None else float(value)


def from_document(doc: dict[str, Any]) -> BusinessContext:
    """Rebuild the context :func:`to_document` wrote (missing keys take their defaults)."""
    return BusinessContext(
        name=str(doc["name"]),
        data_classes=tuple(
            DataClass(str(d["name"]), float(d["retention_years"]), str(d.get("description", "")))
            for d in doc.get("data_classes", ())
        ),
        services=tuple(
            Service(
                id=str(s["id"]),
                name=str(s.get("name") or s["id"]),
                owner=s.get("owner"),
                impact=int(s["impact"]),
                data_classes=tuple(s.get("data_classes", ())),
                retention_years=_years(s.get("retention_years")),
                signature_lifetime_years=_years(s.get("signature_lifetime_years")),
                ecosystem=Ecosystem(s.get("ecosystem", Ecosystem.INTERNAL.value)),
                vendor_controlled=bool(s.get("vendor_controlled", False)),
                migration_years=_years(s.get("migration_years")),
                depends_on=tuple(s.get("depends_on", ())),
                tags=tuple(s.get("tags", ())),
                source=str(s.get("source", "")),
            )
            for s in doc.get("services", ())
        ),
        rules=tuple(
            MappingRule(
                service=str(r["service"]),
                kind=MatchKind(r["kind"]),
                pattern=str(r["pattern"]),
                asset_types=tuple(r.get("asset_types", ())),
                source=str(r.get("source", "")),
            )
            for r in doc.get("rules", ())
        ),
        sha256=str(doc.get("sha256", "")),
    )


def canonical_json(context: BusinessContext) -> str:
    """Sorted keys, no spaces, sources left out: the bytes :func:`context_sha256` hashes."""
    return json.dumps(
        to_document(context, sources=False),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def context_sha256(context: BusinessContext) -> str:
    """The SHA-256 (hex) of the context's canonical JSON."""
    return hashlib.sha256(canonical_json(context).encode("utf-8")).hexdigest()


def with_sha256(context: BusinessContext) -> BusinessContext:
    """The same context with its ``sha256`` filled in."""
    return replace(context, sha256=context_sha256(context))


def without_sources(context: BusinessContext) -> BusinessContext:
    """The context with every ``source`` emptied: compare two loads of the same content."""
    return replace(
        context,
        services=tuple(replace(s, source="") for s in context.services),
        rules=tuple(replace(r, source="") for r in context.rules),
    )
