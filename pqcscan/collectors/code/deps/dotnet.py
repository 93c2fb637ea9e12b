""".NET dependency files: MSBuild projects (``*.csproj``, ``*.fsproj``, ``*.vbproj``,
``Directory.Packages.props``) and NuGet's ``packages.lock.json``.

Formats (``DependencyFile.kind``):

- ``csproj``: read with defusedxml (a DTD, and so any entity trick, is refused). Each
  ``PackageReference`` (``Include`` or ``Update``; ``Version`` or ``VersionOverride`` as an
  attribute or a child element) is a direct package; a versionless one takes its version
  from a ``PackageVersion`` (central package management) in the same file. ``PackageVersion``
  entries that no reference in the file uses are packages with ``direct=None`` (that is what
  ``Directory.Packages.props`` holds); ``GlobalPackageReference`` is direct with scope
  ``build``. ``PrivateAssets="all"`` -> scope ``build``. ``$(Property)`` versions are
  resolved from the file's ``PropertyGroup``. A plain NuGet version (``2.4.0``) is the
  version; a range (``[2.4.0,3.0)``) or a floating version (``2.*``) only a requirement.
  The project is ``PackageId``, ``AssemblyName`` or the file's base name.
- ``nuget-lock``: ``packages.lock.json`` (versions 1 and 2): for every target framework,
  ``Direct`` (direct), ``Transitive`` and ``CentralTransitive`` (not) packages with their
  ``resolved`` version and ``requested`` range; ``Project`` entries (other projects of the
  solution) are not packages. ``dependencies`` become edges.

purls are ``pkg:nuget/<Name>@<version>``. Parsers are pure; broken content raises
:class:`CodeParseError`.
"""

from __future__ import annotations

import bisect
import re
from typing import Any
from xml.etree.ElementTree import Element

from packageurl import PackageURL

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps._common import decode_text, interpolate_bounded, load_json
from pqcscan.collectors.code.deps.jvm import line_index, load_xml, local_name, nth, xml_lines
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

__all__ = ["PARSERS", "nuget_purl", "parse_csproj", "parse_nuget_lock"]

#: At most this many warnings per file; the rest are counted in one last warning.
MAX_WARNINGS = 50

