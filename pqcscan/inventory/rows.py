"""Scan results rendered as inventory rows: plain tuples, ready for the database.

:func:`render` is pure (no database) so it can run where the result is produced, in the
worker processes of a parallel scan: the JSON encoding and row building then happen in
parallel, and what crosses back to the writing process is tuples of strings and numbers,
which pickle fast. :class:`~pqcscan.inventory.store.RunRecorder` writes these rows.
"""

from __future__ import annotations

import hashlib
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


#: The length of ``assets.fingerprint`` (a file asset's fingerprint is its path).
FINGERPRINT_LENGTH = 1024


def fit(value: str, length: int) -> str:
    """``value`` if it fits a ``VARCHAR(length)`` key column, else a shortened form that
    still identifies it: its start, ``…`` and its SHA-256.

    SQLite stores any length, PostgreSQL refuses longer values (the whole batch with them)
    and cannot index more than about 2.7 kB, so a deep path or a long declared algorithm
    name is shortened the same way on both. Counted in UTF-8 bytes, so it fits either way.
    """
    if len(value) * 4 <= length:
        return value
    encoded = value.encode("utf-8", "surrogatepass")
    if len(encoded) <= length:
        return value
    digest = hashlib.sha256(encoded).hexdigest()
    start = encoded[: length - len(digest) - 3].decode("utf-8", "ignore")  # "…": 3 bytes
    return f"{start}…{digest}"


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


def storable(text: str, json_text: bool = False) -> str:
    """``text`` as a database can store it: UTF-8 has no lone surrogates, which is how Python
    holds a file name that is not UTF-8 (``café`` in Latin-1 is ``caf\\udce9``). Such a
    character becomes the four characters ``\\xe9`` (the byte it stands for), any other lone
    surrogate ``\\ud800``; in JSON text (``json_text``) the backslash is escaped, so the
    decoded value reads the same."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        slash = "\\\\" if json_text else "\\"
        return "".join(
            f"{slash}{_escaped(ord(c))}" if "\ud800" <= c <= "\udfff" else c for c in text
        )
    return text


def _escaped(code: int) -> str:
    return f"x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"u{code:04x}"


def render(item: CollectedItem) -> ItemRows:
    """The rows of one collected item (every text storable, :func:`storable`; the item's
    locator stays as it is, since ``--resume`` compares it with the unit keys)."""
    t = storable
    return ItemRows(
        locator=item.locator,
        assets=tuple(
            (
                a.type.value,
                t(a.fingerprint),
                t(a.locator),
                t(a.name),
                storable(details_json(a), json_text=True),
            )
            for a in item.assets
        ),
        findings=tuple(
            (
                f.asset.type.value,
                t(f.asset.fingerprint),
                t(f.algorithm),
                t(f.parameter),
                f.usage.value,
                f.quantum_status.value,
                f.classical_bits,
                f.nist_category,
                t(f.evidence.identifier) if f.evidence.identifier is not None else None,
                storable(evidence_json(f), json_text=True),
            )
            for f in item.findings
        ),
        links=tuple(
            (
                lk.source.type.value,
                t(lk.source.fingerprint),
                lk.relation.value,
                lk.target.type.value,
                t(lk.target.fingerprint),
            )
            for lk in item.links
        ),
        errors=tuple((t(e.locator), e.kind.value, t(e.message)) for e in item.errors),
        skipped=item.skipped,
    )
