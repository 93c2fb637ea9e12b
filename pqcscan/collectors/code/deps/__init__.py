"""Dependency parsers: manifests, lockfiles and SBOMs -> :class:`~..model.DependencyFile`.

One module per ecosystem; each exposes ``PARSERS``, a tuple of :class:`DependencyParser`.
This module is the one place they are registered; :func:`parser_for` picks the parser for a
file from its name (and, for SBOMs and other ambiguous names, the first bytes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from pqcscan.collectors.code.model import DependencyFile

#: How many leading bytes ``matches`` may look at.
HEAD_BYTES = 4096


@dataclass(frozen=True, slots=True)
class DependencyParser:
    """One file format."""

    kind: str  # DependencyFile.kind, e.g. "package-lock"
    #: ``matches(file name, first HEAD_BYTES bytes)``: is this file of this format?
    matches: Callable[[str, bytes], bool]
    #: ``parse(display name, whole content)``; raises CodeParseError on broken content.
    parse: Callable[[str, bytes], DependencyFile]


@cache
def all_parsers() -> tuple[DependencyParser, ...]:
    """Every registered parser, in a stable order (first match wins)."""
    from pqcscan.collectors.code.deps import (
        dotnet,
        go,
        javascript,
        jvm,
        php,
        python,
        ruby,
        rust,
        sbom,
    )

    modules = (sbom, python, javascript, jvm, go, rust, dotnet, php, ruby)
    return tuple(p for m in modules for p in m.PARSERS)


def parser_for(name: str, head: bytes) -> DependencyParser | None:
    """The parser for a file called ``name`` (base name) starting with ``head``, or None."""
    for parser in all_parsers():
        if parser.matches(name, head):
            return parser
    return None
