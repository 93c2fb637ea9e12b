"""Go dependency files: ``go.mod`` and ``go.sum``.

Formats (``DependencyFile.kind``):

- ``go-mod``: ``module`` names the project; ``require`` lines and blocks give the packages
  (``// indirect`` -> ``direct=False``, else ``True`` with an edge from the project);
  ``replace`` directives are applied (a module replaced by another module version becomes
  that module; one replaced by a local directory keeps its name, loses its version) and
  noted in ``warnings``; ``exclude``, ``retract``, ``tool``, ``godebug`` and ``ignore`` are
  ignored. The ``go`` and ``toolchain`` directives become the package
  ``pkg:golang/stdlib@<version>`` named ``stdlib`` so that the standard library's crypto
  (``crypto/mlkem`` since Go 1.24) can be judged: its version is the ``toolchain`` version
  when there is one, else the ``go`` version; ``requirement`` is ``>=<go version>`` (the
  minimum the module accepts).
- ``go-sum``: every module version whose code hash is listed (``/go.mod``-only lines are
  skipped: those modules' code is not part of the build); ``direct=None``.

purls are ``pkg:golang/<path prefix>/<last element>@<version>`` with the ``v`` kept.
Parsers are pure; broken content raises :class:`CodeParseError` naming the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packageurl import PackageURL

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps._common import decode_text
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

__all__ = ["PARSERS", "golang_purl", "parse_go_mod", "parse_go_sum"]

#: At most this many warnings per file; the rest are counted in one last warning.
MAX_WARNINGS = 50

_DIRECTIVES = frozenset(
    {"module", "go", "toolchain", "godebug", "require", "replace", "exclude", "retract", "tool"}
)
_IGNORED = frozenset({"godebug", "exclude", "retract", "tool", "ignore"})
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|=>|[^\s"`]+')
_MODULE_PATH = re.compile(r"^[^\s/]+(?:/[^\s/]+)*$")
_GO_VERSION = re.compile(r"^[0-9]+(?:\.[0-9]+){0,2}(?:(?:rc|beta)[0-9]+)?$")
_TOOLCHAIN = re.compile(r"^go([0-9]+(?:\.[0-9]+){0,2}(?:(?:rc|beta)[0-9]+)?)(?:-[\w.+-]+)?$")


def golang_purl(path: str, version: str | None = None) -> str:
    """``pkg:golang/<namespace>/<name>[@version]`` for a module path (or ``stdlib``)."""
    if not _MODULE_PATH.match(path):
        raise CodeParseError(f"invalid module path {path!r}")
    namespace, _, name = path.rpartition("/")
    return PackageURL(
        type="golang", namespace=namespace or None, name=name, version=version or None
    ).to_string()


def _cap(warnings: list[str]) -> tuple[str, ...]:
    if len(warnings) <= MAX_WARNINGS:
        return tuple(warnings)
    dropped = len(warnings) - MAX_WARNINGS
    return (*warnings[:MAX_WARNINGS], f"{dropped} more warnings not shown")


def _tokens(line: str, name: str, number: int) -> tuple[list[str], str]:
    """The tokens of one go.mod line (quotes removed) and its ``//`` comment text."""
    comment = ""
    tokens: list[str] = []
    pos = 0
    while pos < len(line):
        if line[pos].isspace():
            pos += 1
            continue
        if line.startswith("//", pos):  # a comment starts at "//" outside a quoted string
            comment = line[pos + 2 :].strip()
            break
        match = _TOKEN.match(line, pos)
        if match is None:  # an unterminated quote
            raise CodeParseError(f"{name}: line {number}: unterminated quoted string")
        token = match.group()
        if token[0] == '"':
            token = token[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        elif token[0] == "`":
            token = token[1:-1]
        tokens.append(token)
        pos = match.end()
    return tokens, comment


@dataclass(slots=True)
class _Require:
    path: str
    version: str
    indirect: bool
    line: int


@dataclass(slots=True)
class _Replace:
    old: str
    old_version: str | None
    new: str
    new_version: str | None
    line: int


def _is_local(path: str) -> bool:
    return path.startswith(("./", "../", "/", ".\\", "..\\")) or (
        len(path) > 2 and path[1] == ":" and path[2] in "/\\"
    )


def parse_go_mod(name: str, data: bytes) -> DependencyFile:
    """Parse a ``go.mod`` file."""
    text = decode_text(name, data)
    module: str | None = None
    go_version: str | None = None
    go_line: int | None = None
    toolchain: str | None = None
    toolchain_line: int | None = None
    requires: list[_Require] = []
    replaces: list[_Replace] = []
    warnings: list[str] = []
    block: str | None = None
    block_line = 0
    for number, raw in enumerate(text.splitlines(), 1):
        tokens, comment = _tokens(raw, name, number)
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
                continue
            verb, args = block, tokens
        else:
            verb, args = tokens[0], tokens[1:]
            if args == ["("]:
                if verb not in _DIRECTIVES and verb not in _IGNORED:
                    raise CodeParseError(f"{name}: line {number}: unknown block '{verb}'")
                block, block_line = verb, number
                continue
        if verb == "module":
            if len(args) != 1:
                raise CodeParseError(f"{name}: line {number}: module needs one path")
            module = args[0]
        elif verb == "go":
            if len(args) != 1 or not _GO_VERSION.match(args[0]):
                raise CodeParseError(f"{name}: line {number}: invalid go version")
            go_version, go_line = args[0], number
        elif verb == "toolchain":
            if len(args) != 1:
                raise CodeParseError(f"{name}: line {number}: toolchain needs one name")
            found = _TOOLCHAIN.match(args[0])
            if found:
                toolchain, toolchain_line = found.group(1), number
            elif args[0] != "default":
                warnings.append(f"line {number}: toolchain '{args[0]}' not understood")
        elif verb == "require":
            if len(args) != 2:
                raise CodeParseError(f"{name}: line {number}: require needs a path and a version")
            if not _MODULE_PATH.match(args[0]):
                raise CodeParseError(f"{name}: line {number}: invalid module path {args[0]!r}")
            indirect = comment == "indirect" or comment.startswith("indirect;")
            requires.append(_Require(args[0], args[1], indirect, number))
        elif verb == "replace":
            replaces.append(_parse_replace(args, name, number))
        elif verb in _IGNORED:
            continue
        else:
            raise CodeParseError(f"{name}: line {number}: unknown directive '{verb}'")
    if block is not None:
        raise CodeParseError(f"{name}: line {block_line}: '{block} (' block is never closed")

    packages: list[Package] = []
    edges: list[tuple[str, str]] = []
    if go_version or toolchain:
        std_version = toolchain or go_version
        packages.append(
            Package(
                purl=golang_purl("stdlib", std_version),
                ecosystem="golang",
                name="stdlib",
                version=std_version,
                requirement=f">={go_version}" if go_version else None,
                direct=True,
                line=go_line or toolchain_line,
            )
        )
        edges.append(("", packages[-1].purl))
    by_old: dict[str, list[_Replace]] = {}
    for rep in replaces:
        by_old.setdefault(rep.old, []).append(rep)
    for req in requires:
        path, requirement = req.path, req.version
        version: str | None = req.version
        candidates = by_old.get(req.path, [])
        # A replacement of this exact version wins over one of every version.
        chosen = [r for r in candidates if r.old_version == req.version] or [
            r for r in candidates if r.old_version is None
        ]
        for rep in chosen[:1]:
            if rep.new_version is None:
                warnings.append(
                    f"line {rep.line}: {req.path} {req.version} is replaced by the local "
                    f"directory {rep.new}; its version is unknown"
                )
                version = None
            else:
                warnings.append(
                    f"line {rep.line}: {req.path} {req.version} is replaced by "
                    f"{rep.new} {rep.new_version}"
                )
                path, version = rep.new, rep.new_version
        package = Package(
            purl=golang_purl(path, version),
            ecosystem="golang",
            name=path,
            version=version,
            requirement=requirement,
            direct=not req.indirect,
            line=req.line,
        )
        packages.append(package)
        if package.direct:
            edges.append(("", package.purl))
    return DependencyFile(
        kind="go-mod",
        project=module,
        packages=tuple(packages),
        edges=tuple(dict.fromkeys(edges)),
        warnings=_cap(warnings),
    )


def _parse_replace(args: list[str], name: str, number: int) -> _Replace:
    """``old [v] => new [v]``."""
    if "=>" not in args:
        raise CodeParseError(f"{name}: line {number}: replace needs '=>'")
    arrow = args.index("=>")
    old, new = args[:arrow], args[arrow + 1 :]
    if len(old) not in (1, 2) or len(new) not in (1, 2):
        raise CodeParseError(f"{name}: line {number}: invalid replace directive")
    if len(new) == 1 and not _is_local(new[0]):
        raise CodeParseError(f"{name}: line {number}: replacement module needs a version")
    if len(new) == 2 and not _MODULE_PATH.match(new[0]):
        raise CodeParseError(f"{name}: line {number}: invalid module path {new[0]!r}")
    return _Replace(
        old=old[0],
        old_version=old[1] if len(old) == 2 else None,
        new=new[0],
        new_version=new[1] if len(new) == 2 else None,
        line=number,
    )


def parse_go_sum(name: str, data: bytes) -> DependencyFile:
    """Parse a ``go.sum`` file."""
    text = decode_text(name, data)
    packages: dict[str, Package] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        fields = raw.split()
        if not fields:
            continue
        if len(fields) != 3 or not fields[2].startswith("h1:"):
            raise CodeParseError(f"{name}: line {number}: expected '<module> <version> h1:<hash>'")
        path, version, _hash = fields
        if not _MODULE_PATH.match(path):
            raise CodeParseError(f"{name}: line {number}: invalid module path {path!r}")
        if version.endswith("/go.mod"):
            continue
        purl = golang_purl(path, version)
        packages.setdefault(
            purl,
            Package(purl=purl, ecosystem="golang", name=path, version=version, line=number),
        )
    return DependencyFile(kind="go-sum", project=None, packages=tuple(packages.values()))


def _base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


PARSERS: tuple[DependencyParser, ...] = (
    DependencyParser("go-mod", lambda name, _head: _base(name) == "go.mod", parse_go_mod),
    DependencyParser("go-sum", lambda name, _head: _base(name) == "go.sum", parse_go_sum),
)
