"""The declarative source rules (``rules/source/<language>.yaml``), loaded and compiled.

A rule matches one kind of syntax node, found by the tree-sitter engine
(:mod:`.treesitter`):

- ``call``: a function or method call whose callee, written without whitespace, is one of the
  patterns. ``A.b`` matches ``A.b(...)`` and any qualified form ending in ``.A.b``
  (``java.security.KeyPairGenerator.getInstance``); a bare name ``f`` matches only ``f(...)``;
  ``*.b`` matches ``b`` called on any receiver.
- ``new``: an object creation (``new ECGenParameterSpec(...)``), by type name, same patterns.
- ``reference``: a qualified name used as a value (``tls.VersionTLS10``,
  ``MLKEMParameterSpec.ml_kem_768``), same patterns.
- ``property``: an object-literal property or Go keyed element by key name
  (``{minVersion: 'TLSv1'}``, ``MinVersion: tls.VersionTLS10``); sources read its value.

``where`` constraints test literal arguments (or the property value) case-insensitively.
``algorithm`` and ``parameter`` are fixed strings or *sources*: an argument (``arg``), a
property of an object-literal argument (``property``), a follow-up on the variable the result
is assigned to in the same function (``follow``), a regex extracting group 1, a value map,
a default. See the header of ``rules/source/java.yaml`` for the full format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from pqcscan.catalog.loader import read_rule_file, validate
from pqcscan.errors import RuleError
from pqcscan.results import Usage

__all__ = [
    "RULE_FILES",
    "Constraint",
    "Follow",
    "Rule",
    "RuleSet",
    "Source",
    "has_trigger",
    "load_document",
    "ruleset",
]

_SCHEMA = "source-rules.schema.json"

#: Language -> the rule files it uses (TypeScript uses the JavaScript rules, C++ the C ones).
RULE_FILES: Mapping[str, tuple[str, ...]] = {
    "java": ("java",),
    "javascript": ("javascript",),
    "typescript": ("javascript",),
    "tsx": ("javascript",),
    "go": ("go",),
    "csharp": ("csharp",),
    "c": ("c",),
    "cpp": ("c",),
}


@dataclass(frozen=True, slots=True)
class Follow:
    """A later statement, in the same function, on the variable a match is assigned to.

    ``method``: ``var.method(...)``, value from argument ``arg``; ``call``: ``call(...)`` with
    the variable as argument ``var_arg``, value from argument ``arg``; ``assign``:
    ``var.assign = value``.
    """

    method: str | None
    call: str | None
    var_arg: int
    assign: str | None
    arg: int


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value comes from and how it is mapped."""

    arg: int | None  # None: the matched node itself (callee text / property value)
    property: str | None
    follow: Follow | None
    regex: re.Pattern[str] | None
    split: str | None  # a literal list ("X25519:P-256"): one value per element
    exact: Mapping[str, tuple[str | None, str | None]]  # lower-cased key -> (alg, param)
    has_map: bool
    passthrough: bool
    default: str | None
    required: bool


@dataclass(frozen=True, slots=True)
class Constraint:
    """A test on a literal argument, a property of one, or a property's value."""

    arg: int | None
    property: str | None
    values: frozenset[str] | None
    regex: re.Pattern[str] | None
    absent: bool


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule."""

    id: str
    kind: str  # "call" | "new" | "reference" | "property"
    patterns: tuple[str, ...]
    where: tuple[Constraint, ...]
    algorithm: str | Source
    #: A fixed string, or sources tried in order (the first that finds a value wins; the
    #: last one's default applies).
    parameter: str | tuple[Source, ...]
    usage: Usage
    confidence: float
    message: str
    message_no_parameter: str | None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules of one language, indexed by the last segment of their patterns."""

    rules: tuple[Rule, ...]
    #: kind -> last name segment -> rules (``*`` patterns included).
    index: Mapping[str, Mapping[str, tuple[Rule, ...]]]
    prefilter: re.Pattern[bytes]
    constant_factor: float
    follow_factor: float
    default_factor: float
    unresolved_factor: float


def _lower_key(value: str | int) -> str:
    return str(value).lower()


def _mapped(value: Any, is_algorithm: bool) -> tuple[str | None, str | None]:
    if isinstance(value, str):
        return (value, None) if is_algorithm else (None, value)
    return value.get("algorithm"), value.get("parameter")


def _source(raw: Any, is_algorithm: bool, where: str) -> str | Source:
    if isinstance(raw, str):
        return raw
    follow: Follow | None = None
    if "follow" in raw:
        f = raw["follow"]
        follow = Follow(
            method=f.get("method"),
            call=f.get("call"),
            var_arg=int(f.get("var_arg", 0)),
            assign=f.get("assign"),
            arg=int(f.get("arg", 0)),
        )
    regex = None
    if "regex" in raw:
        try:
            regex = re.compile(raw["regex"], re.IGNORECASE)
        except re.error as exc:
            raise RuleError(f"{where}: bad regex {raw['regex']!r}: {exc}") from exc
    table = raw.get("map") or {}
    exact = {_lower_key(k): _mapped(v, is_algorithm) for k, v in table.items()}
    return Source(
        arg=raw.get("arg"),
        property=raw.get("property"),
        follow=follow,
        regex=regex,
        split=raw.get("split"),
        exact=exact,
        has_map=bool(table),
        passthrough=bool(raw.get("passthrough", not table)),
        default=None if raw.get("default") is None else str(raw["default"]),
        required=bool(raw.get("required", False)),
    )


