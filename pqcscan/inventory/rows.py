"""Scan results rendered as inventory rows: plain tuples, ready for the database.

:func:`render` is pure (no database) so it can run where the result is produced, in the
worker processes of a parallel scan: the JSON encoding and row building then happen in
parallel, and what crosses back to the writing process is tuples of strings and numbers,
which pickle fast. :class:`~pqcscan.inventory.store.RunRecorder` writes these rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pqcscan.results import Asset, CollectedItem, DetailValue, Finding

#: (type, fingerprint, locator, name, details as JSON)
AssetRow = tuple[str, str, str, str, str]
#: (asset type, asset fingerprint, algorithm, parameter, usage, quantum status,
#:  classical bits, NIST category, identifier, evidence as JSON)
FindingRow = tuple[str, str, str, str, str, str, int | None, int | None, str | None, str]
#: (source type, source fingerprint, relation, target type, target fingerprint)
LinkRow = tuple[str, str, str, str, str]
#: (locator, kind, message)
ErrorRow = tuple[str, str, str]

_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


@dataclass(frozen=True, slots=True)
class ItemRows:
    """One collected item as rows."""

    locator: str
    assets: tuple[AssetRow, ...] = ()
    findings: tuple[FindingRow, ...] = ()
    links: tuple[LinkRow, ...] = ()
    errors: tuple[ErrorRow, ...] = ()
    skipped: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        # A plain tuple of fields: much faster to pickle than the slots-dataclass default.
        return (
            ItemRows,
            (self.locator, self.assets, self.findings, self.links, self.errors, self.skipped),
        )


def _json_value(value: DetailValue) -> Any:
    """Tuples become lists, and tuples of (key, value) pairs become objects."""
    if isinstance(value, tuple):
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return dict(value)  # type: ignore[arg-type]
        return list(value)
    return value


def details_json(asset: Asset) -> str:
    return _encode({k: _json_value(v) for k, v in asset.details})


def evidence_json(finding: Finding) -> str:
    e = finding.evidence
    out: dict[str, str] = {"collector": e.collector, "location": e.location, "method": e.method}
    if e.identifier is not None:
        out["identifier"] = e.identifier
    if e.detail is not None:
        out["detail"] = e.detail
    return _encode(out)


def render(item: CollectedItem) -> ItemRows:
    """The rows of one collected item."""
    return ItemRows(
        locator=item.locator,
        assets=tuple(
            (a.type.value, a.fingerprint, a.locator, a.name, details_json(a)) for a in item.assets
        ),
        findings=tuple(
            (
                f.asset.type.value,
                f.asset.fingerprint,
                f.algorithm,
                f.parameter,
                f.usage.value,
                f.quantum_status.value,
                f.classical_bits,
                f.nist_category,
                f.evidence.identifier,
                evidence_json(f),
            )
            for f in item.findings
        ),
        links=tuple(
            (
                lk.source.type.value,
                lk.source.fingerprint,
                lk.relation.value,
                lk.target.type.value,
                lk.target.fingerprint,
            )
            for lk in item.links
        ),
        errors=tuple((e.locator, e.kind.value, e.message) for e in item.errors),
        skipped=item.skipped,
    )
