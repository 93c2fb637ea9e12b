"""The tree-sitter engine: parse a file once, run one query, apply the language's rules.

What it knows is syntax only (which node types are calls, arguments, literals, scopes in each
grammar); what is cryptography lives in ``rules/source/*.yaml`` (see :mod:`.rules`).

Precision: only call, ``new``, qualified-reference and object-property nodes are looked at,
so comments and string literals never match by themselves; a string counts only as an
argument of a matched call. Callees are matched on their text as written (``RSA.Create``, or
a qualified form ending in ``.RSA.Create``), without type resolution: a user class named
``RSA`` with a ``Create`` method would match, while ``myRSA.Create()`` does not (the trade-off:
no false negatives from missing type information, at the price of rare look-alikes). Go and
JavaScript packages are matched by their usual import names; a renamed import is missed.
An argument a hit consumed through its value map (``elliptic.P256()`` in
``ecdsa.GenerateKey(elliptic.P256(), r)``) or a follow-up statement it read is not reported
again by its own rule.

Variables: an identifier argument resolves to a literal when the file assigns or defines
exactly one literal to that name (``static final int BITS = 1024;``, ``#define BITS 1024``),
found by a text search (so it may see a commented-out assignment); the confidence is lowered.
A follow-up (``kpg.initialize(2048)`` after ``kpg = KeyPairGenerator.getInstance("RSA")``)
is looked for after the match in the same function, on the same variable name.

Positions: lines and columns are 1-based, columns count characters (invalid UTF-8 is read as
U+FFFD), ``end_column`` is exclusive (SARIF); the snippet is the matched node on one line,
whitespace collapsed, cut to 200 characters.

Speed: a file is parsed only when it contains a rule's trigger text (:func:`.rules.has_trigger`,
one trie-factored regex per language); files over :data:`MAX_BYTES` are skipped; parsers and
compiled queries are cached per process. tree-sitter tolerates syntax errors: hits still come
from the valid parts of a broken file.

C# target-typed ``new(1024)`` takes its type from the declaration it initialises.

Not handled (known limits): target-typed ``new`` in other positions, C# object initializers
(``new RSACryptoServiceProvider { KeySize = 1024 }``), Java static imports of factory methods,
key sizes set through properties or setters other than the rules' follow-ups.
"""

from __future__ import annotations

import bisect
import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import tree_sitter as ts

from pqcscan.collectors.code.model import CodeHit, CodeParseError
from pqcscan.collectors.code.source.rules import (
    Constraint,
    Rule,
    RuleSet,
    Source,
    has_trigger,
    ruleset,
)

__all__ = ["MAX_BYTES", "detect_tree"]

#: Files larger than this are not parsed (bundles, generated code).
MAX_BYTES = 2 * 1024 * 1024
_SNIPPET_MAX = 200
_TEXT_MAX = 400  # longest expression text compared against patterns and maps


@dataclass(frozen=True, slots=True)
class _Grammar:
    module: str
    function: str
    query: str


_CALLS_JS = """
(call_expression) @call (new_expression) @new (member_expression) @ref (pair) @pair
(assignment_expression) @assign
"""

_GRAMMARS: dict[str, _Grammar] = {
    "java": _Grammar(
        "tree_sitter_java",
        "language",
        "(method_invocation) @call (object_creation_expression) @new (field_access) @ref"
        " (assignment_expression) @assign",
    ),
    "javascript": _Grammar("tree_sitter_javascript", "language", _CALLS_JS),
    "typescript": _Grammar("tree_sitter_typescript", "language_typescript", _CALLS_JS),
    "tsx": _Grammar("tree_sitter_typescript", "language_tsx", _CALLS_JS),
    "go": _Grammar(
        "tree_sitter_go",
        "language",
        "(call_expression) @call (selector_expression) @ref (keyed_element) @pair"
        " (assignment_statement) @assign",
    ),
    "csharp": _Grammar(
        "tree_sitter_c_sharp",
        "language",
        "(invocation_expression) @call (object_creation_expression) @new"
        " (implicit_object_creation_expression) @new"
        " (member_access_expression) @ref (assignment_expression) @assign",
    ),
    "c": _Grammar("tree_sitter_c", "language", "(call_expression) @call"),
    "cpp": _Grammar("tree_sitter_cpp", "language", "(call_expression) @call"),
}