MSBUILD_NS = "http://schemas.microsoft.com/developer/msbuild/2003"
_PROPERTY = re.compile(r"\$\(([A-Za-z_][\w.-]{0,200})\)")
_PLAIN_VERSION = re.compile(r"^[0-9]+(?:\.[0-9]+){0,3}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
#: ``<PackageReference Include="X"`` on one line -> group 1 "PackageReference X".
_ITEM_LINE = re.compile(
    r"<((?:Global)?PackageReference|PackageVersion)\b[^>]*?\b(?:Include|Update)\s*=\s*"
    r"[\"']([^\"']{1,300})[\"']"
)
_JSON_KEY = re.compile(r'^\s*"([^"\\]{1,300})"\s*:\s*\{')
_REFERENCES = ("PackageReference", "GlobalPackageReference", "PackageVersion")


def nuget_purl(name: str, version: str | None = None) -> str:
    """``pkg:nuget/<Name>[@version]``; an unusable name -> CodeParseError."""
    try:
        return PackageURL(type="nuget", name=name, version=version or None).to_string()
    except (ValueError, TypeError):
        raise CodeParseError(f"unusable NuGet package name {name!r}") from None


def _cap(warnings: list[str]) -> tuple[str, ...]:
    if len(warnings) <= MAX_WARNINGS:
        return tuple(warnings)
    dropped = len(warnings) - MAX_WARNINGS
    return (*warnings[:MAX_WARNINGS], f"{dropped} more warnings not shown")


def _base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _value(element: Element, key: str) -> str | None:
    """An item's metadata as an attribute or a child element (any case), stripped."""
    wanted = key.lower()
    for attribute, value in element.attrib.items():
        if local_name(attribute).lower() == wanted:
            return value.strip() or None
    for child in element:
        if local_name(child.tag).lower() == wanted:
            return (child.text or "").strip() or None
    return None


def _properties(root: Element) -> dict[str, str]:
    props: dict[str, str] = {}
    for group in root:
        if local_name(group.tag) != "PropertyGroup":
            continue
        for prop in group:
            key = local_name(prop.tag).lower()  # MSBuild property names ignore case
            if key:
                props[key] = (prop.text or "").strip()
    return props


def _resolve(text: str, props: dict[str, str]) -> str | None:
    """``$(X)`` resolved from ``props`` (bounded rounds); None when one stays unresolved."""
    return interpolate_bounded(text, _PROPERTY, lambda name: props.get(name.lower()), "$(")


def parse_csproj(name: str, data: bytes) -> DependencyFile:
    """Parse an MSBuild project or ``Directory.Packages.props`` / ``Directory.Build.props``."""
    root = load_xml(name, data)
    if root.tag not in ("Project", f"{{{MSBUILD_NS}}}Project"):
        raise CodeParseError(f"{name}: not an MSBuild project (root element is {root.tag!r})")
    lines = xml_lines(data)
    props = _properties(root)
    warnings: list[str] = []

    index = line_index(lines, _ITEM_LINE)
    items: list[tuple[str, str, Element, int | None]] = []  # kind, package name, element, line
    seen: dict[str, int] = {}
    for element in root.iter():
        kind = local_name(element.tag)
        if kind not in _REFERENCES:
            continue
        package = _value(element, "Include") or _value(element, "Update")
        if package is None and _value(element, "Remove") is not None:
            continue
        if package is None:
            warnings.append(f"a {kind} without Include or Update was skipped")
            continue
        for single in (p.strip() for p in package.split(";")):
            if not single:
                continue
            key = f"{kind} {single}".lower()
            items.append((kind, single, element, nth(index, key, seen.get(key, 0))))
            seen[key] = seen.get(key, 0) + 1

    central = {
        package.lower(): (_value(element, "Version"), line)
        for kind, package, element, line in items
        if kind == "PackageVersion"
    }
    used: set[str] = set()
    packages: list[Package] = []
    edges: list[tuple[str, str]] = []
    for kind, package, element, line in items:
        where = f"line {line}: " if line else ""
        if kind == "PackageVersion":
            continue
        used.add(package.lower())
        raw = _value(element, "VersionOverride") or _value(element, "Version")
        if raw is None:
            raw = central.get(package.lower(), (None, None))[0]
        private = (_value(element, "PrivateAssets") or "").lower()
        build = kind == "GlobalPackageReference" or "all" in private.split(";")
        packages.append(_package(package, raw, props, True, "build" if build else None, line))
        if raw is not None and "$(" in (packages[-1].requirement or ""):
            warnings.append(f"{where}{package}: version {raw} not resolved")
        if raw is None:
            warnings.append(f"{where}{package}: no version (managed centrally elsewhere?)")
        edges.append(("", packages[-1].purl))
    for kind, package, element, line in items:
        if kind == "PackageVersion" and package.lower() not in used:
            used.add(package.lower())
            packages.append(_package(package, _value(element, "Version"), props, None, None, line))

    project = props.get("packageid") or props.get("assemblyname")
    base = _base(name)
    if not project and base.lower().endswith(("proj",)):
        project = base.rsplit(".", 1)[0] or None
    if project and "$(" in project:
        project = _resolve(project, props)
    return DependencyFile(
        kind="csproj",
        project=project or None,
        packages=tuple(packages),
        edges=tuple(dict.fromkeys(edges)),
        warnings=_cap(warnings),
    )


def _package(
    name: str,
    raw: str | None,
    props: dict[str, str],
    direct: bool | None,
    scope: str | None,
    line: int | None,
) -> Package:
    resolved = _resolve(raw, props) if raw is not None else None
    requirement = resolved if resolved is not None else raw
    version = resolved if resolved is not None and _PLAIN_VERSION.match(resolved) else None
    return Package(
        purl=nuget_purl(name, version),
        ecosystem="nuget",
        name=name,
        version=version,
        requirement=requirement,
        direct=direct,
        scope=scope,
        line=line,
    )


def _str(value: Any, what: str, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CodeParseError(f"{name}: {what} must be a string")
    return value


def _line_after(keys: dict[str, list[int]], key: str, after: int) -> int | None:
    found = keys.get(key.lower(), [])
    position = bisect.bisect_right(found, after)
    return found[position] if position < len(found) else None


def parse_nuget_lock(name: str, data: bytes) -> DependencyFile:
    """Parse a NuGet ``packages.lock.json``."""
    doc = load_json(name, data)
    if not isinstance(doc, dict) or not isinstance(doc.get("dependencies"), dict):
        raise CodeParseError(f"{name}: not a NuGet lock file (no 'dependencies' object)")
    if not isinstance(doc.get("version"), int):
        raise CodeParseError(f"{name}: not a NuGet lock file (no integer 'version')")
    keys = line_index(decode_text(name, data).splitlines(), _JSON_KEY)
    packages: dict[str, Package] = {}
    edges: list[tuple[str, str]] = []
    for framework, entries in doc["dependencies"].items():
        if not isinstance(entries, dict):
            raise CodeParseError(f"{name}: dependencies.{framework} must be an object")
        framework_line = nth(keys, framework, 0) or 0
        resolved: dict[str, str] = {}
        for package, entry in entries.items():
            if not isinstance(entry, dict):
                raise CodeParseError(f"{name}: {framework}: {package} must be an object")
            kind = _str(entry.get("type"), f"{framework}: {package}: type", name)
            if kind == "Project":
                continue
            version = _str(entry.get("resolved"), f"{framework}: {package}: resolved", name)
            if not version or not package.strip():
                raise CodeParseError(f"{name}: {framework}: {package!r} has no resolved version")
            resolved[package.lower()] = nuget_purl(package, version)
            purl = resolved[package.lower()]
            direct = kind == "Direct"
            known = packages.get(purl)
            if known is None or (direct and not known.direct):
                packages[purl] = Package(
                    purl=purl,
                    ecosystem="nuget",
                    name=package,
                    version=version,
                    requirement=_str(entry.get("requested"), f"{package}: requested", name),
                    direct=direct,
                    line=_line_after(keys, package, framework_line),
                )
            if direct:
                edges.append(("", purl))
        for package, entry in entries.items():
            deps = entry.get("dependencies")
            if package.lower() not in resolved or deps is None:
                continue
            if not isinstance(deps, dict):
                raise CodeParseError(
                    f"{name}: {framework}: {package}: dependencies must be an object"
                )
            for dep in deps:
                target = resolved.get(str(dep).lower())
                if target is not None:
                    edges.append((resolved[package.lower()], target))
    return DependencyFile(
        kind="nuget-lock",
        project=None,
        packages=tuple(packages.values()),
        edges=tuple(dict.fromkeys(edges)),
    )


def _is_project(name: str, _head: bytes) -> bool:
    base = _base(name).lower()
    return base.endswith((".csproj", ".fsproj", ".vbproj")) or base in (
        "directory.packages.props",
        "directory.build.props",
    )


PARSERS: tuple[DependencyParser, ...] = (
    DependencyParser("csproj", _is_project, parse_csproj),
    DependencyParser(
        "nuget-lock",
        lambda name, _head: _base(name).lower() == "packages.lock.json",
        parse_nuget_lock,
    ),
)
