"""The supplier survey: per vendor and product, what was found, what is unknown, and the
questions to send (FSC measure 17: survey major suppliers on their PQC readiness).

Sources: declared hardware and vendor products (``pqcscan import assets``: vendor, product,
version, support end, stated PQC roadmap, declared algorithms and their classification), and
the ranking's items for them when there is one. Questions are data
(``rules/suppliers/questions.yaml``), asked when their condition holds.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from pqcscan.catalog.loader import read_rule_file, validate
from pqcscan.codec import to_jsonable
from pqcscan.inventory.snapshot import Snapshot
from pqcscan.risk.model import RankedItem

VULNERABLE = frozenset({"quantum-vulnerable", "classically-broken"})
COLUMNS = (
    "vendor", "product", "versions", "units", "support_end", "roadmap", "found", "unknown",
    "backlog", "questions",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    when: str
    text: str


@cache
def questions() -> tuple[Question, ...]:
    document = read_rule_file("suppliers", "questions.yaml")
    validate(document, "suppliers.schema.json", "suppliers/questions.yaml")
    return tuple(
        Question(q["id"], q["when"], " ".join(q["text"].split())) for q in document["questions"]
    )


@dataclass(frozen=True, slots=True)
class SupplierProduct:
    """One vendor product as the survey sees it."""

    vendor: str
    product: str
    versions: tuple[str, ...]
    kinds: tuple[str, ...]
    units: int  # declared assets (an ATM fleet is many units of one product)
    support_end: str | None
    roadmap: str | None
    found: tuple[str, ...]  # "RSA 2048 (quantum-vulnerable)"
    unknown: tuple[str, ...]  # what could not be classified or was not declared
    waves: tuple[str, ...]  # the ranking's waves for its items ("now x2")
    questions: tuple[str, ...]
    locators: tuple[str, ...] = field(default=())


def survey(
    snapshot: Snapshot,
    items: Sequence[RankedItem] = (),
    crqc_year: int = 2035,
) -> list[SupplierProduct]:
    """Group declared assets by vendor and product, and ask what is missing."""
    by_product: dict[tuple[str, str], list[int]] = defaultdict(list)
    assets = {a.id: a for a in snapshot.assets}
    for asset in snapshot.assets:
        if asset.type != "hardware":
            continue
        vendor = str(asset.details.get("vendor") or "unknown vendor")
        product = str(asset.details.get("product") or asset.name or "unknown product")
        by_product[(vendor, product)].append(asset.id)
    findings: dict[int, list[str]] = defaultdict(list)
    unknown: dict[int, list[str]] = defaultdict(list)
    vulnerable: dict[int, list[str]] = defaultdict(list)
    for f in snapshot.findings:
        if f.asset_id not in assets or assets[f.asset_id].type != "hardware":
            continue
        name = f"{f.algorithm} {f.parameter}".strip()
        if f.quantum_status == "unknown":
            unknown[f.asset_id].append(f.identifier or name)
        else:
            findings[f.asset_id].append(f"{name} ({f.quantum_status})")
        if f.quantum_status in VULNERABLE:
            vulnerable[f.asset_id].append(name)
    waves: dict[int, list[str]] = defaultdict(list)
    for item in items:
        waves[item.asset_id].append(item.wave.value)
    out = []
    for (vendor, product), ids in sorted(by_product.items()):
        details = [assets[i].details for i in ids]
        support = sorted({str(d["support_end"]) for d in details if d.get("support_end")})
        roadmaps = sorted({str(d["pqc_roadmap"]) for d in details if d.get("pqc_roadmap")})
        found = sorted({x for i in ids for x in findings[i]})
        missing = sorted({x for i in ids for x in unknown[i]})
        if not found and not missing:
            missing = ["no algorithms declared"]
        weak = sorted({x for i in ids for x in vulnerable[i]})
        product_waves = _counted(w for i in ids for w in waves[i])
        support_end = support[0] if support else None
        asked = _ask(weak, missing, roadmaps, support_end, crqc_year)
        out.append(
            SupplierProduct(
                vendor=vendor,
                product=product,
                versions=tuple(
                    sorted({str(d.get("version")) for d in details if d.get("version")})
                ),
                kinds=tuple(sorted({str(d.get("kind")) for d in details if d.get("kind")})),
                units=len(ids),
                support_end=support_end,
                roadmap="; ".join(roadmaps) or None,
                found=tuple(found),
                unknown=tuple(missing),
                waves=product_waves,
                questions=asked,
                locators=tuple(sorted(assets[i].locator for i in ids)),
            )
        )
    return out


def _counted(values: Iterable[str]) -> tuple[str, ...]:
    counts: dict[str, int] = defaultdict(int)
    for v in values:
        counts[v] += 1
    order = ["now", "next", "later", "monitor"]
    return tuple(
        f"{w} x{counts[w]}"
        for w in sorted(counts, key=lambda w: order.index(w) if w in order else 9)
    )


def _ask(
    weak: list[str], unknown: list[str], roadmaps: list[str], support_end: str | None, crqc: int
) -> tuple[str, ...]:
    ends_early = False
    if support_end:
        try:
            ends_early = date.fromisoformat(support_end[:10]).year < crqc
        except ValueError:
            ends_early = True  # an unreadable date is worth asking about
    conditions = {
        "always": True,
        "no-roadmap": not roadmaps,
        "vulnerable": bool(weak),
        "unknown": bool(unknown),
        "support-ends-before-crqc": ends_early,
    }
    values = {"vulnerable": ", ".join(weak), "support_end": support_end or "", "crqc_year": crqc}
    return tuple(q.text.format(**values) for q in questions() if conditions[q.when])


def to_markdown(products: Sequence[SupplierProduct], crqc_year: int) -> str:
    out = [
        "# Supplier post-quantum survey",
        "",
        f"{len(products)} vendor product(s). Planning horizon for a cryptographically relevant "
        f"quantum computer: {crqc_year} (a precautionary assumption).",
    ]
    for p in products:
        out += ["", f"## {p.vendor} — {p.product}", ""]
        facts = [
            f"units: {p.units}" + (f" ({', '.join(p.kinds)})" if p.kinds else ""),
            f"versions: {', '.join(p.versions) or 'not declared'}",
            f"support ends: {p.support_end or 'not declared'}",
            f"stated PQC roadmap: {p.roadmap or 'none'}",
        ]
        if p.waves:
            facts.append(f"backlog: {', '.join(p.waves)}")
        out += [f"- {f}" for f in facts]
        out += ["", "Found:", *(f"- {x}" for x in p.found or ["nothing classified"])]
        if p.unknown:
            out += ["", "Unknown:", *(f"- {x}" for x in p.unknown)]
        out += ["", "Questions to send:", *(f"{n}. {q}" for n, q in enumerate(p.questions, 1))]
    return "\n".join(out) + "\n"


def to_csv(products: Sequence[SupplierProduct]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in products:
        writer.writerow(
            [
                p.vendor,
                p.product,
                "; ".join(p.versions),
                p.units,
                p.support_end or "",
                p.roadmap or "",
                "; ".join(p.found),
                "; ".join(p.unknown),
                "; ".join(p.waves),
                "\n".join(f"{n}. {q}" for n, q in enumerate(p.questions, 1)),
            ]
        )
    return buf.getvalue()


def to_json(products: Sequence[SupplierProduct], crqc_year: int) -> str:
    document: dict[str, Any] = {
        "schema": "pqcscan-suppliers/1",
        "crqc_year": crqc_year,
        "products": [to_jsonable(p) for p in products],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