_KIND_OF_CAPTURE = {"call": "call", "new": "new", "ref": "reference", "pair": "property"}

_STRING_TYPES = frozenset(
    {
        "string_literal",
        "string",
        "interpreted_string_literal",
        "raw_string_literal",
        "verbatim_string_literal",
        "template_string",
        "character_literal",
    }
)
_NUMBER_TYPES = frozenset(
    {
        "decimal_integer_literal",
        "hex_integer_literal",
        "number",
        "int_literal",
        "integer_literal",
        "number_literal",
    }
)
_WRAPPERS = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "literal_element",
        "argument",
        "cast_expression",
        "type_assertion",
    }
)
_PASS_UP = frozenset(
    {
        "parenthesized_expression",
        "await_expression",
        "cast_expression",
        "as_expression",
        "non_null_expression",
        "expression_list",
        "equals_value_clause",
        "unary_expression",
        "pointer_expression",
        "checked_expression",
    }
)
_SCOPES = frozenset(
    {
        "method_declaration",
        "constructor_declaration",
        "lambda_expression",
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "func_literal",
        "function_definition",
        "local_function_statement",
        "anonymous_method_expression",
        "accessor_declaration",
    }
)
_COMMENTS = frozenset({"comment", "line_comment", "block_comment"})
_QUOTED = re.compile(r'^[A-Za-z0-9_@$]*("""|"|\'|`)(.*)\1$', re.DOTALL)
_SPACE = re.compile(r"\s+")
_SPACE_NOT_BETWEEN_WORDS = re.compile(r"(?<=\W) | (?=\W)")
_INT_SUFFIX = re.compile(r"[uUlL]+$")


# -- grammars, parsers and queries (cached per process) ----------------------------------------


@cache
def _language(language: str) -> ts.Language:
    grammar = _GRAMMARS[language]
    module = importlib.import_module(grammar.module)
    return ts.Language(getattr(module, grammar.function)())


@cache
def _parser(language: str) -> ts.Parser:
    return ts.Parser(_language(language))


@cache
def _query(language: str) -> ts.Query:
    return ts.Query(_language(language), _GRAMMARS[language].query)


# -- syntax helpers ------------------------------------------------------------------------------


def _text(node: ts.Node, limit: int = _TEXT_MAX) -> str:
    start, end = node.start_byte, node.end_byte
    raw = node.text if end - start <= limit else (node.text or b"")[:limit]
    return (raw or b"").decode("utf-8", "replace")


def _norm(text: str) -> str:
    """Expression text without insignificant whitespace; ``?.``, ``::``, ``->`` read as ``.``."""
    text = _SPACE_NOT_BETWEEN_WORDS.sub("", _SPACE.sub(" ", text.strip()))
    text = text.replace("?.", ".").replace("::", ".").replace("->", ".")
    return text.lstrip(".")


def _callee_node(node: ts.Node, kind: str) -> ts.Node | None:
    if kind == "call":
        if node.type == "method_invocation":  # Java: object and name are separate fields
            return node.child_by_field_name("name")
        return node.child_by_field_name("function")
    if kind == "new":
        if node.type == "implicit_object_creation_expression":  # C# `T x = new(...)`
            return _declared_type(node)
        return node.child_by_field_name("type") or node.child_by_field_name("constructor")
    if kind == "property":
        key = node.child_by_field_name("key")
        if key is None and node.named_child_count:
            key = node.named_children[0]  # Go keyed_element
        return key
    return node


def _declared_type(node: ts.Node) -> ts.Node | None:
    """The declared type of the variable a target-typed ``new(...)`` initialises."""
    declarator = node.parent
    if declarator is None or declarator.type != "variable_declarator":
        return None
    declaration = declarator.parent
    if declaration is None or declaration.type != "variable_declaration":
        return None
    return declaration.child_by_field_name("type")


def _last_name(node: ts.Node) -> str:
    """The last identifier of a callee or type (``getInstance`` in ``a.B.getInstance``)."""
    for _ in range(6):
        if node.named_child_count == 0:
            return _text(node, 200)
        child = None
        for name in ("property", "field", "name"):
            child = node.child_by_field_name(name)
            if child is not None:
                break
        if child is None:
            if node.type in _WRAPPERS or node.type in ("scoped_type_identifier", "qualified_name"):
                child = node.named_children[-1]
            else:
                return ""
        node = child
    return ""


