"""Read the catalog's YAML files from ``rules/``, validate them, and build typed entries.

The rule data ships inside the wheel as ``pqcscan/_rules`` (see ``pyproject.toml``); in a
source checkout or an editable install it is read from the top-level ``rules/`` folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pqcscan.catalog.model import (
    Algorithm,
    CipherSuite,
    NamedIdentifier,
    OidEntry,
    ParameterSet,
    Primitive,
    QuantumStatus,
    SizeRule,
    SuiteComponent,
)
from pqcscan.errors import RuleError

if TYPE_CHECKING:  # imported when a schema is first needed: ~1 s of every CLI start otherwise
    import jsonschema


def rules_root() -> Traversable:
    """The folder holding the rule data, wherever pqcscan is installed."""
    packaged = resources.files("pqcscan") / "_rules"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "rules"
    if checkout.is_dir():
        return checkout
    raise RuleError("the rule data (rules/) is missing from this installation")


def _yaml_loader() -> type[yaml.SafeLoader]:
    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


def read_rule_file(*parts: str, root: Traversable | None = None) -> Any:
    """Parse one YAML rule file below :func:`rules_root` (or ``root``)."""
    node = (root or rules_root()).joinpath(*parts)
    try:
        return yaml.load(node.read_text(encoding="utf-8"), Loader=_yaml_loader())
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"rules/{'/'.join(parts)}: {exc}") from exc


_VALIDATORS: dict[tuple[str, str], jsonschema.Validator] = {}


def schema_validator(schema_name: str, root: Traversable | None = None) -> jsonschema.Validator:
    """The checked validator of ``rules/schema/<schema_name>`` (built once, then cached)."""
    key = (schema_name, str(root) if root is not None else "")
    cached = _VALIDATORS.get(key)
    if cached is not None:
        return cached
    import jsonschema  # lazy: see the top of the module

    base = root or rules_root()
    try:
        schema: dict[str, Any] = json.loads(
            base.joinpath("schema", schema_name).read_text(encoding="utf-8")
        )
    except (OSError, ValueError) as exc:
        raise RuleError(f"rules/schema/{schema_name}: {exc}") from exc
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise RuleError(f"rules/schema/{schema_name}: invalid schema: {exc.message}") from exc
    validator: jsonschema.Validator = jsonschema.Draft202012Validator(schema)
    _VALIDATORS[key] = validator
    return validator


def validate(document: Any, schema_name: str, where: str, root: Traversable | None = None) -> None:
    """Validate a parsed rule file against its JSON schema; raise :class:`RuleError`.

    The message names the file and the JSON path of the first error, e.g.
    ``rules/catalog/algorithms/pqc.yaml: algorithms/3/status: 'safe' is not one of [...]``.
    """
    validator = schema_validator(schema_name, root)
    if validator.is_valid(document):
        return
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    first = errors[0]
    path = "/".join(str(p) for p in first.absolute_path) or "(top)"
    raise RuleError(f"rules/{where}: {path}: {first.message}")


def catalog_files(folder: str, root: Traversable | None = None) -> Iterator[tuple[str, Any]]:
    """Yield (relative name, parsed document) for every YAML file in a catalog folder."""
    top = (root or rules_root()) / "catalog"
    base = top.joinpath(folder) if folder else top
    for node in sorted(base.iterdir(), key=lambda n: n.name):
        if node.name.endswith((".yaml", ".yml")) and node.is_file():
            rel = f"catalog/{folder + '/' if folder else ''}{node.name}"
            try:
                doc = yaml.load(node.read_text(encoding="utf-8"), Loader=_yaml_loader())
            except yaml.YAMLError as exc:
                raise RuleError(f"rules/{rel}: {exc}") from exc
            yield rel, doc


def parse_code(value: int | str) -> int:
    """TLS code points are written ``0x11EC`` or ``"0xC0,0x2F"``; return the integer."""
    if isinstance(value, int):
        return value
    text = value.replace(" ", "")
    if "," in text:
        hi, lo = text.split(",")
        return (int(hi, 16) << 8) | int(lo, 16)
    return int(text, 16) if text.lower().startswith("0x") else int(text)


def build_algorithm(raw: Mapping[str, Any]) -> Algorithm:
    status = QuantumStatus(raw["status"])
    params = tuple(
        ParameterSet(
            name=str(p["name"]),
            aliases=tuple(str(a) for a in p.get("aliases", ())),
            classical_bits=p.get("classical_bits"),
            nist_category=p.get("nist_category"),
            status=QuantumStatus(p["status"]) if "status" in p else None,
        )
        for p in raw.get("parameter_sets", ())
    )
    size_rule = None
    if "size_thresholds" in raw:
        pairs = sorted(((int(a), int(b)) for a, b in raw["size_thresholds"]), reverse=True)
        size_rule = SizeRule(tuple(pairs))
    return Algorithm(
        name=raw["name"],
        family=raw.get("family", raw["name"]),
        primitives=tuple(Primitive(p) for p in raw["primitives"]),
        status=status,
        description=raw.get("description", ""),
        aliases=tuple(raw.get("aliases", ())),
        classical_bits=raw.get("classical_bits"),
        nist_category=raw.get("nist_category"),
        parameter_sets=params,
        size_rule=size_rule,
        min_classical_bits=raw.get("min_classical_bits"),
        components=tuple(raw.get("components", ())),
        references=tuple(raw.get("references", ())),
        pseudo=bool(raw.get("pseudo", False)),
    )


def build_oid(raw: Mapping[str, Any], source: str) -> OidEntry:
    return OidEntry(
        oid=str(raw["oid"]),
        name=raw["name"],
        kind=raw["kind"],
        algorithm=raw.get("algorithm"),
        parameter=str(raw.get("parameter", "")),
        hash=raw.get("hash"),
        source=raw.get("source", source),
    )


def _component(raw: Mapping[str, Any] | None) -> SuiteComponent | None:
    if raw is None:
        return None
    return SuiteComponent(
        algorithm=raw["algorithm"],
        parameter=str(raw.get("parameter", "")),
        mode=raw.get("mode", ""),
    )


def build_cipher_suite(raw: Mapping[str, Any], source: str) -> CipherSuite:
    return CipherSuite(
        code=parse_code(raw["code"]),
        name=raw["name"],
        key_exchange=_component(raw.get("key_exchange")),
        authentication=_component(raw.get("authentication")),
        cipher=_component(raw.get("cipher")),
        mac=_component(raw.get("mac")),
        tls13=bool(raw.get("tls13", False)),
        recommended=raw.get("recommended"),
        source=raw.get("source", source),
        signal=bool(raw.get("signal", False)),
        aliases=tuple(str(a) for a in raw.get("aliases", ())),
    )


def build_named(namespace: str, raw: Mapping[str, Any], source: str) -> NamedIdentifier:
    key = f"0x{parse_code(raw['code']):04x}" if "code" in raw else str(raw["name"])
    return NamedIdentifier(
        namespace=namespace,
        key=key,
        name=str(raw["name"]),
        algorithm=raw["algorithm"],
        parameter=str(raw.get("parameter", "")),
        hash=raw.get("hash"),
        aliases=tuple(str(a) for a in raw.get("aliases", ())),
        source=raw.get("source", source),
        mode=str(raw.get("mode", "")),
    )
