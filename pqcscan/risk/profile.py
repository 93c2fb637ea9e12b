"""Risk profiles: weights, scales, defaults, rule tables, regimes and waves, as data.

A profile lives in ``rules/risk/<name>.yaml`` (shipped in the wheel) or in any YAML file. It
may ``extends: <name>`` another profile: mappings merge key by key, lists replace. The merged
document is validated against ``rules/schema/risk-profile.schema.json`` and checked further
(weights sum to 1, each rule table ends with a rule that matches everything, regimes and
scopes exist in the catalog); its SHA-256 over canonical JSON identifies it in every ranking.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pqcscan.catalog import get_catalog
from pqcscan.catalog.loader import read_rule_file, rules_root, validate
from pqcscan.context.model import Ecosystem
from pqcscan.errors import RuleError
from pqcscan.risk.model import Wave
from pqcscan.risk.rules import FindingMatch, ItemMatch

SCHEMA = "risk-profile.schema.json"
FACTORS = ("T", "I", "D", "E", "A", "V")
#: Files in rules/risk that are not profiles.
_NOT_PROFILES = frozenset({"remediation"})
_WEIGHT_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class MigrationRule:
    """Base migration time for the items a rule matches (first match wins)."""

    id: str
    years: float
    note: str
    when: ItemMatch


@dataclass(frozen=True, slots=True)
class Multiplier:
    """A factor on the migration time for the items it matches (every match applies)."""

    id: str
    factor: float
    note: str
    when: ItemMatch


@dataclass(frozen=True, slots=True)
class VulnerabilityRule:
    """V for the findings a rule matches (first match wins)."""

    id: str
    value: float
    label: str
    when: FindingMatch


@dataclass(frozen=True, slots=True)
class RegimeChoice:
    """A catalog regime the profile enables, the actions it counts and how scopes are chosen."""

    id: str
    actions: frozenset[str]
    #: (scope, condition), first match wins; empty: every rule of the regime applies.
    scopes: tuple[tuple[str, ItemMatch], ...]


@dataclass(frozen=True, slots=True)
class WaveRule:
    id: str
    wave: Wave
    label: str
    when: ItemMatch


@dataclass(frozen=True, slots=True)
class RiskProfile:
    """A validated, immutable risk profile."""

    name: str
    version: int
    description: str
    #: SHA-256 of the canonical JSON of the merged document.
    sha256: str
    #: Where it was read from ("rules/risk/default.yaml" or a path).
    source: str
    extends: str | None
    crqc_year: int
    crqc_assumption: str
    crqc_model: str  # "year" | "cdf"
    cdf: tuple[tuple[float, float], ...]
    cdf_source: str
    weights: tuple[tuple[str, float], ...]  # in FACTORS order
    timing_span_years: float
    alignment_horizon_years: float
    public_ecosystem_floor: int
    default_impact: int
    default_retention_years: float
    default_signature_lifetime_years: float
    default_ecosystem: Ecosystem
    data_class_retention: tuple[tuple[str, float], ...]
    migration_rules: tuple[MigrationRule, ...]
    multipliers: tuple[Multiplier, ...]
    vulnerability_rules: tuple[VulnerabilityRule, ...]
    actions: frozenset[str]
    regimes: tuple[RegimeChoice, ...]
    wave_rules: tuple[WaveRule, ...]
    due_months: tuple[tuple[str, int], ...]
    due_by_deadline: bool
    max_services: int
    betweenness: bool
    betweenness_k: int
    betweenness_seed: int

    def weight(self, factor: str) -> float:
        return dict(self.weights)[factor]

    @property
    def label(self) -> str:
        """``name@sha256-prefix``, as stored with rankings."""
        return f"{self.name}@{self.sha256[:12]}"


def available_profiles() -> tuple[str, ...]:
    """The names of the profiles shipped in ``rules/risk``."""
    folder = rules_root() / "risk"
    return tuple(
        sorted(
            n.name.rsplit(".", 1)[0]
            for n in folder.iterdir()
            if n.name.endswith(".yaml") and n.name.rsplit(".", 1)[0] not in _NOT_PROFILES
        )
    )


def canonical_json(document: Any) -> str:
    """Sorted keys, no whitespace, UTF-8: the form that is hashed."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _is_path(name_or_path: str | Path) -> bool:
    if isinstance(name_or_path, Path):
        return True
    return "/" in name_or_path or "\\" in name_or_path or name_or_path.endswith((".yaml", ".yml"))