def _full_callee(node: ts.Node, kind: str, callee: ts.Node) -> str:
    if kind == "call" and node.type == "method_invocation":
        obj = node.child_by_field_name("object")
        name = _text(callee, 200)
        return f"{_norm(_text(obj))}.{name}" if obj is not None else name
    if kind == "property":
        return _strip_quotes(_text(callee, 200))
    return _norm(_text(callee))


def _pattern_matches(pattern: str, text: str, kind: str = "call") -> bool:
    if pattern.startswith("*."):
        return "." in text and text.endswith(pattern[1:])
    if "." in pattern or kind == "new":  # type names may be package-qualified
        return text == pattern or text.endswith("." + pattern)
    return text == pattern


def _unwrap(node: ts.Node) -> ts.Node:
    for _ in range(8):
        if node.type not in _WRAPPERS or node.named_child_count == 0:
            return node
        if node.type == "cast_expression":
            value = node.child_by_field_name("value")
            node = value if value is not None else node.named_children[-1]
        elif node.type == "argument":
            node = node.named_children[-1]
        else:
            node = node.named_children[0]
    return node


def _arguments(node: ts.Node) -> list[ts.Node]:
    args = node.child_by_field_name("arguments")
    if args is None:
        args = next((c for c in node.named_children if c.type == "argument_list"), None)
    if args is None:
        return []
    return [_unwrap(c) for c in args.named_children if c.type not in _COMMENTS]


def _strip_quotes(text: str) -> str:
    m = _QUOTED.match(text)
    return m.group(2) if m else text


def _literal(node: ts.Node) -> str | None:
    """A string or integer literal's value, or None for anything else."""
    t = node.type
    if t in _STRING_TYPES:
        if any(c.type in ("template_substitution", "interpolation") for c in node.named_children):
            return None
        return _strip_quotes(_text(node))
    if t == "concatenated_string":
        parts = [_literal(c) for c in node.named_children]
        return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
    if t in _NUMBER_TYPES:
        raw = _INT_SUFFIX.sub("", _text(node).replace("_", ""))
        try:
            return str(int(raw, 0)) if raw.lower().startswith("0x") else raw
        except ValueError:
            return raw
    return None


def _property(obj: ts.Node, key: str) -> ts.Node | None:
    """The value of ``key`` in an object literal (JS object, C# initializer)."""
    if obj.type not in ("object", "initializer_expression", "literal_value"):
        return None
    for child in obj.named_children:
        if child.type in ("pair", "keyed_element", "assignment_expression"):
            k = child.child_by_field_name("key") or child.child_by_field_name("left")
            if k is None and child.named_child_count >= 2:
                k = child.named_children[0]
            v = child.child_by_field_name("value") or child.child_by_field_name("right")
            if v is None and child.named_child_count >= 2:
                v = child.named_children[-1]
            if k is not None and v is not None and _strip_quotes(_text(_unwrap(k))) == key:
                return _unwrap(v)
    return None


def _identifier_in(node: ts.Node | None) -> str | None:
    for _ in range(6):
        if node is None:
            return None
        if node.type in ("pointer_declarator", "reference_declarator", "expression_list"):
            node = node.child_by_field_name("declarator") or (
                node.named_children[0] if node.named_child_count else None
            )
            continue
        if node.type in ("identifier", "field_access", "member_expression", "selector_expression"):
            return _norm(_text(node))
        if node.type == "member_access_expression" or node.type == "field_expression":
            return _norm(_text(node))
        return None
    return None


def _assigned_variable(node: ts.Node) -> str | None:
    """The variable a call's result is stored in (``kpg`` in ``kpg = ...getInstance(..)``)."""
    cur = node
    for _ in range(6):
        parent = cur.parent
        if parent is None:
            return None
        t = parent.type
        if t in _PASS_UP:
            cur = parent
            continue
        if t in ("variable_declarator", "init_declarator", "var_spec"):
            return _identifier_in(
                parent.child_by_field_name("name") or parent.child_by_field_name("declarator")
            )
        if t in ("assignment_expression", "assignment_statement", "short_var_declaration"):
            return _identifier_in(parent.child_by_field_name("left"))
        return None
    return None


