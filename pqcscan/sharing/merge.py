"""``pqcscan stats merge``: pool several organisations' exports.

A merged cell is published only when at least ``min_orgs`` organisations contributed to it
and no organisation holds more than ``dominance`` of it; every input is validated against
the ``pqcscan-stats/1`` schema and the vocabulary first, and mixed schema versions,
vocabularies or periods are refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pqcscan import __version__
from pqcscan.errors import UsageError
from pqcscan.sharing import SCHEMA
from pqcscan.sharing.vocabulary import Vocabulary, get_vocabulary, schema_errors

_TLP_ORDER = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT")
_QUANTILES = (10, 25, 50, 75, 90)


def read_document(path: Path) -> dict[str, Any]:
    """Read a statistics file as JSON (one clear error if it is not)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"{path}: not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: not a {SCHEMA} document")
    return doc


def check_document(
    doc: dict[str, Any], name: str, kind: str, vocab: Vocabulary | None = None
) -> None:
    """Refuse a document that is not a valid ``pqcscan-stats/1`` ``kind`` over ``vocab``:
    the schema, then the vocabulary (tables, dimensions, terms), then k and rounding."""
    vocab = vocab or get_vocabulary()
    if doc.get("schema") != SCHEMA:
        raise UsageError(f"{name}: schema {doc.get('schema')!r}; this pqcscan reads {SCHEMA}")
    problems = schema_errors(doc)
    if problems:
        raise UsageError(f"{name}: not a valid {SCHEMA} document: {problems[0]}")
    if doc["kind"] != kind:
        raise UsageError(f"{name}: a {doc['kind']} document, expected {kind}")
    voc = doc["vocabulary"]
    if (voc["id"], voc["sha256"]) != (vocab.id, vocab.sha256):
        raise UsageError(
            f"{name}: vocabulary {voc['id']} ({voc['sha256'][:12]}) differs from this "
            f"pqcscan's {vocab.id} ({vocab.sha256[:12]}): export again with the same version"
        )
    if [t["id"] for t in doc["tables"]] != [t.id for t in vocab.tables]:
        raise UsageError(f"{name}: its tables are not the vocabulary's predeclared tables")
    if [i["id"] for i in doc["indicators"]] != [i.id for i in vocab.indicators]:
        raise UsageError(f"{name}: its indicators are not the vocabulary's")
    k, rounding = (doc["k"], doc["rounding"]) if kind == "export" else (1, 1)
    for table, spec in zip(doc["tables"], vocab.tables, strict=True):
        if tuple(table["dimensions"]) != spec.dimensions:
            raise UsageError(f"{name}: table {spec.id}: dimensions differ from the vocabulary")
        seen: set[tuple[str, ...]] = set()
        for cell in table["cells"]:
            values = tuple(cell["values"])
            if len(values) != len(spec.dimensions) or values in seen:
                raise UsageError(f"{name}: table {spec.id}: malformed or repeated cell {values}")
            seen.add(values)
            for dim, value in zip(spec.dimensions, values, strict=True):
                if value not in vocab.allowed(dim):
                    raise UsageError(f"{name}: table {spec.id}: {value!r} is not a term of {dim}")
            if kind == "export" and (cell["count"] < k or cell["count"] % rounding):
                raise UsageError(
                    f"{name}: table {spec.id}: count {cell['count']} breaks its own k {k} "
                    f"/ rounding {rounding}"
                )
            if kind == "merged" and "orgs" not in cell:
                raise UsageError(f"{name}: table {spec.id}: merged cell without orgs")


def _dominated(counts: Sequence[int], dominance: float) -> bool:
    total = sum(counts)
    return total <= 0 or max(counts) > dominance * total + 1e-9


def quantile(sorted_values: Sequence[float], p: float) -> float:
    """Linear-interpolation quantile (p in 0..100) of sorted values."""
    pos = (len(sorted_values) - 1) * p / 100
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