def _read_named(name: str) -> tuple[Any, str]:
    if name in _NOT_PROFILES or name not in available_profiles():
        known = ", ".join(available_profiles())
        raise RuleError(f"no risk profile named {name!r} (shipped profiles: {known})")
    return read_rule_file("risk", f"{name}.yaml"), f"rules/risk/{name}.yaml"


def _read_file(path: Path) -> tuple[Any, str]:
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"{where}: cannot read the risk profile: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise RuleError(f"{where}: not UTF-8 text ({exc.reason})") from exc
    try:
        return yaml.safe_load(text), where
    except (yaml.YAMLError, RecursionError) as exc:
        raise RuleError(f"{where}: {exc}") from exc


def _merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key (recursively); anything else is replaced."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        out = dict(base)
        for key, value in override.items():
            out[key] = _merge(base[key], value) if key in base else value
        return out
    return override


def _resolve(document: Any, where: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(document, Mapping):
        raise RuleError(
            f"{where}: (top): a risk profile is a mapping, not {type(document).__name__}"
        )
    parent = document.get("extends")
    if parent is None:
        return dict(document)
    if not isinstance(parent, str):
        raise RuleError(f"{where}: extends: must be the name of a shipped profile")
    if parent in seen:
        raise RuleError(f"{where}: extends: cycle through {' -> '.join((*seen, parent))}")
    base_doc, base_where = _read_named(parent)
    base = _resolve(base_doc, base_where, (*seen, parent))
    base.pop("extends", None)
    merged = _merge(base, {k: v for k, v in document.items() if k != "extends"})
    assert isinstance(merged, dict)
    merged["extends"] = parent
    return merged


def _validate(document: dict[str, Any], where: str) -> None:
    rel = where.removeprefix("rules/")
    try:
        validate(document, SCHEMA, rel)
    except RuleError as exc:
        message = str(exc)
        prefix = f"rules/{rel}: "
        if not where.startswith("rules/") and message.startswith(prefix):
            message = f"{where}: {message[len(prefix) :]}"
        raise RuleError(message) from None


def _unique_ids(rules: list[Mapping[str, Any]], where: str, table: str) -> None:
    seen: set[str] = set()
    for n, rule in enumerate(rules):
        if rule["id"] in seen:
            raise RuleError(f"{where}: {table}/{n}/id: {rule['id']!r} is used twice")
        seen.add(rule["id"])


def _catch_all_last(rules: list[Mapping[str, Any]], where: str, table: str) -> None:
    last = rules[-1]
    if last.get("when"):
        raise RuleError(
            f"{where}: {table}/{len(rules) - 1}: the last rule ({last['id']}) must match every "
            "item (no `when`), so that nothing falls through"
        )


def _check(document: dict[str, Any], where: str) -> None:
    weights = document["weights"]
    total = sum(float(weights[f]) for f in FACTORS)
    if abs(total - 1.0) > _WEIGHT_TOLERANCE:
        terms = " + ".join(f"{f} {weights[f]:g}" for f in FACTORS)
        raise RuleError(f"{where}: weights: they sum to {total:g} ({terms}); they must sum to 1")
    for table, rules in (
        ("migration/rules", document["migration"]["rules"]),
        ("vulnerability/rules", document["vulnerability"]["rules"]),
        ("waves/rules", document["waves"]["rules"]),
    ):
        _unique_ids(rules, where, table)
        _catch_all_last(rules, where, table)
    _unique_ids(document["migration"].get("multipliers", []), where, "migration/multipliers")
    catalog = get_catalog()
    regimes = {r.id: r for r in catalog.regimes}
    for n, choice in enumerate(document["alignment"]["regimes"]):
        regime = regimes.get(choice["id"])
        if regime is None:
            known = ", ".join(sorted(regimes))
            raise RuleError(
                f"{where}: alignment/regimes/{n}/id: no regime {choice['id']!r} in the catalog "
                f"({known})"
            )
        declared = {scope for scope, _ in regime.scopes}
        for m, entry in enumerate(choice.get("scopes", [])):
            if entry["scope"] not in declared:
                raise RuleError(
                    f"{where}: alignment/regimes/{n}/scopes/{m}/scope: regime {regime.id} has no "
                    f"scope {entry['scope']!r} ({', '.join(sorted(declared)) or 'none'})"
                )
    points = document["crqc"].get("cdf", [])
    for n in range(1, len(points)):
        if points[n][0] <= points[n - 1][0] or points[n][1] < points[n - 1][1]:
            raise RuleError(
                f"{where}: crqc/cdf/{n}: points must rise in years and never fall in probability"
            )


def _build(document: dict[str, Any], source: str) -> RiskProfile:
    crqc = document["crqc"]
    scales = document["scales"]
    defaults = document["defaults"]
    waves = document["waves"]
    alignment = document["alignment"]
    counted = frozenset(alignment["actions"])
    betweenness = document.get("metrics", {}).get("betweenness", {})
    return RiskProfile(
        name=document["name"],
        version=int(document["version"]),
        description=" ".join(str(document.get("description", "")).split()),
        sha256=hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest(),
        source=source,
        extends=document.get("extends"),
        crqc_year=int(crqc["year"]),
        crqc_assumption=" ".join(str(crqc["assumption"]).split()),
        crqc_model=str(crqc.get("model", "year")),
        cdf=tuple((float(x), float(p)) for x, p in crqc.get("cdf", ())),
        cdf_source=str(crqc.get("cdf_source", "")),
        weights=tuple((f, float(document["weights"][f])) for f in FACTORS),
        timing_span_years=float(scales["timing_span_years"]),
        alignment_horizon_years=float(scales["alignment_horizon_years"]),
        public_ecosystem_floor=int(scales["public_ecosystem_floor"]),
        default_impact=int(defaults["impact"]),
        default_retention_years=float(defaults["retention_years"]),
        default_signature_lifetime_years=float(defaults["signature_lifetime_years"]),
        default_ecosystem=Ecosystem(defaults["ecosystem"]),
        data_class_retention=tuple(
            sorted((str(k), float(v)) for k, v in defaults.get("data_class_retention", {}).items())
        ),
        migration_rules=tuple(
            MigrationRule(
                r["id"], float(r["years"]), r.get("note", ""), ItemMatch.parse(r.get("when"))
            )
            for r in document["migration"]["rules"]
        ),
        multipliers=tuple(
            Multiplier(m["id"], float(m["factor"]), m.get("note", ""), ItemMatch.parse(m["when"]))
            for m in document["migration"].get("multipliers", ())
        ),
        vulnerability_rules=tuple(
            VulnerabilityRule(
                r["id"], float(r["value"]), r["label"], FindingMatch.parse(r.get("when"))
            )
            for r in document["vulnerability"]["rules"]
        ),
        actions=counted,
        regimes=tuple(
            RegimeChoice(
                id=c["id"],
                actions=frozenset(c["actions"]) if "actions" in c else counted,
                scopes=tuple(
                    (s["scope"], ItemMatch.parse(s.get("when"))) for s in c.get("scopes", ())
                ),
            )
            for c in alignment["regimes"]
        ),
        wave_rules=tuple(
            WaveRule(r["id"], Wave(r["wave"]), r["label"], ItemMatch.parse(r.get("when")))
            for r in waves["rules"]
        ),
        due_months=tuple((w, int(waves["due_months"][w])) for w in ("now", "next", "later")),
        due_by_deadline=bool(waves.get("due_by_deadline", False)),
        max_services=int(document.get("explain", {}).get("max_services", 20)),
        betweenness=bool(betweenness.get("enabled", False)),
        betweenness_k=int(betweenness.get("k", 64)),
        betweenness_seed=int(betweenness.get("seed", 0)),
    )


def profile_from_document(document: Any, where: str = "<profile>") -> RiskProfile:
    """Validate and build a profile from an already parsed document (tests, generated ones)."""
    merged = _resolve(document, where)
    _validate(merged, where)
    _check(merged, where)
    return _build(merged, where)


def load_profile(name_or_path: str | Path = "default") -> RiskProfile:
    """A shipped profile by name (``default``, ``cnsa``, ``eu``) or a YAML file by path.

    Raises :class:`~pqcscan.errors.RuleError` naming the file and the JSON path of the first
    problem (``rules/risk/x.yaml: weights: they sum to 0.9 ...``).
    """
    if _is_path(name_or_path):
        document, where = _read_file(Path(name_or_path))
    else:
        document, where = _read_named(str(name_or_path))
    return profile_from_document(document, where)
