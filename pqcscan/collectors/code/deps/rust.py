"""Rust dependency files: ``Cargo.toml`` and ``Cargo.lock``.

Formats (``DependencyFile.kind``):

- ``cargo-toml``: ``[dependencies]`` (scope ``runtime``, or ``optional`` with
  ``optional = true``), ``[dev-dependencies]`` (``dev``), ``[build-dependencies]``
  (``build``), the same tables under ``[target.'cfg(...)']``, and
  ``[workspace.dependencies]`` (the versions a workspace's members inherit: ``direct=None``).
  A requirement is kept as written (``"0.23"``, ``"=0.17.8"``); only an exact ``=x.y.z``
  gives a version. ``package = "real-name"`` renames are resolved to the real crate;
  ``workspace = true`` takes the requirement from ``[workspace.dependencies]`` in the same
  file when there; ``path`` dependencies are skipped and ``git`` dependencies kept without a
  version, both with a warning. ``package.name`` is the project.
- ``cargo-lock``: every ``[[package]]`` of lockfile versions 1 to 4. Packages without a
  ``source`` are the workspace's own crates: they are not packages, their dependencies are
  the direct ones (edges from ``""``); the project is the only such crate when there is one.
  Dependency references (``"name"``, ``"name version"``, ``"name version (source)"``) become
  edges.

purls are ``pkg:cargo/<name>@<version>``. Parsers are pure; broken content raises
:class:`CodeParseError`. Line numbers come from a cheap line scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from packageurl import PackageURL

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps._common import decode_text, load_toml
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

__all__ = ["PARSERS", "cargo_purl", "parse_cargo_lock", "parse_cargo_toml"]

#: At most this many warnings per file; the rest are counted in one last warning.
MAX_WARNINGS = 50

#: Dependency tables of a manifest (and their legacy underscore spellings) -> scope.
_TABLES = {
    "dependencies": "runtime",
    "dev-dependencies": "dev",
    "dev_dependencies": "dev",
    "build-dependencies": "build",
    "build_dependencies": "build",
}
_CRATE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,200}$")
_HEADER = re.compile(r"^\s*\[([^\[\]]+)\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")
_EXACT = re.compile(r"^=\s*([0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.+-]*)?)$")
_NAME_LINE = re.compile(r"""^\s*name\s*=\s*["']([^"']*)["']""")


def cargo_purl(name: str, version: str | None = None) -> str:
    """``pkg:cargo/<name>[@version]``; an invalid crate name -> CodeParseError."""
    if not _CRATE.match(name):
        raise CodeParseError(f"invalid crate name {name!r}")
    return PackageURL(type="cargo", name=name, version=version or None).to_string()


def _cap(warnings: list[str]) -> tuple[str, ...]:
    if len(warnings) <= MAX_WARNINGS:
        return tuple(warnings)
    dropped = len(warnings) - MAX_WARNINGS
    return (*warnings[:MAX_WARNINGS], f"{dropped} more warnings not shown")


def _norm(text: str) -> str:
    """A table path as compared between headers and parsed keys (no quotes, no spaces)."""
    return re.sub(r"[\s\"']", "", text)


def _key_lines(lines: Sequence[str]) -> dict[tuple[str, str], int]:
    """``(normalised table, key) -> 1-based line`` for keys and ``[table.key]`` headers."""
    found: dict[tuple[str, str], int] = {}
    table = ""
    for index, raw in enumerate(lines):
        header = _HEADER.match(raw)
        if header:
            table = _norm(header.group(1))
            parent, _, key = table.rpartition(".")
            if parent:
                found.setdefault((parent, key), index + 1)
            continue
        key_match = _KEY.match(raw)
        if key_match:
            found.setdefault((table, _norm(key_match.group(1))), index + 1)
    return found


def _dependency_tables(doc: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """``(normalised table path, scope, table)`` for every dependency table of a manifest."""
    for table, scope in _TABLES.items():
        if table in doc:
            yield table, scope, doc[table]
    targets = doc.get("target", {})
    if isinstance(targets, dict):
        for cfg, body in targets.items():
            if not isinstance(body, dict):
                continue
            for table, scope in _TABLES.items():
                if table in body:
                    yield _norm(f"target.{cfg}.{table}"), scope, body[table]


def _requirement(spec: dict[str, Any], what: str, name: str) -> str | None:
    value = spec.get("version")
    if value is None:
        return None
    if not isinstance(value, str):
        raise CodeParseError(f"{name}: {what}: version must be a string")
    return value


def parse_cargo_toml(name: str, data: bytes) -> DependencyFile:
    """Parse a ``Cargo.toml`` manifest."""
    doc = load_toml(name, data)
    lines = decode_text(name, data).splitlines()
    key_lines = _key_lines(lines)
    warnings: list[str] = []
    project = None
    package_table = doc.get("package", doc.get("project"))
    if isinstance(package_table, dict) and isinstance(package_table.get("name"), str):
        project = package_table["name"]

    workspace = doc.get("workspace", {})
    if not isinstance(workspace, dict):
        raise CodeParseError(f"{name}: [workspace] must be a table")
    inherited: dict[str, Any] = {}
    tables = list(_dependency_tables(doc))
    ws_deps = workspace.get("dependencies")
    if ws_deps is not None:
        if not isinstance(ws_deps, dict):
            raise CodeParseError(f"{name}: [workspace.dependencies] must be a table")
        inherited = ws_deps
        tables.append(("workspace.dependencies", "workspace", ws_deps))

    packages: list[Package] = []
    edges: list[tuple[str, str]] = []
    for table, scope, body in tables:
        if not isinstance(body, dict):
            raise CodeParseError(f"{name}: [{table}] must be a table")
        for key, spec in body.items():
            what = f"[{table}] {key}"
            line = key_lines.get((table, _norm(key)))
            where = f"line {line}: " if line else ""
            if isinstance(spec, str):
                spec = {"version": spec}
            if not isinstance(spec, dict):
                raise CodeParseError(f"{name}: {what}: must be a string or a table")
            if spec.get("workspace") is True and table != "workspace.dependencies":
                base = inherited.get(key)
                base = {"version": base} if isinstance(base, str) else base
                merged = dict(base) if isinstance(base, dict) else {}
                merged.update({k: v for k, v in spec.items() if k != "workspace"})
                spec = merged
            crate = spec.get("package", key)
            if not isinstance(crate, str) or not _CRATE.match(crate):
                raise CodeParseError(f"{name}: {where}{what}: invalid crate name {crate!r}")
            requirement = _requirement(spec, what, name)
            if "path" in spec and "git" not in spec:
                warnings.append(f"{where}{crate}: path dependency ({spec['path']}) skipped")
                continue
            if "git" in spec:
                warnings.append(f"{where}{crate}: git dependency ({spec['git']}), no version")
            exact = _EXACT.match(requirement.strip()) if requirement else None
            version = exact.group(1) if exact else None
            dep_scope: str | None = scope
            if scope == "runtime" and spec.get("optional") is True:
                dep_scope = "optional"
            ws = scope == "workspace"
            package = Package(
                purl=cargo_purl(crate, version),
                ecosystem="cargo",
                name=crate,
                version=version,
                requirement=requirement,
                direct=None if ws else True,
                scope=None if ws else dep_scope,
                line=line,
            )
            packages.append(package)
            if not ws:
                edges.append(("", package.purl))
    return DependencyFile(
        kind="cargo-toml",
        project=project,
        packages=tuple(packages),
        edges=tuple(dict.fromkeys(edges)),
        warnings=_cap(warnings),
    )


def _name_lines(lines: Sequence[str], count: int) -> list[int | None]:
    """The line of each ``[[package]]`` entry's ``name`` key (all None if the scan fails)."""
    result: list[int] = []
    in_package = False
    for index, raw in enumerate(lines):
        stripped = raw.strip()
        if stripped.startswith("["):
            in_package = stripped.replace(" ", "") == "[[package]]"
            if in_package:
                result.append(index + 1)
        elif in_package and _NAME_LINE.match(raw):
            result[-1] = index + 1
            in_package = False
    if len(result) != count:
        return [None] * count
    return list(result)


