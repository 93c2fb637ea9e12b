"""``pqcscan stats export``: counts over the controlled vocabulary, nothing else.

A pure function from an inventory snapshot, the ranked items of a risk run and the business
contexts to a ``pqcscan-stats/1`` document. Only vocabulary terms, counts and shares are
written: no locator, name, fingerprint, subject, serial, path, package or service name.
Cells below k are withheld and published counts are rounded.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pqcscan import __version__
from pqcscan.context.model import BusinessContext, Ecosystem
from pqcscan.errors import RuleError, UsageError
from pqcscan.inventory.snapshot import FindingView, Snapshot
from pqcscan.risk.model import RankedItem
from pqcscan.sharing import OTHER, SCHEMA
from pqcscan.sharing.vocabulary import Vocabulary, get_vocabulary, schema_errors

TLP = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DEADLINE_YEAR = re.compile(r"\bfrom (\d{4})\b")
_KEX_RANK = {"pqc": 4, "hybrid": 3, "classical": 2, "classical-broken": 1}
_PQ_STATUSES = frozenset({"hybrid", "quantum-safe"})
_LEGACY = frozenset({"ssl-3.0", "tls-1.0", "tls-1.1"})


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What the user chose for one export."""

    submission_id: str  # a random UUID the organisation keeps (never derived from it)
    org_label: str | None = None
    k: int | None = None  # None: the vocabulary policy's
    rounding: int | None = None
    tlp: str = "AMBER"
    period: str | None = None  # "2026-Q4"; None: from as_of
    profile: str | None = None  # the risk profile's name (mapped through the vocabulary)
    as_of: date | None = None  # the ranking date (deadline buckets, period)


@dataclass
class RawCounts:
    """Unsuppressed, unrounded counts: never written anywhere, only reduced."""

    tables: dict[str, Counter[tuple[str, ...]]] = field(default_factory=dict)
    indicators: dict[str, tuple[int, int]] = field(default_factory=dict)