def _scope(node: ts.Node) -> ts.Node:
    cur = node
    while cur.parent is not None:
        cur = cur.parent
        if cur.type in _SCOPES:
            return cur
    return cur


# -- per-file state ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Value:
    text: str
    literal: bool
    constant: bool
    node: ts.Node | None


@dataclass(slots=True)
class _File:
    src: bytes
    ascii: bool
    rules: RuleSet
    calls: list[ts.Node]
    assigns: list[ts.Node]
    consumed: list[tuple[int, int]] = field(default_factory=list)
    constants: dict[str, str | None] = field(default_factory=dict)

    def constant(self, name: str) -> str | None:
        """The one literal the file assigns to ``name``, if exactly one."""
        if name in self.constants:
            return self.constants[name]
        pattern = re.compile(
            rb"(?:\b"
            + re.escape(name.encode())
            + rb"\s*(?::=|=(?!=))\s*|#\s*define\s+"
            + re.escape(name.encode())
            + rb"\s+)(\"[^\"\n]{0,200}\"|'[^'\n]{0,200}'|-?\d{1,12}(?![\w.]))"
        )
        found = {m.group(1) for m in pattern.finditer(self.src)}
        value = None
        if len(found) == 1:
            value = _strip_quotes(found.pop().decode("utf-8", "replace"))
        self.constants[name] = value
        return value

    def value(self, node: ts.Node) -> _Value:
        node = _unwrap(node)
        lit = _literal(node)
        if lit is not None:
            return _Value(lit, True, False, node)
        if node.type == "identifier":
            const = self.constant(_text(node, 200))
            if const is not None:
                return _Value(const, True, True, node)
        return _Value(_norm(_text(node)), False, False, node)


def _source_node(f: _File, src: Source | Constraint, node: ts.Node, kind: str) -> ts.Node | None:
    """The node a source or constraint reads (before ``follow``)."""
    if src.arg is None:
        if kind == "property":
            value = node.child_by_field_name("value")
            if value is None and node.named_child_count >= 2:
                value = node.named_children[-1]
            return None if value is None else _unwrap(value)
        return _callee_node(node, kind) if kind != "call" else node.child_by_field_name("function")
    args = _arguments(node)
    if src.arg >= len(args):
        return None
    target = args[src.arg]
    if src.property is not None:
        return _property(target, src.property)
    return target


def _follow(f: _File, src: Source, node: ts.Node) -> ts.Node | None:
    """The value node of a follow-up statement on the variable ``node`` is assigned to."""
    follow = src.follow
    assert follow is not None
    var = _assigned_variable(node)
    if var is None:
        return None
    scope = _scope(node)
    lo, hi = node.end_byte, scope.end_byte
    if follow.assign is not None:
        wanted = f"{var}.{follow.assign}"
        for a in f.assigns:
            if lo <= a.start_byte < hi:
                left = a.child_by_field_name("left")
                right = a.child_by_field_name("right")
                if left is not None and right is not None and _norm(_text(left)) == wanted:
                    f.consumed.append((a.start_byte, a.end_byte))
                    return _unwrap(right)
        return None
    wanted_last = follow.method or (follow.call or "").rsplit(".", 1)[-1]
    first = bisect.bisect_left(f.calls, lo, key=lambda n: n.start_byte)
    for call in f.calls[first:]:
        if call.start_byte >= hi:
            break
        callee = _callee_node(call, "call")
        if callee is None or _last_name(callee) != wanted_last:
            continue
        text = _full_callee(call, "call", callee)
        args = _arguments(call)
        if follow.method is not None:
            if text != f"{var}.{follow.method}":
                continue
        elif follow.call is not None:
            if not _pattern_matches(follow.call, text):
                continue
            if follow.var_arg >= len(args) or _norm(_text(args[follow.var_arg])) != var:
                continue
        if follow.arg < len(args):
            f.consumed.append((call.start_byte, call.end_byte))
            return args[follow.arg]
        return None
    return None


