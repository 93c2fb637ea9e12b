"""Spring Boot ``application*.properties`` / ``application*.yml`` (and ``bootstrap*``):
``server.ssl.enabled-protocols``, ``server.ssl.ciphers``, ``server.ssl.protocol``,
``server.ssl.key-store-type``/``trust-store-type`` and the same settings of SSL bundles
(``spring.ssl.bundle.jks|pem.<name>.options.ciphers`` ...).

Keys are matched with Spring's relaxed binding (``enabled-protocols``, ``enabledProtocols``,
``enabled_protocols``; list indices ``[0]`` dropped). YAML is read with PyYAML's pure-Python
safe composer (positions kept, aliases never expanded: the walk is bounded), every document of
a multi-document file included.
"""

from __future__ import annotations

import re

import yaml

from pqcscan.collectors.code.config import ConfigFormat
from pqcscan.collectors.code.config._base import Engine, Token, decode
from pqcscan.collectors.code.config._properties import properties
from pqcscan.collectors.code.model import CodeHit, CodeParseError

_INDEX = re.compile(r"\[\d+\]")
_NAME = re.compile(r"^(?:application|bootstrap)(?:-[\w.-]+)?\.(properties|ya?ml)$", re.I)
#: Most YAML nodes visited per file (aliases can make a small file a huge graph).
_MAX_NODES = 200_000
_MAX_DEPTH = 64


def normalise(key: str) -> str:
    """Relaxed-binding form: lower case, no ``-``/``_``, no indices, bundle name as ``*``."""
    flat = _INDEX.sub("", key).lower().replace("-", "").replace("_", "")
    parts = flat.split(".")
    if len(parts) >= 6 and parts[:3] == ["spring", "ssl", "bundle"]:
        parts[4] = "*"
    return ".".join(parts)


def _scalar_token(text: str, node: yaml.ScalarNode) -> Token:
    start, end = node.start_mark, node.end_mark
    value = str(node.value)
    raw = text[start.index : end.index]
    if node.style in ('"', "'"):
        inner = raw[1:-1]
        col = start.column + 2
        exact = inner == value and start.line == end.line
    else:
        col = start.column + 1
        exact = raw == value and start.line == end.line
    if exact:
        return Token(value, start.line + 1, col, start.line + 1, col + len(value))
    return Token(value, start.line + 1, col, end.line + 1, end.column + 1, False)


def _yaml_settings(name: str, text: str) -> list[tuple[str, str, list[Token]]]:
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise CodeParseError(f"{name}: {where}invalid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise CodeParseError(f"{name}: invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise CodeParseError(f"{name}: YAML nested too deeply") from exc
    out: list[tuple[str, str, list[Token]]] = []
    budget = _MAX_NODES
    stack: list[tuple[str, yaml.Node, int]] = [("", d, 0) for d in reversed(documents) if d]
    while stack:
        prefix, node, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise CodeParseError(f"{name}: YAML graph too large (alias expansion?)")
        if isinstance(node, yaml.MappingNode) and depth < _MAX_DEPTH:
            for key_node, value_node in reversed(node.value):
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
                stack.append((key, value_node, depth + 1))
        elif isinstance(node, yaml.ScalarNode) and prefix:
            if node.value != "" and node.tag != "tag:yaml.org,2002:null":
                out.append((prefix, prefix, [_scalar_token(text, node)]))
        elif isinstance(node, yaml.SequenceNode) and prefix:
            items = [_scalar_token(text, n) for n in node.value if isinstance(n, yaml.ScalarNode)]
            budget -= len(node.value)
            if items:
                out.append((prefix, prefix, items))
    return out


def parse(name: str, data: bytes) -> tuple[CodeHit, ...]:
    """Hits of a Spring Boot application.properties / application.yml."""
    text = decode(name, data)
    engine = Engine("spring")
    if name.lower().endswith((".yml", ".yaml")):
        settings = _yaml_settings(name, text)
    else:
        settings = [(k.text, k.text, v) for k, v in properties(text)]
    for key, written, values in settings:
        engine.setting(normalise(key), written, values)
    return engine.result()


def matches(name: str, path: str, head: bytes) -> bool:
    """``application[-profile].properties|yml|yaml`` and ``bootstrap[-profile].*``."""
    return bool(_NAME.match(name))


FORMATS = (ConfigFormat("spring", matches, parse),)
