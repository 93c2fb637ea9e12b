"""Cryptographic API use in Python source, found with the standard :mod:`ast` module.

Detects calls (``rsa.generate_private_key(key_size=1024)``), attribute references
(``ssl.PROTOCOL_TLSv1``) and method calls on objects of unknown type in files that import a
given module (``ctx.set_ciphers("RC4-SHA")`` after ``import ssl``), as the rules in
``rules/source/python.yaml`` describe them. Matching is on **import-resolved qualified
names**: ``import x``, ``import x.y as z`` and ``from a.b import c as d`` are followed at
module, class and function level, so ``rsa.generate_private_key`` after ``from
cryptography.hazmat.primitives.asymmetric import rsa`` is
``cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key``, while a local function
of the same name is not. Comments, docstrings and other strings are never matched.

Limits (trade-offs, on purpose):

- Bindings are flow-insensitive per scope: a name imported anywhere in a scope resolves to
  that import in the whole scope (so ``try: from Crypto.Cipher import AES`` / ``except
  ImportError: AES = None`` still resolves); a name only assigned or defined locally shadows
  outer imports. Relative imports (``from .rsa import x``) name the project's own modules and
  are not resolved.
- ``from m import *``: a name bound nowhere resolves to ``m.name`` only when a rule knows that
  qualified name (the first star-imported module that gives one), with the confidence of an
  inferred value.
- A variable argument resolves only to a literal assigned exactly once in an enclosing scope
  (``KEY_SIZE = 1024``); otherwise the parameter is ``""`` and the confidence is lowered.
- Dynamic imports (``importlib``, ``__import__``) are not followed.

Positions: lines and columns are 1-based, columns count characters (not UTF-8 bytes), and
``end_column`` is exclusive (the SARIF convention): ``hashlib.md5()`` at the start of a line
is columns 1 to 14. The snippet is the matched source on one line, whitespace collapsed, cut
to 200 characters. An argument that a rule consumed through its value map (``hashes.SHA1()``
in ``builder.sign(key, hashes.SHA1())``) is not reported again by its own rule.

Speed: a bytes prefilter (an ``import``/``from`` statement naming one of the rules' modules)
rejects most files before they are decoded or parsed; files over 2 MB are skipped.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from pqcscan.catalog.loader import read_rule_file, validate
from pqcscan.collectors.code.model import CodeHit, CodeParseError
from pqcscan.errors import RuleError
from pqcscan.results import Usage

__all__ = ["MAX_BYTES", "detect_python", "rule_count"]

#: Files larger than this are skipped (generated code, vendored bundles).
MAX_BYTES = 2 * 1024 * 1024
_SNIPPET_MAX = 200
_PARAM_MAX = 64
_RULE_FILE = ("source", "python.yaml")
_SCHEMA = "source-python.schema.json"

# -- compiled rules ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Arg:
    position: int | None
    keyword: str | None


@dataclass(frozen=True, slots=True)
class _Source:
    """Where a value comes from (``arg`` None: the matched name itself) and how it maps."""

    arg: _Arg | None
    exact: Mapping[str, tuple[str | None, str | None]]  # lower-cased key -> (alg, param)
    suffixes: tuple[tuple[str, tuple[str | None, str | None]], ...]
    prefixes: tuple[tuple[str, tuple[str | None, str | None]], ...]
    has_map: bool
    default: str | None
    passthrough: bool
    required: bool


@dataclass(frozen=True, slots=True)
class _Constraint:
    arg: _Arg
    values: frozenset[str] | None
    regex: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    kind: str  # "call" | "reference" | "method"
    imports: tuple[str, ...]
    where: tuple[_Constraint, ...]
    algorithm: str | _Source
    parameter: str | _Source
    usage: Usage
    confidence: float
    message: str
    message_no_parameter: str | None


@dataclass(frozen=True, slots=True)
class _RuleSet:
    rules: tuple[_Rule, ...]
    calls: Mapping[str, tuple[_Rule, ...]]
    call_prefixes: tuple[tuple[str, _Rule], ...]
    references: Mapping[str, tuple[_Rule, ...]]
    reference_last: frozenset[str]
    methods: Mapping[str, tuple[_Rule, ...]]
    aliases: tuple[tuple[str, str], ...]
    #: Every qualified name a rule mentions, and each of its dotted prefixes.
    known: frozenset[str]
    prefilter: re.Pattern[bytes]
    constant_factor: float
    default_factor: float
    unresolved_factor: float


def _names(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _arg(raw: Mapping[str, Any]) -> _Arg:
    return _Arg(raw.get("position"), raw.get("keyword"))


def _mapped(value: str | Mapping[str, str], as_algorithm: bool) -> tuple[str | None, str | None]:
    if isinstance(value, str):
        return (value, None) if as_algorithm else (None, value)
    return value.get("algorithm"), value.get("parameter")


def _source(raw: str | Mapping[str, Any], as_algorithm: bool) -> str | _Source:
    if isinstance(raw, str):
        return raw
    exact: dict[str, tuple[str | None, str | None]] = {}
    suffixes: list[tuple[str, tuple[str | None, str | None]]] = []
    prefixes: list[tuple[str, tuple[str | None, str | None]]] = []
    for key, value in (raw.get("map") or {}).items():
        target = _mapped(value, as_algorithm)
        key = str(key)
        if key.startswith("*."):
            suffixes.append((key[1:].lower(), target))
        elif key.endswith(".*"):
            prefixes.append((key[:-1].lower(), target))
        else:
            exact[key.lower()] = target
    return _Source(
        arg=_arg(raw["arg"]) if "arg" in raw else None,
        exact=exact,
        suffixes=tuple(suffixes),
        prefixes=tuple(prefixes),
        has_map="map" in raw,
        default=raw.get("default"),
        passthrough=bool(raw.get("passthrough", "map" not in raw)),
        required=bool(raw.get("required", False)),
    )


def _constraint(raw: Mapping[str, Any]) -> _Constraint:
    values: frozenset[str] | None = None
    regex: re.Pattern[str] | None = None
    if "equals" in raw:
        values = frozenset({str(raw["equals"]).lower()})
    elif "in" in raw:
        values = frozenset(str(v).lower() for v in raw["in"])
    else:
        regex = re.compile(raw["regex"], re.IGNORECASE)
    return _Constraint(_arg(raw["arg"]), values, regex)


def _import_regex(modules: Iterable[str]) -> re.Pattern[bytes]:
    alternation = "|".join(re.escape(m) for m in sorted(set(modules), key=lambda m: (-len(m), m)))
    return re.compile(
        rb"(?:from|import)[ \t]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*(?:"
        + alternation.encode()
        + rb")\b"
    )


def compile_rules(document: Mapping[str, Any]) -> _RuleSet:
    """Build the matcher from a parsed, schema-valid ``rules/source/python.yaml``."""
    rules: list[_Rule] = []
    calls: dict[str, list[_Rule]] = {}
    call_prefixes: list[tuple[str, _Rule]] = []
    references: dict[str, list[_Rule]] = {}
    methods: dict[str, list[_Rule]] = {}
    known: set[str] = set()
    modules: set[str] = set()
    seen: set[str] = set()
    for raw in document["rules"]:
        rule_id = raw["id"]
        if rule_id in seen:
            raise RuleError(f"rules/source/python.yaml: rule {rule_id} is defined twice")
        seen.add(rule_id)
        kind = "call" if "call" in raw else "reference" if "reference" in raw else "method"
        try:
            where = tuple(_constraint(c) for c in raw.get("where", ()))
        except re.error as exc:
            raise RuleError(f"rules/source/python.yaml: {rule_id}: bad regex: {exc}") from exc
        rule = _Rule(
            id=rule_id,
            kind=kind,
            imports=tuple(raw.get("imports", ())),
            where=where,
            algorithm=_source(raw["algorithm"], as_algorithm=True),
            parameter=_source(raw.get("parameter", ""), as_algorithm=False),
            usage=Usage(raw["usage"]),
            confidence=float(raw["confidence"]),
            message=raw["message"],
            message_no_parameter=raw.get("message_no_parameter"),
        )
        rules.append(rule)
        modules.update(m.split(".")[0] for m in rule.imports)
        if kind == "method":
            for name in _names(raw["method"]):
                methods.setdefault(name, []).append(rule)
            continue
        for name in _names(raw[kind]):
            modules.add(name.split(".")[0])
            parts = name.split(".")
            if parts[-1] == "*":
                parts.pop()
                call_prefixes.append((".".join(parts) + ".", rule))
            else:
                (calls if kind == "call" else references).setdefault(name, []).append(rule)
            known.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    aliases = tuple((str(k), str(v)) for k, v in (document.get("module_aliases") or {}).items())
    modules.update(a for a, _ in aliases)
    factors = document.get("confidence") or {}
    return _RuleSet(
        rules=tuple(rules),
        calls={k: tuple(v) for k, v in calls.items()},
        call_prefixes=tuple(call_prefixes),
        references={k: tuple(v) for k, v in references.items()},
        reference_last=frozenset(k.rsplit(".", 1)[-1] for k in references),
        methods={k: tuple(v) for k, v in methods.items()},
        aliases=aliases,
        known=frozenset(known),
        prefilter=_import_regex(modules),
        constant_factor=float(factors.get("constant_factor", 0.9)),
        default_factor=float(factors.get("default_factor", 0.9)),
        unresolved_factor=float(factors.get("unresolved_factor", 0.6)),
    )


def load_rules_document() -> Any:
    """The parsed and schema-validated rule file."""
    document = read_rule_file(*_RULE_FILE)
    validate(document, _SCHEMA, "/".join(_RULE_FILE))
    return document


@cache
def _ruleset() -> _RuleSet:
    return compile_rules(load_rules_document())


def rule_count() -> int:
    """How many Python rules are loaded."""
    return len(_ruleset().rules)


# -- scopes and name resolution --------------------------------------------------------------


class _Scope:
    """Names bound in one module, class, function, lambda or comprehension body."""

    __slots__ = ("assigned", "globals", "imports", "is_class", "literal", "locals", "parent")

    def __init__(self, parent: _Scope | None, is_class: bool = False) -> None:
        self.parent = parent
        self.is_class = is_class
        self.imports: dict[str, str] = {}
        self.locals: set[str] = set()
        self.globals: set[str] = set()
        self.assigned: dict[str, int] = {}
        self.literal: dict[str, str] = {}


_SCOPE_CLASSES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp})


def _literal(node: ast.AST) -> str | None:
    """A string, bytes or integer literal as text; None for anything else."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str):
            return value
        if isinstance(value, bytes):
            return value.decode("latin-1")
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


