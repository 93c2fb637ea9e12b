"""The controlled vocabulary of the statistics (``rules/stats/vocabulary.yaml``) and the
``pqcscan-stats/1`` document schema.

Every value that leaves an organisation goes through :meth:`Vocabulary.term`: a value of the
dimension, or ``other``, never the raw text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from pqcscan.catalog.loader import read_rule_file, schema_validator, validate
from pqcscan.errors import RuleError
from pqcscan.sharing import OTHER

VOCABULARY_SCHEMA = "stats-vocabulary.schema.json"
STATS_SCHEMA = "pqcscan-stats-1.schema.json"


@dataclass(frozen=True, slots=True)
class Dimension:
    name: str
    values: tuple[str, ...]
    #: (lower-case glob, value) in order; the first match wins.
    rules: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class TableSpec:
    id: str
    unit: str
    dimensions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    id: str
    description: str
    better: str  # "higher" or "lower"


@dataclass(frozen=True, slots=True)
class Policy:
    k: int
    rounding: int
    min_orgs: int
    dominance: float
    distribution_min_orgs: int


@dataclass(frozen=True, slots=True)
class Vocabulary:
    id: str
    sha256: str  # of the canonical JSON of the vocabulary file
    policy: Policy
    dimensions: dict[str, Dimension]
    tables: tuple[TableSpec, ...]
    indicators: tuple[IndicatorSpec, ...]

    def term(self, dimension: str, raw: object) -> str:
        """Map a raw value to the vocabulary: a value of ``dimension``, else ``other``."""
        dim = self.dimensions[dimension]
        text = str(raw).strip().lower() if raw is not None else ""
        if text in dim.values:
            return text
        for pattern, value in dim.rules:
            if fnmatchcase(text, pattern):
                return value
        return OTHER

    def allowed(self, dimension: str) -> frozenset[str]:
        """Every value a cell may hold in this dimension (``other`` included)."""
        return frozenset(self.dimensions[dimension].values) | {OTHER}

    def table(self, table_id: str) -> TableSpec | None:
        return next((t for t in self.tables if t.id == table_id), None)

    def indicator(self, indicator_id: str) -> IndicatorSpec | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)


def build_vocabulary(doc: dict[str, Any], where: str = "stats/vocabulary.yaml") -> Vocabulary:
    """Validate a parsed vocabulary document and build it; raise :class:`RuleError`."""
    validate(doc, VOCABULARY_SCHEMA, where)
    dims: dict[str, Dimension] = {}
    for name, raw in doc["dimensions"].items():
        values = tuple(str(v) for v in raw["values"])
        rules = tuple((str(p).lower(), str(v)) for p, v in raw.get("map", {}).items())
        for pattern, value in rules:
            if value not in values:
                raise RuleError(
                    f"rules/{where}: dimensions/{name}/map/{pattern}: {value!r} "
                    "is not one of its values"
                )
        dims[name] = Dimension(name, values, rules)
    tables = tuple(TableSpec(t["id"], t["unit"], tuple(t["dimensions"])) for t in doc["tables"])
    for t in tables:
        for d in t.dimensions:
            if d not in dims:
                raise RuleError(f"rules/{where}: tables/{t.id}: unknown dimension {d!r}")
    for kind, ids in (
        ("tables", [t.id for t in tables]),
        ("indicators", [i["id"] for i in doc["indicators"]]),
    ):
        if len(set(ids)) != len(ids):
            raise RuleError(f"rules/{where}: {kind}: duplicate ids")
    p = doc["policy"]
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return Vocabulary(
        id=doc["id"],
        sha256=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        policy=Policy(
            p["k"], p["rounding"], p["min_orgs"], float(p["dominance"]), p["distribution_min_orgs"]
        ),
        dimensions=dims,
        tables=tables,
        indicators=tuple(
            IndicatorSpec(i["id"], i["description"], i["better"]) for i in doc["indicators"]
        ),
    )


@lru_cache(maxsize=1)
def get_vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded and validated once per process."""
    doc = read_rule_file("stats", "vocabulary.yaml")
    if not isinstance(doc, dict):
        raise RuleError("rules/stats/vocabulary.yaml: not a mapping")
    return build_vocabulary(doc)


def schema_errors(document: Any) -> list[str]:
    """Where ``document`` breaks the ``pqcscan-stats/1`` JSON schema ("path: message")."""
    validator = schema_validator(STATS_SCHEMA)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}" for e in errors]