def merge(
    documents: Sequence[tuple[str, dict[str, Any]]], vocab: Vocabulary | None = None
) -> dict[str, Any]:
    """Pool ``(name, export document)`` pairs into a merged ``pqcscan-stats/1`` document."""
    vocab = vocab or get_vocabulary()
    if not documents:
        raise UsageError("give at least one export to merge")
    schemas = sorted({str(doc.get("schema")) for _, doc in documents})
    if len(schemas) > 1:
        listed = ", ".join(f"{name}: {doc.get('schema')}" for name, doc in documents)
        raise UsageError(f"mixed schema versions ({listed}); merge only {SCHEMA} exports")
    vocabularies = {json.dumps(doc.get("vocabulary"), sort_keys=True) for _, doc in documents}
    if len(vocabularies) > 1:
        listed = ", ".join(
            f"{name}: {str((doc.get('vocabulary') or {}).get('sha256', '?'))[:12]}"
            for name, doc in documents
        )
        raise UsageError(f"mixed vocabularies ({listed}); export again with one pqcscan version")
    for name, doc in documents:
        check_document(doc, name, "export", vocab)
    seen: dict[str, str] = {}
    for name, doc in documents:
        sid = doc["submission_id"]
        if sid in seen:
            raise UsageError(f"{name} and {seen[sid]} are the same submission ({sid})")
        seen[sid] = name
    periods = sorted({str(doc["period"]) for _, doc in documents})
    if len(periods) > 1:
        raise UsageError(
            f"mixed reporting periods ({', '.join(periods)}); merge one period "
            "(stats export --period YYYY-Qn)"
        )
    policy = vocab.policy
    docs = [doc for _, doc in documents]

    tables = []
    for index, spec in enumerate(vocab.tables):
        contributions: dict[tuple[str, ...], list[int]] = {}
        totals: list[int] = []
        for doc in docs:
            table = doc["tables"][index]
            for cell in table["cells"]:
                contributions.setdefault(tuple(cell["values"]), []).append(cell["count"])
            if table["total"] is not None:
                totals.append(table["total"])
        cells: list[dict[str, Any]] = []
        withheld = 0
        for values in sorted(contributions):
            counts = contributions[values]
            if len(counts) < policy.min_orgs or _dominated(counts, policy.dominance):
                withheld += 1
                continue
            cells.append({"values": list(values), "count": sum(counts), "orgs": len(counts)})
        cells.sort(key=lambda c: _order(vocab, spec.dimensions, c["values"]))
        total_ok = len(totals) >= policy.min_orgs and not _dominated(totals, policy.dominance)
        tables.append(
            {
                "id": spec.id,
                "dimensions": list(spec.dimensions),
                "cells": cells,
                "total": sum(totals) if total_ok else None,
                "withheld": withheld,
            }
        )

    indicators = []
    for index, ind in enumerate(vocab.indicators):
        pairs = [
            (doc["indicators"][index]["share"], doc["indicators"][index]["base"])
            for doc in docs
            if doc["indicators"][index]["share"] is not None
            and doc["indicators"][index]["base"] is not None
        ]
        bases = [base for _, base in pairs]
        ok = len(pairs) >= policy.min_orgs and not _dominated(bases, policy.dominance)
        shares = sorted(share for share, _ in pairs)
        quantiles = None
        if ok and len(pairs) >= policy.distribution_min_orgs:
            quantiles = {f"p{p}": round(quantile(shares, p), 2) for p in _QUANTILES}
        indicators.append(
            {
                "id": ind.id,
                "orgs": len(pairs),
                "share": round(sum(s * b for s, b in pairs) / sum(bases), 2) if ok else None,
                "base": sum(bases) if ok else None,
                "quantiles": quantiles,
            }
        )

    tlp = max((doc["tlp"] for doc in docs), key=_TLP_ORDER.index)
    merged: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": "merged",
        "vocabulary": {"id": vocab.id, "sha256": vocab.sha256},
        "tool": f"pqcscan {__version__}",
        "period": docs[0]["period"],
        "tlp": tlp,
        "organisations": len(docs),
        "rules": {
            "min_orgs": policy.min_orgs,
            "dominance": policy.dominance,
            "distribution_min_orgs": policy.distribution_min_orgs,
            "k": max(doc["k"] for doc in docs),
            "rounding": max(doc["rounding"] for doc in docs),
        },
        "tables": tables,
        "indicators": indicators,
    }
    problems = schema_errors(merged)
    if problems:  # pragma: no cover - a bug, not an input problem
        raise UsageError(f"the merge breaks {SCHEMA}: {problems[0]}")
    return merged


def _order(vocab: Vocabulary, dims: Sequence[str], values: Sequence[str]) -> tuple[int, ...]:
    out = []
    for dim, value in zip(dims, values, strict=True):
        known = vocab.dimensions[dim].values
        out.append(known.index(value) if value in known else len(known))
    return tuple(out)