def _parameter(raw: Any, where: str) -> str | tuple[Source, ...]:
    if isinstance(raw, str):
        return raw
    items = raw if isinstance(raw, list) else [raw]
    return tuple(
        s for s in (_source(item, False, where) for item in items) if isinstance(s, Source)
    )


def _constraint(raw: Mapping[str, Any], where: str) -> Constraint:
    values: frozenset[str] | None = None
    if "equals" in raw:
        values = frozenset({_lower_key(raw["equals"])})
    elif "in" in raw:
        values = frozenset(_lower_key(v) for v in raw["in"])
    regex = None
    if "regex" in raw:
        try:
            regex = re.compile(raw["regex"], re.IGNORECASE)
        except re.error as exc:
            raise RuleError(f"{where}: bad regex {raw['regex']!r}: {exc}") from exc
    return Constraint(
        arg=raw.get("arg"),
        property=raw.get("property"),
        values=values,
        regex=regex,
        absent=bool(raw.get("absent", False)),
    )


def _names(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _rule(raw: Mapping[str, Any], where: str) -> Rule:
    kind = next(k for k in ("call", "new", "reference", "property") if k in raw)
    rid = raw["id"]
    return Rule(
        id=rid,
        kind=kind,
        patterns=_names(raw[kind]),
        where=tuple(_constraint(c, f"{where}: {rid}") for c in raw.get("where", ())),
        algorithm=_source(raw["algorithm"], True, f"{where}: {rid}"),
        parameter=_parameter(raw.get("parameter", ""), f"{where}: {rid}"),
        usage=Usage(raw["usage"]),
        confidence=float(raw.get("confidence", 1.0)),
        message=raw["message"],
        message_no_parameter=raw.get("message_no_parameter"),
    )


def _last_segment(pattern: str) -> str:
    return pattern.rsplit(".", 1)[-1]


def _trigger(kind: str, pattern: str) -> str:
    """The literal text a file must contain for a pattern to match anywhere in it.

    The last two segments as written (``KeyPairGenerator.getInstance``, also inside
    ``java.security.KeyPairGenerator.getInstance``), or the one name of a bare or ``*.``
    pattern; a trailing ``(`` stands for optional whitespace and an opening parenthesis (calls).
    Trade-off: ``A . b(`` split by whitespace and ``->``/``::``/``?.`` spellings of qualified
    patterns skip the file.
    """
    if kind == "property":
        return pattern
    parts = [p for p in pattern.split(".") if p != "*"]
    word = ".".join(parts[-2:])
    return word + "(" if kind == "call" else word


def _trie_regex(words: Sequence[str]) -> re.Pattern[bytes]:
    """One regex matching any of ``words``, factored as a trie so that ``re`` tries one
    branch per character instead of every word at every position."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [
            (r"\s*\(" if ch == "(" else re.escape(ch)) + build(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    if not words:
        return re.compile(b"(?!)")
    return re.compile(build(trie).encode())


_IDENTIFIER_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$")


def has_trigger(rules: RuleSet, data: bytes) -> bool:
    """Whether ``data`` contains one of the rules' trigger words as a whole identifier
    (``EC`` counts in ``new EC(``, not in ``SPEC`` or ``EC_KEY``). The boundaries are checked
    here: lookarounds in the regex would keep ``re`` from skipping ahead on the first
    character, which is several times slower."""
    size = len(data)
    for match in rules.prefilter.finditer(data):
        start, end = match.span()
        if start > 0 and data[start - 1] in _IDENTIFIER_BYTES:
            continue
        if end < size and data[end - 1] in _IDENTIFIER_BYTES and data[end] in _IDENTIFIER_BYTES:
            continue
        return True
    return False


@cache
def load_document(file: str) -> Any:
    """One parsed and schema-validated ``rules/source/<file>.yaml``."""
    document = read_rule_file("source", f"{file}.yaml")
    validate(document, _SCHEMA, f"source/{file}.yaml")
    if document["language"] != file:
        raise RuleError(f"rules/source/{file}.yaml: language is {document['language']!r}")
    return document


@cache
def ruleset(language: str) -> RuleSet:
    """The compiled rules of one language (cached per process)."""
    files = RULE_FILES.get(language)
    if files is None:
        raise RuleError(f"no source rules for language {language!r}")
    rules: list[Rule] = []
    factors: dict[str, float] = {}
    seen: set[str] = set()
    for file in files:
        document = load_document(file)
        factors = {**document.get("confidence", {}), **factors}
        for raw in document["rules"]:
            only = raw.get("languages")
            if only is not None and language not in only:
                continue
            rule = _rule(raw, f"rules/source/{file}.yaml")
            if rule.id in seen:
                raise RuleError(f"rules/source/{file}.yaml: duplicate rule id {rule.id}")
            seen.add(rule.id)
            rules.append(rule)
    index: dict[str, dict[str, list[Rule]]] = {}
    triggers: set[str] = set()
    for rule in rules:
        for pattern in rule.patterns:
            index.setdefault(rule.kind, {}).setdefault(_last_segment(pattern), []).append(rule)
            triggers.add(_trigger(rule.kind, pattern))
    return RuleSet(
        rules=tuple(rules),
        index={k: {n: tuple(rs) for n, rs in v.items()} for k, v in index.items()},
        prefilter=_trie_regex(sorted(triggers)),
        constant_factor=float(factors.get("constant_factor", 0.9)),
        follow_factor=float(factors.get("follow_factor", 0.9)),
        default_factor=float(factors.get("default_factor", 0.9)),
        unresolved_factor=float(factors.get("unresolved_factor", 0.8)),
    )