def _str_field(entry: dict[str, Any], key: str, what: str, name: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise CodeParseError(f"{name}: {what}: {key} must be a string")
    return value


def parse_cargo_lock(name: str, data: bytes) -> DependencyFile:
    """Parse a ``Cargo.lock`` file (format versions 1 to 4)."""
    doc = load_toml(name, data)
    entries = doc.get("package", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CodeParseError(f"{name}: [[package]] must be an array of tables")
    if not entries and "metadata" not in doc and "version" not in doc:
        raise CodeParseError(f"{name}: not a Cargo.lock file (no [[package]])")
    lines = decode_text(name, data).splitlines()
    name_lines = _name_lines(lines, len(entries))
    warnings: list[str] = []

    # (name, version, source) per entry; local crates have no source.
    keys: list[tuple[str, str, str | None]] = []
    for number, entry in enumerate(entries, 1):
        what = f"package entry {number}"
        crate = _str_field(entry, "name", what, name)
        version = _str_field(entry, "version", what, name)
        if not crate or not version:
            raise CodeParseError(f"{name}: {what}: name and version are required")
        if not _CRATE.match(crate):
            raise CodeParseError(f"{name}: {what}: invalid crate name {crate!r}")
        keys.append((crate, version, _str_field(entry, "source", what, name)))
    by_name: dict[str, list[int]] = {}
    by_version: dict[tuple[str, str], list[int]] = {}
    for index, (crate, version, _source) in enumerate(keys):
        by_name.setdefault(crate, []).append(index)
        by_version.setdefault((crate, version), []).append(index)

    def resolve(ref: str) -> int | None:
        """The entry a dependency reference names, or None (none or ambiguous)."""
        parts = ref.split(" ", 2)
        if len(parts) == 1:
            candidates = by_name.get(parts[0], [])
        else:
            candidates = by_version.get((parts[0], parts[1]), [])
        if len(parts) == 3 and len(candidates) > 1:
            source = parts[2].removeprefix("(").removesuffix(")")
            candidates = [i for i in candidates if keys[i][2] == source] or candidates
        return candidates[0] if len(candidates) == 1 else None

    local = {i for i, key in enumerate(keys) if key[2] is None}
    purls = [cargo_purl(crate, version) for crate, version, _source in keys]
    edges: list[tuple[str, str]] = []
    direct: set[int] = set()
    for index, entry in enumerate(entries):
        refs = entry.get("dependencies", [])
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise CodeParseError(
                f"{name}: package entry {index + 1}: dependencies must be a list of strings"
            )
        for ref in refs:
            target = resolve(ref)
            if target is None:
                warnings.append(f"{keys[index][0]}: dependency '{ref}' is not in the lockfile")
                continue
            if target in local:
                continue
            if index in local:
                direct.add(target)
                edges.append(("", purls[target]))
            else:
                edges.append((purls[index], purls[target]))

    packages: dict[str, Package] = {}
    for index, (crate, version, _source) in enumerate(keys):
        if index in local:
            continue
        packages.setdefault(
            purls[index],
            Package(
                purl=purls[index],
                ecosystem="cargo",
                name=crate,
                version=version,
                direct=(index in direct) if local else None,
                line=name_lines[index],
            ),
        )
    project = keys[next(iter(local))][0] if len(local) == 1 else None
    return DependencyFile(
        kind="cargo-lock",
        project=project,
        packages=tuple(packages.values()),
        edges=tuple(dict.fromkeys(edges)),
        warnings=_cap(warnings),
    )


def _base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


PARSERS: tuple[DependencyParser, ...] = (
    DependencyParser(
        "cargo-toml", lambda name, _head: _base(name) == "Cargo.toml", parse_cargo_toml
    ),
    DependencyParser(
        "cargo-lock", lambda name, _head: _base(name) == "Cargo.lock", parse_cargo_lock
    ),
)