def period_of(day: date) -> str:
    """The reporting quarter of a date: ``2026-Q4``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def round_count(count: int, base: int) -> int:
    """Round to the nearest multiple of ``base`` (halves up), never down to 0."""
    if base <= 1:
        return count
    return max(base, base * round_half(count, base))


def round_half(count: int, base: int) -> int:
    """``count / base`` rounded half up, in integers."""
    return (2 * count + base) // (2 * base)


def _strength(f: FindingView) -> str:
    if f.nist_category is not None:
        return f"pqc-cat-{f.nist_category}"
    bits = f.classical_bits
    if bits is None:
        return "unknown"
    for limit, bucket in ((80, "<=80"), (112, "112"), (128, "128"), (192, "192")):
        if bits <= limit:
            return bucket
    return "256"


def _retention(years: float) -> str:
    if years < 2:
        return "<2"
    if years < 5:
        return "2-5"
    if years < 10:
        return "5-10"
    if years <= 20:
        return "10-20"
    return ">20"


def _deadline(item: RankedItem, as_of: date | None) -> str:
    years = [int(m) for d in item.deadlines for m in _DEADLINE_YEAR.findall(d)]
    if not years:
        return "none"
    year = min(years)
    if as_of is not None and year <= as_of.year:
        return "in-force"
    if year <= 2030:
        return "by-2030"
    if year <= 2035:
        return "2031-2035"
    return "after-2035"


def _readiness(details: dict[str, Any]) -> str:
    capable = details.get("pqc_capable")
    if capable is True:
        return "pqc-capable"
    if capable is False:
        return "upgrade-available" if details.get("pqc_since") else "no-pqc-release"
    return "unknown"


def _ecosystems(contexts: Iterable[BusinessContext]) -> dict[str, Ecosystem]:
    out: dict[str, Ecosystem] = {}
    for ctx in contexts:
        for s in ctx.services:
            out.setdefault(s.id, s.ecosystem)
            out[f"{ctx.name}/{s.id}"] = s.ecosystem
    return out


def _widest(ecosystems: Iterable[Ecosystem]) -> Ecosystem | None:
    order = list(Ecosystem)
    return max(ecosystems, key=lambda e: (e.level, order.index(e)), default=None)


def count(
    snapshot: Snapshot,
    items: Sequence[RankedItem],
    contexts: Sequence[BusinessContext],
    vocab: Vocabulary,
    as_of: date | None = None,
) -> RawCounts:
    """Count everything over the vocabulary (every key is a vocabulary term)."""
    t = vocab.term
    raw = RawCounts({spec.id: Counter() for spec in vocab.tables})
    tables = raw.tables
    by_asset: dict[int, list[FindingView]] = {}
    for f in snapshot.findings:
        by_asset.setdefault(f.asset_id, []).append(f)

    for a in snapshot.assets:
        tables["assets_by_type"][(t("asset_type", a.type),)] += 1
    for f in snapshot.findings:
        tables["findings_by_usage_status"][
            (t("usage", f.usage), t("quantum_status", f.quantum_status))
        ] += 1

    # endpoints: versions, key-exchange offers, posture, agility
    tls = tls_hybrid = tls_pq = tls13 = tls_legacy = ssh = ssh_pq = 0
    for a in snapshot.assets:
        if a.type != "endpoint":
            continue
        proto = t("endpoint_protocol", a.details.get("protocol"))
        own = by_asset.get(a.id, [])
        versions = {
            t("protocol_version", f"{f.algorithm} {f.parameter}")
            for f in own
            if f.usage == "protocol"
        }
        for v in versions:
            tables["endpoints_by_protocol_version"][(v,)] += 1
        offers = [f for f in own if f.usage == "key-exchange"]
        classes: set[str] = set()
        for f in offers:
            kex_class = t("kex_class", f.quantum_status)
            classes.add(kex_class)
            family = t("kex_family", f"{f.algorithm} {f.parameter}".strip())
            tables["kex_offers_by_class_family"][(kex_class, family)] += 1
        if proto == OTHER:
            continue
        best = max(classes & _KEX_RANK.keys(), key=_KEX_RANK.__getitem__, default="none")
        tables["endpoints_by_kex_posture"][(proto, t("endpoint_kex_posture", best))] += 1
        statuses = {f.quantum_status for f in offers}
        if proto == "tls":
            tls += 1
            tls_hybrid += "hybrid" in statuses
            tls_pq += bool(statuses & _PQ_STATUSES)
            tls13 += "tls-1.3" in versions
            tls_legacy += bool(versions & _LEGACY)
        else:
            ssh += 1
            ssh_pq += bool(statuses & _PQ_STATUSES)

    # signatures of certificates, keys and CSRs
    certs = certs_pq = 0
    for a in snapshot.assets:
        if a.type not in ("certificate", "key", "csr"):
            continue
        sigs = [f for f in by_asset.get(a.id, []) if f.usage in ("signature", "authentication")]
        for f in sigs:
            family = t("signature_family", f.algorithm)
            tables["signatures_by_family_strength"][
                (family, t("strength_bucket", _strength(f)))
            ] += 1
        signed = [f for f in sigs if f.usage == "signature"]
        if a.type == "certificate" and signed:
            certs += 1
            certs_pq += any(f.quantum_status in _PQ_STATUSES for f in signed)

    # crypto libraries
    libs = libs_pqc = 0
    for a in snapshot.assets:
        if a.type != "package" or not a.details.get("crypto_library"):
            continue
        readiness = t("pqc_readiness", _readiness(a.details))
        tables["crypto_libraries_by_readiness"][
            (t("package_ecosystem", a.details.get("ecosystem")), readiness)
        ] += 1
        libs += 1
        libs_pqc += readiness == "pqc-capable"

    # ranked items
    ecosystems = _ecosystems(contexts)
    now = 0
    for item in items:
        wave = t("wave", item.wave.value)
        now += wave == "now"
        tables["items_by_threat_wave"][(t("threat", item.threat.value), wave)] += 1
        tables["items_by_status_wave"][(t("quantum_status", item.status), wave)] += 1
        tables["items_by_retention_wave"][
            (t("retention_bucket", _retention(item.mosca.x)), wave)
        ] += 1
        impact = max((d.impact for d in item.dependants), default=None)
        impact_term = f"impact-{impact}" if impact is not None else "unmapped"
        tables["items_by_impact_wave"][(t("impact_bucket", impact_term), wave)] += 1
        widest = _widest(ecosystems[d.service] for d in item.dependants if d.service in ecosystems)
        eco = widest.value if widest is not None else "unmapped"
        tables["items_by_ecosystem"][(t("ecosystem_class", eco),)] += 1
        tables["items_by_deadline"][(t("deadline_bucket", _deadline(item, as_of)),)] += 1

    n_findings = len(snapshot.findings)
    by_status = Counter(f.quantum_status for f in snapshot.findings)
    raw.indicators = {
        "tls_hybrid_share": (tls_hybrid, tls),
        "tls_pq_share": (tls_pq, tls),
        "tls13_share": (tls13, tls),
        "tls_legacy_share": (tls_legacy, tls),
        "ssh_pq_share": (ssh_pq, ssh),
        "findings_quantum_vulnerable_share": (by_status["quantum-vulnerable"], n_findings),
        "findings_classically_broken_share": (by_status["classically-broken"], n_findings),
        "certificates_pq_signed_share": (certs_pq, certs),
        "crypto_libraries_pqc_capable_share": (libs_pqc, libs),
        "items_wave_now_share": (now, len(items)),
    }
    return raw


def _sort_key(vocab: Vocabulary, dims: tuple[str, ...], values: tuple[str, ...]) -> tuple[int, ...]:
    out = []
    for d, v in zip(dims, values, strict=True):
        known = vocab.dimensions[d].values
        out.append(known.index(v) if v in known else len(known))
    return tuple(out)


def reduce(
    raw: RawCounts, vocab: Vocabulary, k: int, rounding: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Suppress cells below k, round the rest: the tables and indicators that may leave."""
    tables = []
    for spec in vocab.tables:
        counter = raw.tables.get(spec.id, Counter())
        cells = []
        withheld = 0
        for values in sorted(counter, key=lambda v: _sort_key(vocab, spec.dimensions, v)):
            n = counter[values]
            if n < k:
                withheld += 1
                continue
            cells.append({"values": list(values), "count": round_count(n, rounding)})
        total = sum(counter.values())
        tables.append(
            {
                "id": spec.id,
                "dimensions": list(spec.dimensions),
                "cells": cells,
                "total": round_count(total, rounding) if total >= k else None,
                "withheld": withheld,
            }
        )
    indicators = []
    for ind in vocab.indicators:
        num, den = raw.indicators.get(ind.id, (0, 0))
        published = den >= k and den > 0
        indicators.append(
            {
                "id": ind.id,
                "share": round(num / den, 2) if published else None,
                "base": round_count(den, rounding) if published else None,
            }
        )
    return tables, indicators


