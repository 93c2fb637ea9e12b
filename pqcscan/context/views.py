"""Reading a context as a person does: effective retention, and what changed between versions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields, replace

from pqcscan.context.model import BusinessContext, DataClass, MappingRule, Service


def effective_retention(context: BusinessContext, service: Service) -> tuple[float | None, str]:
    """How long the service's data must stay secret, and why.

    The service's own ``retention_years`` wins; else the longest of its data classes; else
    ``(None, "not declared")`` (the risk profile's default applies).
    """
    if service.retention_years is not None:
        return service.retention_years, "service"
    classes = {d.name: d for d in context.data_classes}
    declared = [classes[n] for n in service.data_classes if n in classes]
    if not declared:
        return None, "not declared"
    longest = max(declared, key=lambda d: (d.retention_years, d.name))
    return longest.retention_years, f"data class {longest.name}"


@dataclass(frozen=True, slots=True)
class ContextDiff:
    """What a new version of a context changes (sources, i.e. line numbers, ignored)."""

    services_added: tuple[str, ...] = ()
    services_removed: tuple[str, ...] = ()
    #: (service id, ("impact 4 -> 5", ...)) for every service whose content changed.
    services_changed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    data_classes_added: tuple[str, ...] = ()
    data_classes_removed: tuple[str, ...] = ()
    data_classes_changed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rules_added: tuple[MappingRule, ...] = ()
    rules_removed: tuple[MappingRule, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


def _show(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(getattr(value, "value", value))


def _changes(old: Service | DataClass, new: Service | DataClass) -> tuple[str, ...]:
    out = []
    for f in fields(new):
        if f.name in ("source", "id"):
            continue
        before, after = getattr(old, f.name), getattr(new, f.name)
        if before != after:
            out.append(f"{f.name} {_show(before)} -> {_show(after)}")
    return tuple(out)


def _bare(rule: MappingRule) -> MappingRule:
    return replace(rule, source="")


def diff_contexts(old: BusinessContext | None, new: BusinessContext) -> ContextDiff:
    """Services, data classes and rules added, removed or changed from ``old`` to ``new``."""
    if old is None:
        return ContextDiff(
            services_added=tuple(s.id for s in new.services),
            data_classes_added=tuple(d.name for d in new.data_classes),
            rules_added=new.rules,
        )
    old_s = {s.id: s for s in old.services}
    new_s = {s.id: s for s in new.services}
    old_d = {d.name: d for d in old.data_classes}
    new_d = {d.name: d for d in new.data_classes}
    old_r = Counter(_bare(r) for r in old.rules)
    new_r = Counter(_bare(r) for r in new.rules)
    added_r = new_r - old_r
    removed_r = old_r - new_r
    rules_added = []
    for rule in new.rules:
        if added_r[_bare(rule)] > 0:
            added_r[_bare(rule)] -= 1
            rules_added.append(rule)
    rules_removed = []
    for rule in old.rules:
        if removed_r[_bare(rule)] > 0:
            removed_r[_bare(rule)] -= 1
            rules_removed.append(rule)
    return ContextDiff(
        services_added=tuple(sorted(new_s.keys() - old_s.keys())),
        services_removed=tuple(sorted(old_s.keys() - new_s.keys())),
        services_changed=tuple(
            (sid, changes)
            for sid in sorted(new_s.keys() & old_s.keys())
            if (changes := _changes(old_s[sid], new_s[sid]))
        ),
        data_classes_added=tuple(sorted(new_d.keys() - old_d.keys())),
        data_classes_removed=tuple(sorted(old_d.keys() - new_d.keys())),
        data_classes_changed=tuple(
            (name, changes)
            for name in sorted(new_d.keys() & old_d.keys())
            if (changes := _changes(old_d[name], new_d[name]))
        ),
        rules_added=tuple(rules_added),
        rules_removed=tuple(rules_removed),
    )
