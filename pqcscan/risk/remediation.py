"""Remediation guidance from ``rules/risk/remediation.yaml``.

Every rule whose condition holds for an item contributes one line, in file order:
``<text> (<reference>) [<rule id>]``. Conditions use the profile's condition words plus the
item's final wave, so a rule can say "hybrid key exchange is in place" for ``monitor`` items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from pqcscan.catalog.loader import read_rule_file, validate
from pqcscan.errors import RuleError
from pqcscan.risk.items import WorkItem
from pqcscan.risk.rules import ItemMatch

SCHEMA = "risk-remediation.schema.json"


@dataclass(frozen=True, slots=True)
class RemediationRule:
    id: str
    when: ItemMatch
    text: str
    reference: str


def parse_rules(document: Any, where: str = "risk/remediation.yaml") -> tuple[RemediationRule, ...]:
    """Validate and build remediation rules (rule ids must be unique)."""
    validate(document, SCHEMA, where)
    seen: set[str] = set()
    out = []
    for n, raw in enumerate(document["rules"]):
        if raw["id"] in seen:
            raise RuleError(f"rules/{where}: rules/{n}/id: {raw['id']!r} is used twice")
        seen.add(raw["id"])
        out.append(
            RemediationRule(
                raw["id"],
                ItemMatch.parse(raw["when"]),
                " ".join(raw["text"].split()),
                raw["reference"],
            )
        )
    return tuple(out)


@cache
def remediation_rules() -> tuple[RemediationRule, ...]:
    """The shipped rules, loaded and validated once per process."""
    return parse_rules(read_rule_file("risk", "remediation.yaml"))


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholders(item: WorkItem, as_of: date) -> dict[str, str]:
    """The values a rule's text may use."""
    d = item.asset.details
    finish = item.finish.year if item.finish else as_of.year + math.ceil(item.y)
    return _Values(
        algorithms=", ".join(item.displays[:6]) or "unknown",
        locator=item.asset.locator,
        name=item.asset.name or item.asset.locator,
        vendor=str(d.get("vendor") or "the vendor"),
        product=str(d.get("product") or item.asset.name or "this product"),
        support_end=item.support_end.isoformat() if item.support_end else "(unknown)",
        years=f"{item.y:g}",
        finish_year=str(finish),
    )


def remediate(
    item: WorkItem, as_of: date, rules: tuple[RemediationRule, ...] | None = None
) -> tuple[str, ...]:
    """The guidance lines of every matching rule."""
    chosen = remediation_rules() if rules is None else rules
    values: dict[str, str] | None = None
    out: list[str] = []
    for rule in chosen:
        if rule.when.matches(item):
            if values is None:
                values = placeholders(item, as_of)
            out.append(f"{rule.text.format_map(values)} ({rule.reference}) [{rule.id}]")
    return tuple(out)