def export(
    snapshot: Snapshot,
    items: Sequence[RankedItem],
    contexts: Sequence[BusinessContext],
    options: ExportOptions,
    vocab: Vocabulary | None = None,
) -> dict[str, Any]:
    """The ``pqcscan-stats/1`` export document (validated against its schema)."""
    vocab = vocab or get_vocabulary()
    k = options.k if options.k is not None else vocab.policy.k
    rounding = options.rounding if options.rounding is not None else vocab.policy.rounding
    if k < 1:
        raise UsageError(f"--k {k}: must be at least 1")
    if rounding < 1:
        raise UsageError(f"--round {rounding}: must be at least 1")
    if options.tlp not in TLP:
        raise UsageError(f"--tlp {options.tlp}: must be one of {', '.join(TLP)}")
    if not _UUID.match(options.submission_id):
        raise UsageError(f"submission id {options.submission_id!r}: not a lower-case UUID")
    label = options.org_label.strip() if options.org_label else None
    if label is not None and len(label) > 100:
        raise UsageError("--org-label: at most 100 characters")
    period = options.period or (period_of(options.as_of) if options.as_of else None)
    if period is not None and not re.fullmatch(r"\d{4}-Q[1-4]", period):
        raise UsageError(f"--period {period}: use YYYY-Qn, e.g. 2026-Q4")
    raw = count(snapshot, items, contexts, vocab, options.as_of)
    tables, indicators = reduce(raw, vocab, k, rounding)
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": "export",
        "vocabulary": {"id": vocab.id, "sha256": vocab.sha256},
        "tool": f"pqcscan {__version__}",
        "period": period,
        "tlp": options.tlp,
        "submission_id": options.submission_id,
        "org_label": label or None,
        "profile": vocab.term("profile", options.profile) if options.profile else None,
        "k": k,
        "rounding": rounding,
        "tables": tables,
        "indicators": indicators,
    }
    problems = schema_errors(doc)
    if problems:
        raise RuleError(f"the export breaks {SCHEMA}: {problems[0]}")
    return doc


def to_json(doc: dict[str, Any]) -> str:
    """Stable JSON text of a statistics document."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