class _Resolver:
    """Builds the scopes of a module (one iterative pass) and resolves names in them."""

    def __init__(self, tree: ast.Module, rules: _RuleSet) -> None:
        self.rules = rules
        self.module = _Scope(None)
        self.stars: list[str] = []
        self.imported: set[str] = set()
        #: (node, scope) of every call and candidate reference, in source order.
        self.calls: list[tuple[ast.Call, _Scope]] = []
        self.refs: list[tuple[ast.expr, _Scope]] = []
        self._walk(tree)

    def canonical(self, name: str) -> str:
        for alias, target in self.rules.aliases:
            if name == alias or name.startswith(alias + "."):
                return target + name[len(alias) :]
        return name

    def _bind_import(self, scope: _Scope, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                full = self.canonical(alias.name)
                self.imported.add(full)
                if alias.asname:
                    scope.imports.setdefault(alias.asname, full)
                else:
                    top = alias.name.split(".")[0]
                    scope.imports.setdefault(top, self.canonical(top))
            return
        if node.level or not node.module:
            for alias in node.names:
                scope.locals.add(alias.asname or alias.name)
            return
        module = self.canonical(node.module)
        self.imported.add(module)
        for alias in node.names:
            if alias.name == "*":
                self.stars.append(module)
                continue
            full = f"{module}.{alias.name}"
            self.imported.add(full)
            scope.imports.setdefault(alias.asname or alias.name, full)

    def _walk(self, tree: ast.Module) -> None:
        """One iterative pass: bind names per scope, collect calls and candidate references.

        The stack holds nodes and scope markers (entering a scope pushes its exit first), so
        deeply nested input cannot exhaust the interpreter's recursion limit.
        """
        scope = self.module
        stack: list[Any] = list(tree.body)
        refs_last = self.rules.reference_last
        calls = self.calls
        refs = self.refs
        name_cls, attr_cls, call_cls, load_cls = ast.Name, ast.Attribute, ast.Call, ast.Load
        while stack:
            node = stack.pop()
            cls = node.__class__
            if cls is name_cls:
                if node.ctx.__class__ is load_cls:
                    if node.id in refs_last:
                        refs.append((node, scope))
                else:
                    scope.locals.add(node.id)
                    scope.assigned[node.id] = scope.assigned.get(node.id, 0) + 1
                continue
            if cls is attr_cls:
                if node.attr in refs_last and node.ctx.__class__ is load_cls:
                    refs.append((node, scope))
                stack.append(node.value)
                continue
            if cls is ast.Constant:
                continue
            if cls is call_cls:
                calls.append((node, scope))
                stack.append(node.func)
                stack.extend(node.args)
                stack.extend(kw.value for kw in node.keywords)
                continue
            if cls is _Scope:
                scope = node
                continue
            if cls in _SCOPE_CLASSES:
                self._enter(node, scope, stack)
                continue
            if cls in _COMPREHENSIONS:
                stack.append(scope)  # restored after the comprehension
                stack.extend(ast.iter_child_nodes(node))
                stack.append(_Scope(scope))
                continue
            if cls is ast.Import or cls is ast.ImportFrom:
                self._bind_import(scope, node)
                continue
            if cls is ast.Global or cls is ast.Nonlocal:
                scope.globals.update(node.names)
                continue
            if cls is ast.ExceptHandler and node.name:
                scope.locals.add(node.name)
            elif cls is ast.Assign and len(node.targets) == 1:
                target = node.targets[0]
                if target.__class__ is name_cls:
                    text = _literal(node.value)
                    if text is not None:
                        scope.literal[target.id] = text
            stack.extend(ast.iter_child_nodes(node))

    @staticmethod
    def _enter(node: Any, scope: _Scope, stack: list[Any]) -> None:
        """Push a function, lambda or class: its body in a new scope, the rest in ``scope``."""
        inner = _Scope(scope, is_class=node.__class__ is ast.ClassDef)
        stack.append(scope)  # popped after the body: back to the enclosing scope
        if node.__class__ is ast.Lambda:
            stack.append(node.body)
        else:
            stack.extend(node.body)
        stack.append(inner)
        if node.__class__ is not ast.Lambda:
            scope.locals.add(node.name)
            stack.extend(node.decorator_list)
        if node.__class__ is ast.ClassDef:
            stack.extend(node.bases)
            stack.extend(k.value for k in node.keywords)
            return
        args = node.args
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            inner.locals.add(a.arg)
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                inner.locals.add(extra.arg)
        stack.extend(args.defaults)
        stack.extend(d for d in args.kw_defaults if d is not None)

    def _lookup(self, scope: _Scope, name: str) -> tuple[_Scope | None, str | None]:
        """(scope binding ``name``, its import) — (None, None) when bound nowhere."""
        current: _Scope | None = scope
        first = True
        while current is not None:
            if name in current.globals:
                current = self.module
                first = False
                continue
            if first or not current.is_class:
                if name in current.imports:
                    return current, current.imports[name]
                if name in current.locals:
                    return current, None
            first = False
            current = current.parent
        return None, None

    def qualname(self, node: ast.expr, scope: _Scope) -> tuple[str | None, bool]:
        """The import-resolved dotted name of a Name/Attribute chain; (name, via a star)."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None, False
        parts.reverse()
        owner, base = self._lookup(scope, node.id)
        if base is not None:
            return ".".join((base, *parts)), False
        if owner is not None or not self.stars:
            return None, False
        for module in self.stars:
            candidate = ".".join((module, node.id, *parts))
            if candidate in self.rules.known:
                return candidate, True
        return None, False

    def constant(self, name: str, scope: _Scope) -> str | None:
        """The literal a name is bound to, when it is assigned exactly once, to a literal."""
        owner, imported = self._lookup(scope, name)
        if owner is None or imported is not None:
            return None
        if owner.assigned.get(name) != 1:
            return None
        return owner.literal.get(name)


# -- matching ---------------------------------------------------------------------------------

_ABSENT = "absent"
_LITERAL = "literal"
_CONSTANT = "constant"
_NAME = "name"
_UNRESOLVED = "unresolved"


def _find_arg(call: ast.Call, arg: _Arg) -> ast.expr | bool | None:
    """The argument node; None when absent; False when hidden by ``*args``/``**kwargs``."""
    if arg.keyword is not None:
        for kw in call.keywords:
            if kw.arg == arg.keyword:
                return kw.value
    if arg.position is not None:
        for i, node in enumerate(call.args):
            if isinstance(node, ast.Starred):
                return False
            if i == arg.position:
                return node
    if any(kw.arg is None for kw in call.keywords):
        return False
    return None


@dataclass(slots=True)
class _Value:
    kind: str
    text: str = ""
    node: ast.expr | None = None


class _Matcher:
    def __init__(self, resolver: _Resolver) -> None:
        self.r = resolver
        self.rules = resolver.rules

    def value(self, expr: ast.expr, scope: _Scope) -> _Value:
        text = _literal(expr)
        if text is not None:
            return _Value(_LITERAL, text, expr)
        target = expr.func if isinstance(expr, ast.Call) else expr
        if isinstance(target, ast.Name | ast.Attribute):
            name, star = self.r.qualname(target, scope)
            if name is not None:
                return _Value(_CONSTANT if star else _NAME, name, expr)
            if isinstance(expr, ast.Name):
                constant = self.r.constant(expr.id, scope)
                if constant is not None:
                    return _Value(_CONSTANT, constant, expr)
        return _Value(_UNRESOLVED, "", expr)

    def arg_value(self, call: ast.Call | None, arg: _Arg, scope: _Scope) -> _Value:
        if call is None:
            return _Value(_ABSENT)
        found = _find_arg(call, arg)
        if found is None:
            return _Value(_ABSENT)
        if found is False or found is True:
            return _Value(_UNRESOLVED)
        return self.value(found, scope)

    @staticmethod
    def lookup(source: _Source, key: str) -> tuple[str | None, str | None] | None:
        low = key.lower()
        hit = source.exact.get(low)
        if hit is not None:
            return hit
        for suffix, target in source.suffixes:
            if low.endswith(suffix):
                return target
        for prefix, target in source.prefixes:
            if low.startswith(prefix):
                return target
        return None

    def resolve(
        self, source: _Source, call: ast.Call | None, matched: str, scope: _Scope
    ) -> tuple[tuple[str | None, str | None] | None, str, ast.expr | None]:
        """((algorithm, parameter) or None, how it was found, the consumed node)."""
        if source.arg is None:
            value = _Value(_NAME, matched)
        else:
            value = self.arg_value(call, source.arg, scope)
        if value.kind == _ABSENT:
            if source.default is not None:
                mapped = self.lookup(source, source.default) if source.has_map else None
                return mapped or (source.default, source.default), "default", None
            return None, _ABSENT, None
        if value.kind == _UNRESOLVED:
            return None, _UNRESOLVED, None
        mapped = self.lookup(source, value.text) if source.has_map else None
        how = _CONSTANT if value.kind == _CONSTANT else _LITERAL
        if mapped is not None:
            return mapped, how, value.node if value.kind == _NAME else None
        is_literal = value.kind == _LITERAL or (value.kind == _CONSTANT and "." not in value.text)
        if is_literal and source.passthrough:
            clean = " ".join(value.text.split())[:_PARAM_MAX]
            return (clean, clean), how, None
        return None, _UNRESOLVED, None

    def constraints_hold(self, rule: _Rule, call: ast.Call | None, scope: _Scope) -> bool:
        for constraint in rule.where:
            value = self.arg_value(call, constraint.arg, scope)
            if value.kind not in (_LITERAL, _CONSTANT):
                return False
            if constraint.values is not None and value.text.lower() not in constraint.values:
                return False
            if constraint.regex is not None and not constraint.regex.search(value.text):
                return False
        return True

    def apply(
        self, rule: _Rule, node: ast.expr, call: ast.Call | None, matched: str, scope: _Scope
    ) -> tuple[str, str, float, list[int]] | None:
        """(algorithm, parameter, confidence, consumed node ids) or None."""
        if not self.constraints_hold(rule, call, scope):
            return None
        confidence = rule.confidence
        consumed: list[int] = []
        parameter = ""
        if isinstance(rule.algorithm, str):
            algorithm = rule.algorithm
        else:
            found, how, used = self.resolve(rule.algorithm, call, matched, scope)
            if found is None or found[0] is None:
                return None
            algorithm = found[0]
            parameter = found[1] or ""
            confidence *= self.factor(how)
            if used is not None:
                consumed.append(id(used))
        if isinstance(rule.parameter, str):
            parameter = parameter or rule.parameter
        else:
            found, how, used = self.resolve(rule.parameter, call, matched, scope)
            if found is None:
                if rule.parameter.required:
                    return None
                if how == _UNRESOLVED:
                    confidence *= self.rules.unresolved_factor
            else:
                parameter = found[1] or ""
                confidence *= self.factor(how)
                if used is not None:
                    consumed.append(id(used))
        return algorithm, parameter, round(confidence, 2), consumed

    def factor(self, how: str) -> float:
        if how == _CONSTANT:
            return self.rules.constant_factor
        if how == "default":
            return self.rules.default_factor
        return 1.0


# -- positions ---------------------------------------------------------------------------------


class _Text:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")

    def column(self, line: int, byte_offset: int) -> int:
        """1-based character column of a UTF-8 byte offset on a 1-based line."""
        if not 1 <= line <= len(self.lines):
            return byte_offset + 1
        text = self.lines[line - 1]
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def snippet(self, node: ast.expr) -> str:
        start, end = node.lineno, node.end_lineno or node.lineno
        if not 1 <= start <= end <= len(self.lines):
            return ""
        chunk = self.lines[start - 1 : min(end, start + 20)]
        first = chunk[0].encode("utf-8")
        if len(chunk) == 1:
            stop = node.end_col_offset if end == start else None
            text = first[node.col_offset : stop].decode("utf-8", "replace")
        else:
            parts = [first[node.col_offset :].decode("utf-8", "replace"), *chunk[1:-1]]
            last = chunk[-1].encode("utf-8")
            if end - start < 20 and node.end_col_offset is not None:
                parts.append(last[: node.end_col_offset].decode("utf-8", "replace"))
            else:
                parts.append(chunk[-1])
            text = " ".join(parts)
        text = " ".join(text.split())
        if len(text) > _SNIPPET_MAX:
            text = text[: _SNIPPET_MAX - 3] + "..."
        return text


# -- entry point -------------------------------------------------------------------------------


def _imports_a_rule_module(data: bytes, pattern: re.Pattern[bytes]) -> bool:
    """True when a line holding ``import`` names one of the rules' modules.

    Looking for ``import`` first (a fast substring search) and running the regex on those
    lines only is several times faster than running the regex over the whole file.
    """
    pos = data.find(b"import")
    size = len(data)
    while pos != -1:
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos)
        if end == -1:
            end = size
        if pattern.search(data, start, end) is not None:
            return True
        pos = data.find(b"import", end)
    return False


def _parse(name: str, data: bytes) -> tuple[ast.Module, str]:
    text = data.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=name)
    except SyntaxError as exc:
        raise CodeParseError(f"line {max(exc.lineno or 1, 1)}: {exc.msg}") from None
    except ValueError as exc:  # NUL bytes (Python 3.11)
        raise CodeParseError(f"line 1: {exc}") from None
    except (RecursionError, MemoryError):
        raise CodeParseError("line 1: too deeply nested to parse") from None
    return tree, text


def detect_python(name: str, data: bytes) -> tuple[CodeHit, ...]:
    """Cryptographic API use in one Python file, in source order.

    ``name`` is used in messages only. Raises :class:`CodeParseError` for source that does
    not parse (Python 2, templates, binary) or is nested too deeply; returns ``()`` for files
    over :data:`MAX_BYTES` and for files that import none of the rules' modules.
    """
    if len(data) > MAX_BYTES:
        return ()
    rules = _ruleset()
    if not _imports_a_rule_module(data, rules.prefilter):
        return ()
    tree, text = _parse(name, data)
    try:
        return _detect(tree, text, rules)
    except (RecursionError, MemoryError):
        raise CodeParseError("line 1: too deeply nested to analyse") from None


def _detect(tree: ast.Module, text: str, rules: _RuleSet) -> tuple[CodeHit, ...]:
    resolver = _Resolver(tree, rules)
    matcher = _Matcher(resolver)
    found: list[tuple[_Rule, ast.expr, tuple[str, str, float, list[int]]]] = []
    for call, scope in resolver.calls:
        func = call.func
        candidates: list[tuple[_Rule, str]] = []
        if isinstance(func, ast.Name | ast.Attribute):
            qualname, star = resolver.qualname(func, scope)
            if qualname is not None:
                candidates.extend((rule, qualname) for rule in rules.calls.get(qualname, ()))
                candidates.extend(
                    (rule, qualname) for p, rule in rules.call_prefixes if qualname.startswith(p)
                )
            if isinstance(func, ast.Attribute) and qualname is None:
                for rule in rules.methods.get(func.attr, ()):
                    if _imports_any(resolver.imported, rule.imports):
                        candidates.append((rule, func.attr))
            for rule, matched in candidates:
                result = matcher.apply(rule, call, call, matched, scope)
                if result is not None:
                    if star:
                        alg, param, conf, used = result
                        result = alg, param, round(conf * rules.constant_factor, 2), used
                    found.append((rule, call, result))
    for node, scope in resolver.refs:
        qualname, star = resolver.qualname(node, scope)
        if qualname is None:
            continue
        for rule in rules.references.get(qualname, ()):
            result = matcher.apply(rule, node, None, qualname, scope)
            if result is not None:
                found.append((rule, node, result))
    consumed = {i for _, _, result in found for i in result[3]}
    positions = _Text(text)
    hits: list[CodeHit] = []
    for rule, node, (algorithm, parameter, confidence, _) in found:
        if id(node) in consumed:
            continue
        template = rule.message
        if not parameter and rule.message_no_parameter:
            template = rule.message_no_parameter
        end_line = node.end_lineno or node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        hits.append(
            CodeHit(
                rule_id=rule.id,
                algorithm=algorithm,
                parameter=parameter,
                usage=rule.usage,
                line=node.lineno,
                column=positions.column(node.lineno, node.col_offset),
                end_line=end_line,
                end_column=positions.column(end_line, end_col),
                snippet=positions.snippet(node),
                confidence=confidence,
                message=template.format(algorithm=algorithm, parameter=parameter),
            )
        )
    hits.sort(key=lambda h: (h.line, h.column, h.end_line, h.end_column, h.rule_id))
    return tuple(hits)


def _imports_any(imported: set[str], modules: Sequence[str]) -> bool:
    return any(
        name == module or name.startswith(module + ".") for name in imported for module in modules
    )


def trigger_pattern() -> str:
    """The prefilter as a regular expression (for the benchmark's ripgrep baseline)."""
    return _ruleset().prefilter.pattern.decode()


def trigger_modules() -> tuple[str, ...]:
    """The module names whose import makes a file worth parsing."""
    rules = _ruleset()
    return tuple(sorted({r.split(".")[0] for r in rules.known} | {a for a, _ in rules.aliases}))