def _lookup(src: Source, value: _Value) -> tuple[str | None, str | None] | None:
    keys = [value.text.lower()]
    if not value.literal:
        parts = keys[0].split(".")
        keys.extend(".".join(parts[i:]) for i in range(1, min(len(parts), 8)))
    for key in keys:
        hit = src.exact.get(key)
        if hit is not None:
            return hit
    return None


def _map_one(
    src: Source, value: _Value, is_algorithm: bool
) -> tuple[str | None, str | None] | None:
    """Apply a source's regex, map and passthrough to one value."""
    text: str | None = value.text
    if src.regex is not None:
        m = src.regex.search(value.text)
        text = next((g for g in m.groups() if g), None) if m else None
        if text is not None:
            value = _Value(text, True, value.constant, value.node)
    if text is None:
        return None
    out = _lookup(src, value) if src.has_map else None
    if out is None and src.passthrough and value.literal:
        out = (text, None) if is_algorithm else (None, text)
    return out


def _resolve(
    f: _File, src: Source, node: ts.Node, kind: str, is_algorithm: bool, fallback: bool = True
) -> list[tuple[str | None, str | None, float]] | None:
    """[(algorithm, parameter, confidence factor)] from a source (one per list element when
    the source splits); None when the value is required and absent. Without ``fallback``,
    ``[]`` when the source finds nothing (the next source is tried)."""
    factor = 1.0
    target: ts.Node | None
    if src.follow is not None:
        target = _follow(f, src, node)
        factor = f.rules.follow_factor
    else:
        target = _source_node(f, src, node, kind)
    found: list[tuple[str | None, str | None]] = []
    if target is not None:
        if kind != "property" and src.arg is None and src.follow is None:
            callee = _callee_node(node, kind) or node
            value = _Value(_full_callee(node, kind, callee), False, False, None)
        else:
            value = f.value(target)
        if value.constant:
            factor *= f.rules.constant_factor
        if src.split is not None and value.literal:
            parts = [p.strip() for p in value.text.split(src.split)]
            values = [_Value(p, True, value.constant, value.node) for p in parts if p]
        else:
            values = [value]
        for one in values:
            out = _map_one(src, one, is_algorithm)
            if out is not None and out not in found:
                found.append(out)
        if found and value.node is not None:
            f.consumed.append((value.node.start_byte, value.node.end_byte))
    if found:
        return [(alg, param, factor) for alg, param in found]
    if not fallback:
        return []
    if src.default is not None:
        default = (src.default, None) if is_algorithm else (None, src.default)
        return [(default[0], default[1], f.rules.default_factor)]
    if src.required:
        return None
    return [(None, None, f.rules.unresolved_factor)]


def _check(f: _File, c: Constraint, node: ts.Node, kind: str) -> float | None:
    """None when the constraint fails; else the confidence factor of the value it read."""
    target = _source_node(f, c, node, kind)
    if target is None:
        return 1.0 if c.absent else None
    if c.absent:
        return None
    value = f.value(target)
    text = value.text.lower()
    if c.values is not None and text not in c.values:
        return None
    if c.regex is not None and not c.regex.search(text):
        return None
    return f.rules.constant_factor if value.constant else 1.0


def _position(f: _File, byte: int, point: ts.Point) -> tuple[int, int]:
    row, col = point
    if f.ascii:
        return row + 1, col + 1
    return row + 1, len(f.src[byte - col : byte].decode("utf-8", "replace")) + 1


def _snippet(node: ts.Node) -> str:
    raw = (node.text or b"")[: _SNIPPET_MAX * 4].decode("utf-8", "replace")
    text = _SPACE.sub(" ", raw).strip()
    return text[:_SNIPPET_MAX]


