"""Business services as the risk engine sees them: resolved retention, ordered as bits.

Services come from one or more :class:`~pqcscan.context.model.BusinessContext` values and are
identified by (context, service id). Each gets the retention (X) it stands for, with where
that came from: its own ``retention_years`` (user), else the longest of its data classes
(user, or the profile's data-class table: rule), else the profile default (default).

Services are numbered in *worst-first* order (impact descending, retention descending, id):
service ``n`` is bit ``n`` of the dependant bitsets, so the lowest set bit of an item's
bitset is its most important dependant, and listing dependants worst-first is cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pqcscan.context.model import BusinessContext, Ecosystem
from pqcscan.risk.model import Provenance
from pqcscan.risk.profile import RiskProfile

#: (service id, rule description): the plain form of one direct attachment.
PlainAttachment = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """One service, resolved."""

    index: int  # bit position, worst first
    context: str
    id: str
    label: str  # the id, or "context/id" when two contexts use the same id
    name: str
    owner: str | None
    impact: int
    retention: float
    retention_source: Provenance
    retention_note: str  # "retention 10 y", "data class customer-pii 10 y", "no retention stated"
    signature_lifetime: float | None
    ecosystem: Ecosystem
    vendor_controlled: bool
    migration_years: float | None
    depends_on: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Direct:
    """A service attached to an asset directly, and by which rule."""

    service: int  # ServiceInfo.index
    rule: str


@dataclass(frozen=True, slots=True)
class Services:
    """Every service, worst first, with the per-impact bit masks the engine sums over."""

    items: tuple[ServiceInfo, ...]
    by_key: Mapping[tuple[str, str], int]
    #: impact -> bitmask of the services with that impact
    impact_masks: tuple[tuple[int, int], ...]
    context_name: str | None
    context_sha256: str | None
    #: service id -> the first (context order) service with that id
    first_by_id: Mapping[str, int]
    #: Sum of every service's impact.
    total_impact: int = 0

    def __len__(self) -> int:
        return len(self.items)

    def resolve(self, context: str | None, service_id: str) -> int | None:
        """The index of a service by (context, id); a None context takes the first match."""
        if context is not None:
            return self.by_key.get((context, service_id))
        return self.first_by_id.get(service_id)


def _retention(
    service: Any, classes: Mapping[str, float], profile: RiskProfile
) -> tuple[float, Provenance, str]:
    if service.retention_years is not None:
        return float(service.retention_years), Provenance.USER, "retention stated"
    profile_classes = dict(profile.data_class_retention)
    best: tuple[float, Provenance, str] | None = None
    for name in service.data_classes:
        if name in classes:
            found = (classes[name], Provenance.USER, f"data class {name}")
        elif name in profile_classes:
            found = (profile_classes[name], Provenance.RULE, f"data class {name} (profile table)")
        else:
            continue
        if best is None or found[0] > best[0]:
            best = found
    if best is not None:
        return best
    return profile.default_retention_years, Provenance.DEFAULT, "no retention stated"


def resolve_services(contexts: Sequence[BusinessContext], profile: RiskProfile) -> Services:
    """Every service of every context, resolved and numbered worst first."""
    raw: list[tuple[BusinessContext, Any, float, Provenance, str]] = []
    for context in sorted(contexts, key=lambda c: c.name):
        classes = {d.name: float(d.retention_years) for d in context.data_classes}
        for service in context.services:
            years, source, note = _retention(service, classes, profile)
            raw.append((context, service, years, source, note))
    raw.sort(key=lambda r: (-r[1].impact, -r[2], r[1].id, r[0].name))
    id_count: dict[str, int] = {}
    for _, service, *_ in raw:
        id_count[service.id] = id_count.get(service.id, 0) + 1
    items: list[ServiceInfo] = []
    by_key: dict[tuple[str, str], int] = {}
    masks: dict[int, int] = {}
    for index, (context, service, years, source, note) in enumerate(raw):
        label = service.id if id_count[service.id] == 1 else f"{context.name}/{service.id}"
        items.append(
            ServiceInfo(
                index=index,
                context=context.name,
                id=service.id,
                label=label,
                name=service.name,
                owner=service.owner,
                impact=int(service.impact),
                retention=years,
                retention_source=source,
                retention_note=note,
                signature_lifetime=service.signature_lifetime_years,
                ecosystem=service.ecosystem,
                vendor_controlled=bool(service.vendor_controlled),
                migration_years=service.migration_years,
                depends_on=tuple(service.depends_on),
            )
        )
        by_key.setdefault((context.name, service.id), index)
        masks[int(service.impact)] = masks.get(int(service.impact), 0) | (1 << index)
    ordered = sorted(contexts, key=lambda c: c.name)
    if not ordered:
        name, sha = None, None
    elif len(ordered) == 1:
        name, sha = ordered[0].name, ordered[0].sha256 or None
    else:
        name = ", ".join(c.name for c in ordered)
        joined = "\n".join(f"{c.name}:{c.sha256}" for c in ordered)
        sha = hashlib.sha256(joined.encode("utf-8")).hexdigest()
    first: dict[str, int] = {}
    for (_, sid), index in sorted(by_key.items()):
        first.setdefault(sid, index)
    return Services(
        tuple(items),
        by_key,
        tuple(sorted(masks.items())),
        name,
        sha,
        first,
        sum(s.impact for s in items),
    )


def direct_attachments(mapping: Any, services: Services) -> dict[int, tuple[Direct, ...]]:
    """asset id -> services attached to it directly, from the context mapping.

    ``mapping`` is a :class:`pqcscan.context.mapping.Mapping` (its ``attachments``) or a plain
    ``{asset id: ((service id, rule), ...)}`` dict. Attachments naming a service no context
    declares are ignored.
    """
    raw: Mapping[int, Iterable[Any]]
    if mapping is None:
        return {}
    raw = mapping.attachments if hasattr(mapping, "attachments") else mapping
    out: dict[int, tuple[Direct, ...]] = {}
    shared: dict[tuple[int, str], Direct] = {}  # millions of attachments, few distinct
    for asset_id, attachments in raw.items():
        found: dict[int, Direct] = {}
        for a in attachments:
            if hasattr(a, "service"):
                index = services.resolve(getattr(a, "context", None), a.service)
                rule = a.explain() if hasattr(a, "explain") else str(getattr(a, "rule", ""))
            else:
                service_id, rule = a
                index = services.resolve(None, str(service_id))
            if index is not None and index not in found:
                key = (index, str(rule))
                attached = shared.get(key)
                if attached is None:
                    attached = shared[key] = Direct(*key)
                found[index] = attached
        if found:
            out[int(asset_id)] = tuple(found[i] for i in sorted(found))
    return out