def _apply(f: _File, rule: Rule, node: ts.Node, kind: str) -> list[CodeHit]:
    """The hits of one rule on one node (several when the algorithm source splits a list)."""
    confidence = rule.confidence
    for c in rule.where:
        factor = _check(f, c, node, kind)
        if factor is None:
            return []
        confidence *= factor
    algorithms: list[tuple[str, str | None, float]]
    if isinstance(rule.algorithm, str):
        algorithms = [(rule.algorithm, None, 1.0)]
    else:
        got = _resolve(f, rule.algorithm, node, kind, True)
        if got is None:
            return []
        algorithms = [(alg, param, factor) for alg, param, factor in got if alg]
    param_alg: str | None = None
    parameter: str | None = None
    param_factor = 1.0
    if isinstance(rule.parameter, str):
        parameter = rule.parameter or None
    else:
        last = len(rule.parameter) - 1
        for i, source in enumerate(rule.parameter):
            got_param = _resolve(f, source, node, kind, False, fallback=i == last)
            if got_param is None:
                return []
            if got_param:
                param_alg, parameter, param_factor = got_param[0]
                break
    line, column = _position(f, node.start_byte, node.start_point)
    end_line, end_column = _position(f, node.end_byte, node.end_point)
    snippet = _snippet(node)
    hits = []
    for algorithm, mapped_param, alg_factor in algorithms:
        final_conf = confidence * alg_factor
        final_param = parameter
        if final_param is None and mapped_param is not None:
            final_param = mapped_param  # the algorithm's map entry says it
        else:
            final_conf *= param_factor
        final_alg = param_alg or algorithm
        final_param = final_param or ""
        if final_param or rule.message_no_parameter is None:
            message = rule.message.replace("{parameter}", final_param or "unspecified")
        else:
            message = rule.message_no_parameter
        hits.append(
            CodeHit(
                rule_id=rule.id,
                algorithm=final_alg,
                parameter=final_param,
                usage=rule.usage,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                snippet=snippet,
                confidence=round(final_conf, 4),
                message=message.replace("{algorithm}", final_alg),
            )
        )
    return hits


def _decode(data: bytes) -> bytes:
    """UTF-8 bytes to parse: invalid sequences become U+FFFD so columns count characters."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace").encode("utf-8")
    return data


def detect_tree(language: str, name: str, data: bytes) -> tuple[CodeHit, ...]:
    """Cryptographic API use in one file of a tree-sitter language, in source order.

    Returns ``()`` for files over :data:`MAX_BYTES` and files without any rule's trigger
    word; raises :class:`CodeParseError` for binary content (NUL bytes).
    """
    if language not in _GRAMMARS:
        raise ValueError(f"unsupported language {language!r}")
    if len(data) > MAX_BYTES:
        return ()
    rules = ruleset(language)
    if not has_trigger(rules, data):
        return ()
    if b"\x00" in data[:8192]:
        raise CodeParseError(f"{name}: binary content (NUL bytes), not {language} source")
    src = _decode(data)
    tree = _parser(language).parse(src)
    captures: dict[str, list[ts.Node]] = ts.QueryCursor(_query(language)).captures(tree.root_node)
    f = _File(
        src=src,
        ascii=src.isascii(),
        rules=rules,
        calls=sorted(captures.get("call", []), key=lambda n: n.start_byte),
        assigns=sorted(captures.get("assign", []), key=lambda n: n.start_byte),
    )
    found: list[tuple[ts.Node, CodeHit]] = []
    for capture, kind in _KIND_OF_CAPTURE.items():
        by_name = rules.index.get(kind)
        if not by_name:
            continue
        for node in captures.get(capture, ()):
            callee = _callee_node(node, kind)
            if callee is None:
                continue
            last = _last_name(callee) if kind != "property" else _strip_quotes(_text(callee, 200))
            candidates = by_name.get(last)
            if not candidates:
                continue
            text = _full_callee(node, kind, callee)
            for rule in candidates:
                if any(_pattern_matches(p, text, kind) for p in rule.patterns):
                    found.extend((node, hit) for hit in _apply(f, rule, node, kind))
    return _finish(f, found)


def _finish(f: _File, found: Sequence[tuple[ts.Node, CodeHit]]) -> tuple[CodeHit, ...]:
    """Drop duplicates and hits inside a value another hit consumed; sort by position."""
    consumed = f.consumed
    out: dict[tuple[str, int, int, str, str], CodeHit] = {}
    for node, hit in found:
        start, end = node.start_byte, node.end_byte
        if any(s <= start and end <= e for s, e in consumed):
            continue
        out.setdefault((hit.rule_id, start, end, hit.algorithm, hit.parameter), hit)
    return tuple(sorted(out.values(), key=lambda h: (h.line, h.column, h.rule_id)))
